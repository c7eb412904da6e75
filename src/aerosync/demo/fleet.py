"""The demo FMS: a SQLite database in the reference schema, per demo company.

`build_demo_fms(path, now, company=...)` writes two weeks of realistic flying around `now` for
one of the two demo companies (see `aerosync.demo.plans` for what each schedule holds), each
aircraft with its ICAO type; Alpine Jets' legs flown have their crew, with three months of line
flying before them (`aerosync.demo.leg_crew`). The result depends on `now` only: no randomness.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aerosync.config.dialects import REFERENCE_TABLES, read_sql, split_statements
from aerosync.demo.leg_crew import add_crew, add_line_flying
from aerosync.demo.plans import plan_alpine, plan_skyway
from aerosync.demo.rows import FmsRows, Timeline, next_dst_transition


@dataclass(frozen=True)
class DemoAircraft:
    aircraft_id: str
    tail: str
    homebase: str  # as the FMS writes it: ICAO, IATA or FAA
    icao: str
    type_code: str | None  # ICAO Doc 8643
    marketed: bool = True


FLEETS: dict[str, tuple[DemoAircraft, ...]] = {
    "skyway_charter": (
        DemoAircraft("SW-AC01", "N650SW", "TEB", "KTEB", "GLF6"),  # G650, IATA homebase
        DemoAircraft("SW-AC02", "N525SW", "KHPN", "KHPN", "C25C"),  # Citation CJ4
        DemoAircraft("SW-AC03", "N300SW", "KVNY", "KVNY", "CL30"),  # Challenger 300
        DemoAircraft("SW-AC04", "N711SW", "DTS", "KDTS", "E55P"),  # Phenom 300, FAA LID homebase
        DemoAircraft("SW-AC05", "N880SW", "KOPF", "KOPF", "GLEX"),  # Global 6000
        DemoAircraft("SW-AC06", "N410SW", "KAPA", "KAPA", "LJ45"),  # Learjet 45
        # Owner's own use; its FMS record predates type codes (the column may be empty).
        DemoAircraft("SW-AC07", "N77SW", "KTEB", "KTEB", None, marketed=False),
    ),
    "alpine_jets": (
        DemoAircraft("AJ-AC01", "HB-JFA", "GVA", "LSGG", "GL7T"),  # Global 7500, IATA homebase
        DemoAircraft("AJ-AC02", "HB-JSZ", "LSZH", "LSZH", "FA7X"),  # Falcon 7X
        DemoAircraft("AJ-AC03", "G-LXWD", "FAB", "EGLF", "CL60"),  # Challenger 650
        DemoAircraft("AJ-AC04", "D-CALP", "EDDM", "EDDM", "C56X"),  # Citation XLS+
        DemoAircraft("AJ-AC05", "OE-GAJ", "LOWW", "LOWW", "C56X"),  # Citation XLS+
        DemoAircraft("AJ-AC06", "F-HAJT", "LBG", "LFPB", "F2TH"),  # Falcon 2000LXS
        DemoAircraft("AJ-AC07", "HB-VAJ", "LSGG", "LSGG", "FA7X", marketed=False),  # Falcon 7X
    ),
}
PREFIXES = {"skyway_charter": "SW", "alpine_jets": "AJ"}
PLANS = {"skyway_charter": plan_skyway, "alpine_jets": plan_alpine}
# The companies whose crew the demo HRIS holds: only their legs have crew.
CREWED = frozenset({"alpine_jets"})
TABLES = REFERENCE_TABLES


@dataclass
class DemoSummary:
    """What a demo FMS holds: marketed tails, rows per table, the daylight-saving leg."""

    company: str
    path: Path
    tails: list[str]
    counts: dict[str, int] = field(default_factory=dict)
    dst_leg_id: str = ""
    dst_zone: str = ""
    dst_change: datetime | None = None


def _fleet(company: str) -> tuple[DemoAircraft, ...]:
    try:
        return FLEETS[company]
    except KeyError:
        raise ValueError(
            f"unknown demo company {company!r}; demo companies: {', '.join(sorted(FLEETS))}"
        ) from None


def demo_companies() -> list[str]:
    return sorted(FLEETS)


def demo_homebases(company: str) -> dict[str, str]:
    """Tail -> homebase ICAO of every aircraft of a demo company (for the marketplace sandbox)."""
    return {a.tail: a.icao for a in _fleet(company)}


def demo_rows(now: datetime, company: str = "skyway_charter") -> tuple[FmsRows, str, str, datetime]:
    """The demo company's rows as of `now`, and the daylight-saving leg's id, zone and instant."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware, e.g. datetime.now(UTC)")
    fleet = _fleet(company)
    rows = FmsRows(prefix=PREFIXES[company])
    base = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    timelines: dict[str, Timeline] = {}
    for aircraft in fleet:
        rows.add_aircraft(
            aircraft.aircraft_id,
            aircraft.tail,
            aircraft.homebase,
            aircraft.marketed,
            aircraft.type_code,
        )
        timelines[aircraft.tail] = Timeline(rows, aircraft.aircraft_id, aircraft.homebase, base)
    zone, change = next_dst_transition(now + timedelta(days=1))
    dst_leg = PLANS[company](rows, timelines, zone, change)
    if company in CREWED:
        homes = {a.tail: (a.aircraft_id, a.homebase) for a in fleet}
        seats = add_line_flying(rows, homes, base)
        types = {a.aircraft_id: a.type_code for a in fleet if a.type_code is not None}
        add_crew(rows, types, base, now, seats)
    return rows, dst_leg, zone, change


def write_fms(path: Path, rows: FmsRows) -> None:
    """Create the reference schema in a new SQLite file and insert the rows."""
    connection = sqlite3.connect(path)
    try:
        for statement in split_statements(read_sql("reference", "schema.sql")):
            connection.execute(statement)
        for table in TABLES:
            values = getattr(rows, table)
            if values:
                marks = ", ".join("?" * len(values[0]))
                connection.executemany(f"INSERT INTO {table} VALUES ({marks})", values)
        connection.commit()
    finally:
        connection.close()


def build_demo_fms(path: Path, now: datetime, company: str = "skyway_charter") -> DemoSummary:
    """Write a demo company's FMS as a SQLite file at `path` (which must not exist yet)."""
    path = Path(path)
    if path.exists() and path.stat().st_size > 0:
        raise FileExistsError(f"{path} already exists; remove it to build a fresh demo FMS there")
    rows, dst_leg, zone, change = demo_rows(now, company)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_fms(path, rows)
    return DemoSummary(
        company=company,
        path=path,
        tails=sorted(a.tail for a in _fleet(company) if a.marketed),
        counts=rows.counts(),
        dst_leg_id=dst_leg,
        dst_zone=zone,
        dst_change=change,
    )
