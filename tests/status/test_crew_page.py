"""The Crew sync page's rendering from hand-made records: windows in UTC, counts, a failed source
in red, quarantined rows with their reasons (code on hover), exports, the "as of" time and the
refresh, everything escaped and no script."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from aerosync.status.crew_page import render
from aerosync.stores.training_runs import (
    CrewSyncStatus,
    ExportRun,
    QuarantinedRow,
    QuarantineReason,
    SourceRun,
)

pytestmark = pytest.mark.unit
NOW = datetime(2026, 3, 3, 4, 0, tzinfo=UTC)
# A window given in another zone must still be shown in UTC.
START = datetime(2026, 3, 2, 4, 0, tzinfo=timezone(timedelta(hours=1)))
END = datetime(2026, 3, 3, 3, 0, tzinfo=UTC)


def _run(source: str, **counts: object) -> SourceRun:
    return SourceRun(
        company="acme",
        source=source,
        run_id="scheduled__2026-03-02T03:00:00+00:00",
        window_start=START,
        window_end=END,
        started_at=NOW - timedelta(minutes=50),
        updated_at=NOW - timedelta(minutes=49),
        **counts,  # type: ignore[arg-type]
    )


def _status() -> CrewSyncStatus:
    return CrewSyncStatus(
        company="acme",
        sources=(
            _run(
                "hris",
                read=7,
                in_window=6,
                good=5,
                quarantined=1,
                inserted=1,
                updated=1,
                unchanged=3,
            ),
            _run(
                "qualifications", failure="source qualifications: cannot be read: <b>HTTP 503</b>"
            ),
        ),
        exports=(
            ExportRun(
                company="acme",
                export="training_status",
                run_id="scheduled__2026-03-02T03:00:00+00:00",
                window_start=START,
                window_end=END,
                location="/exports/training_status__acme__20260302T0300_20260303T0300.csv",
                rows=12,
                written_at=NOW - timedelta(minutes=45),
            ),
        ),
        quarantined=(
            QuarantinedRow(
                source="hris",
                row_ref="employees.csv line 9",
                employee_id="E077",
                reasons=(
                    QuarantineReason(
                        "status_known",
                        "employment_status",
                        "Employment status is not one of active, leave, inactive, terminated",
                    ),
                    QuarantineReason("key_unique", None, "Duplicate employee record"),
                ),
                first_run_id="scheduled__2026-03-02T03:00:00+00:00",
                quarantined_at=NOW - timedelta(minutes=48),
            ),
        ),
        still_quarantined={"hris": 3},
    )


def test_sources_show_their_window_in_utc_and_their_counts() -> None:
    html = render([_status()], now=NOW)
    row = re.search(r"<tr class='quarantine' data-source='hris'.*?</tr>", html, re.S)
    assert row is not None
    text = row.group(0)
    assert "2026-03-02 03:00 UTC &rarr; 2026-03-03 03:00 UTC" in text
    assert "50 min ago" in text
    assert "<td>7</td><td>6</td><td>5</td><td class='quarantined'>1</td>" in text
    assert "5<br><span class='muted'>1 new, 1 changed, 3 unchanged</span>" in text
    assert (
        "href='/dags/training_sync__acme/runs/scheduled__2026-03-02T03%3A00%3A00%2B00%3A00'" in text
    )


def test_a_failed_source_is_red_with_its_reason_escaped_and_no_counts() -> None:
    html = render([_status()], now=NOW)
    assert "data-source='qualifications' data-state='failed'" in html
    assert "<b>Source failed:</b> source qualifications: cannot be read: &lt;b&gt;HTTP 503" in html
    failed = html.split("data-source='qualifications'")[1].split("</tr>")[0]
    assert failed.count("the run did not reach this step") == 5
    assert "<span class='bad'>1 failed</span>" in html


def test_quarantined_rows_name_the_row_the_field_and_the_reason_with_its_code_on_hover() -> None:
    html = render([_status()], now=NOW)
    assert "3 row(s) still in quarantine (HRIS (employees): 3)" in html
    assert "Showing the first 1." in html
    assert "<td class='ref'>employees.csv line 9</td><td class='ref'>E077</td>" in html
    assert (
        "<li title='check status_known'><span class='field'>employment_status</span>: "
        "Employment status is not one of" in html
    )
    assert "<li title='check key_unique'>Duplicate employee record</li>" in html


def test_exports_show_where_and_how_many_rows() -> None:
    html = render([_status()], now=NOW)
    assert "Training status CSV" in html
    assert "/exports/training_status__acme__20260302T0300_20260303T0300.csv" in html
    assert "<td>12 row(s)</td>" in html


def test_the_page_refreshes_says_as_of_when_and_has_no_script() -> None:
    html = render([_status()], now=NOW)
    assert '<meta http-equiv="refresh" content="60">' in html
    assert '<span id="as-of">2026-03-03 04:00 UTC</span>' in html
    assert "<script" not in html and "onclick" not in html and "javascript:" not in html


def test_a_company_without_quarantine_or_exports_and_an_empty_page_say_so() -> None:
    quiet = CrewSyncStatus(company="calm", sources=(_run("hris", read=1, in_window=1),))
    html = render([quiet], now=NOW)
    assert "No row is in quarantine." in html and "Nothing has been written out yet." in html
    assert "No training sync has run yet." in render([], now=NOW)


def test_a_readiness_export_links_to_its_own_dags_run() -> None:
    """Readiness runs in `crew_readiness__<company>` (scheduled on the crew tables' assets)."""
    from dataclasses import replace

    status = _status()
    readiness = replace(
        status.exports[0], export="readiness", run_id="asset_triggered__2026-03-03T03:05:00+00:00"
    )
    html = render([replace(status, exports=(*status.exports, readiness))], now=NOW)
    row = html.split("data-export='readiness'")[1].split("</tr>")[0]
    assert "href='/dags/crew_readiness__acme/runs/asset_triggered__2026-03-03T03" in row
    training = html.split("data-export='training_status'")[1].split("</tr>")[0]
    assert "href='/dags/training_sync__acme/runs/" in training
