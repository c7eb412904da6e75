"""Source activity columns to the columns of the activities to send, with every row's findings.

The work is column by column; what is reported is row by row. A row reports the first problem
that reading it field by field meets (required values, kind, times, pax count; then, once it is an
activity, its marketing offer and price), and its findings come in the order that reading appends
them. Rows that are fine, nearly all of them, never pass through a per-row branch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from aerosync.airports import to_icao
from aerosync.config.companies import CompanyConfig
from aerosync.models import DEFAULT_ACTIVITY_TYPES, Finding, Service
from aerosync.schedule.normalise.marketing import MarketingColumns, read_marketing
from aerosync.schedule.normalise.regulations import normalise_regulation
from aerosync.schedule.normalise.rows import NOT_MARKETED, REGULATION, RowReport
from aerosync.schedule.normalise.times import parse_time_column, to_us
from aerosync.schedule.normalise.values import (
    RowError,
    apply,
    column_length,
    missing_rows,
    text,
    texts,
)

if TYPE_CHECKING:
    import numpy as np

HISTORY_WINDOW = timedelta(days=30)
REQUIRED_COLUMNS = ("activity_id", "tail", "activity_kind", "start_airport", "end_airport")
AIRPORT_COLUMNS = ("start_airport", "end_airport")
# The normalised activity columns, in the order the staged columns keep them.
ACTIVITY_FIELDS = (
    "activity_id", "tail", "kind", "activity_type", "start_airport", "end_airport", "start", "end",
    "source", "external_trip_id", "trip_id", "flight_number", "pax_count", "note",
    "flight_regulations", "flight_regulations_description", "price", "currency",
    "marketing_start", "marketing_end", "marketing_verified", "marketing_message", "services",
)  # fmt: skip


@dataclass
class BuiltActivities:
    columns: dict[str, list[Any]]  # one list per `ACTIVITY_FIELDS` name, in schedule order
    findings: list[Finding]
    expired: int


def build_activities(
    company: CompanyConfig,
    columns: Mapping[str, Sequence[Any]],
    marketed: set[str],
    services: Mapping[str, list[Service]],
    now: datetime,
) -> BuiltActivities:
    import numpy as np

    count = column_length(columns)

    def column(name: str) -> Sequence[Any]:
        return columns.get(name) or [None] * count

    ids, tails = texts(column("activity_id")), texts(column("tail"))
    report = RowReport(ids, tails)
    kinds: list[str | None] = apply(column("activity_kind"), _kind).values
    airports = {name: apply(column(name), _airport).values for name in AIRPORT_COLUMNS}
    required = {"activity_id": ids, "tail": tails, "activity_kind": kinds, **airports}
    for name in REQUIRED_COLUMNS:
        for row in missing_rows(required[name]):
            report.fail(row, RowError(name, f"{name} is missing"))
    if not set(kinds) <= set(DEFAULT_ACTIVITY_TYPES):
        for row, kind in enumerate(kinds):
            if kind not in DEFAULT_ACTIVITY_TYPES:
                message = f"activity kind {kind!r} is not one AeroSync knows"
                report.fail(row, RowError("activity_kind", message))
    start = parse_time_column(column("start_time"), "start_time")
    end = parse_time_column(column("end_time"), "end_time")
    report.fail_all(start.failures)
    report.fail_all(end.failures)
    sources = apply(column("source"), lambda v: str(v or "fms"))
    report.fail_all(sources.failures)
    pax = apply(column("pax_count"), passenger_count)
    report.fail_all(pax.failures)

    # From here on a row is an activity unless it failed above.
    regulations = _regulations(texts(column("flight_regulation")), report)
    marketing = read_marketing(column, kinds, report)

    valid = np.ones(count, dtype=bool)
    valid[list(report.errors)] = False
    start_us, end_us = start.us, end.us  # 0 where not parsed: those rows failed above
    history_start = to_us(now - HISTORY_WINDOW)
    expired = valid & (history_start > end_us) & (end_us >= start_us)
    current = valid & ~expired
    known = np.fromiter(map(marketed.__contains__, tails), dtype=bool, count=count)
    for row in np.flatnonzero(current & ~known).tolist():
        report.note(
            row,
            NOT_MARKETED,
            "AIRCRAFT_NOT_MARKETED",
            f"activity {ids[row]} belongs to {tails[row]}, which is not a marketed aircraft of "
            "this company; not sent",
            "tail",
        )
    order = _schedule_order(np.flatnonzero(current & known), tails, start_us, end_us, ids)
    kept_kinds = _take(kinds, order)
    by_field: dict[str, Any] = {
        "activity_id": _take(ids, order),
        "tail": _take(tails, order),
        "kind": kept_kinds,
        "activity_type": apply(kept_kinds, company.activity_type).values,
        "start_airport": _take(airports["start_airport"], order),
        "end_airport": _take(airports["end_airport"], order),
        "start": start_us[order].tolist(),
        "end": end_us[order].tolist(),
        "source": _take(sources.values, order),
        "external_trip_id": _take(texts(column("external_trip_id")), order),
        "trip_id": _take(texts(column("avinode_trip_id")), order),
        "flight_number": _take(texts(column("flight_number")), order),
        "pax_count": _take(pax.values, order),
        "note": _take(texts(column("note")), order),
        "flight_regulations": _take(regulations, order),
        "flight_regulations_description": [None] * len(order),
        "services": _services(company, services, column("activity_id"), order),
    }
    by_field.update(_marketing_fields(marketing, order))
    return BuiltActivities(
        {name: by_field[name] for name in ACTIVITY_FIELDS},
        report.findings(),
        int(np.count_nonzero(expired)),
    )


def passenger_count(value: Any) -> int | None:
    """A whole number of passengers as given (its range is the activities suite's to check);
    Infinity, NaN, 2.5 or text that is not a number is an error of the row."""
    if value is None:
        return None
    try:
        count = int(value)
    except (TypeError, ValueError, OverflowError):
        raise RowError("pax_count", f"pax count {value!r:.40} is not a whole number") from None
    if not isinstance(value, str) and count != value:
        raise RowError("pax_count", f"pax count {value!r:.40} is not a whole number")
    return count


def _kind(value: Any) -> str | None:
    """The kind as given, trimmed and in capitals; None when it is missing."""
    kind = text(value)
    return None if kind is None else kind.upper()


def _airport(value: Any) -> str | None:
    """ICAO for an ICAO, IATA or FAA code; None when it is missing."""
    code = text(value)
    return None if code is None else to_icao(code)[0]


def _regulations(raw: list[str | None], report: RowReport) -> list[str | None]:
    """Avinode's value per row; text that cannot be normalised is reported, not guessed."""
    normalised = apply(raw, lambda t: None if t is None else normalise_regulation(t)).values
    unknown = {t for t in set(raw) if t is not None and normalise_regulation(t) is None}
    if unknown:
        for row, value in enumerate(raw):
            if value in unknown and row not in report.errors:
                report.note(
                    row,
                    REGULATION,
                    "REGULATION_UNKNOWN",
                    f"activity {report.ids[row]}: flight regulation {value!r} is not one of "
                    "Avinode's values; sent without a regulation",
                    "flight_regulation",
                )
    return normalised


def _schedule_order(
    rows: np.ndarray, tails: list[Any], start: np.ndarray, end: np.ndarray, ids: list[Any]
) -> np.ndarray:
    """Rows by tail, then (start, end, activity id), ties in source order: the order sorting
    each aircraft's activities by that key leaves them in."""
    import numpy as np

    kept_tails = _take(tails, rows)
    rank = {tail: index for index, tail in enumerate(sorted(set(kept_tails)))}
    codes = np.fromiter(map(rank.__getitem__, kept_tails), dtype=np.int64, count=len(rows))
    by = np.lexsort((rows, end[rows], start[rows], codes))
    ordered = rows[by]
    tied = (codes[by][1:] == codes[by][:-1]) & (start[ordered][1:] == start[ordered][:-1])
    tied &= end[ordered][1:] == end[ordered][:-1]
    if not tied.any():
        return ordered
    result = ordered.tolist()  # equal times: the activity id decides, then the source order
    position, pairs = 0, np.flatnonzero(tied).tolist()
    while position < len(pairs):
        first = last = pairs[position]
        while position + 1 < len(pairs) and pairs[position + 1] == last + 1:
            position += 1
            last = pairs[position]
        result[first : last + 2] = sorted(result[first : last + 2], key=lambda r: ids[r])
        position += 1
    return np.array(result, dtype=np.int64)


def _take(values: Sequence[Any], order: np.ndarray) -> list[Any]:
    import numpy as np

    if not len(order):
        return []
    objects = np.fromiter(values, dtype=object, count=len(values))
    return objects[order].tolist()


def _services(
    company: CompanyConfig,
    services: Mapping[str, list[Service]],
    raw_ids: Sequence[Any],
    order: np.ndarray,
) -> list[list[Service] | None]:
    """Each activity's services, looked up by its id as the source gave it; None for none."""
    if not company.share_services:
        return [None] * len(order)
    return list(map(services.get, map(str, _take(raw_ids, order))))


def _marketing_fields(marketing: MarketingColumns, order: np.ndarray) -> dict[str, list[Any]]:
    return {name: _take(values, order) for name, values in marketing.by_field().items()}
