"""The sources' connections, tested as the tasks read them: the FMS (each dialect query, with its
bind and a row limit), the LMS bookings, the HRIS and other REST sources and the LRS (their first
page and its shape), CSV drops (there, with files), and the alerts' SMTP server (it answers).

Every network step has the check's timeout (or the source's own, if shorter); every text from
outside is redacted against the connection's secrets before it becomes a verdict.
"""

from __future__ import annotations

import socket
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from aerosync.airflow.setup_check.store import absent_sqlite_file
from aerosync.config.companies import CompanyConfig
from aerosync.config.training import LrsSource, RestSource
from aerosync.models import Verdict
from aerosync.redaction import safe_error, scrub
from aerosync.schedule.sources.fms_contract import fms_verdicts

CONNECTION = "connection"
FIRST_PAGE = "first page"


def undefined(conn_id: str) -> Verdict | None:
    """A failed verdict when Airflow knows no connection `conn_id` (environment, secrets backend
    or its metadata database), else None."""
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        return Verdict.failed(
            CONNECTION,
            f"Airflow has no connection {conn_id!r} (environment variable "
            f"AIRFLOW_CONN_{conn_id.upper()}, a secrets backend or Admin > Connections)",
        )
    return None


def fms_connection_verdicts(company: CompanyConfig, timeout: float, now: datetime) -> list[Verdict]:
    from aerosync.airflow.connections import engine_for_connection

    conn_id = company.fms.conn_id
    missing = undefined(conn_id)
    if missing is not None:
        return [missing]
    limit = min(timeout, company.fms.timeout_seconds)

    def open_engine() -> Engine:
        engine = engine_for_connection(conn_id, limit)
        absent = absent_sqlite_file(engine)
        if absent is not None:  # connecting would create an empty FMS
            engine.dispose()
            raise FileNotFoundError(f"the SQLite file {absent} does not exist")
        return engine

    return fms_verdicts(open_engine, company.fms.dialect, now, limit)


def _http(conn_id: str, timeout: float) -> tuple[Any, list[str], dict[str, Any]]:
    """The HTTP provider's hook on `conn_id`, its secrets (masked) and the request options."""
    from airflow.providers.http.hooks.http import HttpHook

    from aerosync.airflow.masking import mask_connection

    secrets = mask_connection(conn_id)
    return HttpHook(method="GET", http_conn_id=conn_id), secrets, {"timeout": timeout}


def lms_bookings_verdicts(company: CompanyConfig, timeout: float, now: datetime) -> list[Verdict]:
    """REST: the first page in the page protocol; CSV: the drop read whole, as a run reads it
    (stale, missing columns and unreadable files are named)."""
    from aerosync.airflow.bookings_transport import bookings_reader
    from aerosync.schedule.sources.bookings_rest import SessionPageFetcher, page_problem

    assert company.training is not None and company.training.bookings is not None
    source = company.training.bookings
    if source.rest is None:
        reader = bookings_reader(company)
        assert reader is not None
        try:
            rows = reader(now).rows
        except Exception as exc:  # BookingsUnavailable, or the store's own error
            return [Verdict.failed("CSV drop", safe_error(exc))]
        return [Verdict.passed("CSV drop", f"read: {len(rows)} bookings to send")]
    rest = source.rest
    missing = undefined(rest.conn_id)
    if missing is not None:
        return [missing]
    limit = min(timeout, rest.timeout_seconds)
    hook, secrets, options = _http(rest.conn_id, limit)
    try:
        session = hook.get_conn(extra_options=options)
        fetch = SessionPageFetcher(
            session, hook.base_url, rest.endpoint, rest.page_size, limit, secrets
        )
        page = fetch(None)
    except Exception as exc:  # BookingsUnavailable names the page and the HTTP status
        return [Verdict.failed(FIRST_PAGE, scrub(str(exc), secrets))]
    problem = page_problem(page, 1)
    if problem is not None:
        return [Verdict.failed(FIRST_PAGE, problem)]
    more = "more pages follow" if page.get("next") else "the only page"
    return [Verdict.passed(FIRST_PAGE, f"{len(page['data'])} bookings in the protocol, {more}")]


def _get_json(
    conn_id: str, endpoint: str, params: dict[str, Any], timeout: float, xapi: bool = False
) -> Any:
    """One GET through the HTTP provider's hook; raises `SourceError` with redacted words."""
    import requests

    from aerosync.airflow.crew_io import XAPI_HEADERS, SourceError, checked_json

    hook, secrets, options = _http(conn_id, timeout)
    what = f"GET {endpoint.split('?', 1)[0]}"
    try:
        response = hook.run(
            endpoint=endpoint,
            data=params,
            headers=XAPI_HEADERS if xapi else {"Accept": "application/json"},
            extra_options={**options, "check_response": False},
        )
    except requests.Timeout:
        raise SourceError(f"{what}: no answer within {timeout:g} s") from None
    except requests.RequestException as exc:
        raise SourceError(f"{what}: {type(exc).__name__} (could not be reached)") from None
    return checked_json(response, what, secrets)


def rest_source_verdicts(source: RestSource, timeout: float) -> list[Verdict]:
    """A training-sync REST source: page 1 is a JSON list, or an object with the rows under
    `items` or `data` (`aerosync.airflow.crew_io.rest_items`)."""
    missing = undefined(source.conn_id)
    if missing is not None:
        return [missing]
    params = {"page": 1, "page_size": source.page_size}
    try:
        limit = min(timeout, source.timeout_seconds)
        body = _get_json(source.conn_id, source.endpoint, params, limit)
    except Exception as exc:  # SourceError, or the hook's own (no host)
        return [Verdict.failed(FIRST_PAGE, safe_error(exc))]
    rows = body if isinstance(body, list) else None
    if isinstance(body, dict):
        rows = next((body[k] for k in ("items", "data") if isinstance(body.get(k), list)), None)
    if rows is None:
        return [
            Verdict.failed(
                FIRST_PAGE,
                'the answer is neither a JSON list nor an object with a list under "items" or '
                '"data"',
            )
        ]
    return [
        Verdict.passed(FIRST_PAGE, f"{len(rows)} rows on page 1 (page size {source.page_size})")
    ]


def lrs_verdicts(source: LrsSource, timeout: float) -> list[Verdict]:
    """An LRS: `GET statements?limit=1` answers an xAPI StatementResult."""
    missing = undefined(source.conn_id)
    if missing is not None:
        return [missing]
    try:
        limit = min(timeout, source.timeout_seconds)
        body = _get_json(source.conn_id, source.endpoint, {"limit": 1}, limit, xapi=True)
    except Exception as exc:
        return [Verdict.failed(FIRST_PAGE, safe_error(exc))]
    if not isinstance(body, dict) or not isinstance(body.get("statements"), list):
        return [
            Verdict.failed(
                FIRST_PAGE,
                'the answer is not an xAPI StatementResult (an object with a "statements" list)',
            )
        ]
    return [Verdict.passed(FIRST_PAGE, "an xAPI StatementResult (asked for 1 statement)")]


def csv_drop_verdicts(location: str, kind: str = "CSV") -> list[Verdict]:
    """A CSV (or XML: `kind`) drop of the training sync: the folder (or file) is there, with
    files of its kind."""
    from airflow.sdk import ObjectStoragePath

    shown, check = scrub(location), f"{kind} drop"
    try:
        path = ObjectStoragePath(location)
        if path.is_dir():
            files = len(list(path.glob(f"*.{kind.lower()}")))
            if files == 0:
                return [Verdict.warned(check, f"{shown} holds no {kind} file yet")]
            return [Verdict.passed(check, f"{shown}: {files} {kind} files")]
        if path.exists():
            return [Verdict.passed(check, f"{shown}: one {kind} file")]
    except Exception as exc:  # the store's own error: no credentials, no bucket
        return [Verdict.failed(check, f"{shown} cannot be read: {safe_error(exc)}")]
    return [Verdict.failed(check, f"{shown} does not exist")]


def smtp_verdicts(conn_id: str, timeout: float) -> list[Verdict]:
    """The alerts' SMTP server accepts a TCP connection (nothing is sent)."""
    from airflow.sdk import BaseHook

    missing = undefined(conn_id)
    if missing is not None:
        return [missing]
    conn = BaseHook.get_connection(conn_id)
    host, port = conn.host or "localhost", int(conn.port or 25)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            pass
    except OSError as exc:
        return [Verdict.failed("reachable", f"{host}:{port} does not answer: {safe_error(exc)}")]
    return [Verdict.passed("reachable", f"{host}:{port} accepts connections")]
