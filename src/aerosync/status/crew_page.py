"""The "Crew sync" page: per company, the last window each training source was read for, the rows
it loaded and quarantined, why a source failed, the rows still in quarantine and their reasons,
and the files and posts written out.

Pure rendering from the records of `aerosync.stores.training_runs`; the Airflow plugin serves it
behind Airflow's login. Every text is escaped and the page carries no script, so nothing a source
delivered can run in a reader's browser. Quarantined rows are named by where they came from and
their employee id, never by their values: the records hold no row data to show.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from html import escape
from urllib.parse import quote

from aerosync.config.companies import CREW_DAG_PREFIX, READINESS_DAG_PREFIX
from aerosync.status.links import data_docs_url
from aerosync.status.page import age
from aerosync.stores.training_runs import (
    CrewSyncStatus,
    ExportRun,
    QuarantinedRow,
    SourceRun,
)

SOURCE_NAMES = {
    "hris": "HRIS (employees)",
    "statements": "LMS (training records)",
    "qualifications": "Crew management (qualifications)",
    "ebt_gradings": "EBT gradings",
    "roster": "Crew management (roster)",
    "courses": "LMS (course catalog)",
    "enrolments": "LMS (enrolments and progress)",
}
EXPORT_NAMES = {
    "training_status": "Training status CSV",
    "ebt_statements": "EBT results to the LMS",
    "readiness": "Crew readiness (CSV, JSON)",
    "readiness_post": "Crew readiness posted",
    "regulatory": "Regulatory exports (FAA PRD, EASA records, expiring)",
}
REFRESH_SECONDS = 60


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _window(start: datetime, end: datetime) -> str:
    return f"{escape(_stamp(start))} &rarr; {escape(_stamp(end))}"


def _ran(moment: datetime, now: datetime) -> str:
    return f"{escape(_stamp(moment))}<br><span class='muted'>{escape(age(moment, now))}</span>"


def _run_link(company: str, run_id: str, dag_prefix: str = CREW_DAG_PREFIX) -> str:
    href = f"/dags/{quote(dag_prefix + company, safe='')}/runs/{quote(run_id, safe='')}"
    return f"<a class='muted' href='{escape(href)}'>{escape(run_id)}</a>"


def _count(value: int | None) -> str:
    if value is None:
        return "<span class='muted' title='the run did not reach this step'>&ndash;</span>"
    return str(value)


def _loaded(run: SourceRun) -> str:
    if run.loaded is None:
        return _count(None)
    return (
        f"{run.loaded}<br><span class='muted'>{run.inserted} new, {run.updated or 0} changed, "
        f"{run.unchanged or 0} unchanged</span>"
    )


def _source_row(run: SourceRun, now: datetime) -> str:
    state = "failed" if run.failure else ("quarantine" if run.quarantined else "ok")
    failure = (
        f"<tr class='failure'><td colspan='8'><b>Source failed:</b> {escape(run.failure)}</td></tr>"
        if run.failure
        else ""
    )
    return (
        f"<tr class='{state}' data-source='{escape(run.source)}' data-state='{state}'>"
        f"<td><b>{escape(SOURCE_NAMES.get(run.source, run.source))}</b><br>"
        f"{_run_link(run.company, run.run_id)}</td>"
        f"<td>{_window(run.window_start, run.window_end)}</td>"
        f"<td>{_ran(run.started_at, now)}</td>"
        f"<td>{_count(run.read)}</td><td>{_count(run.in_window)}</td>"
        f"<td>{_count(run.good)}</td><td class='quarantined'>{_count(run.quarantined)}</td>"
        f"<td>{_loaded(run)}</td></tr>{failure}"
    )


def _dag_prefix(export: str) -> str:
    """The readiness exports run in a DAG of their own (`aerosync.airflow.readiness_dag`)."""
    return READINESS_DAG_PREFIX if export.startswith("readiness") else CREW_DAG_PREFIX


def _export_row(export: ExportRun, now: datetime) -> str:
    state = "failed" if export.failure else "ok"
    outcome = (
        f"<span class='bad'>failed: {escape(export.failure)}</span>"
        if export.failure
        else f"{export.rows} row(s)"
    )
    return (
        f"<tr class='{state}' data-export='{escape(export.export)}' data-state='{state}'>"
        f"<td><b>{escape(EXPORT_NAMES.get(export.export, export.export))}</b><br>"
        f"{_run_link(export.company, export.run_id, _dag_prefix(export.export))}</td>"
        f"<td>{_window(export.window_start, export.window_end)}</td>"
        f"<td>{_ran(export.written_at, now)}</td>"
        f"<td class='location'>{escape(export.location)}</td><td>{outcome}</td></tr>"
    )


def _quarantined_row(row: QuarantinedRow, company: str, now: datetime) -> str:
    reasons = "".join(
        f"<li title='check {escape(r.code)}'>"
        + (f"<span class='field'>{escape(r.field)}</span>: " if r.field else "")
        + f"{escape(r.text)}</li>"
        for r in row.reasons
    )
    return (
        f"<tr data-source='{escape(row.source)}'>"
        f"<td>{escape(SOURCE_NAMES.get(row.source, row.source))}</td>"
        f"<td class='ref'>{escape(row.row_ref)}</td>"
        f"<td class='ref'>{escape(row.employee_id or '-')}</td><td><ul>{reasons}</ul></td>"
        f"<td>{_ran(row.quarantined_at, now)}<br>{_run_link(company, row.first_run_id)}</td></tr>"
    )


def _quarantine(status: CrewSyncStatus, now: datetime) -> str:
    total = sum(status.still_quarantined.values())
    if not total:
        return "<p class='muted'>No row is in quarantine.</p>"
    per_source = ", ".join(
        f"{escape(SOURCE_NAMES.get(s, s))}: {n}"
        for s, n in sorted(status.still_quarantined.items())
    )
    more = (
        f" Showing the first {len(status.quarantined)}." if len(status.quarantined) < total else ""
    )
    rows = "".join(_quarantined_row(r, status.company, now) for r in status.quarantined)
    return (
        f"<p class='warn'>{total} row(s) still in quarantine ({per_source}): they are not "
        f"loaded until the source corrects them (or, for an unknown employee, until the HRIS "
        f"delivers the employee).{more}</p>"
        "<table class='quarantine'><thead><tr><th>Source</th><th>Row</th><th>Employee</th>"
        f"<th>Reasons</th><th>Quarantined</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _company(status: CrewSyncStatus, now: datetime, data_docs: bool = False) -> str:
    failed = sum(1 for r in status.sources if r.failure) + sum(
        1 for e in status.exports if e.failure
    )
    headline = f" <span class='bad'>{failed} failed</span>" if failed else ""
    if data_docs:  # GX's report of its latest validations (`aerosync.quality.data_docs`)
        href = escape(data_docs_url(status.company))
        headline += f" <a class='data-docs' href='{href}'>Data Docs</a>"
    sources = "".join(_source_row(r, now) for r in status.sources) or (
        "<tr><td colspan='8' class='muted'>No source has been read yet.</td></tr>"
    )
    exports = "".join(_export_row(e, now) for e in status.exports) or (
        "<tr><td colspan='5' class='muted'>Nothing has been written out yet.</td></tr>"
    )
    return f"""<section class="company" data-company="{escape(status.company)}">
<h3>{escape(status.company)}{headline}</h3>
<table class="sources"><thead><tr><th>Source (last run)</th><th>Window</th><th>Ran</th>
<th>Read</th><th>In window</th><th>Passed</th><th>Quarantined</th><th>Loaded</th></tr></thead>
<tbody>{sources}</tbody></table>
{_quarantine(status, now)}
<table class="exports"><thead><tr><th>Export (last run)</th><th>Window</th><th>Written</th>
<th>Where</th><th>Rows</th></tr></thead><tbody>{exports}</tbody></table>
</section>"""


def render(
    statuses: Sequence[CrewSyncStatus],
    *,
    now: datetime | None = None,
    data_docs: Collection[str] = (),
) -> str:
    """The page; `data_docs`: the companies whose validations have a Data Docs site."""
    moment = now or datetime.now(UTC)
    body = "".join(_company(s, moment, s.company in data_docs) for s in statuses) or (
        "<p class='muted'>No training sync has run yet.</p>"
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Crew sync</title>
<meta http-equiv="refresh" content="{REFRESH_SECONDS}">
<style>
body {{ font-family: system-ui, sans-serif; margin: 16px; color: #1c2833; }}
table {{ border-collapse: collapse; width: 100%; font-size: 14px; margin-bottom: 12px; }}
th, td {{ border-bottom: 1px solid #d5d8dc; padding: 6px 8px; text-align: left;
          vertical-align: top; }}
th {{ background: #f4f6f7; }}
section.company {{ margin-bottom: 28px; }}
.muted {{ color: #7f8c8d; font-size: 12px; }}
tr.failed td:first-child {{ border-left: 4px solid #c0392b; }}
tr.failure td, .bad {{ color: #c0392b; font-weight: 600; }}
tr.quarantine td.quarantined, .warn {{ color: #9a7d0a; font-weight: 600; }}
.ref, .location, .field {{ font-family: monospace; }}
ul {{ margin: 0; padding-left: 16px; }}
</style></head><body>
<h2>Crew sync</h2>
<p class="muted">The training records sync of each company: the last window each source was
read for, what loaded, what was quarantined and why, and what was written out. As of
<span id="as-of">{escape(_stamp(moment))}</span>; refreshes every minute.</p>
{body}
</body></html>"""
