"""Whether an aircraft's schedule on the marketplace is stale: its last successful upload is
older than twice the longest interval of its company's schedule (one missed run is ordinary; two
mean brokers see availability nobody has confirmed since).

Pure functions over status records and the companies file's schedules, shared by `aerosync
status --fail-on stale` and anything else that flags staleness.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from aerosync.config.companies import CompanyConfig
from aerosync.config.schedule_spec import longest_interval
from aerosync.models import Outcome
from aerosync.stores.status_records import StatusRecord

STALE_AFTER_INTERVALS = 2.0


def stale_after(interval: timedelta, factor: float = STALE_AFTER_INTERVALS) -> timedelta:
    return interval * factor


def is_stale(
    record: StatusRecord,
    interval: timedelta,
    now: datetime,
    factor: float = STALE_AFTER_INTERVALS,
) -> bool:
    """Whether the aircraft's last success is older than `factor` times its schedule's `interval`.

    An aircraft never uploaded is not stale (the marketplace holds nothing of ours for it: its
    outcome, failed or held, says what is wrong), nor is one no longer marketed (nothing is
    uploaded for it on purpose)."""
    if record.outcome == Outcome.NOT_MARKETED or record.last_success_at is None:
        return False
    return now - record.last_success_at > stale_after(interval, factor)


def schedule_intervals(companies: Iterable[CompanyConfig]) -> dict[str, timedelta]:
    """Each company's longest interval between two scheduled uploads, by company id."""
    return {company.id: longest_interval(company.schedule) for company in companies}
