from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
import requests

from aerosync.models import Outcome
from aerosync.schedule.marketplace import (
    activity_for_path,
    interpret_exception,
    interpret_response,
    request_headers,
)

pytestmark = pytest.mark.unit
IDS = ["LEG-1", "LEG-2", "GE-3"]


def envelope(errors: list[dict[str, str]] | None = None) -> str:
    return json.dumps({"meta": {"errors": errors or [], "warnings": [], "infos": []}, "data": {}})


def test_headers_carry_a_fresh_timestamp_version_and_product_but_no_token() -> None:
    headers = request_headers("AeroSync/0.1.0", datetime(2026, 1, 1, 9, 30, 15, 4000, tzinfo=UTC))
    assert headers["X-Avinode-SentTimestamp"] == "2026-01-01T09:30:15.004Z"
    assert headers["X-Avinode-ApiVersion"] == "v1.0"
    assert headers["X-Avinode-Product"] == "AeroSync/0.1.0"
    assert headers["Content-Type"] == "application/json"
    assert not {"Authorization", "X-Avinode-ApiToken"} & set(headers)
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", request_headers("x")["X-Avinode-SentTimestamp"]
    )


def test_paths_name_the_activity_sent_at_that_index() -> None:
    assert activity_for_path("activities[1].startAirport", IDS) == "LEG-2"
    assert activity_for_path("activities[9].startAirport", IDS) is None
    assert activity_for_path("lift.aircraftTail", IDS) is None
    assert activity_for_path(None, IDS) is None


def test_200_without_errors_is_uploaded() -> None:
    result = interpret_response(200, envelope(), IDS)
    assert result.outcome is Outcome.UPLOADED and result.messages == []


def test_200_with_errors_is_uploaded_with_errors_tied_to_activities() -> None:
    error = {
        "title": "Invalid start airport",
        "code": "START_AIRPORT_INVALID",
        "path": "activities[1].startAirport",
    }
    result = interpret_response(200, envelope([error]), IDS)
    assert result.outcome is Outcome.UPLOADED_WITH_ERRORS
    (message,) = result.messages
    assert (message.code, message.activity_id, message.level) == (
        "START_AIRPORT_INVALID",
        "LEG-2",
        "error",
    )


@pytest.mark.parametrize("status", [400, 401, 403, 429, 500, 503])
def test_4xx_and_5xx_are_failures_with_a_readable_message(status: int) -> None:
    result = interpret_response(status, "<html>oops</html>", IDS)
    assert result.outcome is Outcome.FAILED and result.http_status == status
    assert f"HTTP {status}" in result.messages[0].title


def test_401_envelope_error_is_kept() -> None:
    error = {"title": "Invalid authorization", "code": "ERR_INPUT_GENERIC_INVALID"}
    result = interpret_response(401, envelope([error]), IDS)
    assert [m.code for m in result.messages] == ["ERR_INPUT_GENERIC_INVALID"]


def test_timeouts_and_refused_connections_are_failures_without_details() -> None:
    timeout = interpret_exception(requests.ReadTimeout("secret-url?token=abc"), 5)
    refused = interpret_exception(requests.ConnectionError("http://x:tok@host"), 5)
    assert timeout.outcome is Outcome.FAILED and timeout.messages[0].code == "TIMEOUT"
    assert refused.messages[0].code == "CONNECTION_FAILED"
    assert "tok" not in refused.messages[0].title and "abc" not in timeout.messages[0].title
