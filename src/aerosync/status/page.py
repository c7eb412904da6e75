"""The "Schedule uploads" page: every aircraft's latest attempt, as HTML a dispatcher can read.

Pure rendering from status records; the Airflow plugin serves it behind Airflow's login.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from typing import Any

from aerosync.models import ATTENTION_ORDER
from aerosync.stores.status_records import StatusRecord

ORDER = ATTENTION_ORDER
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


def _when(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "<span class='muted'>never</span>"
    stamp = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"{escape(stamp)}<br><span class='muted'>{escape(age(moment, now))}</span>"


def _message(item: dict[str, Any]) -> str:
    text = str(item.get("title") or item.get("message") or "")
    code = item.get("code")
    activity = item.get("activity_id")
    level = item.get("level") or item.get("severity") or ""
    parts = [f"<b>{escape(str(code))}</b> " if code else "", escape(text)]
    if activity and str(activity) not in text:
        parts.append(f" <span class='activity'>activity {escape(str(activity))}</span>")
    return f"<li class='{escape(str(level))}'>{''.join(parts)}</li>"


def _last_real(record: StatusRecord) -> str:
    """A skip's line about the aircraft's last real attempt, with its messages: the skip must
    not hide a failure (safety rule 7)."""
    real = record.last_real_attempt
    if not real:
        return ""
    http = f", HTTP {real.http_status}" if real.http_status else ""
    items = "".join(_message(m) for m in [*real.reasons, *real.messages])
    return (
        f"<li class='last-real'>Last real attempt: <b>{escape(real.outcome)}</b>"
        f"{escape(http)} at {escape(real.attempted_at)}<ul>{items}</ul></li>"
    )


def _upload_now(company: str) -> str:
    """A post to the plugin's `upload-now` route: it triggers the company's upload DAG with the
    user's own permissions (a link would open a second Airflow UI inside the page)."""
    return (
        "<form class='upload-now' method='post' action='/aerosync/upload-now'>"
        f"<input type='hidden' name='company' value='{escape(company)}'>"
        "<button type='submit' title='Trigger the upload DAG now; aircraft sent in the last 5 "
        "minutes are skipped'>upload now</button></form>"
    )


def _row(record: StatusRecord, now: datetime) -> str:
    outcome = record.outcome.value
    reasons = "".join(_message(r) for r in record.reasons)
    messages = "".join(_message(m) for m in record.messages) + _last_real(record)
    next_go = (
        f"<br><span class='muted'>may go again from "
        f"{record.next_allowed_at.astimezone(UTC):%H:%M UTC}</span>"
        if record.next_allowed_at
        else ""
    )
    return (
        f"<tr class='{outcome}' data-company='{escape(record.company)}' "
        f"data-tail='{escape(record.tail)}' data-outcome='{outcome}'>"
        f"<td>{escape(record.company)}{_upload_now(record.company)}</td>"
        f"<td class='tail'>{escape(record.tail)}</td>"
        f"<td><span class='badge' style='background:{COLOURS[outcome]}'>"
        f"{escape(outcome.replace('_', ' '))}</span>{next_go}</td>"
        f"<td>{_when(record.attempted_at, now)}</td>"
        f"<td>{_when(record.last_success_at, now)}</td>"
        f"<td>{record.http_status or '-'}</td><td>{record.activities_sent}</td>"
        f"<td><ul>{reasons}{messages}</ul></td></tr>"
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
    notice: str | None = None,
) -> str:
    """`notice`: one line above the table (what "upload now" just did)."""
    moment = now or datetime.now(UTC)
    shown = [
        r
        for r in records
        if (company is None or r.company == company) and (outcome is None or r.outcome == outcome)
    ]
    shown.sort(key=lambda r: (ORDER[r.outcome.value], r.company, r.tail))
    counts = {o: sum(1 for r in shown if r.outcome.value == o) for o in ORDER}
    summary = " · ".join(f"{n} {o.replace('_', ' ')}" for o, n in counts.items() if n)
    body = "".join(_row(r, moment) for r in shown) or (
        "<tr><td colspan='8' class='muted'>No upload has been recorded yet.</td></tr>"
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Schedule uploads</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 16px; color: #1c2833; }}
table {{ border-collapse: collapse; width: 100%; font-size: 14px; }}
th, td {{ border-bottom: 1px solid #d5d8dc; padding: 6px 8px; text-align: left;
          vertical-align: top; }}
th {{ background: #f4f6f7; position: sticky; top: 0; }}
.badge {{ color: white; border-radius: 4px; padding: 2px 6px; font-weight: 600;
          white-space: nowrap; }}
.muted {{ color: #7f8c8d; font-size: 12px; }}
.tail {{ font-weight: 600; font-family: monospace; }}
ul {{ margin: 0; padding-left: 16px; }} li.warning {{ color: #7d6608; }}
li.error, li.blocking {{ color: #922b21; }} .activity {{ font-family: monospace; }}
form {{ margin-bottom: 12px; }} form.upload-now {{ margin: 0; }}
#notice {{ border-left: 4px solid #2874a6; padding: 4px 8px; background: #eaf2f8; }}
</style></head><body>
<h2>Schedule uploads</h2>{f'<p id="notice" role="status">{escape(notice)}</p>' if notice else ""}
<p class="muted">Latest attempt of every aircraft; failing and held first. "Last success" is
the last time the marketplace accepted the schedule: what brokers see is that old.</p>
<form method="get">
<select name="company">{_options(companies, company, "all companies")}</select>
<select name="outcome">{_options(list(ORDER), outcome, "all outcomes")}</select>
<button type="submit">Filter</button> <span id="summary">{escape(summary)}</span>
</form>
<table id="status"><thead><tr><th>Company</th><th>Tail</th><th>Outcome</th>
<th>Last attempt</th><th>Last success</th><th>HTTP</th><th>Activities sent</th>
<th>Messages and reasons</th></tr></thead><tbody>{body}</tbody></table>
</body></html>"""
