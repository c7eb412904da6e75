"""An LMS that never sends its last page: the read stops at its deadline or its page limit."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests

from aerosync.config.training import RestSource
from aerosync.sandbox.server import SandboxServer
from aerosync.schedule.sources.bookings import BookingsUnavailable
from aerosync.schedule.sources.bookings_rest import SessionPageFetcher, read_rest_bookings
from aerosync.schedule.sources.lms import extract_bookings, local_bookings_reader
from tests.conftest import make_company

pytestmark = pytest.mark.unit


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(port=0) as server:
        yield server


def _endless(server: SandboxServer, feed: str, on: bool = True) -> None:
    url = f"http://127.0.0.1:{server.port}/_sandbox/lms/{feed}/endless"
    requests.post(url, json={"endless": on}, timeout=5).raise_for_status()


def _fetcher(server: SandboxServer, feed: str) -> SessionPageFetcher:
    base = f"http://127.0.0.1:{server.port}"
    return SessionPageFetcher(requests.Session(), base, f"lms/{feed}/bookings", 1, 5)


def test_an_endless_lms_sends_new_content_and_a_new_link_on_every_page(
    sandbox: SandboxServer,
) -> None:
    _endless(sandbox, "co")
    fetch = _fetcher(sandbox, "co")
    first, second = fetch(None), fetch(fetch(None)["next"])
    assert first["next"] and second["next"] and first["next"] != second["next"]
    assert first["data"] != second["data"]


def test_the_page_limit_stops_an_endless_lms(sandbox: SandboxServer) -> None:
    _endless(sandbox, "co")
    fetch = _fetcher(sandbox, "co")
    with pytest.raises(BookingsUnavailable, match="more than 25 pages"):
        read_rest_bookings(fetch, max_pages=25)
    assert fetch.pages == 25


def test_the_deadline_stops_an_endless_lms(sandbox: SandboxServer) -> None:
    _endless(sandbox, "co")
    fetch = _fetcher(sandbox, "co")
    started = time.monotonic()
    with pytest.raises(BookingsUnavailable, match=r"had not sent its last page after 0.5 s"):
        read_rest_bookings(fetch, max_pages=1_000_000, deadline_seconds=0.5)
    assert 0.5 <= time.monotonic() - started < 3
    assert fetch.pages > 1


def test_an_endless_lms_fails_and_holds_only_the_aircraft_it_covers(
    sandbox: SandboxServer,
) -> None:
    _endless(sandbox, "co")
    company = make_company(
        training={
            "bookings": {
                "rest": {"conn_id": "lms", "endpoint": "lms/co/bookings", "page_size": 5,
                         "deadline_seconds": 0.5, "max_pages": 100_000},
                "tails": ["N1BS"],
            }
        }
    )  # fmt: skip
    assert company.training is not None and company.training.bookings is not None
    reader = local_bookings_reader(
        company.training.bookings, {"lms": f"http://127.0.0.1:{sandbox.port}"}
    )
    lms = extract_bookings(company, reader, datetime.now(UTC), ["N1BS", "N2BS"])
    assert lms.failure is not None and lms.failure.tails == ("N1BS",)
    assert lms.failure.message.startswith(
        "skyway_charter: LMS bookings (REST, connection lms, lms/co/bookings) failed: "
    )
    assert "had not sent its last page after 0.5 s" in lms.failure.message


def test_rest_sources_have_a_deadline_and_a_page_limit_by_default() -> None:
    rest = RestSource(conn_id="lms", endpoint="bookings")
    assert (rest.deadline_seconds, rest.max_pages) == (60, 1000)
    with pytest.raises(ValueError):
        RestSource(conn_id="lms", endpoint="bookings", max_pages=0)
