"""The sandbox's training systems: an xAPI Learning Record Store and paginated HRIS-style REST
collections, served by the same local HTTP server as the marketplace sandbox.

LRS (xAPI 1.0.3, `X-Experience-API-Version` required):
* `GET /xapi/statements?since=&until=&limit=&ascending=`: statements stored in (since, until],
  `limit` per answer with a `more` link (a path on this host) to the next page.
* `POST /xapi/statements` (one statement or a list; ids kept, else assigned; `stored` set now
  unless given), `PUT /xapi/statements?statementId=`. The same id with the same content again is
  a no-op; with other content 409.
REST: `GET /hris/<name>?page=&page_size=` answers `{"items": [...], "next_page": n | null}`.
Control (no authentication): `POST /_sandbox/hris/<name>` replaces a collection's items,
`GET /_sandbox/lrs/statements` reads everything back, `POST /_sandbox/lrs/reset`.
Faults: `POST /_sandbox/hris/<name>/fault` or `POST /_sandbox/lrs/fault` with `{"fault": f}`
(`null` clears it): `echo` answers HTTP 401 echoing the request's headers (`Authorization`
included); `loop` pages forever: new page numbers (HRIS) or `more` links (LRS), the same rows;
`repeat` (HRIS) names the page just read as the next one.
"""

from __future__ import annotations

import base64
import json
import threading
import uuid
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import parse_qs, urlencode, urlparse

from aerosync.sandbox.echo import echo_json

XAPI_PREFIX = "/xapi"
HRIS_PREFIX = "/hris/"


class _Handler(Protocol):
    path: str
    headers: Any
    server: Any

    def _body(self) -> Any: ...

    def _send(self, status: int, payload: Any) -> None: ...


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _content(statement: dict[str, Any]) -> str:
    return json.dumps({k: v for k, v in statement.items() if k != "stored"}, sort_keys=True)


class LrsState:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.statements: dict[str, dict[str, Any]] = {}
        self.collections: dict[str, list[dict[str, Any]]] = {}
        self.requests: list[dict[str, Any]] = []
        self.faults: dict[str, str] = {}  # "lrs" or "hris/<name>" -> echo | loop | repeat

    def reset(self) -> None:
        with self._lock:
            self.statements.clear()
            self.collections.clear()
            self.requests.clear()
            self.faults.clear()

    def set_fault(self, target: str, fault: str | None) -> None:
        with self._lock:
            if fault is None:
                self.faults.pop(target, None)
            else:
                self.faults[target] = fault

    def store(self, statements: list[dict[str, Any]]) -> tuple[int, list[str] | str]:
        """Store a batch; all or nothing. (200, ids) or (409/400, why)."""
        with self._lock:
            ids = []
            batch: dict[str, dict[str, Any]] = {}
            for statement in statements:
                if not isinstance(statement, dict) or "actor" not in statement:
                    return 400, "a statement needs an actor, a verb and an object"
                sid = str(statement.get("id") or uuid.uuid4())
                stored = {**statement, "id": sid, "stored": statement.get("stored") or _now()}
                known = self.statements.get(sid) or batch.get(sid)
                if known is not None and _content(known) != _content(stored):
                    return 409, f"statement {sid} exists with other content"
                if known is None:
                    batch[sid] = stored
                ids.append(sid)
            self.statements.update(batch)
            return 200, ids

    def page(self, since: str | None, until: str | None, offset: int, limit: int) -> list[Any]:
        with self._lock:
            chosen = [
                s
                for s in self.statements.values()
                if (since is None or _moment(s["stored"]) > _moment(since))
                and (until is None or _moment(s["stored"]) <= _moment(until))
            ]
        chosen.sort(key=lambda s: (_moment(s["stored"]), s["id"]))
        return chosen[offset : offset + limit]


def _state(handler: _Handler) -> LrsState:
    state: LrsState = handler.server.__dict__.setdefault("lrs_state", LrsState())
    return state


def _token(query: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(query).encode()).decode()


def _get_statements(handler: _Handler, url: Any) -> None:
    params = {k: v[0] for k, v in parse_qs(url.query).items()}
    if "more" in params:
        params = json.loads(base64.urlsafe_b64decode(params["more"]))
    limit = max(1, min(int(params.get("limit") or 100), 1000))
    offset = int(params.get("offset") or 0)
    state = _state(handler)
    found = state.page(params.get("since"), params.get("until"), offset, limit + 1)
    more = ""
    if state.faults.get("lrs") == "loop":  # a new link every time, to the same statements
        nonce = int(params.get("nonce") or 0) + 1
        token = _token({**params, "offset": offset, "limit": limit, "nonce": nonce})
        more = f"{XAPI_PREFIX}/statements?{urlencode({'more': token})}"
    elif len(found) > limit:
        token = _token({**params, "offset": offset + limit, "limit": limit})
        more = f"{XAPI_PREFIX}/statements?{urlencode({'more': token})}"
    handler._send(200, {"statements": found[:limit], "more": more})


def _hris_page(handler: _Handler, url: Any) -> None:
    name = url.path.removeprefix(HRIS_PREFIX)
    items = _state(handler).collections.get(name)
    if items is None:
        handler._send(404, {"error": f"no collection {name}"})
        return
    params = {k: v[0] for k, v in parse_qs(url.query).items()}
    page, size = int(params.get("page") or 1), int(params.get("page_size") or 100)
    fault = _state(handler).faults.get(f"hris/{name}")
    if fault == "loop":  # new page numbers, the first page's rows every time
        handler._send(200, {"items": items[:size], "page": page, "next_page": page + 1})
        return
    chunk = items[(page - 1) * size : page * size]
    more = page * size < len(items)
    following = page if fault == "repeat" else page + 1 if more else None
    handler._send(200, {"items": chunk, "page": page, "next_page": following})


def handle(handler: _Handler, method: str) -> bool:
    """Serve the request if it is the LRS's or the HRIS's; False leaves it to the marketplace."""
    url = urlparse(handler.path)
    path = url.path
    state = _state(handler)
    if path.startswith(XAPI_PREFIX + "/"):
        state.requests.append({"method": method, "path": path, "query": url.query})
        if state.faults.get("lrs") == "echo":
            handler._send(401, echo_json(handler.headers))
        elif not handler.headers.get("X-Experience-API-Version"):
            handler._send(400, {"error": "X-Experience-API-Version header required"})
        elif path != f"{XAPI_PREFIX}/statements":
            handler._send(404, {"error": "not found"})
        elif method == "GET":
            _get_statements(handler, url)
        elif method in ("POST", "PUT"):
            body = handler._body()
            batch = body if isinstance(body, list) else [body]
            if method == "PUT":
                sid = (parse_qs(url.query).get("statementId") or [""])[0]
                batch = [{**(body if isinstance(body, dict) else {}), "id": sid}]
            status, result = state.store(batch)
            handler._send(status, result if status == 200 else {"error": result})
        else:
            handler._send(405, {"error": "method not allowed"})
        return True
    if path.startswith(HRIS_PREFIX) and method == "GET":
        state.requests.append({"method": method, "path": path, "query": url.query})
        if state.faults.get(f"hris/{path.removeprefix(HRIS_PREFIX)}") == "echo":
            handler._send(401, echo_json(handler.headers))
        else:
            _hris_page(handler, url)
        return True
    if path.startswith("/_sandbox/") and path.endswith("/fault") and method == "POST":
        target = path.removeprefix("/_sandbox/").removesuffix("/fault")
        if target == "lrs" or target.startswith("hris/"):
            fault = (handler._body() or {}).get("fault")
            state.set_fault(target, None if fault is None else str(fault))
            handler._send(200, {"ok": True})
            return True
    if path.startswith("/_sandbox/hris/") and method == "POST":
        state.collections[path.removeprefix("/_sandbox/hris/")] = list(handler._body() or [])
        handler._send(200, {"ok": True})
        return True
    if path == "/_sandbox/lrs/statements" and method == "GET":
        handler._send(200, sorted(state.statements.values(), key=lambda s: s["stored"]))
        return True
    if path == "/_sandbox/lrs/requests" and method == "GET":
        handler._send(200, state.requests)
        return True
    if path == "/_sandbox/lrs/reset" and method == "POST":
        state.reset()
        handler._send(200, {"ok": True})
        return True
    return False
