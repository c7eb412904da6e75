"""The suites' severity is GX 1.x's own expectation field `severity`: `critical` holds, `warning`
is reported, `info` is shown as information and holds nothing; a team's suite in the old form
(`meta.severity`) still works and is warned about; both forms disagreeing is refused."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from aerosync.cli import main as aerosync_main
from aerosync.config.resources import (
    CompaniesFileFolders,
    data_dir,
    use_companies_file_folders,
)
from aerosync.config.suite_files import SuiteFileError, team_suite_findings
from aerosync.crew.gate import run_gate
from aerosync.crew.mapping import map_completion_csv
from aerosync.models import Severity
from aerosync.quality.suites import load_suite_definition, validate_frames
from aerosync.status.findings import line_of
from aerosync.status.page import LINE_COLOURS
from tests.config.team_repository import team_repository

pytestmark = pytest.mark.unit
ACME: dict[str, Any] = {
    "id": "acme_air",
    "name": "Acme Air",
    "schedule": "*/15 * * * *",
    "marketplace_conn_id": "avinode_acme",
    "fms": {"conn_id": "fms_acme", "dialect": "acme_fms"},
}


@pytest.fixture(autouse=True)
def _own_folders(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("AEROSYNC_CONFIG", "AEROSYNC_SQL_PATH", "AEROSYNC_EXPECTATIONS_PATH"):
        monkeypatch.delenv(name, raising=False)
    yield
    use_companies_file_folders(CompaniesFileFolders())


def _in_set(
    column: str, severity: str | None = None, meta: dict[str, Any] | None = None
) -> dict[str, Any]:
    expectation: dict[str, Any] = {
        "type": "expect_column_values_to_be_in_set",
        "kwargs": {"column": column, "value_set": [True]},
        "meta": {"description": f"{column} failed", **(meta or {})},
    }
    if severity is not None:
        expectation["severity"] = severity
    return expectation


def _team_suite(
    monkeypatch: pytest.MonkeyPatch, folder: Path, name: str, expectations: list[Any]
) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps({"name": name, "expectations": expectations}), "utf-8")
    monkeypatch.setenv("AEROSYNC_EXPECTATIONS_PATH", str(folder))
    return path


def test_the_packaged_suites_use_gx_severity_only() -> None:
    files = sorted(data_dir("expectations").glob("*.json"))
    assert len(files) >= 10
    for path in files:
        for expectation in json.loads(path.read_text("utf-8"))["expectations"]:
            where = f"{path.name} {expectation['kwargs'].get('column')}"
            assert expectation["severity"] in ("critical", "warning"), where
            assert "severity" not in expectation.get("meta", {}), where
            assert expectation["meta"]["description"], where


def test_critical_holds_warning_and_info_do_not_and_info_is_information(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import pandas as pd

    _team_suite(
        monkeypatch,
        tmp_path / "suites",
        "aircraft",
        [
            _in_set("holds", severity="critical"),
            _in_set("warns", severity="warning"),
            _in_set("tells", severity="info"),
        ],
    )
    checks = pd.DataFrame(
        {"holds": [True, False, True], "warns": [True, True, False], "tells": [False, True, True]}
    )
    ids = pd.DataFrame({"tail": ["N1", "N2", "N3"]})
    report = validate_frames([("aircraft", checks, ids)])
    by_column = {o.column: o.severity for o in report.outcomes}
    # read off GX's validation result: GX accepted the field and carried it through
    assert by_column == {
        "holds": Severity.BLOCKING,
        "warns": Severity.WARNING,
        "tells": Severity.INFO,
    }
    assert report.held_tails() == {"N2"}
    found = {f.tail: f for f in report.findings()}
    assert found["N3"].severity is Severity.WARNING and found["N1"].severity is Severity.INFO
    info = line_of(found["N1"].to_dict())
    assert info.level == "info" and info.words.startswith("Tells failed")
    assert LINE_COLOURS["info"] not in (LINE_COLOURS["blocking"], LINE_COLOURS["warning"])
    assert line_of(found["N2"].to_dict()).level == "blocking"


def test_gx_builds_the_suite_with_its_severity() -> None:
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.expectations.metadata_types import FailureSeverity

    definition = load_suite_definition("activities")
    suite = ExpectationSuite(**json.loads(json.dumps(definition)))
    severities = {e.severity for e in suite.expectations}
    assert severities == {FailureSeverity.CRITICAL, FailureSeverity.WARNING}
    assert len(suite.expectations) == len(definition["expectations"])


def test_an_info_expectation_refuses_no_crew_row(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    packaged = json.loads((data_dir("expectations") / "training_statements.json").read_text())
    for expectation in packaged["expectations"]:
        if expectation["kwargs"]["column"] == "employee_known":
            expectation["severity"] = "info"
    _team_suite(monkeypatch, tmp_path / "suites", "training_statements", packaged["expectations"])
    row = {
        "statement_id": "s1",
        "employee_id": "E404",
        "course_id": "CRM",
        "verb": "passed",
        "success": "true",
        "score": "0.9",
        "completed_at": "2026-03-01T09:00:00Z",
        "stored_at": "2026-03-01T10:00:00Z",
    }
    end = datetime(2026, 3, 2, 3, tzinfo=UTC)
    result = run_gate({"statements": [map_completion_csv(row, "f line 2", {})]}, set(), end)
    assert result.quarantined == [] and result.warnings == []
    assert len(result.good["statements"]) == 1
    (outcome,) = [o for o in result.report.outcomes if o.column == "employee_known"]
    assert outcome.severity is Severity.INFO and outcome.unexpected_count == 1


def test_an_old_form_team_suite_works_and_is_warned_about(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import pandas as pd

    team = team_repository(tmp_path / "team", [ACME])
    path = team.root / "expectations" / "aircraft.json"
    old = [
        _in_set("holds", meta={"severity": "blocking"}),
        _in_set("warns", meta={"severity": "warning"}),
    ]
    path.write_text(json.dumps({"name": "aircraft", "expectations": old}), "utf-8")
    assert aerosync_main(["config", "check", "--file", str(team.companies_file)]) == 0
    out = capsys.readouterr().out
    assert f"{path}: expectation #1 (expect_column_values_to_be_in_set): meta.severity" in out
    assert '"severity": "critical"' in out and "expectation #2" in out
    _, warnings = team_suite_findings()
    assert len([w for w in warnings if "meta.severity is the old form" in w]) == 2
    report = validate_frames(
        [
            (
                "aircraft",
                pd.DataFrame({"holds": [False, True], "warns": [True, False]}),
                pd.DataFrame({"tail": ["N1", "N2"]}),
            )
        ]
    )
    assert report.held_tails() == {"N1"}
    assert {o.column: o.severity for o in report.outcomes} == {
        "holds": Severity.BLOCKING,
        "warns": Severity.WARNING,
    }


def test_both_forms_disagreeing_are_refused(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = _team_suite(
        monkeypatch,
        tmp_path / "suites",
        "aircraft",
        [
            _in_set("agrees", severity="critical", meta={"severity": "blocking"}),
            _in_set("disagrees", severity="warning", meta={"severity": "blocking"}),
        ],
    )
    with pytest.raises(SuiteFileError) as refused:
        load_suite_definition("aircraft")
    message = str(refused.value)
    assert f"{path}: expectation #2" in message
    assert "'warning'" in message and "'blocking'" in message and "disagree" in message
    problems, _ = team_suite_findings()
    assert problems == [message]


def test_an_unknown_gx_severity_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _team_suite(monkeypatch, tmp_path / "s", "aircraft", [_in_set("x", severity="blocking")])
    with pytest.raises(SuiteFileError, match="must be 'critical', 'warning' or 'info'"):
        load_suite_definition("aircraft")
