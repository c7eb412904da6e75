"""The `extract_roster` task: roster XML (a folder or one file) and CSV drops read through
ObjectStoragePath and staged for the window; a malformed or hostile file fails the task with the
company, the source, the file and the line, as the Crew sync page then shows it. Real task
callables in a task context, a real companies file and a SQLite aerosync database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowFailException
from airflow.sdk.execution_time.context import set_current_context

from aerosync.airflow import crew_tasks
from aerosync.airflow.crew_io import xml_files
from aerosync.crew.roster import FIELDS
from aerosync.crew.sync_status import crew_sync_status
from aerosync.demo.crew import build_training_data, write_csv, write_drops
from aerosync.stores.database import sqlite_engine

pytestmark = pytest.mark.airflow
FIRST = date(2026, 3, 1)
START = datetime(2026, 3, 3, 3, 0, tzinfo=UTC)  # the window of the duties of 4 March
END = START + timedelta(days=1)
RUN_ID = "scheduled__2026-03-03T03:00:00+00:00"


def _company(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, roster: str) -> Path:
    store = tmp_path / "aerosync.db"
    config = tmp_path / "companies.yaml"
    config.write_text(
        f"""
companies:
  - id: acme
    name: Acme
    schedule: "*/15 * * * *"
    marketplace_conn_id: avinode_acme
    fms: {{conn_id: fms_acme, dialect: reference}}
    training:
      records:
        roster: {roster}
""",
        encoding="utf-8",
    )
    monkeypatch.setenv("AEROSYNC_CONFIG", str(config))
    monkeypatch.setenv(
        "AIRFLOW_CONN_AEROSYNC_DB", json.dumps({"conn_type": "sqlite", "host": str(store)})
    )
    return store


@pytest.fixture
def drops(tmp_path: Path) -> Iterator[dict[str, Path]]:
    data = build_training_data(FIRST, 6)
    paths = write_drops(tmp_path / "drops", data)
    write_csv(tmp_path / "csv" / "roster.csv", FIELDS, data.roster)
    yield {"xml": paths["roster"], "csv": tmp_path / "csv" / "roster.csv"}


def _context() -> Any:
    return {"run_id": RUN_ID, "data_interval_start": START, "data_interval_end": END}


def _extract() -> dict[str, Any]:
    with set_current_context(_context()):  # type: ignore[arg-type]
        return crew_tasks.extract("acme", "roster")


@pytest.mark.parametrize(
    "where", ["xml_folder", "xml_file", "csv_file", "csv_folder"], ids=lambda w: w
)
def test_the_roster_is_staged_from_every_kind_of_drop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, drops: dict[str, Path], where: str
) -> None:
    location = {
        "xml_folder": f"{{xml: '{drops['xml']}'}}",
        "xml_file": f"{{xml: 'file://{drops['xml'] / 'roster.xml'}'}}",
        "csv_file": f"{{csv: '{drops['csv']}'}}",
        "csv_folder": f"{{csv: '{drops['csv'].parent}'}}",
    }[where]
    _company(tmp_path, monkeypatch, location)
    staged = _extract()
    # 6 days of duties of 5 people employed on 4 March (E005 is not hired yet): 5 in the window.
    assert staged == {"source": "roster", "read": 31, "in_window": 5, "parts": 1}


def test_xml_files_are_opened_one_at_a_time_in_name_order(drops: dict[str, Path]) -> None:
    (drops["xml"] / "a_first.xml").write_bytes((drops["xml"] / "roster.xml").read_bytes())
    (drops["xml"] / "notes.txt").write_text("not a roster")
    names = []
    for name, stream in xml_files(str(drops["xml"])):
        names.append(name)
        assert stream.read(5) == b"<?xml"
    assert names == ["a_first.xml", "roster.xml"]


def test_a_malformed_roster_fails_the_task_naming_the_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, drops: dict[str, Path]
) -> None:
    xml = drops["xml"] / "roster.xml"
    xml.write_text(xml.read_text().replace("</crewMember>", "</crewmember>", 1))
    store = _company(tmp_path, monkeypatch, f"{{xml: '{drops['xml']}'}}")
    with pytest.raises(AirflowFailException) as failed:
        _extract()
    assert str(failed.value) == (
        f"company acme, source roster ({drops['xml']}): cannot be read: RosterXmlError: "
        "roster.xml line 10: mismatched tag (column 5); the file is refused"
    )
    (acme,) = crew_sync_status(sqlite_engine(store))
    (run,) = acme.sources
    assert run.failure == str(failed.value) and run.read is None


def test_an_entity_bomb_fails_the_task_without_expanding_anything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, drops: dict[str, Path]
) -> None:
    bomb = drops["xml"] / "bomb.xml"
    bomb.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE roster [<!ENTITY x SYSTEM "file:///etc/passwd">\n'
        + "".join(f'<!ENTITY x{n} "{"&x;" * 50}">\n' for n in range(5))
        + ']>\n<roster xmlns="urn:aerosync:roster:1">&x4;</roster>\n'
    )
    _company(tmp_path, monkeypatch, f"{{xml: '{drops['xml']}'}}")
    with pytest.raises(AirflowFailException) as failed:
        _extract()
    assert str(failed.value).endswith(
        "cannot be read: RosterXmlError: bomb.xml line 2: a DOCTYPE declaration; a roster has "
        "no DTD, and entities are never expanded (billion laughs, external entities); the file is "
        "refused"
    )


def test_the_setup_check_looks_for_the_roster_xml_drop(drops: dict[str, Path]) -> None:
    from aerosync.airflow.setup_check.sources import csv_drop_verdicts

    (found,) = csv_drop_verdicts(str(drops["xml"]), "XML")
    assert (found.name, found.detail) == ("XML drop", f"{drops['xml']}: 1 XML files")
    (empty,) = csv_drop_verdicts(str(drops["csv"].parent), "XML")
    assert empty.detail.endswith("holds no XML file yet")
