"""Source rows (the canonical columns every FMS dialect returns) to canonical activities.

Nothing is dropped silently: a row that cannot become a correct activity produces a blocking
finding for its aircraft, so the whole aircraft waits rather than showing as available.

The work is done column by column (`activity_columns`): a company's extract can hold hundreds of
thousands of rows, and most columns hold few distinct values. What is decided per row (which
problem a row reports first, the order of findings, the order of each aircraft's activities) is
exactly what reading the rows one by one would decide.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aerosync.airports import to_icao
from aerosync.config.companies import CompanyConfig
from aerosync.models import Finding, Service, Severity
from aerosync.schedule.normalise.fields import build_activities
from aerosync.schedule.normalise.times import parse_timestamp
from aerosync.schedule.normalise.values import RowError, text

__all__ = [
    "Aircraft", "NormalisedFleet", "RowError", "group_services", "normalise_columns",
    "parse_timestamp",
]  # fmt: skip

Row = Mapping[str, Any]


@dataclass
class Aircraft:
    tail: str
    homebase: str
    aircraft_id: str | None = None


@dataclass
class NormalisedFleet:
    """Every marketed aircraft with its activities, and what normalising them found.

    `columns` holds the activities to send, one list per `ACTIVITY_FIELDS` name (times as
    epoch microseconds), grouped by tail in sorted order and each aircraft's in schedule order;
    `activities_of` (benchmarks/activity_records.py) builds one record per activity from them.
    """

    aircraft: dict[str, Aircraft]
    columns: dict[str, list[Any]]
    findings: list[Finding] = field(default_factory=list)
    expired: int = 0

    @property
    def count(self) -> int:
        return len(self.columns["activity_id"])

    def blocking_tails(self) -> set[str]:
        """Tails held by a blocking finding; a finding without a tail holds every aircraft."""
        blocking = [f for f in self.findings if f.severity is Severity.BLOCKING]
        if any(f.tail is None for f in blocking):
            return set(self.aircraft)
        return {f.tail for f in blocking if f.tail is not None}


def group_services(rows: Iterable[Row]) -> dict[str, list[Service]]:
    services: dict[str, list[Service]] = defaultdict(list)
    for row in rows:
        services[str(row["activity_id"])].append(
            Service(
                provider_id=str(row["provider_id"]),
                provider_name=str(row["provider_name"]),
                airport=to_icao(str(row["airport"]))[0],
                service_type=str(row["service_type"]),
                service_for=str(row["service_for"]),
                data_source=str(row["data_source"]),
                note=text(row.get("note")),
            )
        )
    return services


def normalise_columns(
    company: CompanyConfig,
    aircraft_rows: Iterable[Row],
    activity_columns: Mapping[str, Sequence[Any]],
    service_rows: Iterable[Row],
    now: datetime,
) -> NormalisedFleet:
    """Canonical activities per marketed aircraft, with every problem found on the way, from
    activities given as columns (one list per source column), the shape in which the extract
    is staged."""
    aircraft = {
        str(r["tail"]).strip(): Aircraft(
            tail=str(r["tail"]).strip(),
            homebase=to_icao(str(r["homebase"]))[0],
            aircraft_id=text(r.get("aircraft_id")),
        )
        for r in aircraft_rows
    }
    built = build_activities(
        company, activity_columns, set(aircraft), group_services(service_rows), now
    )
    return NormalisedFleet(aircraft, built.columns, built.findings, built.expired)
