"""The crew sync's alert: once per run that quarantined new rows or could not read a source,
naming rows by source, line and field, never by their values (names, e-mails, birth dates)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from aerosync.crew.alerts import ROWS_NAMED, check_words, crew_sync_alert
from aerosync.crew.quarantine import QuarantinedRow, QuarantineEntry
from aerosync.crew.sources import csv_rows, map_rows
from aerosync.crew.steps import TrainingStores, stage_source, step_validate
from aerosync.stores.database import sqlite_engine
from tests.crew.support import window_of

NOW = datetime(2026, 11, 24, 4, 0, tzinfo=UTC)
WINDOW = window_of(NOW.date() - timedelta(days=1))
PERSONAL = ("Jane Q. Pilotname", "jane.pilotname@example.com", "1984-02-29", "retired")


@pytest.fixture
def stores(tmp_path: Path) -> Iterator[TrainingStores]:
    engine: Engine = sqlite_engine(tmp_path / "aerosync.db")
    yield TrainingStores.on(engine)
    engine.dispose()


def _alert(run_id: str, quarantined: list[QuarantinedRow], failed: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return crew_sync_alert(
        company="alpine_jets", company_name="Alpine Jets", dag_id="training_sync__alpine_jets",
        run_id=run_id, window=WINDOW.label(), failed_sources=failed or {}, failed_steps={},
        quarantined=quarantined,
    )  # fmt: skip


def _entry(line: int) -> QuarantineEntry:
    return QuarantineEntry(
        source="hris",
        fingerprint=f"fp-{line}",
        row_ref=f"employees.csv line {line}",
        employee_id="E0042",
        reasons=[
            {"code": "status_known", "field": "employment_status",
             "message": "Employment status is not one of ...: 'retired' is not one of ..."},
            {"code": "fields_readable", "field": "birth_date",
             "message": "A field cannot be read: birth_date 1984-02-29"},
        ],
        row_data={"name": PERSONAL[0], "email": PERSONAL[1], "birth_date": PERSONAL[2]},
        record={"employee_id": "E0042", "name": PERSONAL[0]},
    )  # fmt: skip


@pytest.mark.unit
def test_new_quarantined_rows_alert_once_by_line_and_field_never_by_value(
    stores: TrainingStores,
) -> None:
    assert stores.quarantine.add("alpine_jets", [_entry(2), _entry(3)], "run-1", NOW) == 2
    rows = stores.quarantine.first_quarantined_in("alpine_jets", "run-1")
    alert = _alert("run-1", rows)
    assert alert is not None
    assert alert.subject == "[AeroSync] alpine_jets crew sync: 2 row(s) QUARANTINED"
    text = alert.text()
    assert "Crew sync of Alpine Jets (alpine_jets), window 2026-11-23T03:00Z" in text
    assert "2 row(s) were quarantined by the quality checks (hris 2)" in text
    assert (
        "- hris, employees.csv line 2: employment_status: Employment status is not one of "
        "active, leave, inactive, terminated; birth_date: A field cannot be read (a date, time "
        "or number in the wrong form)"
    ) in text
    for value in (*PERSONAL, "E0042"):
        assert value not in text and value not in alert.subject
    # The same rows refused again by a later run (a window re-run): nothing new, no alert.
    assert stores.quarantine.add("alpine_jets", [_entry(2), _entry(3)], "run-2", NOW) == 0
    assert _alert("run-2", stores.quarantine.first_quarantined_in("alpine_jets", "run-2")) is None


@pytest.mark.unit
def test_a_failed_source_alerts_with_its_error_and_what_to_do() -> None:
    error = "company alpine_jets, source hris (/drops/hris): cannot be read: SourceError: gone"
    alert = _alert("run-3", [], {"hris": error})
    assert alert is not None
    assert alert.subject == "[AeroSync] alpine_jets crew sync: source hris FAILED"
    text = alert.text()
    assert f"Source hris could not be read: {error}" in text
    assert "Nothing of this window was loaded" in text and "loads it once" in text


@pytest.mark.unit
def test_many_rows_are_counted_and_the_first_named() -> None:
    rows = [
        QuarantinedRow("statements", f"statement s-{n}", (("score_in_range", "score"),))
        for n in range(ROWS_NAMED + 5)
    ]
    text = _alert("run-4", rows).text()
    assert f"{ROWS_NAMED + 5} row(s) were quarantined" in text
    assert text.count("- statements, statement s-") == ROWS_NAMED
    assert "... and 5 more." in text
    assert check_words("statements", "score_in_range") == (
        "Score out of range (scaled score -1 to 1)"
    )
    assert check_words("hris", "no_such_check") == "no such check"


@pytest.mark.integration
def test_the_real_gate_quarantine_names_no_personal_value(stores: TrainingStores) -> None:
    """Through the quality gate (Great Expectations): the HRIS row's name and its bad status
    are in the quarantine's reasons, and in no word of the alert."""
    drop = io.StringIO(
        "employee_id,name,role,base,employment_status,hired_on,left_on,effective_from\n"
        "E0001,Ann Able,captain,GVA,active,2020-01-01,,2026-11-23\n"
        f"E0042,{PERSONAL[0]},captain,GVA,{PERSONAL[3]},2020-01-01,,2026-11-23\n"
    )
    rows = map_rows("hris", list(csv_rows(drop, "employees.csv")), {})
    stage_source("alpine_jets", "hris", rows, WINDOW, stores, "run-5")
    validated = step_validate("alpine_jets", ["hris"], stores, "run-5", WINDOW, NOW)
    assert validated.quarantined == 1
    assert any(PERSONAL[3] in line for line in validated.quarantine_examples)
    alert = _alert("run-5", stores.quarantine.first_quarantined_in("alpine_jets", "run-5"))
    assert alert is not None
    text = alert.text()
    assert "- hris, employees.csv line 3: employment_status: Employment status is not" in text
    assert PERSONAL[0] not in text and PERSONAL[3] not in text
