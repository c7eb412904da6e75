"""The reference dialect's SQL on SQLite: schema, the three extraction queries, the demo FMS."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from benchmarks.fleet_generator import generate_company_fms, generate_fleet, generate_fleet_dir

from aerosync.airports import to_icao
from aerosync.config.dialects import dialects, read_sql, split_statements, sql_dir
from aerosync.demo.fleet import (
    DemoSummary,
    build_demo_fms,
    demo_companies,
    demo_homebases,
    demo_rows,
)
from aerosync.demo.rows import ZONES, next_dst_transition
from tests.conftest import NOW

pytestmark = pytest.mark.unit

ACTIVITY_COLUMNS = (
    "activity_id",
    "tail",
    "activity_kind",
    "external_trip_id",
    "avinode_trip_id",
    "flight_number",
    "start_airport",
    "end_airport",
    "start_time",
    "end_time",
    "pax_count",
    "note",
    "flight_regulation",
    "market_from",
    "market_to",
    "price",
    "currency",
    "marketing_message",
    "verified_by",
)
SERVICE_COLUMNS = (
    "activity_id",
    "provider_id",
    "provider_name",
    "airport",
    "service_type",
    "service_for",
    "data_source",
    "note",
)
HISTORY_START = (NOW - timedelta(days=32)).isoformat()
SCHEMA_COLUMNS = {
    "aircraft": ["aircraft_id", "tail_number", "homebase", "marketed", "type_code"],
    "trips": ["trip_id", "status", "avinode_trip_id", "flight_regulation"],
    "legs": [
        "leg_id",
        "trip_id",
        "aircraft_id",
        "leg_kind",
        "departure_airport",
        "arrival_airport",
        "off_block",
        "on_block",
        "flight_number",
        "pax_count",
        "note",
        "flight_regulation",
        "cancelled",
    ],
    "empty_leg_offers": [
        "leg_id",
        "market_from",
        "market_to",
        "price",
        "currency",
        "message",
        "verified_by",
        "verified_at",
    ],
    "ground_events": ["event_id", "aircraft_id", "kind", "airport", "starts_at", "ends_at", "note"],
    "leg_services": [
        "service_id",
        "leg_id",
        "provider_id",
        "provider_name",
        "airport",
        "service_type",
        "service_for",
        "data_source",
        "note",
    ],
    "leg_crew": [
        "leg_id",
        "employee_id",
        "role",
        "pilot_flying",
        "takeoffs_day",
        "takeoffs_night",
        "landings_day",
        "landings_night",
    ],
}


def utc(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    assert parsed.utcoffset() is not None, f"{value} has no UTC offset"
    return parsed.astimezone(UTC)


def query(engine: sa.Engine, name: str, history_start: str = HISTORY_START) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        result = conn.execute(
            sa.text(read_sql("reference", name)), {"history_start": history_start}
        )
        return [dict(row) for row in result.mappings()]


def table(engine: sa.Engine, name: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.text(f"SELECT * FROM {name}")).mappings()]


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[dict[str, tuple[DemoSummary, sa.Engine]]]:
    folder = tmp_path_factory.mktemp("demo_fms")
    built = {}
    for company in demo_companies():
        summary = build_demo_fms(folder / f"{company}.sqlite", NOW, company=company)
        built[company] = (summary, sa.create_engine(f"sqlite:///{summary.path}"))
    yield built
    for _, engine in built.values():
        engine.dispose()


# --- sql_files ---------------------------------------------------------------------------


def test_sql_folder_and_dialects() -> None:
    assert (sql_dir() / "reference" / "schema.sql").is_file()
    assert "reference" in dialects()
    assert "aerosync" not in dialects()  # the store's DDL folder is not an FMS dialect


def test_missing_sql_file_names_the_dialect() -> None:
    with pytest.raises(FileNotFoundError, match=r"'no_such_fms'.*reference"):
        read_sql("no_such_fms", "activities.sql")


def test_split_statements_drops_comments_and_respects_quotes() -> None:
    text = "-- header; not a statement\nSELECT 'a;b' -- trailing\n;\n\nSELECT '--x';  -- end"
    assert split_statements(text) == ["SELECT 'a;b'", "SELECT '--x'"]
    assert split_statements("-- only a comment\n") == []


def test_each_query_is_one_statement_with_only_history_start() -> None:
    for name in ("aircraft.sql", "activities.sql", "services.sql"):
        text = read_sql("reference", name)
        assert len(split_statements(text)) == 1, name
        params = set(sa.text(text).compile().params)
        assert params <= {"history_start"}, (name, params)
    assert "history_start" not in sa.text(read_sql("reference", "aircraft.sql")).compile().params
    crew_legs = read_sql("reference", "crew_legs.sql")
    assert len(split_statements(crew_legs)) == 1
    assert set(sa.text(crew_legs).compile().params) == {"on_block_from", "on_block_until"}


# --- schema ------------------------------------------------------------------------------


def test_schema_runs_on_sqlite_twice_and_matches_the_contract(tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "fms.sqlite")
    for _ in range(2):  # IF NOT EXISTS: running it again is harmless
        for statement in split_statements(read_sql("reference", "schema.sql")):
            connection.execute(statement)
    for name, columns in SCHEMA_COLUMNS.items():
        info = connection.execute(f"PRAGMA table_info({name})").fetchall()
        assert [row[1] for row in info] == columns, name
    connection.close()


# --- the demo FMS ------------------------------------------------------------------------


def test_demo_summary(demo: dict[str, tuple[DemoSummary, sa.Engine]]) -> None:
    skyway, _ = demo["skyway_charter"]
    alpine, _ = demo["alpine_jets"]
    assert "N650SW" in skyway.tails and all(t.startswith("N") for t in skyway.tails)
    assert {"HB-JFA", "G-LXWD"} <= set(alpine.tails)
    for summary in (skyway, alpine):
        assert len(summary.tails) >= 6 and summary.tails == sorted(summary.tails)
        assert summary.counts["aircraft"] == len(summary.tails) + 1  # one not marketed
        assert set(summary.tails) < set(demo_homebases(summary.company))
    assert not set(skyway.tails) & set(alpine.tails)


def test_demo_is_deterministic(tmp_path: Path) -> None:
    dumps = []
    for name in ("a.sqlite", "b.sqlite"):
        build_demo_fms(tmp_path / name, NOW, company="alpine_jets")
        connection = sqlite3.connect(tmp_path / name)
        dumps.append(list(connection.iterdump()))
        connection.close()
    assert dumps[0] == dumps[1]


def test_demo_refuses_to_overwrite_and_unknown_companies(tmp_path: Path) -> None:
    target = tmp_path / "fms.sqlite"
    target.write_text("someone's data")
    with pytest.raises(FileExistsError):
        build_demo_fms(target, NOW)
    with pytest.raises(ValueError, match="alpine_jets, skyway_charter"):
        demo_homebases("nobody")
    with pytest.raises(ValueError, match="timezone-aware"):
        demo_rows(datetime(2026, 11, 24), "skyway_charter")


@pytest.mark.parametrize("days", range(0, 400, 3))
def test_demo_plans_never_overlap_whatever_the_date(days: int) -> None:
    # Timeline raises on an overlap; the daylight-saving leg moves with the date.
    for company in demo_companies():
        for hour in (0, 13, 23):
            demo_rows(NOW + timedelta(days=days, hours=hour), company)


def test_next_dst_transition() -> None:
    assert next_dst_transition(datetime(2026, 11, 25, tzinfo=UTC)) == (
        "America/New_York",
        datetime(2027, 3, 14, 7, 0, tzinfo=UTC),
    )
    assert next_dst_transition(datetime(2027, 3, 20, tzinfo=UTC)) == (
        "Europe/London",
        datetime(2027, 3, 28, 1, 0, tzinfo=UTC),
    )


def test_dst_leg_is_written_with_the_offsets_before_and_after(
    demo: dict[str, tuple[DemoSummary, sa.Engine]],
) -> None:
    for summary, engine in demo.values():
        (leg,) = [r for r in table(engine, "legs") if r["leg_id"] == summary.dst_leg_id]
        assert summary.dst_change is not None and summary.dst_change > NOW + timedelta(days=1)
        zone = ZoneInfo(summary.dst_zone)
        off, on = datetime.fromisoformat(leg["off_block"]), datetime.fromisoformat(leg["on_block"])
        just_before = summary.dst_change - timedelta(minutes=1)
        assert off.utcoffset() == just_before.astimezone(zone).utcoffset()
        assert on.utcoffset() == summary.dst_change.astimezone(zone).utcoffset()
        assert off.utcoffset() != on.utcoffset()
        assert off < summary.dst_change < on and on - off == timedelta(minutes=100)
        ids = [r["activity_id"] for r in query(engine, "activities.sql")]
        assert summary.dst_leg_id in ids


def test_demo_times_carry_local_offsets(demo: dict[str, tuple[DemoSummary, sa.Engine]]) -> None:
    for _, engine in demo.values():
        times = [r[c] for r in table(engine, "legs") for c in ("off_block", "on_block")]
        times += [r[c] for r in table(engine, "ground_events") for c in ("starts_at", "ends_at")]
        offsets = {datetime.fromisoformat(t).utcoffset() for t in times}
        assert None not in offsets and len(offsets) >= 3


def test_demo_airports_in_every_form(demo: dict[str, tuple[DemoSummary, sa.Engine]]) -> None:
    codes = set()
    for _, engine in demo.values():
        for leg in table(engine, "legs"):
            codes |= {leg["departure_airport"], leg["arrival_airport"]}
        codes |= {a["homebase"] for a in table(engine, "aircraft")}
    unknown = {c for c in codes if not to_icao(c)[1]}
    assert unknown == {"ZZZZ"}
    assert {"TEB", "LHR", "GVA"} <= codes  # IATA
    assert {"DTS", "HWV"} <= codes and to_icao("HWV") == ("KHWV", True)  # FAA LIDs
    assert codes - {"ZZZZ"} <= set(ZONES)


def test_marketed_aircraft_only(demo: dict[str, tuple[DemoSummary, sa.Engine]]) -> None:
    for summary, engine in demo.values():
        rows = query(engine, "aircraft.sql")
        assert [r["tail"] for r in rows] == summary.tails
        assert list(rows[0]) == ["aircraft_id", "tail", "homebase"]
        assert "N77SW" not in {r["tail"] for r in query(engine, "activities.sql")}
    homes = {r["tail"]: r["homebase"] for r in query(demo["skyway_charter"][1], "aircraft.sql")}
    assert homes["N650SW"] == "TEB" and homes["N711SW"] == "DTS"  # as the FMS wrote them


def expected_activity_ids(engine: sa.Engine) -> set[str]:
    """The contract's rules, applied in Python to the raw tables."""
    marketed = {a["aircraft_id"] for a in table(engine, "aircraft") if a["marketed"]}
    status = {t["trip_id"]: t["status"] for t in table(engine, "trips")}
    cut = utc(HISTORY_START)
    legs = {
        leg["leg_id"]
        for leg in table(engine, "legs")
        if leg["aircraft_id"] in marketed
        and not leg["cancelled"]
        and (leg["trip_id"] is None or status[leg["trip_id"]] in ("BOOKED", "OPTION"))
        and utc(leg["on_block"]) >= cut
    }
    events = {
        g["event_id"]
        for g in table(engine, "ground_events")
        if g["aircraft_id"] in marketed and utc(g["ends_at"]) >= cut
    }
    return legs | events


def test_activities_follow_the_contract(demo: dict[str, tuple[DemoSummary, sa.Engine]]) -> None:
    for _, engine in demo.values():
        rows = query(engine, "activities.sql")
        assert rows and all(tuple(r) == ACTIVITY_COLUMNS for r in rows)
        assert {r["activity_id"] for r in rows} == expected_activity_ids(engine)
        assert len(rows) == len({r["activity_id"] for r in rows})
        trips = {t["trip_id"]: t for t in table(engine, "trips")}
        legs = {leg["leg_id"]: leg for leg in table(engine, "legs")}
        for row in rows:
            leg = legs.get(row["activity_id"])
            if leg is None:  # a ground event
                assert row["start_airport"] == row["end_airport"]
                assert row["external_trip_id"] is None and row["market_from"] is None
                continue
            trip = trips.get(leg["trip_id"]) if leg["trip_id"] else None
            assert row["external_trip_id"] == leg["trip_id"]
            assert row["avinode_trip_id"] == (trip["avinode_trip_id"] if trip else None)
            expected_kind = "OPTION" if trip and trip["status"] == "OPTION" else leg["leg_kind"]
            assert row["activity_kind"] == expected_kind
            trip_regulation = trip["flight_regulation"] if trip else None
            assert row["flight_regulation"] == (leg["flight_regulation"] or trip_regulation)
            if row["market_from"] is not None:
                assert row["activity_kind"] == "EMPTY_LEG"
        # Ordered by tail, then start time (as stored), then id.
        keys = [(r["tail"], r["start_time"], r["activity_id"]) for r in rows]
        assert keys == sorted(keys)


def test_activity_kinds_and_exclusions(demo: dict[str, tuple[DemoSummary, sa.Engine]]) -> None:
    for summary, engine in demo.values():
        rows = query(engine, "activities.sql")
        kinds = {r["activity_kind"] for r in rows}
        assert {
            "PAX",
            "FERRY",
            "EMPTY_LEG",
            "OPTION",
            "MAINTENANCE",
            "AOG",
            "OWNER_HOLD",
            "CREW_REST",
        } <= kinds, summary.company
        sent = {r["activity_id"] for r in rows}
        status = {t["trip_id"]: t["status"] for t in table(engine, "trips")}
        assert {"QUOTED", "CANCELLED"} <= set(status.values())
        for leg in table(engine, "legs"):
            if leg["cancelled"] or status.get(leg["trip_id"]) in ("QUOTED", "CANCELLED"):
                assert leg["leg_id"] not in sent
        assert any(leg["cancelled"] for leg in table(engine, "legs"))


def test_history_prefilter_is_coarse(demo: dict[str, tuple[DemoSummary, sa.Engine]]) -> None:
    # An activity that ended 31 days ago still comes (Python cuts at 30 days), 34 days does not.
    for _, engine in demo.values():
        ages = [NOW - utc(r["end_time"]) for r in query(engine, "activities.sql")]
        assert any(timedelta(days=30) < age < timedelta(days=32) for age in ages)
        assert all(age <= timedelta(days=32) for age in ages)
    everything = query(demo["skyway_charter"][1], "activities.sql", "2000-01-01T00:00:00+00:00")
    assert any(NOW - utc(r["end_time"]) > timedelta(days=33) for r in everything)


def test_marketing_only_on_empty_legs(demo: dict[str, tuple[DemoSummary, sa.Engine]]) -> None:
    _, engine = demo["skyway_charter"]
    rows = {r["activity_id"]: r for r in query(engine, "activities.sql")}
    offered = [rows[o["leg_id"]] for o in table(engine, "empty_leg_offers") if o["leg_id"] in rows]
    ferries = [r for r in offered if r["activity_kind"] == "FERRY"]
    assert ferries and all(r["market_from"] is None and r["price"] is None for r in ferries)
    marketed = [r for r in offered if r["activity_kind"] == "EMPTY_LEG"]
    assert {r["verified_by"] is not None for r in marketed} == {True, False}
    windows = [utc(r["market_to"]) - utc(r["market_from"]) for r in marketed]
    assert any(w > timedelta(days=5) for w in windows)
    assert all(r["currency"] == "USD" and r["marketing_message"] for r in marketed)


def test_schedules_do_not_overlap_and_are_continuous(
    demo: dict[str, tuple[DemoSummary, sa.Engine]],
) -> None:
    for _, engine in demo.values():
        by_tail: dict[str, list[dict[str, Any]]] = {}
        for row in query(engine, "activities.sql"):
            by_tail.setdefault(row["tail"], []).append(row)
        for tail, rows in by_tail.items():
            rows.sort(key=lambda r: utc(r["start_time"]))
            for before, after in itertools.pairwise(rows):
                assert utc(after["start_time"]) >= utc(before["end_time"]), (tail, after)
                assert to_icao(after["start_airport"]) == to_icao(before["end_airport"]), after
            assert any(utc(r["end_time"]) < NOW for r in rows), tail  # a recent past activity
            assert sum(utc(r["start_time"]) > NOW for r in rows) >= 2, tail


def test_services_of_sent_legs_only(demo: dict[str, tuple[DemoSummary, sa.Engine]]) -> None:
    for _, engine in demo.values():
        rows = query(engine, "services.sql")
        assert rows and all(tuple(r) == SERVICE_COLUMNS for r in rows)
        sent = {r["activity_id"] for r in query(engine, "activities.sql")}
        assert {r["activity_id"] for r in rows} <= sent
        stored = table(engine, "leg_services")
        assert len(rows) == len([s for s in stored if s["leg_id"] in sent]) < len(stored)
        ids = {(s["leg_id"], s["provider_id"]): s["service_id"] for s in stored}
        order = [(r["activity_id"], ids[(r["activity_id"], r["provider_id"])]) for r in rows]
        assert order == sorted(order)


# --- the benchmark fleet generator -------------------------------------------------------


def test_generator_fills_one_company_without_overlaps(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'bench.sqlite'}")
    company = generate_company_fms(engine, company_index=3, aircraft=4, activities=50, now=NOW)
    assert company == "bench_003"
    rows = query(engine, "activities.sql")
    assert len(rows) == 4 * 50
    assert {r["tail"] for r in query(engine, "aircraft.sql")} == {f"B003-{i:04d}" for i in range(4)}
    ground = [r for r in rows if r["activity_kind"] not in ("PAX", "FERRY", "EMPTY_LEG", "OPTION")]
    assert len(ground) == 4 * 15  # 30 % of each aircraft's activities
    for tail in {r["tail"] for r in rows}:
        mine = sorted((r for r in rows if r["tail"] == tail), key=lambda r: utc(r["start_time"]))
        assert utc(mine[0]["start_time"]) >= NOW - timedelta(days=21)
        for before, after in itertools.pairwise(mine):
            assert utc(after["start_time"]) >= utc(before["end_time"])
            assert after["start_airport"] == before["end_airport"]
    engine.dispose()


def test_generator_is_deterministic_and_writes_one_file_per_company(tmp_path: Path) -> None:
    first = generate_fleet_dir(tmp_path / "a", companies=2, aircraft=3, activities=20, now=NOW)
    second = generate_fleet_dir(tmp_path / "b", companies=2, aircraft=3, activities=20, now=NOW)
    assert list(first) == ["bench_000", "bench_001"]
    for company in first:
        dumps = [list(sqlite3.connect(p[company]).iterdump()) for p in (first, second)]
        assert dumps[0] == dumps[1]
    shared = sa.create_engine(f"sqlite:///{tmp_path / 'shared.sqlite'}")
    ids = generate_fleet(shared, companies=2, aircraft=3, activities=20, now=NOW)
    assert ids == ["bench_000", "bench_001"]
    assert len(query(shared, "aircraft.sql")) == 6
    shared.dispose()
