"""The transports of the training sync: CSV drops through `ObjectStoragePath`, paginated REST APIs
and the xAPI LRS through the HTTP provider's hook. Every request has a timeout; nothing retries.

REST sources (`rest:`) are read page by page with `page` (from 1) and `page_size` parameters; an
answer is a JSON list, or an object with the rows under `items` (or `data`) and optionally
`next_page` (null at the end). Without `next_page`, a page shorter than `page_size` is the last.

The LRS is read with `GET <endpoint>?since=&until=&limit=` and the `more` links of the xAPI spec
(a path relative to the LRS's host), with the `X-Experience-API-Version` header; EBT results are
posted as batches of statements to the same kind of endpoint.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any, TextIO
from urllib.parse import urljoin, urlparse

from aerosync.training.sources import Window
from aerosync.training.xapi import XAPI_VERSION
from aerosync.training_config import LrsSource, RestSource

MAX_PAGES = 100_000
POST_BATCH = 100
XAPI_HEADERS = {"X-Experience-API-Version": XAPI_VERSION, "Accept": "application/json"}


class SourceError(RuntimeError):
    """A source could not be read; the message names the company, source and location."""


def csv_files(location: str) -> Iterator[tuple[str, TextIO]]:
    """(file name, open text stream) of every `*.csv` of a folder (sorted), or of one file. Each
    file is opened only when asked for and closed when the next is asked for: a file of any size
    is read row by row, never whole (UTF-8, a byte-order mark skipped)."""
    from airflow.sdk import ObjectStoragePath

    path = ObjectStoragePath(location)
    if path.is_dir():
        files = sorted(path.glob("*.csv"), key=lambda p: p.name)
    elif path.exists():
        files = [path]
    else:
        raise SourceError(f"{location} does not exist")
    for file in files:
        with (
            file.open("rb") as raw,
            io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as text,
        ):
            yield file.name, text


def write_text(location: str, name: str, content: str) -> str:
    """Write `content` as `name` in the folder (or bucket prefix) `location`; returns its path."""
    from airflow.sdk import ObjectStoragePath

    folder = ObjectStoragePath(location)
    if folder.protocol in ("", "file"):
        folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    target.write_text(content, encoding="utf-8")
    return str(target)


def _hook(conn_id: str, method: str) -> Any:
    from airflow.providers.http.hooks.http import HttpHook

    return HttpHook(method=method, http_conn_id=conn_id)


def rest_items(source: RestSource) -> Iterator[tuple[str, dict[str, Any]]]:
    """(row reference, item) of every page of a REST source."""
    hook = _hook(source.conn_id, "GET")
    options = {"timeout": source.timeout_seconds, "check_response": True}
    page = 1
    for _ in range(MAX_PAGES):
        response = hook.run(
            source.endpoint,
            data={"page": page, "page_size": source.page_size},
            headers={"Accept": "application/json"},
            extra_options=options,
        )
        body = response.json()
        items = body if isinstance(body, list) else (body.get("items") or body.get("data") or [])
        for index, item in enumerate(items, start=1):
            yield f"{source.endpoint} page {page} item {index}", item
        if isinstance(body, dict) and "next_page" in body:
            if body["next_page"] is None:
                return
            page = int(body["next_page"])
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
    hook = _hook(source.conn_id, "GET")
    options = {"timeout": source.timeout_seconds, "check_response": True}
    endpoint = source.endpoint
    params: dict[str, Any] | None = {
        "since": _xapi_time(window.start),
        "until": _xapi_time(window.end),
        "limit": source.page_size,
        "ascending": "true",
    }
    for _ in range(MAX_PAGES):
        response = hook.run(endpoint, data=params, headers=XAPI_HEADERS, extra_options=options)
        body = response.json()
        yield from body.get("statements") or []
        more = body.get("more") or ""
        if not more:
            return
        endpoint, params = _relative_to_base(hook.base_url, more), None
    raise SourceError(f"{source.endpoint}: more than {MAX_PAGES} pages of statements")


def post_statements(target: LrsSource, statements: list[dict[str, Any]]) -> int:
    """POST the statements in batches; returns how many the LRS accepted."""
    hook = _hook(target.conn_id, "POST")
    options = {"timeout": target.timeout_seconds, "check_response": True}
    headers = {**XAPI_HEADERS, "Content-Type": "application/json"}
    sent = 0
    for start in range(0, len(statements), POST_BATCH):
        batch = statements[start : start + POST_BATCH]
        hook.run(target.endpoint, data=json.dumps(batch), headers=headers, extra_options=options)
        sent += len(batch)
    return sent
