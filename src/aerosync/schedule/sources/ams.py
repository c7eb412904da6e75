"""The AMS as a source of the schedule-upload run: read it, or record why it could not be read.

An `AmsReader` reads a company's AMS as of a moment and returns `AmsRows`, or raises. The Airflow
layer builds one from a SQL connection's engine, Airflow's `ObjectStoragePath` (CSV) or the HTTP
provider's hook (REST) (`aerosync.airflow.ams_transport`); `local_ams_reader` builds one without
Airflow for local runs and tests.

A failed, timed-out or stale AMS holds only the aircraft it covers (`ams.tails`, or every aircraft
when that is empty), with a reason naming the company, the AMS and those aircraft.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timedelta
from typing import Any

import requests
from sqlalchemy import Engine

from aerosync.config.ams import AmsSource
from aerosync.config.companies import CompanyConfig
from aerosync.models import Finding, Severity
from aerosync.redaction import engine_secrets, safe_error
from aerosync.schedule.sources.ams_events import (
    AMS_FEED,
    AMS_SOURCE,
    AmsRows,
    AmsUnavailable,
    RefusedEvent,
    open_until,
    read_csv_events,
    read_rest_events,
)
from aerosync.schedule.sources.ams_sql import read_sql_events
from aerosync.schedule.sources.bookings_rest import FetchPage, SessionPageFetcher
from aerosync.schedule.sources.csv_drop import CsvLocation
from aerosync.schedule.sources.health import FailedSource, SourceExtract, uncovered_tails
from aerosync.schedule.sources.lms import as_fms_spells, local_path

AmsReader = Callable[[datetime], AmsRows]
MAX_TAILS_NAMED = 20  # in a failure's reason; the status records name every aircraft held


def csv_reader(open_location: Callable[[], CsvLocation], source: AmsSource) -> AmsReader:
    def read(now: datetime) -> AmsRows:
        max_age = timedelta(minutes=source.max_age_minutes)
        return read_csv_events(open_location(), now, max_age, open_until(now, source.open_aog_days))

    return read


def rest_reader(open_fetcher: Callable[[], FetchPage], source: AmsSource) -> AmsReader:
    assert source.rest is not None
    rest = source.rest

    def read(now: datetime) -> AmsRows:
        until = open_until(now, source.open_aog_days)
        return read_rest_events(open_fetcher(), rest.max_pages, rest.deadline_seconds, until)

    return read


def sql_reader(open_engine: Callable[[], Engine], source: AmsSource) -> AmsReader:
    assert source.sql is not None
    database = source.sql

    def read(now: datetime) -> AmsRows:
        engine = open_engine()
        try:
            until = open_until(now, source.open_aog_days)
            return read_sql_events(engine, database.dialect, now, database.timeout_seconds, until)
        except AmsUnavailable:
            raise
        except Exception as exc:  # a driver's message may carry the URL's password
            raise AmsUnavailable(safe_error(exc, engine_secrets(engine))) from None

    return read


def local_ams_reader(
    source: AmsSource,
    base_urls: Mapping[str, str] | None = None,
    engines: Mapping[str, Engine] | None = None,
) -> AmsReader:
    """A reader without Airflow: a local CSV location; REST with plain `requests` against
    `base_urls[conn_id]` (no authentication: for the sandbox and tests); SQL on
    `engines[conn_id]`."""
    if source.csv is not None:
        location = source.csv
        return csv_reader(lambda: local_path(location), source)
    if source.sql is not None:
        conn_id = source.sql.conn_id
        engine = (engines or {}).get(conn_id)

        def open_engine() -> Engine:
            if engine is None:
                raise AmsUnavailable(f"no engine for the AMS connection {conn_id!r}")
            return engine

        return sql_reader(open_engine, source)
    assert source.rest is not None
    rest = source.rest
    base_url = (base_urls or {}).get(rest.conn_id)

    def fetcher() -> FetchPage:
        if base_url is None:
            raise AmsUnavailable(f"no base URL for the AMS connection {rest.conn_id!r}")
        return SessionPageFetcher(
            requests.Session(),
            base_url,
            rest.endpoint,
            rest.page_size,
            rest.timeout_seconds,
            feed=AMS_FEED,
        )

    return rest_reader(fetcher, source)


def describe(source: AmsSource) -> str:
    """The AMS as the user configured it, without anything that may hold a secret."""
    if source.rest is not None:
        path = source.rest.endpoint.split("?", 1)[0]  # a query may carry a key: never shown
        return f"AMS (REST, connection {source.rest.conn_id}, {path})"
    if source.sql is not None:
        return f"AMS (database, connection {source.sql.conn_id}, dialect {source.sql.dialect})"
    return "AMS (CSV drop)"


def held_words(covered: tuple[str, ...] | None) -> str:
    """The aircraft a failed AMS holds, in words for its reason."""
    if covered is None:
        return "every aircraft of the company (ams.tails is empty)"
    named = ", ".join(covered[:MAX_TAILS_NAMED])
    more = len(covered) - MAX_TAILS_NAMED
    return named + (f" and {more} more" if more > 0 else "")


def refused_finding(company: CompanyConfig, event: RefusedEvent) -> Finding:
    return Finding(
        code="AMS_EVENT_INVALID",
        message=(
            f"{company.id}: AMS event {event.activity_id or '(no id)'} of aircraft "
            f"{event.tail or '(no tail)'}: {event.why}; the aircraft is held until the AMS "
            "corrects it"
        ),
        severity=Severity.BLOCKING,
        tail=event.tail,
        activity_id=event.activity_id,
        field=event.field,
    )


def not_covered(
    company: CompanyConfig, source: AmsSource, rows: list[dict[str, Any]]
) -> list[Finding]:
    """An event for an aircraft outside `ams.tails` holds that aircraft: were the AMS to fail,
    the aircraft would be sent without its maintenance and shown available."""
    return uncovered_tails(
        rows,
        source.tails,
        code="AMS_TAIL_NOT_COVERED",
        field="tail_number",
        message=lambda activity, tail: (
            f"{company.id}: AMS event {activity} is for {tail}, which ams.tails does not list; "
            "add it there (or remove tails to cover every aircraft) so that a failed AMS holds it"
        ),
    )


def _spell_as_fms(
    rows: list[dict[str, Any]], refused: list[RefusedEvent], fms_tails: Collection[str]
) -> None:
    """Each event's tail written as the FMS spells the marketed aircraft (`hb-jsz` is HB-JSZ)."""
    named = {row["tail"] for row in rows if row.get("tail")}
    named |= {event.tail for event in refused if event.tail}
    spelling = as_fms_spells(named, fms_tails)
    for row in rows:
        if row.get("tail"):
            row["tail"] = spelling[row["tail"]]
    for index, event in enumerate(refused):
        if event.tail:
            refused[index] = RefusedEvent(
                event.activity_id, spelling[event.tail], event.field, event.why
            )


def extract_ams(
    company: CompanyConfig,
    reader: AmsReader | None,
    now: datetime,
    fms_tails: Collection[str] = (),
) -> SourceExtract:
    """Read the company's AMS, if it has one; a failure is recorded, never raised.

    With the FMS's marketed tails, each event's tail is written as the FMS spells it, and events
    for aircraft that are not marketed are named in the summary (the normaliser reports each as
    a warning and does not send it)."""
    source = company.ams
    if source is None:
        return SourceExtract()
    spelled = as_fms_spells(source.tails, fms_tails)
    covered = tuple(spelled[t] for t in source.tails) if source.tails else None
    try:
        if reader is None:
            raise AmsUnavailable("no transport was given to read it in this run")
        read = reader(now)
    except Exception as exc:  # any transport error: the source failed, its aircraft are held
        message = (
            f"{company.id}: {describe(source)} failed: {safe_error(exc)}; held: "
            f"{held_words(covered)}, whose maintenance could not be read"
        )
        return SourceExtract(
            failure=FailedSource(AMS_SOURCE, message, covered), summary={"failed": True}
        )
    summary: dict[str, Any] = read.summary()
    if fms_tails:
        _spell_as_fms(read.rows, read.refused, fms_tails)
        marketed = set(fms_tails)
        unknown = sorted({r["tail"] for r in read.rows if r.get("tail")} - marketed)
        if unknown:
            summary["not_marketed"] = unknown[:MAX_TAILS_NAMED]
    findings = [refused_finding(company, event) for event in read.refused]
    findings += not_covered(company, source, read.rows)
    return SourceExtract(rows=read.rows, findings=findings, summary=summary)
