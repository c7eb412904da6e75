"""`aerosync check` of a company's AMS, read as an upload run reads it: the database query of its
dialect, the CSV drop whole (stale, missing columns and unreadable files are named), or the REST
API's first page in the page protocol. Each within the check's timeout or the AMS's own, if
shorter; every text from outside redacted against the connection's secrets."""

from __future__ import annotations

from datetime import datetime

from aerosync.airflow.setup_check.sources import FIRST_PAGE, _http, undefined
from aerosync.airflow.setup_check.store import absent_sqlite_file
from aerosync.config.ams import AMS_QUERY, AmsSource
from aerosync.config.companies import CompanyConfig
from aerosync.models import Verdict
from aerosync.redaction import engine_secrets, safe_error, scrub
from aerosync.schedule.sources.ams_events import AMS_FEED, AmsRows, open_until


def subject(source: AmsSource) -> str:
    if source.sql is not None:
        return f"AMS connection {source.sql.conn_id} ({source.sql.dialect})"
    if source.rest is not None:
        return f"AMS connection {source.rest.conn_id} (REST)"
    return "AMS CSV drop"


def _read(rows: AmsRows) -> str:
    return f"read: {len(rows.rows)} maintenance events to send, {rows.cancelled} cancelled"


def ams_verdicts(company: CompanyConfig, timeout: float, now: datetime) -> list[Verdict]:
    source = company.ams
    assert source is not None
    if source.csv is not None:
        from aerosync.airflow.ams_transport import ams_reader

        reader = ams_reader(company)
        assert reader is not None
        try:
            return [Verdict.passed("CSV drop", _read(reader(now)))]
        except Exception as exc:  # AmsUnavailable, or the store's own error
            return [Verdict.failed("CSV drop", safe_error(exc))]
    if source.sql is not None:
        return _database_verdicts(source, timeout, now)
    return _first_page_verdicts(source, timeout)


def _database_verdicts(source: AmsSource, timeout: float, now: datetime) -> list[Verdict]:
    from aerosync.airflow.connections import engine_for_connection
    from aerosync.schedule.sources.ams_sql import read_sql_events

    assert source.sql is not None
    database = source.sql
    missing = undefined(database.conn_id)
    if missing is not None:
        return [missing]
    name = f"{database.dialect}/{AMS_QUERY}"
    limit = min(timeout, database.timeout_seconds)
    engine = engine_for_connection(database.conn_id, limit)
    try:
        absent = absent_sqlite_file(engine)
        if absent is not None:  # connecting would create an empty AMS
            return [Verdict.failed(name, f"the SQLite file {absent} does not exist")]
        until = open_until(now, source.open_aog_days)
        rows = read_sql_events(engine, database.dialect, now, limit, until)
    except Exception as exc:  # AmsUnavailable, or the driver's own
        return [Verdict.failed(name, safe_error(exc, engine_secrets(engine)))]
    finally:
        engine.dispose()
    return [Verdict.passed(name, _read(rows))]


def _first_page_verdicts(source: AmsSource, timeout: float) -> list[Verdict]:
    from aerosync.schedule.sources.bookings_rest import SessionPageFetcher, page_problem

    assert source.rest is not None
    rest = source.rest
    missing = undefined(rest.conn_id)
    if missing is not None:
        return [missing]
    limit = min(timeout, rest.timeout_seconds)
    hook, secrets, options = _http(rest.conn_id, limit)
    try:
        session = hook.get_conn(extra_options=options)
        fetch = SessionPageFetcher(
            session, hook.base_url, rest.endpoint, rest.page_size, limit, secrets, feed=AMS_FEED
        )
        page = fetch(None)
    except Exception as exc:  # AmsUnavailable names the page and the HTTP status
        return [Verdict.failed(FIRST_PAGE, scrub(str(exc), secrets))]
    problem = page_problem(page, 1, AMS_FEED)
    if problem is not None:
        return [Verdict.failed(FIRST_PAGE, problem)]
    more = "more pages follow" if page.get("next") else "the only page"
    return [Verdict.passed(FIRST_PAGE, f"{len(page['data'])} events in the protocol, {more}")]
