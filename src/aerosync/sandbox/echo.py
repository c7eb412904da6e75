"""Answers that echo the request's headers, as a misconfigured proxy, firewall or partner API
does: the sandbox's switches to prove that no secret sent in a header comes back into AeroSync's
logs, records or pages (safety rule 5).

Marketplace faults (`POST /_sandbox/faults {"tail": ..., "fault": ...}`): `echo400`, `echo500`
(Avinode's JSON envelope, the headers in an error's title) and `echo400text`, `echo500text` (a
plain-text body listing the headers). The LMS, HRIS and LRS stubs take the fault `echo` (HTTP 401,
JSON, every request header echoed).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

_ECHO = re.compile(r"^echo(\d{3})(text)?$")
_CREDENTIALS = ("authorization", "x-avinode-apitoken")


@dataclass(frozen=True)
class EchoFault:
    status: int
    plain_text: bool


def echo_fault(fault: str | None) -> EchoFault | None:
    """`echo500` -> HTTP 500 as JSON; `echo400text` -> HTTP 400 as plain text; else None."""
    match = _ECHO.match(fault or "")
    if match is None:
        return None
    return EchoFault(int(match.group(1)), match.group(2) is not None)


def _lines(headers: Any) -> list[str]:
    """Every header as `Name: value`, the credentials first (so that any cut keeps them)."""
    items: Iterable[tuple[str, str]] = headers.items()
    lines = [f"{name}: {value}" for name, value in items]
    return sorted(lines, key=lambda line: not line.lower().startswith(_CREDENTIALS))


def echo_text(status: int, headers: Any) -> str:
    return f"{status} Request rejected by the gateway\nRequest headers:\n" + "\n".join(
        _lines(headers)
    )


def echo_envelope(status: int, headers: Any) -> dict[str, Any]:
    """Avinode's envelope, one error whose title carries every header, and each header again
    under `data` (so both a title and a raw body carry the secrets)."""
    title = "Request rejected; headers received: " + "; ".join(_lines(headers))
    return {
        "meta": {
            "errors": [{"title": title, "code": f"ERR_{status}"}],
            "warnings": [],
            "infos": [],
        },
        "data": {"requestHeaders": dict(headers.items())},
    }


def echo_json(headers: Any) -> dict[str, Any]:
    """A partner API's 401 that echoes the request (the LMS, HRIS and LRS stubs' `echo`)."""
    return {
        "error": "unauthorized",
        "detail": "Authentication failed for request with " + "; ".join(_lines(headers)),
        "request": {"headers": dict(headers.items())},
    }
