"""The transports of the training sync: CSV and roster XML drops through `ObjectStoragePath`,
paginated REST APIs and the xAPI LRS through the HTTP provider's hook. Every request has a
timeout; nothing retries.

REST sources (`rest:`) are read page by page with `page` (from 1) and `page_size` parameters; an
answer is a JSON list, or an object with the rows under `items` (or `data`) and optionally
`next_page` (null at the end). Without `next_page`, a page shorter than `page_size` is the last.

The LRS is read with `GET <endpoint>?since=&until=&limit=` and the `more` links of the xAPI spec
(a path relative to the LRS's host), with the `X-Experience-API-Version` header; EBT results are
posted as batches of statements to the same kind of endpoint.

Answers are checked here, not by the provider (`check_response=True` would log an error's body,
and a server may echo the request's `Authorization: Basic ...` in it): the connection's secrets
are registered with Airflow's secrets masker before the first call, and an error raises a
`SourceError` naming the endpoint, page and HTTP status with a redacted excerpt of the body. A
source that pages in a loop (a page number or `more` link seen before, or a page repeating an
earlier page's rows) fails, naming the page.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator, Sequence
from typing import IO, Any, TextIO
from urllib.parse import urljoin, urlparse

from aerosync.config.training import LrsSource, RestSource
from aerosync.crew.sources import Window
from aerosync.crew.xapi import XAPI_VERSION
from aerosync.paging import page_digest
from aerosync.redaction import error_excerpt, redact

MAX_PAGES = 100_000
POST_BATCH = 100
XAPI_HEADERS = {"X-Experience-API-Version": XAPI_VERSION, "Accept": "application/json"}


class SourceError(RuntimeError):
    """A source could not be read; the message names the company, source and location."""


def _listed(location: str, suffix: str) -> list[Any]:
    """The `*<suffix>` files of a folder (sorted by name), or the one file `location` is."""
    from airflow.sdk import ObjectStoragePath

    path = ObjectStoragePath(location)
    if path.is_dir():
        return sorted(path.glob(f"*{suffix}"), key=lambda p: p.name)
    if path.exists():
        return [path]
    raise SourceError(f"{location} does not exist")


def csv_files(location: str) -> Iterator[tuple[str, TextIO]]:
    """(file name, open text stream) of every `*.csv` of a folder (sorted), or of one file. Each
    file is opened only when asked for and closed when the next is asked for: a file of any size
    is read row by row, never whole (UTF-8, a byte-order mark skipped)."""
    for file in _listed(location, ".csv"):
        with (
            file.open("rb") as raw,
            io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text,
        ):
            yield file.name, text


def xml_files(location: str) -> Iterator[tuple[str, IO[bytes]]]:
    """(file name, open byte stream) of every `*.xml` of a folder (sorted), or of one file,
    each opened only when asked for: the XML parser reads the bytes and their encoding."""
    for file in _listed(location, ".xml"):
        with file.open("rb") as raw:
            yield file.name, raw


def write_text(location: str, name: str, content: str) -> str:
    """Write `content` as `name` in the folder (or bucket prefix) `location`; returns its path."""
    from airflow.sdk import ObjectStoragePath

    folder = ObjectStoragePath(location)
    if folder.protocol in ("", "file"):
        folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    target.write_text(content, encoding="utf-8")
    return str(target)


def _hook(conn_id: str, method: str) -> tuple[Any, list[str]]:
    """The provider's hook, and the connection's secrets (masked before the first call)."""
    from airflow.providers.http.hooks.http import HttpHook

    from aerosync.airflow.masking import mask_connection

    secrets = mask_connection(conn_id)
    return HttpHook(method=method, http_conn_id=conn_id), secrets


def checked_json(response: Any, what: str, secrets: Sequence[str]) -> Any:
    """The JSON of a 2xx answer; else a `SourceError` naming `what` and the HTTP status, with
    the start of the body redacted against the connection's secrets."""
    status = int(response.status_code)
    if not 200 <= status < 300:
        reason = redact(str(response.reason or ""), secrets)
        excerpt = error_excerpt(response.text, secrets)
        raise SourceError(
            f"{what}: HTTP {status} {reason}".rstrip() + (f": {excerpt}" if excerpt else "")
        )
    try:
        return response.json()
    except ValueError:
        raise SourceError(f"{what}: HTTP {status}, but the answer is not JSON") from None


def _checked_run(hook: Any, what: str, **kwargs: Any) -> Any:
    import requests

    try:
        return hook.run(**kwargs)
    except requests.RequestException as exc:  # no answer (timeout, refused): never a body
        raise SourceError(f"{what}: {type(exc).__name__} (no answer)") from None


class PageLoop:
    """Remembers the pages of one source read so far; a page seen again is a loop."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.places: dict[str, str] = {}
        self.contents: dict[str, str] = {}

    def check(self, place: str, where: str, rows: list[Any]) -> None:
        """`place`: the page number or link asked for; `where`: how a message names the page."""
        if place in self.places:
            raise SourceError(
                f"{self.source}: {where} was already read as {self.places[place]}: the source "
                "is paging in a loop; stopped reading"
            )
        digest = page_digest(rows)
        if rows and digest in self.contents:
            raise SourceError(
                f"{self.source}: {where} repeats the rows of {self.contents[digest]}: the source "
                "is paging in a loop; stopped reading"
            )
        self.places[place] = where
        self.contents.setdefault(digest, where)


def rest_items(source: RestSource) -> Iterator[tuple[str, dict[str, Any]]]:
    """(row reference, item) of every page of a REST source."""
    hook, secrets = _hook(source.conn_id, "GET")
    options = {"timeout": source.timeout_seconds, "check_response": False}
    loop = PageLoop(source.endpoint)
    page = 1
    for _ in range(MAX_PAGES):
        what = f"GET {source.endpoint} page {page}"
        response = _checked_run(
            hook,
            what,
            endpoint=source.endpoint,
            data={"page": page, "page_size": source.page_size},
            headers={"Accept": "application/json"},
            extra_options=options,
        )
        body = checked_json(response, what, secrets)
        items = body if isinstance(body, list) else (body.get("items") or body.get("data") or [])
        loop.check(str(page), f"page {page}", items)
        for index, item in enumerate(items, start=1):
            yield f"{source.endpoint} page {page} item {index}", item
        if isinstance(body, dict) and "next_page" in body:
            if body["next_page"] is None:
                return
            try:
                page = int(body["next_page"])
            except (TypeError, ValueError):
                raise SourceError(f"{what}: next_page is not a page number") from None
        elif len(items) < source.page_size:
            return
        else:
            page += 1
    raise SourceError(f"{source.endpoint}: more than {MAX_PAGES} pages")


def _xapi_time(moment: Any) -> str:
    return str(moment.isoformat()).replace("+00:00", "Z")


def _relative_to_base(base_url: str, more: str) -> str:
    """The endpoint (relative to the connection's base URL) of an xAPI `more` link."""
    absolute = urljoin(base_url if base_url.endswith("/") else base_url + "/", more)
    if not absolute.startswith(base_url.rstrip("/")):
        host = urlparse(absolute).netloc
        raise SourceError(f"the LRS's more link leads to another address ({host})")
    return absolute[len(base_url.rstrip("/")) :]


def lrs_statements(source: LrsSource, window: Window) -> Iterator[dict[str, Any]]:
    """Every statement stored in (window start, window end], following `more` links."""
    hook, secrets = _hook(source.conn_id, "GET")
    options = {"timeout": source.timeout_seconds, "check_response": False}
    endpoint = source.endpoint
    params: dict[str, Any] | None = {
        "since": _xapi_time(window.start),
        "until": _xapi_time(window.end),
        "limit": source.page_size,
        "ascending": "true",
    }
    loop = PageLoop(f"the LRS ({source.endpoint})")
    for number in range(1, MAX_PAGES + 1):
        what = f"GET {source.endpoint} page {number}"
        response = _checked_run(
            hook,
            what,
            endpoint=endpoint,
            data=params,
            headers=XAPI_HEADERS,
            extra_options=options,
        )
        body = checked_json(response, what, secrets)
        if not isinstance(body, dict):
            raise SourceError(f"{what}: the answer is not an xAPI StatementResult object")
        statements = body.get("statements") or []
        loop.check(endpoint, f"page {number}", statements)
        yield from statements
        more = body.get("more") or ""
        if not more:
            return
        endpoint, params = _relative_to_base(hook.base_url, str(more)), None
    raise SourceError(f"{source.endpoint}: more than {MAX_PAGES} pages of statements")


def post_statements(target: LrsSource, statements: list[dict[str, Any]]) -> int:
    """POST the statements in batches; returns how many the LRS accepted."""
    hook, secrets = _hook(target.conn_id, "POST")
    options = {"timeout": target.timeout_seconds, "check_response": False}
    headers = {**XAPI_HEADERS, "Content-Type": "application/json"}
    sent = 0
    for start in range(0, len(statements), POST_BATCH):
        batch = statements[start : start + POST_BATCH]
        what = f"POST {target.endpoint} (statements {start + 1} to {start + len(batch)})"
        response = _checked_run(
            hook,
            what,
            endpoint=target.endpoint,
            data=json.dumps(batch),
            headers=headers,
            extra_options=options,
        )
        checked_json(response, what, secrets)
        sent += len(batch)
    return sent
