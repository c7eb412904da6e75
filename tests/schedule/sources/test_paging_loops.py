"""Sources that page in a loop fail, naming the page, and an LMS error that echoes the request's
basic-auth header reaches no message (the LMS stub over real HTTP)."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from aerosync.paging import page_digest
from aerosync.redaction import connection_secrets
from aerosync.sandbox.server import SandboxServer
from aerosync.schedule.sources.bookings import BookingsUnavailable
from aerosync.schedule.sources.bookings_rest import SessionPageFetcher, read_rest_bookings
from tests.schedule.sources.test_bookings_rest import booking, control
from tests.test_redaction import Conn

pytestmark = pytest.mark.unit
LOGIN, PASSWORD = "lms-reader", "lms-pass-66a1b2"


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(port=0) as server:
        yield server


def test_new_links_to_the_same_bookings_forever_fail_at_the_first_repeat() -> None:
    asked: list[str | None] = []

    def fetch(link: str | None) -> Any:
        asked.append(link)
        return {"data": [booking(1), booking(2)], "next": f"/b?cursor={len(asked)}"}

    with pytest.raises(BookingsUnavailable, match=r"page 2 repeats page 1 .*loop"):
        read_rest_bookings(fetch)
    assert len(asked) == 2


def test_pages_of_new_bookings_and_empty_pages_are_not_a_loop() -> None:
    pages = iter(
        [
            {"data": [booking(1)], "next": "/b?c=1"},
            {"data": [], "next": "/b?c=2"},
            {"data": [], "next": "/b?c=3"},
            {"data": [booking(2)], "next": None},
        ]
    )
    assert len(read_rest_bookings(lambda link: next(pages)).rows) == 2


def test_digest_tells_rows_apart() -> None:
    assert page_digest([{"a": 1, "b": 2}]) == page_digest([{"b": 2, "a": 1}])
    assert page_digest([{"a": 1}]) != page_digest([{"a": 2}])


def test_an_lms_that_echoes_basic_auth_in_an_error_leaks_nothing(sandbox: SandboxServer) -> None:
    control(sandbox, "co/bookings", {"bookings": [booking(1)]})
    control(sandbox, "co/fault", {"fault": "echo"})
    session = requests.Session()
    session.auth = (LOGIN, PASSWORD)
    secrets = connection_secrets(Conn(login=LOGIN, password=PASSWORD))
    base = f"http://127.0.0.1:{sandbox.port}"
    fetch = SessionPageFetcher(session, base, "lms/co/bookings", 10, 5, secrets)
    with pytest.raises(BookingsUnavailable) as caught:
        read_rest_bookings(fetch)
    message = str(caught.value)
    token = base64.b64encode(f"{LOGIN}:{PASSWORD}".encode()).decode()
    assert "page 1: HTTP 401" in message and "Basic ***" in message, message
    assert token not in message and PASSWORD not in message
    raw = requests.get(f"{base}/lms/co/bookings", auth=(LOGIN, PASSWORD), timeout=5).text
    assert token in raw  # the stub really echoes it
