"""`aerosync status`: the latest upload attempt of every aircraft, as a table a dispatcher can
read (failing and held aircraft first) or as JSON or YAML; with `--fail-on`, exit 1 when a shown
aircraft is in one of the given states (for monitoring scripts).

It only reads: no table is created in the aerosync database it is pointed at.
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from aerosync.cli_conventions import EXIT_FINDINGS, EXIT_OK, UsageError, formatted
from aerosync.models import ATTENTION_ORDER, Outcome
from aerosync.redaction import safe_error
from aerosync.status.staleness import Freshness, stale_flags, staleness
from aerosync.stores.database import StoreUnavailable, where
from aerosync.stores.status import StatusStore
from aerosync.stores.status_records import StatusRecord

STALE = "stale"
FAIL_ON_STATES = (*(o.value for o in Outcome), STALE)
# Records that say nothing of their own about the aircraft: their last real attempt does.
_NOT_REAL = (Outcome.SKIPPED.value, Outcome.IN_FLIGHT.value)


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


def format_table(
    records: Sequence[StatusRecord],
    now: datetime | None = None,
    stale: Collection[tuple[str, str]] = (),
) -> str:
    """A per-aircraft table a dispatcher can read; failing and held aircraft first; the last
    success of each (company, tail) in `stale` is marked so."""
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
            _age(r.last_success_at, moment) + (" (stale)" if (r.company, r.tail) in stale else ""),
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
    """A record as `-o json|yaml` prints it, with its staleness: `stale` is true, false, or null
    when it is not judged (its company is not in the companies file, or it is not marketed)."""
    verdict = staleness(record, freshness.get(record.company), now)
    return {
        **record.to_json(),
        STALE: verdict.stale if verdict else None,
        "stale_reason": verdict.words() if verdict and verdict.stale else None,
    }


def parse_fail_on(text: str | None) -> frozenset[str]:
    """`failed,held,unknown,stale` as a set of states; an unknown state is a usage error."""
    states = frozenset(part.strip().lower() for part in (text or "").split(",") if part.strip())
    unknown = sorted(states - set(FAIL_ON_STATES))
    if unknown:
        raise UsageError(
            f"--fail-on: unknown state {', '.join(unknown)}; "
            f"choose from {', '.join(FAIL_ON_STATES)}"
        )
    return states


def shown_outcome(record: StatusRecord) -> str:
    """What a record says about its aircraft: a skip or a call in flight says what the last
    real attempt said (safety rule 7), so `--fail-on failed` sees a failure behind a skip."""
    real = record.last_real_attempt
    if record.outcome.value in _NOT_REAL and real is not None:
        return real.outcome
    return record.outcome.value


@dataclass(frozen=True)
class StatusRequest:
    """What `aerosync status` was asked: one company or all, the output format, the states that
    fail the command, and each company's `Freshness` (from the companies file, if read)."""

    company: str | None = None
    output: str = "table"
    fail_on: frozenset[str] = frozenset()
    freshness: Mapping[str, Freshness] = field(default_factory=dict)

    def check(self) -> None:
        if STALE in self.fail_on and not self.freshness:
            raise UsageError(
                "--fail-on stale needs the companies file for each company's schedule: "
                "pass --config or set AEROSYNC_CONFIG"
            )


def stale_aircraft(
    records: Sequence[StatusRecord], freshness: Mapping[str, Freshness], now: datetime
) -> set[tuple[str, str]]:
    """(company, tail) of every record whose last success is stale for its company's schedule
    (companies the companies file does not list are not judged: `staleness`)."""
    return {key for key, verdict in stale_flags(records, freshness, now).items() if verdict.stale}


def findings(
    records: Sequence[StatusRecord], stale: Collection[tuple[str, str]], fail_on: frozenset[str]
) -> list[str]:
    """One line per aircraft in a `--fail-on` state, naming the company, tail and state."""
    found = []
    for r in records:
        states = [shown_outcome(r)] + ([STALE] if (r.company, r.tail) in stale else [])
        hits = [state for state in states if state in fail_on]
        if hits:
            found.append(f"{r.company} {r.tail}: {', '.join(hits)}")
    return found


def _read(store: StatusStore, company: str | None) -> list[StatusRecord]:
    try:
        return store.latest(company)
    except SQLAlchemyError as exc:
        raise StoreUnavailable(
            f"cannot read upload status from the aerosync database at {where(store.engine)}: "
            f"{safe_error(exc)} (a database no upload task has written to yet, or another one)"
        ) from None


def _check_company(store: StatusStore, company: str, configured: Collection[str]) -> None:
    known = sorted(set(store.companies()) | set(configured))
    if company not in known:
        raise UsageError(
            f"unknown company {company!r}; known: {', '.join(known) if known else 'none'}"
        )


def show_status(
    store: StatusStore,
    request: StatusRequest,
    configured: Collection[str] = (),
    now: datetime | None = None,
) -> int:
    """Print the latest attempt of every aircraft (of `request.company`, which must be in the
    store or among the `configured` companies); the exit code. Reads only: no DDL."""
    request.check()
    moment = now or datetime.now(UTC)
    records = _read(store, request.company)
    if request.company and not records:
        _check_company(store, request.company, configured)
    stale = stale_aircraft(records, request.freshness, moment)
    data = [record_json(r, request.freshness, moment) for r in records]
    scope = f"company {request.company!r}" if request.company else "any company"
    at = where(store.engine)
    empty = f"No upload has been recorded for {scope} yet in the aerosync database at {at}."
    print(
        formatted(
            data, request.output, lambda: format_table(records, moment, stale) if records else empty
        )
    )
    found = findings(records, stale, request.fail_on)
    if found:
        print(f"aerosync status: {len(found)} aircraft in a --fail-on state:", file=sys.stderr)
        for line in found:
            print(f"  {line}", file=sys.stderr)
        return EXIT_FINDINGS
    return EXIT_OK
