"""Is an aircraft's schedule on the marketplace stale? Brokers see the last schedule the
marketplace accepted; when that is older than its company's threshold (twice the schedule's
interval unless `stale_after_minutes` says otherwise), the page and `aerosync status` say so,
whatever the latest attempt's outcome.

Pure: the caller hands in each company's `Freshness` (from the companies file) and the time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from aerosync.config.companies import CompanyConfig
from aerosync.models import Outcome
from aerosync.stores.status_records import StatusRecord


@dataclass(frozen=True)
class Freshness:
    """A company's schedule as staleness reads it: how often it should upload, and how old the
    last accepted upload may get before the aircraft is flagged."""

    expected_every: timedelta
    stale_after: timedelta

    @classmethod
    def of(cls, company: CompanyConfig) -> Freshness:
        return cls(company.expected_interval, company.stale_after)


def freshness_by_company(companies: Iterable[CompanyConfig]) -> dict[str, Freshness]:
    """Each company's `Freshness`, by company id: what the page and the CLI are handed."""
    return {company.id: Freshness.of(company) for company in companies}


@dataclass(frozen=True)
class Staleness:
    """One aircraft's verdict, with the words that explain it."""

    stale: bool
    age: timedelta | None  # since the last accepted upload; None: never accepted
    freshness: Freshness

    def words(self) -> str:
        expected = f"expected every {duration_words(self.freshness.expected_every)}"
        if self.age is None:
            return f"the marketplace has never accepted a schedule for this aircraft; {expected}"
        return f"brokers see a schedule {duration_words(self.age)} old; {expected}"


def staleness(record: StatusRecord, freshness: Freshness | None, now: datetime) -> Staleness | None:
    """The verdict on `record`'s aircraft, or None when its company's schedule is not known or
    the aircraft is no longer marketed (nothing is expected of it)."""
    if freshness is None or record.outcome is Outcome.NOT_MARKETED:
        return None
    if record.last_success_at is None:
        return Staleness(True, None, freshness)
    age = max(now - record.last_success_at, timedelta(0))
    return Staleness(age > freshness.stale_after, age, freshness)


def stale_flags(
    records: Iterable[StatusRecord], freshness: Mapping[str, Freshness], now: datetime
) -> dict[tuple[str, str], Staleness]:
    """Each (company, tail) with a verdict."""
    verdicts = {}
    for record in records:
        verdict = staleness(record, freshness.get(record.company), now)
        if verdict is not None:
            verdicts[(record.company, record.tail)] = verdict
    return verdicts


def duration_words(span: timedelta) -> str:
    """ "45 min", "3 h 10 min", "2 days 4 h": as a dispatcher says it."""
    minutes = int(span.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        hours, rest = divmod(minutes, 60)
        return f"{hours} h" + (f" {rest} min" if rest else "")
    days, rest = divmod(minutes, 24 * 60)
    return f"{days} days" + (f" {rest // 60} h" if rest // 60 else "")
