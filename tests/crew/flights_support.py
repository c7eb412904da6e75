"""Flights flown through the training-sync steps without Airflow: a reference FMS (SQLite or
PostgreSQL, the project's own schema.sql), read by the dialect's crew_legs.sql as the crew flow's
FMS reader reads it, staged, gated, loaded and purged into an aerosync store."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import Engine, text

from aerosync.airflow.crew_fms import read_crew_legs
from aerosync.config.dialects import read_sql, split_statements
from aerosync.config.training import DEFAULT_FLIGHT_RETENTION_DAYS
from aerosync.crew.legs_flown import legs_window
from aerosync.crew.sources import Window
from aerosync.crew.steps import (
    TrainingStores,
    stage_source,
    step_finish,
    step_load,
    step_retention,
    step_validate,
)
from aerosync.crew.store import TrainingStore
from aerosync.crew.tables import EMPLOYEES, LEG_CREW

COMPANY = "acme"
PILOTS = ("E001", "E002", "E003", "E004")
ZURICH = ZoneInfo("Europe/Zurich")
NEW_YORK = ZoneInfo("America/New_York")
FMS_TABLES = ("aircraft", "trips", "legs", "leg_crew")


def window_of(day: date) -> Window:
    start = datetime.combine(day, time(3, 0), tzinfo=UTC)
    return Window(start, start + timedelta(days=1))


def create_fms(engine: Engine) -> None:
    with engine.begin() as conn:
        for statement in split_statements(read_sql("reference", "schema.sql")):
            conn.execute(text(statement))


def insert(engine: Engine, table: str, rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        with engine.begin() as conn:
            conn.execute(sa.table(table, *(sa.column(c) for c in rows[0])).insert(), list(rows))


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).isoformat(timespec="seconds")


def crew_rows(leg_id: str, pic: str, sic: str, flying: str, night: bool = False) -> list[dict]:
    rows = []
    for employee, role in ((pic, "PIC"), (sic, "SIC")):
        pf = role == flying
        rows.append(
            {"leg_id": leg_id, "employee_id": employee, "role": role, "pilot_flying": pf,
             "takeoffs_day": int(pf and not night), "takeoffs_night": int(pf and night),
             "landings_day": int(pf and not night), "landings_night": int(pf and night)}
        )  # fmt: skip
    return rows


def scenario(first: date, days: int) -> dict[str, list[dict[str, Any]]]:
    """Daily flying of two aircraft over `days` days from `first`: HB-AAA (CL60) every day, with
    times written in Zurich's offset, one leg landing at 02:30 UTC (the window before, by UTC);
    N100 (no type code) every third day in New York's. Trips BOOKED, one OPTION trip, one
    cancelled leg, standalone ferries. Crew: E001/E002 on HB-AAA, E003/E004 on N100, the pilot
    flying taking turns, night counts for legs after 18:00 UTC."""
    data: dict[str, list[dict[str, Any]]] = {t: [] for t in FMS_TABLES}
    data["aircraft"] = [
        {"aircraft_id": "A1", "tail_number": "HB-AAA", "homebase": "LSZH", "marketed": True,
         "type_code": "CL60"},
        {"aircraft_id": "A2", "tail_number": "N100", "homebase": "KTEB", "marketed": False,
         "type_code": None},
    ]  # fmt: skip
    data["trips"] = [
        {"trip_id": trip, "status": trip[2:], "avinode_trip_id": None, "flight_regulation": None}
        for trip in ("T-BOOKED", "T-OPTION")
    ]
    for k in range(days):
        day = datetime.combine(first + timedelta(days=k), time(0, 0), tzinfo=UTC)
        hour = 23 if k % 7 == 0 else (2 if k % 7 == 1 else 9 + k % 10)  # 02:00: lands 02:30
        off = day + timedelta(hours=hour)
        on = off + timedelta(minutes=30 if hour == 2 else 75 + k % 4 * 5)
        leg_id = f"L{k:03d}"
        trip = "T-OPTION" if k == 5 else (None if k % 4 == 3 else "T-BOOKED")
        data["legs"].append(
            {"leg_id": leg_id, "trip_id": trip, "aircraft_id": "A1",
             "leg_kind": "FERRY" if trip is None else "PAX", "departure_airport": "LSZH",
             "arrival_airport": "LSGG", "off_block": _local(off, ZURICH),
             "on_block": _local(on, ZURICH), "flight_number": None, "pax_count": None,
             "note": None, "flight_regulation": None, "cancelled": k == 9}
        )  # fmt: skip
        data["leg_crew"] += crew_rows(
            leg_id, "E001", "E002", "PIC" if k % 2 else "SIC", night=off.hour >= 18
        )
        if k % 3 == 0:
            off = day + timedelta(hours=14)
            data["legs"].append(
                {"leg_id": f"N{k:03d}", "trip_id": "T-BOOKED", "aircraft_id": "A2",
                 "leg_kind": "PAX", "departure_airport": "KTEB", "arrival_airport": "KBOS",
                 "off_block": _local(off, NEW_YORK),
                 "on_block": _local(off + timedelta(minutes=65), NEW_YORK),
                 "flight_number": None, "pax_count": 3, "note": None, "flight_regulation": None,
                 "cancelled": False}
            )  # fmt: skip
            data["leg_crew"] += crew_rows(f"N{k:03d}", "E003", "E004", "PIC")
    return data


def fill_fms(engine: Engine, data: dict[str, list[dict[str, Any]]]) -> None:
    create_fms(engine)
    for table in FMS_TABLES:
        insert(engine, table, data[table])


def seed_employees(engine: Engine, ids: Sequence[str] = PILOTS) -> None:
    """The HRIS's employees, as an earlier HRIS run loaded them."""
    stores = TrainingStores.on(engine)
    rows = [
        {"employee_id": e, "effective_from": "2020-01-01", "name": f"Pilot {e}", "role": "CPT",
         "base": "LSZH", "employment_status": "active", "hired_on": "2020-01-01", "left_on": None}
        for e in ids
    ]  # fmt: skip
    stores.records.upsert(COMPANY, EMPLOYEES, rows, "seed", datetime.now(UTC))


def run_flights(
    store: Engine,
    fms: Engine,
    window: Window,
    run_id: str,
    *,
    lookback_days: int = 3,
    today: date | None = None,
    retention_days: int = DEFAULT_FLIGHT_RETENTION_DAYS,
) -> dict[str, Any]:
    """One run of the sync with the flights source only, as its tasks run it."""
    stores = TrainingStores.on(store)
    now = datetime.now(UTC)
    today = today or now.date()
    read = legs_window(window, lookback_days)
    staged = stage_source(
        COMPANY, "flights", read_crew_legs(fms, "reference", read), read, stores, run_id
    )
    validated = step_validate(COMPANY, ["flights"], stores, run_id, window, now)
    own = {"flights": retention_days}
    loaded = step_load(COMPANY, ["flights"], stores, run_id, now, today, 3 * 365, own)
    retained = step_retention(COMPANY, stores, run_id, now, today, 3 * 365, own)
    finished = step_finish(COMPANY, ["flights"], stores, run_id)
    return {
        "staged": staged.to_dict(),
        "validated": validated,
        "loaded": loaded.to_dict(),
        "retained": retained.to_dict(),
        "finished": finished.to_dict(),
    }


def leg_crew(store: Engine) -> list[dict[str, Any]]:
    """The loaded rows, without the columns that say when and by which run."""
    rows = TrainingStore(store).rows(COMPANY, LEG_CREW)
    return [
        {k: v for k, v in r.items() if k not in ("last_run_id", "last_changed_at")} for r in rows
    ]


def flight_audit(store: Engine) -> list[dict[str, Any]]:
    with store.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT * FROM training_audit WHERE company = :c AND table_name = :t "
                "ORDER BY changed_at, audit_id"
            ),
            {"c": COMPANY, "t": "training_leg_crew"},
        ).mappings()
        return [dict(r) for r in rows]


def days(first: date, order: Sequence[int]) -> Iterator[date]:
    for k in order:
        yield first + timedelta(days=k)
