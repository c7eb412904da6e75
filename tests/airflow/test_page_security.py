"""The status pages' security headers and same-origin check, on a small Starlette app."""

from __future__ import annotations

import pytest
from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from aerosync.airflow.page_security import SECURITY_HEADERS, SecurityHeaders, posted_from_our_page

pytestmark = pytest.mark.airflow


def make_app() -> FastAPI:
    app = FastAPI()
    app.add_middleware(SecurityHeaders)

    @app.post("/check")
    def check(request: Request) -> dict[str, bool]:
        return {"ok": posted_from_our_page(request, also="https://airflow.example.com/")}

    return app


def test_every_answer_carries_the_headers_errors_included() -> None:
    client = TestClient(make_app())
    for answer in (client.post("/check"), client.get("/nowhere")):
        assert {k: answer.headers.get(k) for k in SECURITY_HEADERS} == SECURITY_HEADERS
    assert "frame-ancestors 'self'" in SECURITY_HEADERS["Content-Security-Policy"]


@pytest.mark.parametrize(
    ("headers", "ok"),
    [
        ({"Origin": "http://testserver"}, True),
        ({"Referer": "http://testserver/aerosync/status"}, True),
        ({"Origin": "https://airflow.example.com"}, True),  # behind a proxy: [api] base_url
        ({"Origin": "http://testserver:9"}, False),  # same site, other port: another app
        ({"Origin": "http://evil.example"}, False),
        ({"Origin": "null"}, False),
        ({"Referer": "not a url"}, False),
        ({}, False),
    ],
)
def test_only_a_post_from_our_own_origin_passes(headers: dict[str, str], ok: bool) -> None:
    assert TestClient(make_app()).post("/check", headers=headers).json() == {"ok": ok}
