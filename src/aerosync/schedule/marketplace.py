"""What the marketplace's answers mean, per aircraft: outcome, HTTP status, messages.

Pure functions: the Airflow layer sends the request and hands the response (or the exception)
here. Messages are tied to the activity that an error's `path` names.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aerosync.models import Outcome
from aerosync.redaction import redact

API_VERSION = "v1.0"
SCHEDULES_ENDPOINT = "schedules"
_PATH_INDEX = re.compile(r"^activities\[(\d+)\]")
_MAX_TEXT = 300


@dataclass(frozen=True)
class Message:
    """One entry of the marketplace's `meta.errors` / `warnings` / `infos`, or our own note."""

    level: str
    code: str
    title: str
    path: str | None = None
    activity_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "code": self.code,
            "title": self.title,
            "path": self.path,
            "activity_id": self.activity_id,
        }


@dataclass
class UploadResult:
    outcome: Outcome
    http_status: int | None
    messages: list[Message] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return self.outcome in (Outcome.UPLOADED, Outcome.UPLOADED_WITH_ERRORS)


def sent_timestamp(now: datetime | None = None) -> str:
    """`X-Avinode-SentTimestamp`: ISO 8601 UTC with milliseconds, e.g. 2026-01-01T09:30:15.000Z."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def request_headers(product: str, now: datetime | None = None) -> dict[str, str]:
    """The per-call headers; the two tokens come from the connection, never from here."""
    return {
        "Content-Type": "application/json",
        "X-Avinode-SentTimestamp": sent_timestamp(now),
        "X-Avinode-ApiVersion": API_VERSION,
        "X-Avinode-Product": product,
    }


def activity_for_path(path: str | None, activity_ids: Sequence[str]) -> str | None:
    """`activities[1].startAirport` -> the id of the second activity sent."""
    if not path:
        return None
    match = _PATH_INDEX.match(path)
    if match is None:
        return None
    index = int(match.group(1))
    return activity_ids[index] if 0 <= index < len(activity_ids) else None


def _clip(text: str) -> str:
    return text if len(text) <= _MAX_TEXT else text[:_MAX_TEXT] + "…"


def _envelope_messages(
    body: Any, activity_ids: Sequence[str], secrets: Sequence[str] = ()
) -> list[Message]:
    meta = body.get("meta") if isinstance(body, dict) else None
    if not isinstance(meta, dict):
        return []
    messages = []
    for level, key in (("error", "errors"), ("warning", "warnings"), ("info", "infos")):
        for item in meta.get(key) or []:
            if not isinstance(item, dict):
                continue
            path = item.get("path")
            title = str(item.get("title") or item.get("message") or "")
            messages.append(
                Message(
                    level=level,
                    code=_clip(redact(str(item.get("code") or "UNKNOWN"), secrets)),
                    title=_clip(redact(title, secrets)),
                    path=_clip(redact(str(path), secrets)) if path is not None else None,
                    activity_id=activity_for_path(path, activity_ids),
                )
            )
    return messages


def interpret_response(
    status: int, text: str, activity_ids: Sequence[str], secrets: Sequence[str] = ()
) -> UploadResult:
    """HTTP 200 with `meta.errors` is "uploaded with errors"; 4xx/5xx are failures.

    The body comes from outside (a proxy or firewall may answer for the marketplace and echo the
    request's headers): it is redacted against the connection's `secrets` before anything of it
    is read or clipped, and every title again after decoding."""
    text = redact(text, secrets)
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = None
    messages = _envelope_messages(body, activity_ids, secrets)
    if 200 <= status < 300:
        has_errors = any(m.level == "error" for m in messages)
        outcome = Outcome.UPLOADED_WITH_ERRORS if has_errors else Outcome.UPLOADED
        return UploadResult(outcome, status, messages)
    if not any(m.level == "error" for m in messages):
        reason = _clip(text.strip()) if body is None and text.strip() else "no details given"
        messages.append(
            Message("error", f"HTTP_{status}", f"the marketplace answered HTTP {status}: {reason}")
        )
    return UploadResult(Outcome.FAILED, status, messages)


def interpret_exception(exc: BaseException, timeout: float) -> UploadResult:
    """A request that got no HTTP answer: timeout, refused or dropped connection, bad URL."""
    import requests

    if isinstance(exc, requests.Timeout):
        code, title = "TIMEOUT", f"no answer from the marketplace within {timeout:g} s"
    elif isinstance(exc, requests.ConnectionError):
        code, title = (
            "CONNECTION_FAILED",
            "could not connect to the marketplace, or it closed the connection without answering",
        )
    else:
        code, title = "REQUEST_FAILED", f"the request could not be sent: {type(exc).__name__}"
    return UploadResult(Outcome.FAILED, None, [Message("error", code, title)])
