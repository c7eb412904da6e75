"""Training bookings from an LMS's REST API, page by page.

The page protocol (the README documents it for LMS vendors and integrators):

* The first page is `GET {base URL}/{endpoint}?page_size=N`.
* Every page answers HTTP 200 with a JSON object `{"data": [booking, ...], "next": link}`, each
  booking an object with `booking_id, tail, airport, start, end, status, course`.
* `next` is the link to the following page, absolute or relative to the base URL, or `null` (or
  absent) on the last page: the cursor or page number lives inside the link, so the LMS chooses.
  A link to another host is refused: the connection's credentials go nowhere else.

All pages or nothing: any failed page (an HTTP error, a timeout, a body that is not the protocol)
fails the whole source, because a partial list would drop bookings silently. So does a loop: a
`next` link seen before, or a page whose bookings repeat an earlier page's (a server handing out
new links to the same rows forever).

An error's body comes from outside and may echo the request's `Authorization` header: it is
redacted against the connection's secrets before it goes into a message.

An AMS's REST API speaks the same protocol with maintenance events for bookings
(`aerosync.schedule.sources.ams_events`): a `PagedFeed` names the system in the messages.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from aerosync.paging import page_digest
from aerosync.redaction import error_excerpt, redact
from aerosync.schedule.sources.bookings import BookingRows, BookingsUnavailable, booking_rows
from aerosync.schedule.sources.health import SourceUnavailable

PAGE_SIZE_PARAMETER = "page_size"
MAX_PAGES = 10_000

# `fetch_page(None)` returns the first page's JSON, `fetch_page(link)` the page `next` named.
FetchPage = Callable[[str | None], Any]


@dataclass(frozen=True)
class PagedFeed:
    """Who answers the pages, in messages ("LMS page 3: ..."), what a page lists, and what a
    failed read raises."""

    system: str = "LMS"
    item: str = "booking"
    unavailable: type[SourceUnavailable] = BookingsUnavailable


LMS_FEED = PagedFeed()


def read_rest_bookings(
    fetch_page: FetchPage, max_pages: int = MAX_PAGES, deadline_seconds: float | None = None
) -> BookingRows:
    """Every booking of every page, following `next` until it is null; within `max_pages` and,
    checked before each page, `deadline_seconds` in all."""
    return booking_rows(read_rest_pages(fetch_page, max_pages, deadline_seconds))


def read_rest_pages(
    fetch_page: FetchPage,
    max_pages: int = MAX_PAGES,
    deadline_seconds: float | None = None,
    feed: PagedFeed = LMS_FEED,
) -> list[dict[str, Any]]:
    """Every item of every page, following `next` until it is null; within `max_pages` and,
    checked before each page, `deadline_seconds` in all. Any failure raises
    `feed.unavailable`: all pages or nothing."""
    system, fail = feed.system, feed.unavailable
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    contents: dict[str, int] = {}  # a digest of each page's items -> its page number
    link: str | None = None
    started = time.monotonic()
    for number in range(1, max_pages + 1):
        if deadline_seconds is not None and time.monotonic() - started > deadline_seconds:
            raise fail(
                f"the {system} had not sent its last page after {deadline_seconds:g} s "
                f"({number - 1} pages read); stopped reading"
            )
        page = fetch_page(link)
        problem = page_problem(page, number, feed)
        if problem is not None:
            raise fail(problem)
        data = page["data"]
        digest = page_digest(data)
        if data and digest in contents:  # empty pages add nothing: the page limit bounds them
            raise fail(
                f"{system} page {number} repeats page {contents[digest]} (the same {feed.item}s): "
                f"the {system} is paging in a loop; stopped reading"
            )
        contents.setdefault(digest, number)
        items.extend(data)
        following = page.get("next")
        if not following:
            return items
        if following in seen:
            raise fail(f"{system} page {number} links back to an earlier page")
        seen.add(following)
        link = following
    raise fail(f"the {system} answered more than {max_pages} pages; stopped reading")


def page_problem(page: Any, number: int, feed: PagedFeed = LMS_FEED) -> str | None:
    """Why a page is not the protocol's `{"data": [item, ...], "next": link or null}`."""
    data = page.get("data") if isinstance(page, dict) else None
    if not isinstance(data, list) or not all(isinstance(b, dict) for b in data):
        return (
            f"{feed.system} page {number} is not a JSON object with a list of {feed.item} "
            'objects under "data" (expected {"data": [...], "next": <link or null>})'
        )
    following = page.get("next")
    if following and not isinstance(following, str):
        return f'{feed.system} page {number}: "next" is not a link or null'
    return None


def resolve_next(base_url: str, link: str, feed: PagedFeed = LMS_FEED) -> str:
    """The absolute URL of a `next` link; only on the base URL's own scheme, host and port."""
    absolute = urljoin(base_url.rstrip("/") + "/", link)
    base, target = urlsplit(base_url), urlsplit(absolute)
    if (target.scheme, target.netloc) != (base.scheme, base.netloc):
        raise feed.unavailable(
            f"the {feed.system}'s next link points to another host ({target.hostname}); refused "
            "so that the connection's credentials are not sent there"
        )
    return absolute


class SessionPageFetcher:
    """`FetchPage` over a `requests.Session`, e.g. the Airflow HTTP provider's `HttpHook`'s.

    One GET per page, with the configured timeout, no retry and no redirects; anything but
    HTTP 200 with JSON fails the source.
    """

    def __init__(
        self,
        session: requests.Session,
        base_url: str,
        endpoint: str,
        page_size: int,
        timeout: float,
        secrets: Sequence[str] = (),
        feed: PagedFeed = LMS_FEED,
    ) -> None:
        self.session = session
        self.secrets = list(secrets)
        self.feed = feed
        self.base_url = base_url
        self.first = resolve_next(base_url, endpoint.lstrip("/"), feed)
        self.page_size = page_size
        self.timeout = timeout
        self.pages = 0

    def __call__(self, link: str | None) -> Any:
        self.pages += 1
        system, fail = self.feed.system, self.feed.unavailable
        url = self.first if link is None else resolve_next(self.base_url, link, self.feed)
        params = {PAGE_SIZE_PARAMETER: self.page_size} if link is None else None
        try:
            response = self.session.get(
                url, params=params, timeout=self.timeout, allow_redirects=False
            )
        except requests.Timeout:
            raise fail(f"{system} page {self.pages}: no answer within {self.timeout:g} s") from None
        except requests.RequestException as exc:
            raise fail(
                f"{system} page {self.pages}: {type(exc).__name__} (the {system} could not be "
                "reached)"
            ) from None
        if response.status_code != 200:
            reason = redact(str(response.reason or ""), self.secrets)
            excerpt = error_excerpt(response.text, self.secrets)
            raise fail(
                f"{system} page {self.pages}: HTTP {response.status_code} {reason}"
                + (f": {excerpt}" if excerpt else "")
            )
        try:
            return response.json()
        except ValueError:
            raise fail(f"{system} page {self.pages}: the answer is not JSON") from None
