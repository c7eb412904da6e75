"""Which sources of a run failed, and which aircraft each failed source holds.

The FMS feeds every aircraft of its company; an LMS feeds the aircraft its `training.bookings`
covers. A failed source holds exactly the aircraft it feeds (safety rule 1), with a reason that
names the company, the source and the cause, and never a secret (rule 5).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aerosync.redaction import REDACTED, redact

# A URL's user:password@ and query string; `password=...`-like pairs of a DSN or a message.
_URL_USERINFO = re.compile(r"(://)[^/\s@]*@")
_URL_QUERY = re.compile(r"(://[^\s?#'\"]*)\?[^\s#'\"]*")
_SECRET_PAIR = re.compile(
    r"\b(password|passwd|pwd|secret|token|api[_-]?key|apitoken|authorization)(\s*[=:]\s*)"
    r"(?!\*\*\*)(?:(?:bearer|basic)\s+)?[^\s,;&'\"]+",
    re.IGNORECASE,
)


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """A text from outside without the connection's `secrets` (every encoding of them, see
    `aerosync.redaction`), nor anything that looks like a credential: a URL's user info and query,
    `password=...`-like pairs."""
    text = redact(text, secrets)
    text = _URL_USERINFO.sub(rf"\1{REDACTED}@", text)
    text = _URL_QUERY.sub(rf"\1?{REDACTED}", text)
    return _SECRET_PAIR.sub(rf"\1\2{REDACTED}", text)


def engine_secrets(engine: Any) -> list[str]:
    """The secrets in a SQLAlchemy engine's URL: the password, and query values under a
    sensitive name (`sslpassword`, `token`, ...)."""
    from aerosync.redaction import is_sensitive_key

    url = getattr(engine, "url", None)
    if url is None:
        return []
    found = [str(url.password)] if url.password else []
    for key, value in dict(url.query).items():
        values = value if isinstance(value, tuple) else (value,)
        if is_sensitive_key(str(key)):
            found.extend(str(v) for v in values if v)
    return found


def safe_error(exc: BaseException, secrets: Iterable[str] = ()) -> str:
    """An exception as one short line, scrubbed (`scrub`) of the connection's `secrets` and of
    anything that looks like a credential before it is cut to length."""
    text = scrub(str(exc).strip(), secrets)
    first = text.splitlines()[0] if text else ""
    return f"{type(exc).__name__}: {first[:200]}"


@dataclass(frozen=True)
class FailedSource:
    """A source that failed, timed out or was stale in this run."""

    name: str
    message: str
    tails: tuple[str, ...] | None = None  # None: the source feeds every aircraft

    def covers(self, tail: str) -> bool:
        return self.tails is None or tail in self.tails

    def to_dict(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "tails": list(self.tails) if self.tails is not None else None,
        }

    @classmethod
    def staged(cls, name: str, value: str | Mapping[str, Any] | FailedSource) -> FailedSource:
        """From what `step_extract` staged; a bare message is a source of every aircraft."""
        if isinstance(value, FailedSource):
            return value
        if isinstance(value, str):
            return cls(name, value)
        tails = value.get("tails")
        return cls(name, str(value["message"]), tuple(tails) if tails is not None else None)


def failed_sources(
    staged: Mapping[str, str | Mapping[str, Any] | FailedSource],
) -> dict[str, FailedSource]:
    return {name: FailedSource.staged(name, value) for name, value in staged.items()}


def messages(staged: Mapping[str, str | Mapping[str, Any] | FailedSource]) -> dict[str, str]:
    """Source name -> its failure message."""
    return {name: source.message for name, source in failed_sources(staged).items()}


def failures_by_tail(failed: Iterable[FailedSource], tails: Iterable[str]) -> dict[str, str]:
    """For each aircraft fed by at least one failed source, the reasons joined into one line."""
    sources = list(failed)
    found = {}
    for tail in tails:
        reasons = [source.message for source in sources if source.covers(tail)]
        if reasons:
            found[tail] = "; ".join(reasons)
    return found
