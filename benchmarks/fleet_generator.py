"""Synthetic fleet management systems in the reference schema, for the benchmarks.

Each company's aircraft fly back-to-back from 20 days ago onwards, without overlaps and each
activity starting where the previous one ended: about 70 % legs (BOOKED and OPTION trips of one to
four legs, standalone ferries and empty legs, some with marketing offers, some with services) and
30 % ground events, with times written in the local zone of their airport. Ids and tails carry the
company's number, so several companies can share one database (or one marketplace sandbox).
Every aircraft has an ICAO type, and every leg two pilots of that aircraft's crew of four (two
captains, two first officers): a PIC, a SIC, one of them pilot flying, with the take-off and
landing by day or night as the sun stood (`aerosync.demo.night`). The crew are drawn from a
generator of their own, so the schedules are the same as without them.

    python benchmarks/fleet_generator.py --dir .bench/fms --companies 3 --aircraft 400
    python benchmarks/fleet_generator.py --url postgresql+psycopg2://postgres@127.0.0.1/test
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from aerosync.config.dialects import REFERENCE_TABLES, read_sql, split_statements
from aerosync.demo.night import is_night

# (ICAO, zone, region): aircraft fly mostly within the region they are in.
AIRPORTS = (
    ("KTEB", "America/New_York", "NA"), ("KHPN", "America/New_York", "NA"),
    ("KBOS", "America/New_York", "NA"), ("KOPF", "America/New_York", "NA"),
    ("KMIA", "America/New_York", "NA"), ("KATL", "America/New_York", "NA"),
    ("KMDW", "America/Chicago", "NA"), ("KDAL", "America/Chicago", "NA"),
    ("KAPA", "America/Denver", "NA"), ("KASE", "America/Denver", "NA"),
    ("KSDL", "America/Phoenix", "NA"), ("KVNY", "America/Los_Angeles", "NA"),
    ("KLAS", "America/Los_Angeles", "NA"), ("KSFO", "America/Los_Angeles", "NA"),
    ("MMUN", "America/Cancun", "NA"), ("EGLF", "Europe/London", "EU"),
    ("EGGW", "Europe/London", "EU"), ("LFPB", "Europe/Paris", "EU"),
    ("LFMN", "Europe/Paris", "EU"), ("LSGG", "Europe/Zurich", "EU"),
    ("LSZH", "Europe/Zurich", "EU"), ("EDDM", "Europe/Berlin", "EU"),
    ("LOWW", "Europe/Vienna", "EU"), ("LIML", "Europe/Rome", "EU"),
    ("LEIB", "Europe/Madrid", "EU"), ("EHAM", "Europe/Amsterdam", "EU"),
    ("OMDB", "Asia/Dubai", "FAR"), ("YSSY", "Australia/Sydney", "FAR"),
    ("SCEL", "America/Santiago", "FAR"), ("FACT", "Africa/Johannesburg", "FAR"),
)  # fmt: skip
ZONES = {code: ZoneInfo(zone) for code, zone, _ in AIRPORTS}
CODES = [code for code, _, _ in AIRPORTS]
REGIONS = {code: region for code, _, region in AIRPORTS}
REGION_CODES = {r: [c for c in CODES if REGIONS[c] == r] for r in sorted(set(REGIONS.values()))}
GROUND_SHARE = 0.3
GROUND_KINDS = ("MAINTENANCE", "CREW_REST", "OWNER_HOLD", "AOG", "OTHER")
GROUND_WEIGHTS = (35, 30, 15, 10, 10)
REGULATIONS = ("135", "Part 91K", "PART_135", "EU-OPS CAT", "Part 91", "NCC", None)
SERVICES = (("FBO", "Signature Flight Support"), ("FUEL", "World Fuel Services"),
            ("CATERING", "Gate Gourmet"), ("HANDLING", "Jet Aviation"))  # fmt: skip
# ICAO Doc 8643 designators of business jets, given to aircraft in turn.
TYPE_CODES = ("GLF6", "CL35", "C68A", "E55P", "GL7T", "FA7X", "C56X", "LJ45", "PC24", "F2TH")
PILOTS_PER_AIRCRAFT = 4  # two captains, then two first officers
# In foreign-key order; every row is a dict holding all of its table's columns.
TABLES = REFERENCE_TABLES
Rows = dict[str, list[dict[str, Any]]]


def company_id(index: int) -> str:
    return f"bench_{index:03d}"


def tail_for(company_index: int, aircraft_index: int) -> str:
    """Unique across companies, so every company's aircraft can share one sandbox."""
    return f"B{company_index:03d}-{aircraft_index:04d}"


def _iso(moment: datetime, airport: str) -> str:
    return moment.astimezone(ZONES[airport]).isoformat(timespec="seconds")


class _CompanyBuilder:
    """One company's rows; every random choice comes from one seeded generator."""

    def __init__(self, company_index: int, now: datetime, seed: int) -> None:
        self.cid = company_id(company_index)
        self.company_index = company_index
        self.rng = random.Random(f"{seed}-{company_index}")
        self.crew_rng = random.Random(f"{seed}-{company_index}-crew")
        self.pilots: tuple[str, ...] = ()
        self.start = now.astimezone(UTC).replace(second=0, microsecond=0) - timedelta(days=20)
        self.rows: Rows = {table: [] for table in TABLES}
        self.counters = {"T": 0, "L": 0, "G": 0, "S": 0}

    def next_id(self, kind: str) -> str:
        self.counters[kind] += 1
        return f"{self.cid}-{kind}{self.counters[kind]:07d}"

    def aircraft(self, index: int, activities: int) -> None:
        aircraft_id = f"{self.cid}-AC{index:04d}"
        home = self.rng.choice(CODES)
        self.rows["aircraft"].append(
            {"aircraft_id": aircraft_id, "tail_number": tail_for(self.company_index, index),
             "homebase": home, "marketed": True, "type_code": TYPE_CODES[index % len(TYPE_CODES)]}
        )  # fmt: skip
        first = index * PILOTS_PER_AIRCRAFT
        self.pilots = tuple(f"{self.cid}-P{first + k:06d}" for k in range(PILOTS_PER_AIRCRAFT))
        clock = self.start + timedelta(minutes=5 * self.rng.randrange(0, 144))
        location = home
        for legs in self.blocks(activities):
            if legs == 0:
                clock = self.ground(aircraft_id, location, clock)
            else:
                clock, location = self.flying(aircraft_id, location, clock, legs)

    def blocks(self, activities: int) -> list[int]:
        """Ground events (0) and trips (their number of legs) in random order: 30 % ground."""
        ground = round(activities * GROUND_SHARE)
        legs = activities - ground
        blocks = [0] * ground
        while legs > 0:
            blocks.append(min(self.rng.choice((1, 2, 2, 3, 4)), legs))
            legs -= blocks[-1]
        self.rng.shuffle(blocks)
        return blocks

    def ground(self, aircraft_id: str, airport: str, clock: datetime) -> datetime:
        kind = self.rng.choices(GROUND_KINDS, GROUND_WEIGHTS)[0]
        end = clock + timedelta(minutes=30 * self.rng.randint(4, 96))
        self.rows["ground_events"].append(
            {"event_id": self.next_id("G"), "aircraft_id": aircraft_id, "kind": kind,
             "airport": airport, "starts_at": _iso(clock, airport), "ends_at": _iso(end, airport),
             "note": None}
        )  # fmt: skip
        return end + timedelta(minutes=5 * self.rng.randint(6, 72))

    def flying(
        self, aircraft_id: str, location: str, clock: datetime, legs: int
    ) -> tuple[datetime, str]:
        """A trip of `legs` legs, or (for one leg) sometimes a standalone ferry or empty leg."""
        roll = self.rng.random()
        trip_id, kind = None, "PAX"
        if legs == 1 and roll < 0.4:
            kind = "FERRY" if roll < 0.15 else "EMPTY_LEG"
        else:
            trip_id = self.next_id("T")
            self.rows["trips"].append(
                {"trip_id": trip_id, "status": "BOOKED" if self.rng.random() < 0.8 else "OPTION",
                 "avinode_trip_id": f"ATRIP-{self.rng.randrange(16**6):06X}"
                 if self.rng.random() < 0.3 else None,
                 "flight_regulation": self.rng.choice(REGULATIONS)}
            )  # fmt: skip
        for _ in range(legs):
            clock, location = self.leg(aircraft_id, trip_id, kind, location, clock)
        return clock, location

    def leg(
        self, aircraft_id: str, trip_id: str | None, kind: str, origin: str, clock: datetime
    ) -> tuple[datetime, str]:
        # Mostly within the region of the departure, now and then anywhere.
        pool = REGION_CODES[REGIONS[origin]] if self.rng.random() < 0.95 else CODES
        destination = self.rng.choice(pool)
        while destination == origin:
            destination = self.rng.choice(pool)
        end = clock + timedelta(minutes=5 * self.rng.randint(9, 96))
        leg_id = self.next_id("L")
        self.rows["legs"].append(
            {"leg_id": leg_id, "trip_id": trip_id, "aircraft_id": aircraft_id, "leg_kind": kind,
             "departure_airport": origin, "arrival_airport": destination,
             "off_block": _iso(clock, origin), "on_block": _iso(end, destination),
             "flight_number": None, "pax_count": self.rng.randint(1, 12) if kind == "PAX" else None,
             "note": None, "flight_regulation": None, "cancelled": False}
        )  # fmt: skip
        self.crew(leg_id, clock, origin, end, destination)
        if kind == "EMPTY_LEG" and self.rng.random() < 0.7:
            self.offer(leg_id, clock, origin)
        if kind == "PAX" and self.rng.random() < 0.1:
            service_type, provider = self.rng.choice(SERVICES)
            self.rows["leg_services"].append(
                {"service_id": self.next_id("S"), "leg_id": leg_id,
                 "provider_id": f"P{self.rng.randrange(10000, 99999)}",
                 "provider_name": f"{provider} {origin}", "airport": origin,
                 "service_type": service_type, "service_for": "ALL",
                 "data_source": "UNIVERSAL", "note": None}
            )  # fmt: skip
        return end + timedelta(minutes=5 * self.rng.randint(6, 144)), destination

    def crew(self, leg_id: str, off: datetime, origin: str, on: datetime, to: str) -> None:
        """A captain as PIC and a first officer as SIC of the aircraft's crew; either flies."""
        half = PILOTS_PER_AIRCRAFT // 2
        pic = self.crew_rng.choice(self.pilots[:half])
        sic = self.crew_rng.choice(self.pilots[half:])
        flying = self.crew_rng.choice(("PIC", "SIC"))
        takeoff_night, landing_night = is_night(off, origin), is_night(on, to)
        for employee, role in ((pic, "PIC"), (sic, "SIC")):
            pf = role == flying
            self.rows["leg_crew"].append(
                {"leg_id": leg_id, "employee_id": employee, "role": role, "pilot_flying": pf,
                 "takeoffs_day": int(pf and not takeoff_night),
                 "takeoffs_night": int(pf and takeoff_night),
                 "landings_day": int(pf and not landing_night),
                 "landings_night": int(pf and landing_night)}
            )  # fmt: skip

    def offer(self, leg_id: str, departure: datetime, airport: str) -> None:
        market_from = departure - timedelta(hours=self.rng.randint(12, 120))
        verified = self.rng.random() < 0.5
        self.rows["empty_leg_offers"].append(
            {"leg_id": leg_id, "market_from": _iso(market_from, airport),
             "market_to": _iso(departure, airport), "price": self.rng.randrange(4000, 40000, 100),
             "currency": "USD", "message": "Empty leg, flexible departure",
             "verified_by": "ops" if verified else None,
             "verified_at": _iso(market_from, airport) if verified else None}
        )  # fmt: skip


def create_schema(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        for statement in split_statements(read_sql("reference", "schema.sql")):
            conn.execute(sa.text(statement))


def insert_rows(engine: sa.Engine, rows: Rows) -> None:
    """Bulk inserts: COPY on PostgreSQL with psycopg2, the driver's executemany on SQLite."""
    if engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg2":
        _copy_rows(engine, rows)
        return
    with engine.begin() as conn:
        for table in TABLES:
            if not rows[table]:
                continue
            columns = list(rows[table][0])
            if engine.dialect.name == "sqlite":  # the driver executemany: several times faster
                marks = ", ".join("?" * len(columns))
                statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
                conn.exec_driver_sql(statement, [tuple(row.values()) for row in rows[table]])
            else:
                target = sa.table(table, *(sa.column(c) for c in columns))
                conn.execute(target.insert(), rows[table])


def _copy_rows(engine: sa.Engine, rows: Rows) -> None:
    """PostgreSQL's COPY in CSV form: an unquoted empty field is NULL (no demo text is empty)."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for table in TABLES:
            if not rows[table]:
                continue
            columns = list(rows[table][0])
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            writer.writerows([row[c] for c in columns] for row in rows[table])
            buffer.seek(0)
            cursor.copy_expert(
                f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)", buffer
            )
        raw.commit()
    finally:
        raw.close()


def company_rows(
    company_index: int, *, aircraft: int, activities: int, now: datetime, seed: int = 7
) -> Rows:
    builder = _CompanyBuilder(company_index, now, seed)
    for index in range(aircraft):
        builder.aircraft(index, activities)
    return builder.rows


def generate_company_fms(
    engine: sa.Engine,
    *,
    company_index: int,
    aircraft: int,
    activities: int,
    now: datetime,
    seed: int = 7,
) -> str:
    """Create the reference schema (if missing) and fill it with one company's fleet."""
    create_schema(engine)
    rows = company_rows(company_index, aircraft=aircraft, activities=activities, now=now, seed=seed)
    insert_rows(engine, rows)
    return company_id(company_index)


def generate_fleet(
    engine: sa.Engine, *, companies: int, aircraft: int, activities: int, now: datetime,
    seed: int = 7,
) -> list[str]:  # fmt: skip
    """Every company in one database (ids and tails carry the company); the company ids."""
    return [
        generate_company_fms(
            engine, company_index=i, aircraft=aircraft, activities=activities, now=now, seed=seed
        )
        for i in range(companies)
    ]


def generate_fleet_dir(
    directory: Path, *, companies: int, aircraft: int, activities: int, now: datetime,
    seed: int = 7,
) -> dict[str, Path]:  # fmt: skip
    """One SQLite file per company, `<directory>/<company_id>.sqlite` (replaced if present)."""
    directory.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for index in range(companies):
        path = directory / f"{company_id(index)}.sqlite"
        path.unlink(missing_ok=True)
        engine = sa.create_engine(f"sqlite:///{path}")
        try:
            generate_company_fms(
                engine, company_index=index, aircraft=aircraft, activities=activities, now=now,
                seed=seed,
            )  # fmt: skip
        finally:
            engine.dispose()
        written[company_id(index)] = path
    return written


def _counts(engine: sa.Engine, tables: Iterable[str]) -> dict[str, int]:
    with engine.connect() as conn:
        return {t: conn.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in tables}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--dir", type=Path, help="one SQLite file per company in this folder")
    target.add_argument("--url", help="one SQLAlchemy database for every company")
    parser.add_argument("--companies", type=int, default=1)
    parser.add_argument("--aircraft", type=int, default=400)
    parser.add_argument("--activities", type=int, default=300, help="per aircraft")
    parser.add_argument("--now", type=datetime.fromisoformat, default=datetime.now(UTC),
                        help="ISO 8601 with offset; default: the current time")  # fmt: skip
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    if args.now.tzinfo is None:
        parser.error("--now needs a UTC offset, e.g. 2026-11-24T12:00:00+00:00")
    sizes = {"companies": args.companies, "aircraft": args.aircraft,
             "activities": args.activities, "now": args.now, "seed": args.seed}  # fmt: skip
    started = time.perf_counter()
    if args.dir is not None:
        for company, path in generate_fleet_dir(args.dir, **sizes).items():
            print(f"{company}: {path}")
    else:
        engine = sa.create_engine(args.url)
        print(", ".join(generate_fleet(engine, **sizes)))
        print(_counts(engine, TABLES))
        engine.dispose()
    print(f"generated in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
