"""The REST page protocol against the sandbox's LMS stub over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from aerosync.sandbox.server import SandboxServer
from aerosync.schedule.sources.bookings import BookingsUnavailable
from aerosync.schedule.sources.bookings_rest import (
    SessionPageFetcher,
    read_rest_bookings,
    resolve_next,
)

pytestmark = pytest.mark.unit


def booking(number: int, **kw: Any) -> dict[str, Any]:
    return {
        "booking_id": f"B{number}",
        "tail": "N1",
        "airport": "KTEB",
        "start": f"2026-11-{10 + number:02d}T09:00:00Z",
        "end": f"2026-11-{10 + number:02d}T12:00:00Z",
        "status": "booked",
        "course": f"Course {number}",
        **kw,
    }


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(port=0) as server:
        yield server


def control(server: SandboxServer, path: str, payload: Any = None) -> Any:
    url = f"http://127.0.0.1:{server.port}/_sandbox/lms/{path}"
    if payload is None:
        response = requests.get(url, timeout=5)
    else:
        response = requests.post(url, json=payload, timeout=5)
    response.raise_for_status()
    return response.json()


def fetcher(server: SandboxServer, feed: str = "co", page_size: int = 2) -> SessionPageFetcher:
    base = f"http://127.0.0.1:{server.port}"
    return SessionPageFetcher(requests.Session(), base, f"lms/{feed}/bookings", page_size, 5)


def test_every_page_is_read_following_next_links(sandbox: SandboxServer) -> None:
    bookings = [booking(n) for n in range(1, 6)] + [booking(6, status="cancelled")]
    control(sandbox, "co/bookings", {"bookings": bookings})
    fetch = fetcher(sandbox)
    read = read_rest_bookings(fetch)
    assert [r["activity_id"] for r in read.rows] == [f"LMS-B{n}" for n in range(1, 6)]
    assert read.cancelled == 1 and fetch.pages == 3
    asked = control(sandbox, "co/requests")
    assert asked == [
        "/lms/co/bookings?page_size=2",
        "/lms/co/bookings?page_size=2&cursor=2",
        "/lms/co/bookings?page_size=2&cursor=4",
    ]


def test_an_empty_feed_is_one_page_and_no_bookings(sandbox: SandboxServer) -> None:
    control(sandbox, "co/bookings", {"bookings": []})
    assert read_rest_bookings(fetcher(sandbox)).rows == []


@pytest.mark.parametrize("from_page", [1, 2])
def test_a_server_error_on_any_page_fails_the_whole_read_once(
    sandbox: SandboxServer, from_page: int
) -> None:
    control(sandbox, "co/bookings", {"bookings": [booking(n) for n in range(1, 6)]})
    control(sandbox, "co/fault", {"fault": "500", "from_page": from_page})
    with pytest.raises(BookingsUnavailable, match=f"page {from_page}: HTTP 500"):
        read_rest_bookings(fetcher(sandbox))
    assert len(control(sandbox, "co/requests")) == from_page  # asked once: no retry


def test_an_unknown_feed_fails(sandbox: SandboxServer) -> None:
    with pytest.raises(BookingsUnavailable, match="HTTP 404"):
        read_rest_bookings(fetcher(sandbox, feed="nobody"))


def test_a_refused_connection_fails_without_the_url() -> None:
    fetch = SessionPageFetcher(requests.Session(), "http://127.0.0.1:9", "lms/x/bookings", 10, 2)
    with pytest.raises(BookingsUnavailable, match="could not be reached") as caught:
        read_rest_bookings(fetch)
    assert "://" not in str(caught.value)


@pytest.mark.parametrize(
    ("pages", "words"),
    [
        ([[1, 2]], "not a JSON object"),
        ([{"data": "x"}], "not a JSON object"),
        ([{"data": [1]}], "booking objects"),
        ([{"data": [], "next": 7}], "not a link"),
        ([{"data": [], "next": "/p2"}, {"data": [], "next": "/p2"}], "links back"),
    ],
)
def test_a_page_outside_the_protocol_fails(pages: list[Any], words: str) -> None:
    answers = iter(pages)
    with pytest.raises(BookingsUnavailable, match=words):
        read_rest_bookings(lambda link: next(answers))


def test_next_links_stay_on_the_connection_host() -> None:
    base = "https://lms.example.com/api"
    assert (
        resolve_next(base, "bookings?cursor=2") == "https://lms.example.com/api/bookings?cursor=2"
    )
    assert resolve_next(base, "/v2/b?c=1") == "https://lms.example.com/v2/b?c=1"
    assert resolve_next(base, "https://lms.example.com/x") == "https://lms.example.com/x"
    with pytest.raises(BookingsUnavailable, match="another host"):
        resolve_next(base, "https://evil.example.net/collect")
    with pytest.raises(BookingsUnavailable, match="another host"):
        resolve_next(base, "http://lms.example.com/downgraded")


def test_the_stub_refuses_what_it_does_not_understand(sandbox: SandboxServer) -> None:
    base = f"http://127.0.0.1:{sandbox.port}"
    bad = requests.post(f"{base}/_sandbox/lms/co/bookings", json={"rows": []}, timeout=5)
    assert bad.status_code == 400
    assert requests.post(f"{base}/_sandbox/lms/co/nothing", json={}, timeout=5).status_code == 404
    assert requests.get(f"{base}/lms/co/bookings?page_size=x", timeout=5).status_code == 400
    # The marketplace side of the sandbox is untouched by the LMS routes.
    assert requests.get(f"{base}/_sandbox/health", timeout=5).json() == {"status": "ok"}
