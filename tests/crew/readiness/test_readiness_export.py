"""The readiness export's content: CSV and JSON rows, who lapses within the horizon, the POST
pages, and the `changed` flags across exports of consecutive days (`training_readiness`)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text

from aerosync.config.readiness import ReadinessExport
from aerosync.crew.readiness.days import AsOf
from aerosync.crew.readiness.export import csv_columns, pages
from aerosync.crew.readiness.history import (
    NOT_LISTED,
    purge_history,
    record_export,
)
from aerosync.crew.readiness.report import PreparedExport, prepare_export
from aerosync.stores.database import sqlite_engine
from aerosync.stores.migrate import ensure_migrated
from tests.crew.readiness.comparison import RULES, window_end
from tests.crew.readiness.crew_generator import COMPANY, DAY, Crew, insert_crew, place_edge_cases

pytestmark = pytest.mark.unit
D = timedelta(days=1)
NOW = datetime(2027, 1, 14, 3, 5, tzinfo=UTC)
EXPORT = ReadinessExport(export_to="/unused", rules=RULES, horizon_days=30)


@pytest.fixture
def crew() -> Crew:
    crew = Crew()
    place_edge_cases(crew)
    return crew


@pytest.fixture
def engine(crew: Crew, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = sqlite_engine(tmp_path_factory.mktemp("export") / "aerosync.db")
    ensure_migrated(engine)
    insert_crew(engine, crew)
    yield engine
    engine.dispose()


def _export(engine: Engine, day: object, run: str = "run") -> PreparedExport:
    as_of = AsOf.window_end(window_end(day))  # type: ignore[arg-type]
    prepared = prepare_export(engine, COMPANY, as_of, EXPORT)
    record_export(engine, COMPANY, as_of.day, prepared.rows, f"{run}-{as_of.day}", NOW)
    return prepared


def _logged(engine: Engine) -> list[dict[str, object]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT as_of, employee_id, type_code, ready, failing, lapses_on, run_id "
                "FROM training_readiness ORDER BY as_of, employee_id, type_code"
            )
        ).mappings()
        return [dict(r) for r in rows]


def test_only_what_changed_since_the_previous_export_is_flagged(engine: Engine, crew: Crew) -> None:
    first = _export(engine, DAY - D)
    assert all(row.changed and row.previous is None for row in first.rows)
    assert len(_logged(engine)) == len(first.rows)
    second = _export(engine, DAY)
    before = {(p.employee_id, p.type_code): p for p in first.report.pilots}
    expected = {
        (p.employee_id, p.type_code)
        for p in second.report.pilots
        if (p.employee_id, p.type_code) not in before
        or (
            before[(p.employee_id, p.type_code)].ready,
            before[(p.employee_id, p.type_code)].failing,
        )
        != (p.ready, p.failing)
    }
    flagged = {(row.employee_id, row.type_code) for row in second.rows if row.changed}
    assert flagged == expected
    lapsed = next(r for r in second.rows if r.employee_id == crew.edge["recency_day_91"])
    assert lapsed.changed and lapsed.previous is not None and lapsed.previous.ready
    assert lapsed.previous.since == DAY - D and lapsed.pilot is not None
    assert lapsed.pilot.failing == ("recency",)
    steady = next(r for r in second.rows if r.employee_id == crew.edge["recency_day_90"])
    assert not steady.changed and steady.previous is not None and steady.previous.ready
    # the log holds the first export whole and only the changes of the second
    days = [row["as_of"] for row in _logged(engine)]
    assert days.count(str(DAY)) == len(flagged) < days.count(str(DAY - D))


def test_a_rerun_or_backfill_compares_with_the_exports_before_its_day(engine: Engine) -> None:
    _export(engine, DAY - D)
    second = _export(engine, DAY)
    logged = _logged(engine)
    again = _export(engine, DAY, run="rerun")
    assert (again.csv_text, again.json_text) == (second.csv_text, second.json_text)
    relogged = _logged(engine)
    assert [{**r, "run_id": ""} for r in relogged] == [{**r, "run_id": ""} for r in logged]
    assert {r["run_id"] for r in relogged if r["as_of"] == str(DAY)} <= {f"rerun-{DAY}"}
    # a backfill of the day before compares with nothing earlier: everything is new again
    backfilled = _export(engine, DAY - D, run="backfill")
    assert all(row.changed for row in backfilled.rows)


def test_a_pair_no_longer_listed_is_exported_once_as_such(engine: Engine) -> None:
    _export(engine, DAY - D)
    with engine.begin() as conn:  # the earlier export listed a pilot the store no longer has
        conn.execute(
            text(
                "INSERT INTO training_readiness (company, as_of, employee_id, type_code, ready, "
                "failing, lapses_on, rules, run_id, exported_at) VALUES (:c, :d, 'Z999', 'GLEX', "
                "1, '[]', NULL, '[]', 'old', 'x')"
            ),
            {"c": COMPANY, "d": str(DAY - 2 * D)},
        )
    gone = _export(engine, DAY)
    (row,) = [r for r in gone.rows if r.employee_id == "Z999"]
    assert (row.listed, row.changed, row.previous is not None) == (False, True, True)
    document = json.loads(gone.json_text)
    assert document["counts"]["no_longer_listed"] == 1
    (listed,) = [r for r in document["rows"] if r["employee_id"] == "Z999"]
    assert listed["listed"] is False and listed["previous"]["ready"] is True
    tombstone = [r for r in _logged(engine) if r["employee_id"] == "Z999"][-1]
    assert json.loads(str(tombstone["failing"])) == [NOT_LISTED]
    later = _export(engine, DAY + D)
    assert "Z999" not in {r.employee_id for r in later.rows}


def test_csv_rows_say_each_rules_state_and_the_change(engine: Engine, crew: Crew) -> None:
    _export(engine, DAY - D)
    prepared = _export(engine, DAY)
    reader = csv.DictReader(io.StringIO(prepared.csv_text))
    assert reader.fieldnames == csv_columns(RULES)
    rows = {(r["employee_id"], r["type_code"]): r for r in reader}
    assert len(rows) == len(prepared.rows)
    lapsed = rows[(crew.edge["recency_day_91"], "CL35")]
    assert (lapsed["ready"], lapsed["failing"], lapsed["changed"]) == ("false", "recency", "true")
    assert (lapsed["previous_ready"], lapsed["recency.holds"]) == ("true", "false")
    assert lapsed["recency.lapses_on"] == str(DAY) and lapsed["recency.takeoffs"] == "0"
    assert lapsed["qualification:TYPE_RATING:<type_code>.holds"] == "true"
    assert lapsed["qualification:LPC.holds"] == "true"  # a captain's extra requirement
    heavy = rows[(crew.edge["over_100_hours_in_28_days"], "CL35")]
    assert heavy["flight_time.holds"] == "false"
    assert heavy["flight_time.hours_left_28_days"] == "-4.0"
    soon = rows[(crew.edge["medical_lapses_in_horizon"], "CL35")]
    assert (soon["ready"], soon["lapsing"], soon["lapses_on"]) == (
        "true",
        "true",
        str(DAY + 13 * D),
    )
    assert "Crew " not in prepared.csv_text  # no names


def test_json_lists_who_lapses_within_the_horizon(engine: Engine, crew: Crew) -> None:
    document = json.loads(_export(engine, DAY).json_text)
    assert (document["company"], document["as_of"], document["horizon_days"]) == (
        COMPANY,
        str(DAY),
        30,
    )
    lapsing = {(e["employee_id"], tuple(e["rules"])): e["lapses_on"] for e in document["lapsing"]}
    assert lapsing[(crew.edge["medical_lapses_in_horizon"], ("qualification:MEDICAL",))] == str(
        DAY + 13 * D
    )
    assert lapsing[(crew.edge["recency_day_90"], ("recency",))] == str(DAY + D)
    assert lapsing[(crew.edge["leaves_on_day"], ("employment",))] == str(DAY + D)
    assert document["counts"]["lapsing"] == len(document["lapsing"]) >= 3
    row = next(r for r in document["rows"] if r["employee_id"] == crew.edge["night_current"])
    night = next(rule for rule in row["rules"] if rule["rule"] == "night_recency")
    assert night == {
        "rule": "night_recency",
        "holds": True,
        "required": False,
        "lapses_on": str(DAY + 10 * D),
        "takeoffs": 3,
        "landings": 3,
    }
    assert "Crew " not in json.dumps(document)


def test_pages_carry_every_row_once_in_order(engine: Engine) -> None:
    prepared = _export(engine, DAY)
    bodies = [json.loads(body) for body in pages(prepared.report, prepared.rows, 4)]
    assert [b["page"] for b in bodies] == list(range(1, len(bodies) + 1))
    assert {b["pages"] for b in bodies} == {len(bodies)} and len(bodies) == -(
        -len(prepared.rows) // 4
    )
    assert [r for b in bodies for r in b["rows"]] == json.loads(prepared.json_text)["rows"]
    empty = list(pages(prepared.report, [], 4))
    assert [json.loads(b)["rows"] for b in empty] == [[]]


def test_purging_history_keeps_each_pairs_state_at_the_cutoff(engine: Engine) -> None:
    for back in (3, 2, 1, 0):
        _export(engine, DAY - back * D)
    before = _logged(engine)
    purged = purge_history(engine, COMPANY, str(DAY - D))
    after = _logged(engine)
    assert purged == len(before) - len(after) > 0
    kept_old = [r for r in after if str(r["as_of"]) < str(DAY - D)]
    pairs = [(r["employee_id"], r["type_code"]) for r in kept_old]
    assert len(pairs) == len(set(pairs))  # one row per pair from before the cutoff: its latest

    # what the log says held on the cutoff day is what it said before the purge
    def state_on(rows: list[dict[str, object]], day: str) -> dict[object, object]:
        out: dict[object, object] = {}
        for r in rows:
            if str(r["as_of"]) <= day:
                out[(r["employee_id"], r["type_code"])] = (r["ready"], r["failing"])
        return out

    assert state_on(after, str(DAY - D)) == state_on(before, str(DAY - D))
