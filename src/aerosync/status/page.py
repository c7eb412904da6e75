"""The "Schedule uploads" page: every aircraft's latest attempt, as HTML a dispatcher can read.

Pure rendering from status records; the Airflow plugin serves it behind Airflow's login, inside
the UI's iframe. No script at all (the plugin's CSP allows none inline): the page refreshes itself
with a `<meta http-equiv="refresh">`, and "upload now" is a plain form the plugin answers.

What a browser test can hold on to: rows `tr[data-company][data-tail][data-outcome][data-stale]`;
`.stale-flag` on a stale row; `.last-real[data-last-outcome]` beside a skip; `li.finding` with
`data-code` and the code in `title`; `a.run-link`, `a.log-link`; `form.upload-now`; `#as-of`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime
from html import escape

from aerosync.config.schedule_spec import MINIMUM_INTERVAL
from aerosync.models import ATTENTION_ORDER, CALL_OUTCOMES, Outcome
from aerosync.status.findings import Line, lines
from aerosync.status.links import data_docs_url, real_attempt_links, record_links
from aerosync.status.staleness import Freshness, Staleness, stale_flags
from aerosync.stores.database import parse_iso
from aerosync.stores.status_records import StatusRecord

ORDER = ATTENTION_ORDER
REFRESH_SECONDS = 60
# Colours say what an outcome means: red what failed or may have, orange a hold, amber what went
# with errors, green what the marketplace took; grey what is routine (a skip inside the 5-minute
# spacing, an aircraft no longer marketed), blue a call still waiting for its answer.
COLOURS = {
    "failed": "#c0392b",
    "unknown": "#8e44ad",
    "not_attempted": "#943126",
    "held": "#d35400",
    "in_flight": "#2874a6",
    "not_marketed": "#5d6d7e",
    "skipped": "#7f8c8d",
    "uploaded_with_errors": "#b7950b",
    "uploaded": "#1e8449",
}
LINE_COLOURS = {
    "blocking": "#922b21",
    "error": "#922b21",
    "warning": "#7d6608",
    "info": "#566573",
    "routine": "#566573",
}


def age(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60} min ago"
    return f"{minutes // 1440} days ago"


def _clock(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%H:%M} UTC"


def _when(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "<span class='muted'>never</span>"
    stamp = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"{escape(stamp)}<br><span class='muted'>{escape(age(moment, now))}</span>"


def _line(line: Line) -> str:
    """A problem in words; its codes on hover (`title`) and for tests (`data-code`)."""
    codes = escape(" ".join(line.codes))
    return (
        f"<li class='finding {line.level}' data-code='{codes}' title='{escape(line.hover)}'>"
        f"{escape(line.words)}</li>"
    )


def _badge(outcome: str) -> str:
    return f"<span class='badge outcome-{outcome}'>{escape(outcome.replace('_', ' '))}</span>"


def _last_real_badge(record: StatusRecord, ui_root: str) -> str:
    """Beside a skip, the aircraft's last real outcome in its own colour, linked to its log:
    the skip must not hide a failure (safety rule 7)."""
    real = record.last_real_attempt
    if real is None:
        return ""
    http = f" HTTP {real.http_status}" if real.http_status else ""
    at = parse_iso(real.attempted_at)
    when = f" at {_clock(at)}" if at else ""
    outcome = real.outcome if real.outcome in COLOURS else "unknown"
    link = real_attempt_links(record.company, real, ui_root)
    return (
        f" <a class='badge last-real outcome-{outcome}' data-last-outcome='{escape(outcome)}' "
        f"href='{escape(link.log)}' target='_top' "
        f"title='The log of that attempt ({escape(link.log_task)})'>"
        f"last: {escape(real.outcome.replace('_', ' '))}{escape(http)}{escape(when)}</a>"
    )


def _last_real_details(record: StatusRecord) -> str:
    real = record.last_real_attempt
    if real is None:
        return ""
    said = "".join(_line(line) for line in lines([*real.reasons, *real.messages]))
    return (
        f"<li class='last-real-details'>Last real attempt: <b>{escape(real.outcome)}</b>"
        f"<ul>{said}</ul></li>"
    )


def _stale(verdict: Staleness | None) -> str:
    if verdict is None or not verdict.stale:
        return ""
    return (
        f"<br><span class='stale-flag' title='Older than its threshold of "
        f"{int(verdict.freshness.stale_after.total_seconds() // 60)} min'>stale</span> "
        f"<span class='stale-words'>{escape(verdict.words())}</span>"
    )


def _row(record: StatusRecord, now: datetime, verdict: Staleness | None, ui_root: str) -> str:
    outcome = record.outcome.value
    said = "".join(_line(line) for line in lines([*record.reasons, *record.messages]))
    next_go = (
        f"<br><span class='muted'>may go again from {_clock(record.next_allowed_at)}</span>"
        if record.next_allowed_at
        else ""
    )
    link = record_links(record, ui_root)
    stale = "true" if verdict is not None and verdict.stale else "false"
    return (
        f"<tr class='{outcome}' data-company='{escape(record.company)}' "
        f"data-tail='{escape(record.tail)}' data-outcome='{outcome}' data-stale='{stale}'>"
        f"<td>{escape(record.company)}</td><td class='tail'>{escape(record.tail)}</td>"
        f"<td>{_badge(outcome)}{_last_real_badge(record, ui_root)}{next_go}</td>"
        f"<td>{_when(record.attempted_at, now)}</td>"
        f"<td>{_when(record.last_success_at, now)}{_stale(verdict)}</td>"
        f"<td>{record.http_status or '-'}</td><td>{record.activities_sent}</td>"
        f"<td><ul>{said}{_last_real_details(record)}</ul></td>"
        f"<td><a class='run-link' href='{escape(link.run)}' target='_top'>run</a> · "
        f"<a class='log-link' href='{escape(link.log)}' target='_top' "
        f"title='The log of {escape(link.log_task)} in this run'>log</a></td></tr>"
    )


def guard_release(records: Sequence[StatusRecord], company: str, now: datetime) -> datetime | None:
    """When the last of `company`'s aircraft sent (or skipped) in the last 5 minutes may go
    again; None when an upload now would skip none."""
    calls = {o.value for o in CALL_OUTCOMES}
    times = [
        r.next_allowed_at
        if r.outcome is Outcome.SKIPPED and r.next_allowed_at
        else r.attempted_at + MINIMUM_INTERVAL
        for r in records
        if r.company == company and (r.outcome.value in calls or r.outcome is Outcome.SKIPPED)
    ]
    later = [t for t in times if t is not None and t > now]
    return max(later) if later else None


def _upload_now(
    records: Sequence[StatusRecord], companies: Sequence[str], now: datetime, ui_root: str
) -> str:
    """One "upload now" form per company the user may trigger; the plugin answers the POST
    (a run of the company's DAG with the user's own permissions)."""
    forms = []
    for company in companies:
        release = guard_release(records, company, now)
        guard = f"next allowed at {_clock(release)}" if release else "none was sent in that time"
        forms.append(
            f"<form class='upload-now' method='post' "
            f"action='{escape(ui_root)}/aerosync/upload-now'>"
            f"<input type='hidden' name='company' value='{escape(company)}'>"
            f"<button type='submit'>Upload now: {escape(company)}</button> "
            f"<span class='muted'>the 5-minute guard will skip aircraft sent in the last 5 "
            f"minutes ({escape(guard)})</span></form>"
        )
    return "".join(forms)


def _data_docs(companies: Sequence[str], with_site: Collection[str]) -> str:
    """Links to each shown company's Data Docs (GX's report of its latest validations)."""
    links = [
        f"<a class='data-docs' data-company='{escape(c)}' href='{escape(data_docs_url(c))}'>"
        f"{escape(c)}</a>"
        for c in companies
        if c in with_site
    ]
    if not links:
        return ""
    return (
        "<p id='data-docs'>Great Expectations Data Docs of the latest validations: "
        f"{' · '.join(links)}</p>"
    )


def _options(values: Sequence[str], selected: str | None, label: str) -> str:
    options = [f"<option value=''>{escape(label)}</option>"] + [
        f"<option value='{escape(v)}'{' selected' if v == selected else ''}>{escape(v)}</option>"
        for v in values
    ]
    return "".join(options)


def render(
    records: Sequence[StatusRecord],
    *,
    companies: Sequence[str],
    company: str | None = None,
    outcome: str | None = None,
    now: datetime | None = None,
    freshness: Mapping[str, Freshness] | None = None,
    ui_root: str = "",
    triggerable: Collection[str] | None = None,
    refresh_seconds: int = REFRESH_SECONDS,
    notice: str | None = None,
    data_docs: Collection[str] = (),
) -> str:
    """The page. `freshness`: each company's schedule (`freshness_by_company`), without which no
    row is flagged stale; `ui_root`: the Airflow UI's path ("" at "/"); `triggerable`: the
    companies whose "upload now" is offered (None: every company shown); `notice`: one line
    above the table (what "upload now" just did); `data_docs`: the companies whose latest
    validations have a Data Docs site (`aerosync.quality.data_docs`), linked above the table."""
    moment = now or datetime.now(UTC)
    shown = [
        r
        for r in records
        if (company is None or r.company == company) and (outcome is None or r.outcome == outcome)
    ]
    shown.sort(key=lambda r: (ORDER[r.outcome.value], r.company, r.tail))
    verdicts = stale_flags(shown, freshness or {}, moment)
    counts = {o: sum(1 for r in shown if r.outcome.value == o) for o in ORDER}
    summary = " · ".join(f"{n} {o.replace('_', ' ')}" for o, n in counts.items() if n)
    stale_count = sum(1 for v in verdicts.values() if v.stale)
    if stale_count:
        summary += f" · {stale_count} stale"
    body = "".join(_row(r, moment, verdicts.get((r.company, r.tail)), ui_root) for r in shown) or (
        "<tr><td colspan='9' class='muted'>No upload has been recorded yet.</td></tr>"
    )
    scope = [company] if company else list(companies)
    may_trigger = [c for c in scope if triggerable is None or c in triggerable]
    outcome_css = "\n".join(
        f".outcome-{name} {{ background: {colour}; }}" for name, colour in COLOURS.items()
    )
    line_css = "\n".join(
        f"li.{level} {{ color: {colour}; }}" for level, colour in LINE_COLOURS.items()
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Schedule uploads</title>
<meta http-equiv="refresh" content="{int(refresh_seconds)}">
<style>
body {{ font-family: system-ui, sans-serif; margin: 16px; color: #1c2833; }}
table {{ border-collapse: collapse; width: 100%; font-size: 14px; }}
th, td {{ border-bottom: 1px solid #d5d8dc; padding: 6px 8px; text-align: left;
          vertical-align: top; }}
th {{ background: #f4f6f7; position: sticky; top: 0; }}
.badge {{ color: white; border-radius: 4px; padding: 2px 6px; font-weight: 600;
          white-space: nowrap; text-decoration: none; }}
a.last-real {{ font-weight: 500; font-size: 12px; }}
{outcome_css}
.stale-flag {{ background: #922b21; color: white; border-radius: 4px; padding: 1px 5px;
               font-weight: 700; text-transform: uppercase; font-size: 11px; }}
.stale-words {{ color: #922b21; font-size: 12px; }}
.muted {{ color: #7f8c8d; font-size: 12px; }}
.tail {{ font-weight: 600; font-family: monospace; }}
ul {{ margin: 0; padding-left: 16px; }}
{line_css}
li.finding {{ cursor: help; }}
li.last-real-details {{ color: #1c2833; }}
form {{ margin-bottom: 8px; }}
#notice {{ border-left: 4px solid #2874a6; padding: 4px 8px; background: #eaf2f8; }}
</style></head><body>
<h2>Schedule uploads</h2>{f'<p id="notice" role="status">{escape(notice)}</p>' if notice else ""}
<p id="as-of" class="muted" data-as-of="{moment.astimezone(UTC).isoformat()}">As of
{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC; this page refreshes every {int(refresh_seconds)} s.
Latest attempt of every aircraft; failing and held first. "Last success" is the last time the
marketplace accepted the schedule: what brokers see is that old. Hover over a line for its code.</p>
{_data_docs(scope, data_docs)}
{_upload_now(records, may_trigger, moment, ui_root)}
<form method="get">
<select name="company">{_options(companies, company, "all companies")}</select>
<select name="outcome">{_options(list(ORDER), outcome, "all outcomes")}</select>
<button type="submit">Filter</button> <span id="summary">{escape(summary)}</span>
</form>
<table id="status"><thead><tr><th>Company</th><th>Tail</th><th>Outcome</th>
<th>Last attempt</th><th>Last success</th><th>HTTP</th><th>Activities sent</th>
<th>Messages and reasons</th><th>In Airflow</th></tr></thead><tbody>{body}</tbody></table>
</body></html>"""
