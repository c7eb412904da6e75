"""A training-bookings LMS inside the local sandbox server, speaking AeroSync's page protocol.

`GET /lms/<feed>/bookings?page_size=N[&cursor=K]` answers `{"data": [...], "next": <absolute
URL or null>}` (see `aerosync.schedule.sources.bookings_rest`). Each feed (say, one per demo
company) is controlled under `/_sandbox/lms/<feed>/`:

* `POST .../bookings` `{"bookings": [...]}` replaces the feed's bookings;
* `POST .../fault` `{"fault": "500", "from_page": 2}` makes pages from that one answer HTTP 500
  (`{"fault": null}` clears it); `{"fault": "echo"}` answers HTTP 401 echoing the request's
  headers (`Authorization` included), as a misconfigured gateway does;
* `POST .../endless` `{"endless": true}` makes the feed never end: every page holds a booking
  no other page holds and a `next` link to a new page, for ever (`{"endless": false}` ends it);
* `GET .../requests` lists the pages asked for (path and query; the stub logs no headers).
"""

from __future__ import annotations

import threading
from typing import Any
from urllib.parse import ParseResult, parse_qs, urlencode

from aerosync.sandbox.echo import echo_json

PUBLIC_PREFIX = "/lms/"
CONTROL_PREFIX = "/_sandbox/lms/"
DEFAULT_PAGE_SIZE = 100

Reply = tuple[int, Any]


def handles(path: str) -> bool:
    return path.startswith((PUBLIC_PREFIX, CONTROL_PREFIX))


def _feed(path: str, prefix: str, leaf: str) -> str | None:
    """The feed name of `<prefix><feed>/<leaf>`, or None when the path is not that."""
    rest = path.removeprefix(prefix)
    feed, _, tail = rest.partition("/")
    return feed if feed and tail == leaf else None


class LmsStub:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.bookings: dict[str, list[dict[str, Any]]] = {}
        self.faults: dict[str, tuple[str, int]] = {}  # feed -> (status or "echo", from page)
        self.log: dict[str, list[str]] = {}
        self.endless: set[str] = set()

    def load(self, feed: str, bookings: list[dict[str, Any]]) -> None:
        with self._lock:
            self.bookings[feed] = [dict(b) for b in bookings]

    def set_fault(self, feed: str, fault: str | None, from_page: int = 1) -> None:
        with self._lock:
            if fault is None:
                self.faults.pop(feed, None)
            else:
                self.faults[feed] = (fault if fault == "echo" else str(int(fault)), from_page)

    def set_endless(self, feed: str, endless: bool) -> None:
        with self._lock:
            if endless:
                self.endless.add(feed)
            else:
                self.endless.discard(feed)

    def get(self, url: ParseResult, host: str, headers: Any = None) -> Reply:
        feed = _feed(url.path, PUBLIC_PREFIX, "bookings")
        if feed is not None:
            return self._page(feed, url, host, headers if headers is not None else {})
        feed = _feed(url.path, CONTROL_PREFIX, "requests")
        if feed is not None:
            with self._lock:
                return 200, list(self.log.get(feed, []))
        return 404, {"error": "not found"}

    def post(self, path: str, body: Any) -> Reply:
        payload = body if isinstance(body, dict) else {}
        feed = _feed(path, CONTROL_PREFIX, "bookings")
        if feed is not None:
            bookings = payload.get("bookings")
            if not isinstance(bookings, list):
                return 400, {"error": 'expected {"bookings": [...]}'}
            self.load(feed, bookings)
            return 200, {"ok": True, "bookings": len(bookings)}
        feed = _feed(path, CONTROL_PREFIX, "fault")
        if feed is not None:
            fault = payload.get("fault")
            self.set_fault(feed, None if fault is None else str(fault), payload.get("from_page", 1))
            return 200, {"ok": True}
        feed = _feed(path, CONTROL_PREFIX, "endless")
        if feed is not None:
            self.set_endless(feed, bool(payload.get("endless")))
            return 200, {"ok": True}
        return 404, {"error": "not found"}

    def _page(self, feed: str, url: ParseResult, host: str, headers: Any) -> Reply:
        query = parse_qs(url.query)
        try:
            size = max(1, int(query.get("page_size", [DEFAULT_PAGE_SIZE])[0]))
            cursor = max(0, int(query.get("cursor", ["0"])[0]))
        except ValueError:
            return 400, {"error": "page_size and cursor must be integers"}
        with self._lock:
            self.log.setdefault(feed, []).append(f"{url.path}?{url.query}")
            page_number = cursor // size + 1
            fault = self.faults.get(feed)
            if fault is not None and page_number >= fault[1]:
                if fault[0] == "echo":
                    return 401, echo_json(headers)
                return int(fault[0]), {"error": f"injected fault {fault[0]}"}
            if feed in self.endless:
                return 200, _endless_page(feed, url, host, size, cursor)
            if feed not in self.bookings:
                return 404, {"error": f"no LMS feed {feed!r}"}
            everything = self.bookings[feed]
            data = everything[cursor : cursor + size]
        following = None
        if cursor + size < len(everything):
            following = f"http://{host}{url.path}?" + urlencode(
                {"page_size": size, "cursor": cursor + size}
            )
        return 200, {"data": data, "next": following}


def _endless_page(feed: str, url: ParseResult, host: str, size: int, cursor: int) -> Any:
    """A page of an LMS that never ends: content no other page has, and a link to a new page
    (a detector of repeated pages would not stop it; only a deadline or a page limit does)."""
    number = cursor // size + 1
    booking = {
        "booking_id": f"{feed}-endless-{number}",
        "tail": "N000ZZ",
        "airport": "KTEB",
        "start": "2030-01-01T08:00:00+00:00",
        "end": "2030-01-01T12:00:00+00:00",
        "status": "confirmed",
        "course": f"endless page {number}",
    }
    following = f"http://{host}{url.path}?" + urlencode(
        {"page_size": size, "cursor": cursor + size}
    )
    return {"data": [booking], "next": following}
