"""The reference dialect on a real PostgreSQL: schema.sql unchanged, the three extraction queries,
and the same answers as SQLite gives for the demo FMS."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from benchmarks.fleet_generator import generate_company_fms

from aerosync.config.dialects import REFERENCE_TABLES, read_sql, split_statements
from aerosync.demo.fleet import build_demo_fms, demo_companies
from tests.conftest import NOW, POSTGRES_URL, require_service

pytestmark = pytest.mark.integration

HISTORY_START = (NOW - timedelta(days=32)).isoformat()
TABLES = REFERENCE_TABLES
# crew_legs.sql's binds: the demo's last three weeks and the week ahead, a day wider each side.
CREW_BINDS = {
    "on_block_from": (NOW - timedelta(days=22)).isoformat(),
    "on_block_until": (NOW + timedelta(days=8)).isoformat(),
}


def postgres_reachable() -> bool:
    engine = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


@pytest.fixture
def pg() -> Iterator[sa.Engine]:
    """An engine whose search_path is a fresh schema holding the reference tables."""
    require_service(postgres_reachable(), "PostgreSQL at " + POSTGRES_URL.split("@")[-1])
    schema = f"fms_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    engine = sa.create_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        with engine.begin() as conn:
            for _ in range(2):  # IF NOT EXISTS: running it again is harmless
                for statement in split_statements(read_sql("reference", "schema.sql")):
                    conn.execute(sa.text(statement))
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


def query(
    engine: sa.Engine, name: str, binds: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    if binds is None:
        binds = CREW_BINDS if name == "crew_legs.sql" else {"history_start": HISTORY_START}
    with engine.connect() as conn:
        result = conn.execute(sa.text(read_sql("reference", name)), binds)
        return [dict(row) for row in result.mappings()]


def insert(engine: sa.Engine, name: str, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        conn.execute(sa.table(name, *(sa.column(c) for c in rows[0])).insert(), rows)


def test_schema_types_in_postgres(pg: sa.Engine) -> None:
    columns = {(c["name"]): c["type"] for c in sa.inspect(pg).get_columns("legs")}
    assert isinstance(columns["off_block"], sa.DateTime) and columns["off_block"].timezone
    assert isinstance(columns["cancelled"], sa.Boolean)
    offers = {c["name"]: c["type"] for c in sa.inspect(pg).get_columns("empty_leg_offers")}
    assert isinstance(offers["price"], sa.Numeric)


def test_queries_on_hand_written_rows(pg: sa.Engine) -> None:
    insert(pg, "aircraft", [
        {"aircraft_id": "A1", "tail_number": "N650SW", "homebase": "TEB", "marketed": True},
        {"aircraft_id": "A2", "tail_number": "N77SW", "homebase": "KTEB", "marketed": False},
    ])  # fmt: skip
    insert(pg, "trips", [
        {"trip_id": f"T-{s}", "status": s, "avinode_trip_id": "AV-1" if s == "BOOKED" else None,
         "flight_regulation": "135"}
        for s in ("BOOKED", "OPTION", "QUOTED", "CANCELLED")
    ])  # fmt: skip

    def leg(leg_id: str, trip: str | None, kind: str, off: str, on: str, **extra: Any) -> dict:
        row = {"leg_id": leg_id, "trip_id": trip, "aircraft_id": "A1", "leg_kind": kind,
               "departure_airport": "KTEB", "arrival_airport": "EGLL", "off_block": off,
               "on_block": on, "flight_number": None, "pax_count": 4, "note": None,
               "flight_regulation": None, "cancelled": False}  # fmt: skip
        return row | extra

    insert(pg, "legs", [
        leg("L1", "T-BOOKED", "PAX", "2026-11-25T20:00:00-05:00", "2026-11-26T08:10:00+00:00",
            flight_regulation="Part 91K"),
        leg("L2", "T-OPTION", "PAX", "2026-11-27T10:00:00+00:00", "2026-11-27T12:00:00Z"),
        leg("L3", "T-QUOTED", "PAX", "2026-11-28T10:00:00+00:00", "2026-11-28T12:00:00+00:00"),
        leg("L4", "T-CANCELLED", "PAX", "2026-11-29T10:00:00+00:00", "2026-11-29T12:00:00+00:00"),
        leg("L5", "T-BOOKED", "PAX", "2026-11-30T10:00:00+00:00", "2026-11-30T12:00:00+00:00",
            cancelled=True),
        leg("L6", None, "EMPTY_LEG", "2026-12-01T10:00:00+01:00", "2026-12-01T12:00:00+01:00",
            pax_count=None),
        leg("L7", None, "FERRY", "2026-12-02T10:00:00+01:00", "2026-12-02T12:00:00+01:00"),
        leg("L8", "T-BOOKED", "PAX", "2026-10-01T10:00:00+00:00", "2026-10-01T12:00:00+00:00"),
        leg("L9", "T-BOOKED", "PAX", "2026-12-03T10:00:00+00:00", "2026-12-03T12:00:00+00:00",
            aircraft_id="A2"),
    ])  # fmt: skip
    offer = {"market_from": "2026-11-28T00:00:00+01:00", "market_to": "2026-12-01T10:00:00+01:00",
             "price": 12500, "currency": "EUR", "message": "Marketed", "verified_by": "ops",
             "verified_at": "2026-11-27T09:00:00+01:00"}  # fmt: skip
    insert(pg, "empty_leg_offers", [{"leg_id": "L6", **offer}, {"leg_id": "L7", **offer}])
    insert(pg, "ground_events", [
        {"event_id": "G1", "aircraft_id": "A1", "kind": "MAINTENANCE", "airport": "EGLL",
         "starts_at": "2026-12-05T08:00:00+00:00", "ends_at": "2026-12-06T18:00:00+00:00",
         "note": "A-check"},
        {"event_id": "G2", "aircraft_id": "A2", "kind": "AOG", "airport": "KTEB",
         "starts_at": "2026-12-05T08:00:00-05:00", "ends_at": "2026-12-06T18:00:00-05:00",
         "note": None},
    ])  # fmt: skip
    insert(pg, "leg_services", [
        {"service_id": f"S{n}", "leg_id": leg_id, "provider_id": "81766",
         "provider_name": "Signature TEB", "airport": "TEB", "service_type": "FBO",
         "service_for": "ALL", "data_source": "UNIVERSAL", "note": None}
        for n, leg_id in enumerate(("L1", "L3", "L5", "L9", "L1"))
    ])  # fmt: skip

    assert query(pg, "aircraft.sql") == [{"aircraft_id": "A1", "tail": "N650SW", "homebase": "TEB"}]
    rows = {r["activity_id"]: r for r in query(pg, "activities.sql")}
    assert list(rows) == ["L1", "L2", "L6", "L7", "G1"]  # in time order
    assert [rows[i]["activity_kind"] for i in rows] == ["PAX", "OPTION", "EMPTY_LEG", "FERRY",
                                                        "MAINTENANCE"]  # fmt: skip
    for row in rows.values():
        for column in ("start_time", "end_time"):
            assert isinstance(row[column], datetime) and row[column].utcoffset() is not None
    assert rows["L1"]["start_time"] == datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
    assert rows["L1"]["flight_regulation"] == "Part 91K"  # the leg's own, over the trip's
    assert rows["L2"]["flight_regulation"] == "135"
    assert rows["L1"]["external_trip_id"] == "T-BOOKED" and rows["L1"]["avinode_trip_id"] == "AV-1"
    assert rows["L6"]["price"] == Decimal("12500") and rows["L6"]["verified_by"] == "ops"
    assert rows["L6"]["market_from"] == datetime(2026, 11, 27, 23, 0, tzinfo=UTC)
    assert rows["L7"]["market_from"] is None and rows["L7"]["price"] is None
    assert rows["G1"]["start_airport"] == rows["G1"]["end_airport"] == "EGLL"
    services = query(pg, "services.sql")
    assert [(s["activity_id"]) for s in services] == ["L1", "L1"]
    assert set(services[0]) == {"activity_id", "provider_id", "provider_name", "airport",
                                "service_type", "service_for", "data_source", "note"}  # fmt: skip


def copy_sqlite(source: Path, target: sa.Engine) -> None:
    """Every row of a demo SQLite FMS into PostgreSQL, booleans made booleans."""
    engine = sa.create_engine(f"sqlite:///{source}")
    booleans = {"marketed", "cancelled", "pilot_flying"}
    with engine.connect() as conn:
        for name in TABLES:
            rows = [dict(r) for r in conn.execute(sa.text(f"SELECT * FROM {name}")).mappings()]
            for row in rows:
                row.update({k: bool(row[k]) for k in booleans & set(row)})
            if rows:
                insert(target, name, rows)
    engine.dispose()


def comparable(row: dict[str, Any]) -> dict[str, Any]:
    """Times as UTC instants and prices as floats, whichever database answered."""
    out = {}
    for key, value in row.items():
        times = ("start_time", "end_time", "market_from", "market_to", "off_block", "on_block")
        if isinstance(value, str) and key in times:
            value = datetime.fromisoformat(value)
        if isinstance(value, datetime):
            value = value.astimezone(UTC)
        if isinstance(value, Decimal | int) and key == "price":
            value = float(value)
        if isinstance(value, int) and key in ("cancelled", "pilot_flying"):
            value = bool(value)  # SQLite's 0/1
        out[key] = value
    return out


@pytest.mark.parametrize("company", demo_companies())
def test_demo_fms_gives_the_same_rows_as_sqlite(
    pg: sa.Engine, tmp_path: Path, company: str
) -> None:
    summary = build_demo_fms(tmp_path / "fms.sqlite", NOW, company=company)
    copy_sqlite(summary.path, pg)
    lite = sa.create_engine(f"sqlite:///{summary.path}")
    names = ["aircraft.sql", "activities.sql", "services.sql"]
    names += ["crew_legs.sql"] if summary.counts["leg_crew"] else []
    for name in names:
        from_pg, from_lite = query(pg, name), query(lite, name)
        assert len(from_pg) == len(from_lite) > 0, name
        assert [list(r) for r in from_pg] == [list(r) for r in from_lite], name
        key = {"aircraft.sql": "tail", "crew_legs.sql": "leg_id"}.get(name, "activity_id")
        as_pg = sorted((comparable(r) for r in from_pg), key=lambda r: (r[key], str(r)))
        as_lite = sorted((comparable(r) for r in from_lite), key=lambda r: (r[key], str(r)))
        assert as_pg == as_lite, name
    lite.dispose()
    activities = query(pg, "activities.sql")
    assert all(r["start_time"].utcoffset() is not None for r in activities)
    per_tail: dict[str, list[datetime]] = {}
    for row in activities:
        per_tail.setdefault(row["tail"], []).append(row["start_time"])
    assert all(starts == sorted(starts) for starts in per_tail.values())  # true time order
    assert sorted(per_tail) == summary.tails


def test_benchmark_generator_writes_postgres(pg: sa.Engine) -> None:
    generate_company_fms(pg, company_index=1, aircraft=3, activities=25, now=NOW)
    assert len(query(pg, "aircraft.sql")) == 3
    rows = query(pg, "activities.sql")
    assert len(rows) == 75 and all(r["end_time"].tzinfo is not None for r in rows)
    always = {"on_block_from": "2000-01-01T00:00:00+00:00", "on_block_until": "2100-01-01"}
    crew = query(pg, "crew_legs.sql", always)
    legs = {r["activity_id"] for r in rows} - {r["activity_id"] for r in rows if r["start_airport"]
                                               == r["end_airport"]}  # fmt: skip
    assert {r["leg_id"] for r in crew} == legs and len(crew) == 2 * len(legs)
    assert all(isinstance(r["pilot_flying"], bool) and r["type_code"] for r in crew)
    assert sum(r["pilot_flying"] for r in crew) == len(legs)
