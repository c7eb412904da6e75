"""Each validation's Data Docs: a GX site per company under the configured location, its index
linking this run's validation pages, the last N runs kept, no personal value on any page, and a
failure to write it never failing the validation."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from aerosync.config.resources import CompaniesFileFolders, use_companies_file_folders
from aerosync.crew.gate import run_gate
from aerosync.crew.mapping import map_completion_csv, map_employee
from aerosync.quality import data_docs
from aerosync.quality.data_docs import DocsTarget, keeping_data_docs
from aerosync.quality.suites import validate_frames

pytestmark = pytest.mark.unit
NAME, EMAIL, MEDICAL = "Ingrid Halvorsen", "ingrid.halvorsen@example.com", "2026-02-28"
WINDOW_END = datetime(2026, 3, 2, 3, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _own_folders(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("AEROSYNC_CONFIG", "AEROSYNC_SQL_PATH", "AEROSYNC_EXPECTATIONS_PATH"):
        monkeypatch.delenv(name, raising=False)
    yield
    use_companies_file_folders(CompaniesFileFolders())


def target(location: Path, company: str = "acme_air", run: str = "run1", keep: int = 3) -> Any:
    return DocsTarget(location / company, company, run, keep)


def pages(site: Path) -> list[Path]:
    return sorted((site / "validations").rglob("*.html"))


def index_links(site: Path) -> list[str]:
    """The index's links to validation pages (its suite pages' links aside)."""
    found = re.findall(r"'_table_row_link_path': '([^']+)'", (site / "index.html").read_text())
    return [link for link in found if link.startswith("validations/")]


def schedule_frames() -> list[tuple[str, Any, Any]]:
    """The aircraft suite's check columns as the schedule flow builds them: N2 held."""
    import pandas as pd

    checks = pd.DataFrame(
        {
            "source_ok": [True, True],
            "not_emptied": [True, False],
            "not_shrunk": [True, True],
            "has_past_activity": [True, True],
        }
    )
    return [("aircraft", checks, pd.DataFrame({"tail": ["N1", "N2"]}))]


def crew_row() -> dict[str, str]:
    return {
        "statement_id": "s1",
        "employee_id": "E404",
        "course_id": "CRM",
        "verb": "passed",
        "success": "true",
        "score": "0.9",
        "completed_at": "2026-03-01T09:00:00Z",
        "stored_at": "2026-03-01T10:00:00Z",
    }


def test_a_schedule_validation_keeps_a_site_whose_index_links_its_page(tmp_path: Path) -> None:
    with keeping_data_docs(target(tmp_path)):
        report = validate_frames(schedule_frames())
    assert report.held_tails() == {"N2"}  # the outcome is GX's, docs or not
    site = tmp_path / "acme_air"
    (page,) = pages(site)
    assert page.relative_to(site).parts[:3] == ("validations", "aircraft", "run1")
    assert [link.replace("%3A", ":") for link in index_links(site)] == [
        page.relative_to(site).as_posix()
    ]
    assert "not_emptied" in page.read_text()  # GX's own rendering of the expectation
    from aerosync.quality import data_docs_views

    # GX rendered through AeroSync's views, whose compiled templates the process keeps
    assert set(data_docs_views._ENVIRONMENTS) == set(data_docs_views.VIEWS)


def test_a_crew_validation_keeps_a_site_for_its_company(tmp_path: Path) -> None:
    row = map_completion_csv(crew_row(), "f line 2", {})
    with keeping_data_docs(target(tmp_path, company="north_jets", run="crew-run")):
        result = run_gate({"statements": [row]}, set(), WINDOW_END)
    assert len(result.quarantined) == 1  # E404 is not a known employee: refused
    site = tmp_path / "north_jets"
    (page,) = pages(site)
    assert "training_statements" in page.parts
    assert len(index_links(site)) == 1
    assert not (tmp_path / "acme_air").exists()


def test_a_suites_page_is_rendered_when_it_changes_not_on_every_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index and every validation page link their suite's page: GX renders it on the
    first run and again only when the suite changed (a team edited its file)."""
    import pandas as pd

    def check(column: str) -> Any:
        return [
            {
                "type": "expect_column_values_to_be_in_set",
                "kwargs": {"column": column, "value_set": [True]},
                "severity": "critical",
            }
        ]

    checks = pd.DataFrame({"first_column": [True], "second_column": [True]})
    frames = [("team_check", checks, pd.DataFrame({"row": [0]}))]
    site, page = tmp_path / "docs" / "acme_air", Path("expectations", "team_check.html")
    stamps = []
    for run, column in (("r1", "first_column"), ("r2", "first_column"), ("r3", "second_column")):
        _team_suite(monkeypatch, tmp_path / "suites", "team_check", check(column))
        with keeping_data_docs(target(tmp_path / "docs", run=run)):
            validate_frames(frames)
        stamps.append((site / page).stat().st_mtime_ns)
        assert column in (site / page).read_text()
    assert stamps[0] == stamps[1] < stamps[2]
    found = re.findall(r"'_table_row_link_path': '([^']+)'", (site / "index.html").read_text())
    assert page.as_posix() in found
    assert "../../../../expectations/team_check.html" in (site / index_links(site)[0]).read_text()


def test_no_site_is_written_without_a_target(tmp_path: Path) -> None:
    validate_frames(schedule_frames())
    assert list(tmp_path.iterdir()) == []


def test_the_last_n_runs_are_kept_and_older_pages_removed(tmp_path: Path) -> None:
    for run in ("r1", "r2", "r3", "r4", "r5"):
        with keeping_data_docs(target(tmp_path, run=run, keep=3)):
            validate_frames(schedule_frames())
    site = tmp_path / "acme_air"
    runs = {p.relative_to(site).parts[2] for p in pages(site)}
    assert runs == {"r3", "r4", "r5"}
    assert {link.split("/")[2] for link in index_links(site)} == {"r3", "r4", "r5"}
    kept = {p.relative_to(site / ".results").parts[1] for p in (site / ".results").rglob("*.json")}
    assert kept == {"r3", "r4", "r5"}


def test_companies_do_not_share_or_clobber_sites(tmp_path: Path) -> None:
    with keeping_data_docs(target(tmp_path, company="acme_air", run="a", keep=1)):
        validate_frames(schedule_frames())
    with keeping_data_docs(target(tmp_path, company="north_jets", run="b", keep=1)):
        validate_frames(schedule_frames())
    assert [p.parts[-3] for p in pages(tmp_path / "acme_air")] == ["a"]
    assert [p.parts[-3] for p in pages(tmp_path / "north_jets")] == ["b"]


def _team_suite(monkeypatch: pytest.MonkeyPatch, folder: Path, name: str, suite: Any) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text(json.dumps({"name": name, "expectations": suite}))
    monkeypatch.setenv("AEROSYNC_EXPECTATIONS_PATH", str(folder))
    from aerosync.quality import suites

    suites._read_cached.cache_clear()


def test_no_personal_value_reaches_a_page_even_for_a_suite_over_raw_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A team's suite checking raw crew columns: GX's unexpected values and observed values
    would list the name, the e-mail and the medical date; the site holds only counts."""
    import pandas as pd

    suite = [
        {
            "type": "expect_column_values_to_match_regex",
            "kwargs": {"column": "email", "regex": "^[a-z]+@operator\\.example$"},
            "severity": "warning",
        },
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "name", "value_set": ["Somebody Else"]},
            "severity": "warning",
        },
        {
            "type": "expect_column_max_to_be_between",
            "kwargs": {"column": "medical_expires_on", "max_value": "2026-01-01"},
            "severity": "warning",
        },
        {  # raises inside GX (a text against a number): its message would quote the value
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "name", "min_value": 0},
            "severity": "warning",
        },
    ]
    _team_suite(monkeypatch, tmp_path / "suites", "team_crew_check", suite)
    frame = pd.DataFrame({"name": [NAME], "email": [EMAIL], "medical_expires_on": [MEDICAL]})
    with keeping_data_docs(target(tmp_path / "docs", company="north_jets")):
        report = validate_frames([("team_crew_check", frame, pd.DataFrame({"row": [0]}))])
    failed = {(o.expectation, o.column) for o in report.outcomes if not o.success}
    assert len(failed) == 4 and ("expect_column_values_to_match_regex", "email") in failed
    site = tmp_path / "docs" / "north_jets"
    written = [p for p in site.rglob("*") if p.is_file() and "static" not in p.parts]
    assert len(pages(site)) == 1 and len(written) >= 3
    for path in written:
        text = path.read_text(errors="replace")
        for value in (NAME, EMAIL, MEDICAL, "Halvorsen"):
            assert value not in text, f"{value} in {path}"


def test_the_packaged_crew_suites_render_no_personal_value(tmp_path: Path) -> None:
    """The crew flow's own suites run over check columns: an HRIS row with a name and an
    e-mail leaves neither on the site."""
    row = map_employee(
        {"employee_id": "E1", "name": NAME, "email": EMAIL, "effective_from": "not a date"},
        "hris line 2",
    )
    with keeping_data_docs(target(tmp_path, company="north_jets")):
        run_gate({"hris": [row]}, set(), WINDOW_END)
    site = tmp_path / "north_jets"
    assert pages(site)
    for path in [p for p in site.rglob("*") if p.is_file() and "static" not in p.parts]:
        text = path.read_text(errors="replace")
        assert "Halvorsen" not in text and EMAIL not in text, path


def test_a_failure_to_write_is_a_warning_and_the_outcome_stands(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocked = tmp_path / "not_a_folder"
    blocked.write_text("a file where the location should be")
    with caplog.at_level(logging.WARNING), keeping_data_docs(target(blocked)):
        report = validate_frames(schedule_frames())
    assert report.held_tails() == {"N2"}
    (record,) = [r for r in caplog.records if r.name == data_docs.__name__]
    assert record.levelno == logging.WARNING
    message = record.getMessage()
    assert "acme_air" in message and "validation itself is unaffected" in message
    assert f"Not a directory: {blocked / 'acme_air'}" in message  # what to fix, and where


def test_runs_to_drop_counts_runs_not_suites() -> None:
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    def key(suite: str, run: str, hour: int) -> ValidationResultIdentifier:
        when = datetime(2026, 12, 7, hour, tzinfo=UTC)
        return ValidationResultIdentifier(
            ExpectationSuiteIdentifier(name=suite), RunIdentifier(run, when), "b"
        )

    keys = [key(s, r, h) for r, h in (("a", 1), ("b", 2), ("c", 3)) for s in ("x", "y")]
    dropped = data_docs.runs_to_drop(keys, 2)
    assert {k.run_id.run_name for k in dropped} == {"a"} and len(dropped) == 2


def _validate_in(location: str, company: str, run: str) -> None:
    with keeping_data_docs(target(Path(location), company=company, run=run, keep=10)):
        validate_frames(schedule_frames())


def test_concurrent_runs_neither_clobber_nor_lose_a_run(tmp_path: Path) -> None:
    """Two companies and two runs of one company at once (its upload DAG and its crew sync):
    each site ends with every run of its own, and only those."""
    import multiprocessing

    validate_frames(schedule_frames())  # GX imported before forking, as a preloaded task has it
    fork = multiprocessing.get_context("fork")
    jobs = [("acme_air", "a1"), ("acme_air", "a2"), ("north_jets", "n1"), ("acme_air", "a3")]
    processes = [fork.Process(target=_validate_in, args=(str(tmp_path), *job)) for job in jobs]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
        assert process.exitcode == 0
    acme, north = tmp_path / "acme_air", tmp_path / "north_jets"
    assert {link.split("/")[2] for link in index_links(acme)} == {"a1", "a2", "a3"}
    assert {link.split("/")[2] for link in index_links(north)} == {"n1"}
    assert {p.parts[-3] for p in pages(acme)} == {"a1", "a2", "a3"}
