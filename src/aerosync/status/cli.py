"""`aerosync status`: the latest upload attempt of every aircraft, as a table a dispatcher can
read (failing and held aircraft first) or as JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from aerosync.models import ATTENTION_ORDER
from aerosync.status.staleness import Freshness, staleness
from aerosync.stores.status import StatusStore
from aerosync.stores.status_records import StatusRecord


def _age(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    minutes = int((now - moment).total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min ago"
    if minutes < 48 * 60:
        return f"{minutes // 60} h ago"
    return f"{minutes // 1440} d ago"


def _why(record: StatusRecord) -> str:
    parts = [str(r.get("message", "")) for r in record.reasons]
    parts += [
        f"{m.get('code')}: {m.get('title') or m.get('message')}"
        + (f" [{m['activity_id']}]" if m.get("activity_id") else "")
        for m in record.messages
        if m.get("level", m.get("severity")) in ("error", "warning", "blocking")
    ]
    real = record.last_real_attempt
    if real:  # first: a skip must not hide what the last real attempt said (safety rule 7)
        said = [str(r.get("message", "")) for r in real.reasons]
        said += [f"{m.get('code')}: {m.get('title') or m.get('message')}" for m in real.messages]
        http = f" HTTP {real.http_status}" if real.http_status else ""
        at = real.attempted_at[11:19]
        parts.insert(
            0,
            f"last real attempt {real.outcome}{http} at {at} UTC"
            + (f": {'; '.join(said)}" if said else ""),
        )
    return _fit([p for p in parts if p], DETAILS_WIDTH)


DETAILS_WIDTH = 160


def _fit(parts: Sequence[str], width: int) -> str:
    """Whole messages up to `width` characters, then how many more there are."""
    shown: list[str] = []
    for index, part in enumerate(parts):
        rest = len(parts) - index
        candidate = "; ".join([*shown, part])
        if len(candidate) > width and shown:
            return "; ".join(shown) + f" (+{rest} more: --json shows all)"
        if len(candidate) > width:
            return part[: width - 1] + "…" + (f" (+{rest - 1} more)" if rest > 1 else "")
        shown.append(part)
    return "; ".join(shown)


def format_table(records: Sequence[StatusRecord], now: datetime | None = None) -> str:
    """A per-aircraft table a dispatcher can read; failing and held aircraft first."""
    moment = now or datetime.now(UTC)
    rows = sorted(records, key=lambda r: (ATTENTION_ORDER[r.outcome.value], r.company, r.tail))
    header = ("COMPANY", "TAIL", "OUTCOME", "HTTP", "SENT", "ATTEMPTED", "LAST SUCCESS", "DETAILS")
    lines = [header] + [
        (
            r.company,
            r.tail,
            r.outcome.value,
            str(r.http_status or "-"),
            str(r.activities_sent),
            _age(r.attempted_at, moment),
            _age(r.last_success_at, moment),
            _why(r),
        )
        for r in rows
    ]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header) - 1)]
    return "\n".join(
        "  ".join([*(c.ljust(w) for c, w in zip(line[:-1], widths, strict=True)), line[-1]])
        for line in lines
    )


def record_json(
    record: StatusRecord, freshness: Mapping[str, Freshness], now: datetime
) -> dict[str, Any]:
    """A record as `--json` prints it, with its staleness: `stale` is true, false, or null when
    the companies file does not hold the record's company (its schedule is not known)."""
    verdict = staleness(record, freshness.get(record.company), now)
    return {
        **record.to_json(),
        "stale": verdict.stale if verdict else None,
        "stale_reason": verdict.words() if verdict and verdict.stale else None,
    }


def show_status(
    engine: Engine,
    company: str | None,
    as_json: bool,
    freshness: Mapping[str, Freshness] | None = None,
) -> int:
    """Print the latest attempt of every aircraft (of `company`, if given); the exit code.
    `freshness`: each company's schedule (`freshness_by_company`), for the `stale` field."""
    store = StatusStore(engine)
    store.ensure_schema()
    records = store.latest(company)
    if as_json:
        now = datetime.now(UTC)
        print(json.dumps([record_json(r, freshness or {}, now) for r in records], indent=2))
        return 0
    if not records:
        scope = f"company {company!r}" if company else "any company"
        print(f"No upload has been recorded for {scope} yet.")
        return 0
    print(format_table(records))
    return 0
