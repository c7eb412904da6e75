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
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from aerosync.paging import page_digest
from aerosync.redaction import error_excerpt, redact
from aerosync.schedule.sources.bookings import BookingRows, BookingsUnavailable, booking_rows

PAGE_SIZE_PARAMETER = "page_size"
MAX_PAGES = 10_000

# `fetch_page(None)` returns the first page's JSON, `fetch_page(link)` the page `next` named.
FetchPage = Callable[[str | None], Any]


def read_rest_bookings(
    fetch_page: FetchPage, max_pages: int = MAX_PAGES, deadline_seconds: float | None = None
) -> BookingRows:
    """Every booking of every page, following `next` until it is null; within `max_pages` and,
    checked before each page, `deadline_seconds` in all."""
    bookings: list[dict[str, Any]] = []
    seen: set[str] = set()
    contents: dict[str, int] = {}  # a digest of each page's bookings -> its page number
    link: str | None = None
    started = time.monotonic()
    for number in range(1, max_pages + 1):
        if deadline_seconds is not None and time.monotonic() - started > deadline_seconds:
            raise BookingsUnavailable(
                f"the LMS had not sent its last page after {deadline_seconds:g} s "
                f"({number - 1} pages read); stopped reading"
            )
        page = fetch_page(link)
        problem = page_problem(page, number)
        if problem is not None:
            raise BookingsUnavailable(problem)
        data = page["data"]
        digest = page_digest(data)
        if data and digest in contents:  # empty pages add nothing: the page limit bounds them
            raise BookingsUnavailable(
                f"LMS page {number} repeats page {contents[digest]} (the same bookings): the "
                "LMS is paging in a loop; stopped reading"
            )
        contents.setdefault(digest, number)
        bookings.extend(data)
        following = page.get("next")
        if not following:
            return booking_rows(bookings)
        if following in seen:
            raise BookingsUnavailable(f"LMS page {number} links back to an earlier page")
        seen.add(following)
        link = following
    raise BookingsUnavailable(f"the LMS answered more than {max_pages} pages; stopped reading")


def page_problem(page: Any, number: int) -> str | None:
    """Why a page is not the protocol's `{"data": [booking, ...], "next": link or null}`."""
    data = page.get("data") if isinstance(page, dict) else None
    if not isinstance(data, list) or not all(isinstance(b, dict) for b in data):
        return (
            f"LMS page {number} is not a JSON object with a list of booking objects under "
            '"data" (expected {"data": [...], "next": <link or null>})'
        )
    following = page.get("next")
    if following and not isinstance(following, str):
        return f'LMS page {number}: "next" is not a link or null'
    return None


def resolve_next(base_url: str, link: str) -> str:
    """The absolute URL of a `next` link; only on the base URL's own scheme, host and port."""
    absolute = urljoin(base_url.rstrip("/") + "/", link)
    base, target = urlsplit(base_url), urlsplit(absolute)
    if (target.scheme, target.netloc) != (base.scheme, base.netloc):
        raise BookingsUnavailable(
            f"the LMS's next link points to another host ({target.hostname}); refused so that "
            "the connection's credentials are not sent there"
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
    ) -> None:
        self.session = session
        self.secrets = list(secrets)
        self.base_url = base_url
        self.first = resolve_next(base_url, endpoint.lstrip("/"))
        self.page_size = page_size
        self.timeout = timeout
        self.pages = 0

    def __call__(self, link: str | None) -> Any:
        self.pages += 1
        url = self.first if link is None else resolve_next(self.base_url, link)
        params = {PAGE_SIZE_PARAMETER: self.page_size} if link is None else None
        try:
            response = self.session.get(
                url, params=params, timeout=self.timeout, allow_redirects=False
            )
        except requests.Timeout:
            raise BookingsUnavailable(
                f"LMS page {self.pages}: no answer within {self.timeout:g} s"
            ) from None
        except requests.RequestException as exc:
            raise BookingsUnavailable(
                f"LMS page {self.pages}: {type(exc).__name__} (the LMS could not be reached)"
            ) from None
        if response.status_code != 200:
            reason = redact(str(response.reason or ""), self.secrets)
            excerpt = error_excerpt(response.text, self.secrets)
            raise BookingsUnavailable(
                f"LMS page {self.pages}: HTTP {response.status_code} {reason}"
                + (f": {excerpt}" if excerpt else "")
            )
        try:
            return response.json()
        except ValueError:
            raise BookingsUnavailable(f"LMS page {self.pages}: the answer is not JSON") from None
