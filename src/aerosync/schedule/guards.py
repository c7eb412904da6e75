"""Safety guards that are not data checks: run currency and the 5-minute upload spacing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

MIN_UPLOAD_SPACING = timedelta(minutes=5)
# A scheduled run that starts later than this after its schedule point is a catch-up, not current.
DEFAULT_LATENESS = timedelta(minutes=15)


@dataclass(frozen=True)
class Currency:
    current: bool
    reason: str


def run_currency(
    run_type: str,
    scheduled_for: datetime | None,
    now: datetime,
    tolerance: timedelta = DEFAULT_LATENESS,
) -> Currency:
    """May this run upload? Only a run about the present may: never a backfill or a late run."""
    if run_type == "backfill":
        return Currency(False, "backfill runs never upload: the marketplace only takes today's "
                        "complete schedule, and the next scheduled run sends it")  # fmt: skip
    if scheduled_for is None:
        return Currency(True, f"{run_type} run without a logical date (manual or asset-triggered)")
    lateness = now - scheduled_for
    if lateness > tolerance:
        minutes = int(lateness.total_seconds() // 60)
        return Currency(
            False,
            f"this {run_type} run is for {scheduled_for:%Y-%m-%d %H:%M} UTC and started "
            f"{minutes} min late; a late or catch-up run uploads nothing, the next one will",
        )
    return Currency(True, "on schedule")


def next_allowed(last_attempt: datetime | None) -> datetime | None:
    return last_attempt + MIN_UPLOAD_SPACING if last_attempt is not None else None


def too_soon(last_attempt: datetime | None, now: datetime) -> bool:
    """True when the aircraft was sent a request less than 5 minutes ago."""
    allowed = next_allowed(last_attempt)
    return allowed is not None and now < allowed
