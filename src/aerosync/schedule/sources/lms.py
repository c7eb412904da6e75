"""The LMS as a source of the schedule-upload run: read it, or record why it could not be read.

A `BookingsReader` reads a company's LMS as of a moment and returns `BookingRows`, or raises.
The Airflow layer builds one from Airflow's `ObjectStoragePath` (CSV) or the HTTP provider's
hook (REST) (`aerosync.airflow.bookings_transport`); `local_bookings_reader` builds one without
Airflow for local runs and tests.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import requests

from aerosync.config.companies import CompanyConfig
from aerosync.config.training import BookingsSource
from aerosync.models import Finding
from aerosync.redaction import safe_error
from aerosync.schedule.sources.bookings import (
    LMS_SOURCE,
    BookingRows,
    BookingsUnavailable,
    read_csv_bookings,
)
from aerosync.schedule.sources.bookings_rest import (
    FetchPage,
    SessionPageFetcher,
    read_rest_bookings,
)
from aerosync.schedule.sources.csv_drop import CsvLocation
from aerosync.schedule.sources.health import FailedSource, SourceExtract, tail_key, uncovered_tails

BookingsReader = Callable[[datetime], BookingRows]


def csv_reader(open_location: Callable[[], CsvLocation], source: BookingsSource) -> BookingsReader:
    def read(now: datetime) -> BookingRows:
        return read_csv_bookings(open_location(), now, timedelta(minutes=source.max_age_minutes))

    return read


def rest_reader(
    open_fetcher: Callable[[], FetchPage], max_pages: int, deadline_seconds: float
) -> BookingsReader:
    def read(now: datetime) -> BookingRows:
        return read_rest_bookings(open_fetcher(), max_pages, deadline_seconds)

    return read


def local_path(location: str) -> Path:
    """A local CSV location, as a path or a `file://` URL."""
    if "://" in location and not location.startswith("file://"):
        raise BookingsUnavailable(
            "only a local folder or file:// URL can be read without Airflow; "
            "remote stores are read through Airflow's ObjectStoragePath"
        )
    return Path(location.removeprefix("file://"))


def local_bookings_reader(
    source: BookingsSource, base_urls: Mapping[str, str] | None = None
) -> BookingsReader:
    """A reader without Airflow: a local CSV location, or REST with plain `requests` against
    `base_urls[conn_id]` (no authentication: for the sandbox and tests)."""
    if source.csv is not None:
        location = source.csv
        return csv_reader(lambda: local_path(location), source)
    assert source.rest is not None
    rest = source.rest
    base_url = (base_urls or {}).get(rest.conn_id)

    def fetcher() -> FetchPage:
        if base_url is None:
            raise BookingsUnavailable(f"no base URL for the LMS connection {rest.conn_id!r}")
        return SessionPageFetcher(
            requests.Session(), base_url, rest.endpoint, rest.page_size, rest.timeout_seconds
        )

    return rest_reader(fetcher, rest.max_pages, rest.deadline_seconds)


def describe(source: BookingsSource) -> str:
    """The source as the user configured it, without anything that may hold a secret."""
    if source.rest is not None:
        path = source.rest.endpoint.split("?", 1)[0]  # a query may carry a key: never shown
        return f"LMS bookings (REST, connection {source.rest.conn_id}, {path})"
    return "LMS bookings (CSV drop)"


def as_fms_spells(tails: Iterable[str], fms_tails: Iterable[str]) -> dict[str, str]:
    """Each tail -> the marketed aircraft's tail as the FMS spells it (itself if unknown)."""
    known = {tail_key(t): t for t in fms_tails}
    return {tail: known.get(tail_key(tail), tail) for tail in tails}


def not_covered(
    company: CompanyConfig, source: BookingsSource, rows: list[dict[str, Any]]
) -> list[Finding]:
    """A booking for an aircraft outside `training.bookings.tails` holds that aircraft: were
    the LMS to fail, the aircraft would be sent without its training and shown available."""
    return uncovered_tails(
        rows,
        source.tails,
        code="BOOKING_TAIL_NOT_COVERED",
        field="tail",
        message=lambda activity, tail: (
            f"{company.id}: LMS booking {activity} books {tail}, which training.bookings.tails "
            "does not list; add it there (or remove tails to cover every aircraft) so that a "
            "failed LMS holds it"
        ),
    )


def extract_bookings(
    company: CompanyConfig,
    reader: BookingsReader | None,
    now: datetime,
    fms_tails: Collection[str] = (),
) -> SourceExtract:
    """Read the company's LMS, if it has one; a failure is recorded, never raised.

    With the FMS's marketed tails, each booking's tail is written as the FMS spells it, and
    bookings for aircraft that are not marketed are named in the summary (the normaliser
    reports each as a warning and does not send it)."""
    source = company.training.bookings if company.training is not None else None
    if source is None:
        return SourceExtract()
    spelled = as_fms_spells(source.tails, fms_tails)
    covered = tuple(spelled[t] for t in source.tails) if source.tails else None
    try:
        if reader is None:
            raise BookingsUnavailable("no transport was given to read it in this run")
        read = reader(now)
    except Exception as exc:  # any transport error: the source failed, its aircraft are held
        message = f"{company.id}: {describe(source)} failed: {safe_error(exc)}"
        return SourceExtract(
            failure=FailedSource(LMS_SOURCE, message, covered),
            summary={"failed": True},
        )
    summary: dict[str, Any] = read.summary()
    if fms_tails:
        booked = {row["tail"] for row in read.rows if row.get("tail")}
        spelling = as_fms_spells(booked, fms_tails)
        for row in read.rows:
            if row.get("tail"):
                row["tail"] = spelling[row["tail"]]
        marketed = set(fms_tails)
        unknown = sorted(t for t in booked if spelling[t] not in marketed)
        if unknown:
            summary["not_marketed"] = unknown[:20]
    return SourceExtract(
        rows=read.rows, findings=not_covered(company, source, read.rows), summary=summary
    )
