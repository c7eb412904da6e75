"""The roster through the training sync's steps on SQLite (test_roster_sync_postgres.py runs the
same on PostgreSQL): roster XML and CSV drops load the same duties, idempotently and in any
order; a malformed file fails the source naming file and line and changes nothing; an entity
bomb or an external entity leaves no trace; duties keep their own 24-month retention."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, text

from aerosync.crew.mapping import Mapped
from aerosync.crew.quarantine import QuarantineStore
from aerosync.crew.roster import FIELDS
from aerosync.crew.roster_xml import RosterXmlError, roster_items
from aerosync.crew.sources import iter_mapped
from aerosync.crew.steps import MAPPED, TrainingStores, stage_source
from aerosync.crew.store import TrainingStore
from aerosync.crew.tables import ROSTER
from aerosync.demo.crew import build_training_data, write_csv, write_drops
from aerosync.stores.database import sqlite_engine
from tests.crew.support import audit_count, run_window, snapshot, window_of

pytestmark = pytest.mark.integration
FIRST = date(2026, 3, 1)
DAYS = 14
TODAY = FIRST + timedelta(days=DAYS + 1)  # not the real day: duties keep 24 months from it
SOURCES = ("hris", "roster")


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = sqlite_engine(tmp_path / "aerosync.db")
    yield engine
    engine.dispose()


@pytest.fixture
def drop(tmp_path: Path) -> Path:
    folder = tmp_path / "drop"
    write_drops(folder, build_training_data(FIRST, DAYS))
    return folder


def _backfill(engine: Engine, drop: Path, days: list[int], tag: str) -> None:
    for k in days:
        day = FIRST + timedelta(days=k)
        run_id = f"backfill__{day}__{tag}"
        run_window(engine, drop, window_of(day), run_id, today=TODAY, sources=SOURCES)


def _duties(engine: Engine) -> list[dict[str, Any]]:
    return [
        {k: v for k, v in row.items() if k not in ("last_run_id", "last_changed_at")}
        for row in TrainingStore(engine).rows("acme", ROSTER)
    ]


def test_roster_xml_and_csv_load_the_same_duties_of_every_window(
    engine: Engine, drop: Path, tmp_path: Path
) -> None:
    data = build_training_data(FIRST, DAYS)
    as_csv = tmp_path / "csv_drop"
    write_drops(as_csv, data)
    (as_csv / "roster" / "roster.xml").unlink()
    write_csv(as_csv / "roster" / "roster.csv", FIELDS, data.roster)
    other = sqlite_engine(tmp_path / "csv.db")
    _backfill(engine, drop, list(range(DAYS)), "xml")
    _backfill(other, as_csv, list(range(DAYS)), "csv")
    duties = _duties(engine)
    assert duties == _duties(other) and len(duties) == len(data.roster) == 69
    leave = [d for d in duties if d["duty_type"] == "LEAVE"]
    assert leave == [
        {
            "company": "acme",
            "starts_at": "2026-03-10T00:00:00.000000Z",
            "employee_id": "E002",
            "ends_at": "2026-03-13T00:00:00.000000Z",
            "duty_date": "2026-03-10",
            "duty_type": "LEAVE",
            "duty_code": None,
            "base": "LSGG",
            "source": "roster",
        }
    ]
    # Each window loaded the duties of the UTC day inside it.
    assert {d["duty_date"] for d in duties} == {
        (FIRST + timedelta(days=k + 1)).isoformat() for k in range(DAYS)
    }
    assert not QuarantineStore(engine).entries("acme")
    other.dispose()


def test_rerunning_and_backfilling_in_any_order_leave_the_same_tables_and_audit(
    engine: Engine, drop: Path, tmp_path: Path
) -> None:
    _backfill(engine, drop, list(range(DAYS)), "first")
    first, audits = snapshot(engine), audit_count(engine)
    assert audits == sum(len(rows) for t, rows in first.items() if t != "training_quarantine")
    _backfill(engine, drop, list(range(DAYS)), "second")
    assert snapshot(engine) == first and audit_count(engine) == audits
    shuffled = list(range(DAYS))
    random.Random(18).shuffle(shuffled)
    other = sqlite_engine(tmp_path / "shuffled.db")
    _backfill(other, drop, shuffled, "shuffled")
    assert _duties(other) == _duties(engine) and audit_count(other) == audits
    other.dispose()


def test_a_changed_duty_is_one_audited_update(engine: Engine, drop: Path) -> None:
    window = window_of(FIRST)
    run_window(engine, drop, window, "run_1", today=TODAY, sources=SOURCES)
    xml = drop / "roster" / "roster.xml"
    xml.write_text(xml.read_text().replace('code="AJ100"', 'code="AJ900"'))
    before = audit_count(engine)
    run_window(engine, drop, window, "run_2", today=TODAY, sources=SOURCES)
    run_window(engine, drop, window, "run_3", today=TODAY, sources=SOURCES)
    (change,) = TrainingStore(engine).audit("acme", "run_2")
    assert audit_count(engine) == before + 1
    assert change["action"] == "update" and change["table_name"] == "training_roster"
    assert '"AJ100"' in change["old_values"] and '"AJ900"' in change["new_values"]
    assert '"employee_id":"E001"' in change["record_key"]


def _xml_rows(folder: Path) -> Iterator[Mapped]:
    """The roster folder's duties as the extract reads them: file by file, lazily."""

    def files() -> Iterator[tuple[str, Any]]:
        for path in sorted(folder.glob("*.xml")):
            with path.open("rb") as stream:
                yield path.name, stream

    return iter_mapped("roster", roster_items(files()), {})


def _stage(engine: Engine, folder: Path, run_id: str, day: int = 0) -> Any:
    stores = TrainingStores.on(engine)
    window = window_of(FIRST + timedelta(days=day))
    return stage_source("acme", "roster", _xml_rows(folder), window, stores, run_id)


def test_a_malformed_file_fails_the_source_naming_file_and_line_and_changes_nothing(
    engine: Engine, drop: Path
) -> None:
    """The folder's other, good file is not loaded either: the roster fails as a whole for the
    run (a half-read roster would read as cancelled duties), and the tables keep what they had."""
    _backfill(engine, drop, [0, 1], "good")
    before, audits = snapshot(engine), audit_count(engine)
    folder = drop / "roster"
    good = (folder / "roster.xml").read_text()
    lines = good.splitlines()
    assert lines[17] == "  </crewMember>"
    lines[17] = "  </crew>"
    (folder / "roster_b.xml").write_text("\n".join(lines) + "\n")
    with pytest.raises(RosterXmlError) as refused:
        _stage(engine, folder, "broken", day=1)
    assert str(refused.value) == (
        "roster_b.xml line 18: mismatched tag (column 5); the file is refused"
    )
    stores = TrainingStores.on(engine)
    assert list(stores.staging.parts("acme", "broken", MAPPED + "roster")) == []
    assert snapshot(engine) == before and audit_count(engine) == audits
    # Fixed, the window loads again.
    (folder / "roster_b.xml").write_text(good)
    assert _stage(engine, folder, "fixed", day=1).in_window > 0


BOMB = """<?xml version="1.0"?>
<!DOCTYPE roster [
 <!ENTITY a "{a}">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
]>
<roster xmlns="urn:aerosync:roster:1">
  <crewMember employeeId="E001">
    <duty type="OFF" code="&g;" start="2026-03-02" end="2026-03-02"/>
  </crewMember>
</roster>
""".replace("{a}", "BOOM" * 10)
XXE = """<?xml version="1.0"?>
<!DOCTYPE roster [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<roster xmlns="urn:aerosync:roster:1">
  <crewMember employeeId="E001">
    <duty type="OFF" code="&secret;" start="2026-03-02" end="2026-03-02"/>
  </crewMember>
</roster>
"""


def _every_text(engine: Engine) -> str:
    """Every value of every table of the aerosync database, as one text."""
    found = []
    with engine.connect() as conn:
        for table in inspect(engine).get_table_names():
            for row in conn.execute(text(f"SELECT * FROM {table}")):
                found.append(" ".join(str(v) for v in row))
    return "\n".join(found)


@pytest.mark.parametrize(("name", "document"), [("bomb.xml", BOMB), ("xxe.xml", XXE)])
def test_an_entity_bomb_or_external_entity_is_refused_and_leaves_no_trace(
    engine: Engine, drop: Path, name: str, document: str
) -> None:
    """Expanded, `&g;` would be 20^6 x 40 bytes (2.5 GB) in a duty code: refused at the DOCTYPE
    in milliseconds, and /etc/passwd is read by nobody."""
    _backfill(engine, drop, [0], "good")
    folder = drop / "roster"
    (folder / name).write_text(document)
    started = time.perf_counter()
    with pytest.raises(RosterXmlError) as refused:
        _stage(engine, folder, "attack")
    assert time.perf_counter() - started < 2
    assert str(refused.value).startswith(f"{name} line 2: a DOCTYPE declaration")
    passwd = Path("/etc/passwd").read_text().splitlines()[0]
    stored = _every_text(engine)
    assert "root:" in passwd and passwd not in stored and passwd not in str(refused.value)
    assert "BOOMBOOM" not in stored and "BOOM" not in str(refused.value)
    assert "attack" not in stored  # nothing of the refused run was staged or logged as read


def test_a_duty_of_an_employee_not_yet_known_loads_once_the_hris_knows_them(
    engine: Engine, drop: Path
) -> None:
    window = window_of(FIRST + timedelta(days=6))  # E005 is hired the day before
    run_window(engine, drop, window, "roster_first", today=TODAY, sources=("roster",))
    waiting = QuarantineStore(engine).entries("acme")
    assert waiting and {e["employee_id"] for e in waiting} >= {"E005"}
    assert all(e["reason_codes"] == ["employee_known"] for e in waiting)
    # Each names the duty's file and line, as the XML reader found it.
    lines = (drop / "roster" / "roster.xml").read_text().splitlines()
    for entry in waiting:
        number = int(entry["row_ref"].removeprefix("roster.xml line "))
        assert f'employeeId="{entry["employee_id"]}"' in "\n".join(lines[:number])
        assert lines[number - 1].lstrip().startswith("<duty ")
    run_window(engine, drop, window, "hris_later", today=TODAY, sources=("hris",))
    assert {e["resolved_run_id"] for e in QuarantineStore(engine).entries("acme")} == {"hris_later"}
    assert "E005" in {d["employee_id"] for d in _duties(engine)}


def test_duties_keep_24_months_whatever_the_training_records_keep(
    engine: Engine, drop: Path
) -> None:
    window = window_of(FIRST)  # the duties of 2 March
    run_window(
        engine, drop, window, "load", today=TODAY, sources=("hris", "roster", "ebt_gradings")
    )
    store = TrainingStore(engine)
    loaded = len(store.rows("acme", ROSTER))
    # A year on, with training records kept 100 days: the grading is purged, the duties stay.
    a_year_on = FIRST + timedelta(days=365)
    run_window(engine, drop, window, "year", today=a_year_on, retention_days=100, sources=SOURCES)
    purged = {a["table_name"] for a in store.audit("acme", "year") if a["action"] == "purge"}
    assert purged == {"training_ebt_gradings"} and len(store.rows("acme", ROSTER)) == loaded
    # 732 days after the duties ended they are purged, each audited; the window loads nothing.
    later = FIRST + timedelta(days=3 + 732)
    run_window(engine, drop, window, "purge", today=later, sources=SOURCES)
    gone = [a for a in store.audit("acme", "purge") if a["table_name"] == "training_roster"]
    assert len(gone) == loaded and all(a["new_values"] is None for a in gone)
    assert {a["action"] for a in gone} == {"purge"} and not store.rows("acme", ROSTER)
    run_window(engine, drop, window, "again", today=later, sources=SOURCES)
    assert not store.rows("acme", ROSTER)
    # A company may keep its duties longer (`roster.retention_days`).
    run_window(
        engine, drop, window, "longer", today=later, sources=SOURCES,
        source_retention={"roster": 1000},
    )  # fmt: skip
    assert len(store.rows("acme", ROSTER)) == loaded
