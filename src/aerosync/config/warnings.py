"""Warnings about a companies file that loads but is probably not what was meant.

A warning never refuses a company: its DAGs load and run. Each is shown by `aerosync config
check` and on the `aerosync_config_problems` DAG, whose task succeeds when nothing is refused.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from aerosync.config.companies import CompanyConfig
from aerosync.config.schedule_spec import longest_interval
from aerosync.models import DEFAULT_ACTIVITY_TYPES

# Brokers see an aircraft's schedule as of its last upload: slower than this, they see
# availability that changed hours ago.
SLOWEST_USUAL_SCHEDULE = timedelta(hours=6)
NO_COMPANIES = "the file lists no companies (`companies: []`): no company DAG is made"


def _hours(interval: timedelta) -> str:
    hours = interval.total_seconds() / 3600
    return f"{hours:g} hours" if hours < 48 else f"{hours / 24:g} days"


def slow_schedule(company: CompanyConfig) -> str | None:
    interval = longest_interval(company.schedule)
    if interval <= SLOWEST_USUAL_SCHEDULE:
        return None
    return (
        f"schedule {company.schedule!r} can leave {_hours(interval)} between uploads; brokers "
        "see each aircraft's schedule as of its last upload, so a change can wait that long. "
        f"Every {_hours(SLOWEST_USUAL_SCHEDULE)} or faster is usual"
    )


def merged_types(company: CompanyConfig) -> list[str]:
    """Activity kinds that `activity_types` renamed to a type another kind also has: the
    marketplace can no longer tell them apart (empty legs booked as passenger flights)."""
    kinds_of: dict[str, list[str]] = defaultdict(list)
    for kind in DEFAULT_ACTIVITY_TYPES:
        kinds_of[company.activity_type(kind)].append(kind)
    found = []
    for type_name, kinds in sorted(kinds_of.items()):
        if len(kinds) < 2 or not any(kind in company.activity_types for kind in kinds):
            continue
        listed = ", ".join(kinds[:-1]) + f" and {kinds[-1]}"
        found.append(
            f"activity_types: {listed} {'all' if len(kinds) > 2 else 'both'} become type "
            f"{type_name!r}; the marketplace cannot "
            "tell them apart"
            + (" (empty legs would be booked as flights)" if "EMPTY_LEG" in kinds else "")
        )
    return found


def company_warnings(company: CompanyConfig) -> list[str]:
    """What looks wrong in a valid company entry, each in words a dispatcher understands."""
    slow = slow_schedule(company)
    return ([slow] if slow else []) + merged_types(company)
