"""Redaction at the boundary: a connection's secrets out of every text that comes from outside.

A marketplace, proxy, LMS, HRIS or LRS may answer an error with a body that echoes the request's
headers (`Authorization: Bearer <token>`, `X-Avinode-ApiToken`, `Authorization: Basic <base64 of
login:password>`), and a driver may put its URL in an exception. Before such a text is logged,
stored, shown or raised, `redact(text, secrets)` replaces every secret of the connection in use,
in its plain form and in the encodings a server may echo it in (base64, URL-encoded, JSON-escaped),
with `***`. `connection_secrets(conn)` gives the secret values of an Airflow connection (or any
object with `login`, `password` and `extra_dejson`) without importing Airflow.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from typing import Any, Protocol
from urllib.parse import quote, quote_plus

REDACTED = "***"
# Shorter values are not redacted: a 1-3 character "secret" would blank out ordinary words.
# (Airflow's own masker skips values under 5 characters.)
MIN_SECRET_LENGTH = 4
EXCERPT_LENGTH = 200  # characters of an error answer quoted in a message, after redaction
# An extra whose name contains one of these holds a secret (api_token, X-Api-Key, client_secret,
# Authorization, ...); matched case-insensitively, ignoring "-" and "_".
SENSITIVE_KEY_PARTS = (
    "token",
    "secret",
    "password",
    "passwd",
    "authorization",
    "key",
    "credential",
    "cookie",
    "private",
)
_AUTH_SCHEMES = ("bearer ", "basic ", "token ", "apikey ", "digest ")
_PERCENT = re.compile(r"%[0-9A-F]{2}")


class ConnectionLike(Protocol):
    """What `connection_secrets` reads of an Airflow connection."""

    @property
    def login(self) -> str | None: ...

    @property
    def password(self) -> str | None: ...

    @property
    def extra_dejson(self) -> dict[str, Any]: ...


def _b64_forms(raw: bytes) -> Iterator[str]:
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        encoded = encode(raw).decode("ascii")
        yield encoded
        yield encoded.rstrip("=")


def basic_auth_token(login: str, password: str) -> list[str]:
    """The base64 of `login:password` as basic auth sends it (requests encodes latin-1 when it
    can, else UTF-8)."""
    plain = f"{login}:{password}"
    tokens = []
    for encoding in ("latin-1", "utf-8"):
        try:
            token = base64.b64encode(plain.encode(encoding)).decode("ascii")
        except UnicodeEncodeError:
            continue
        if token not in tokens:
            tokens.append(token)
    return tokens


@lru_cache(maxsize=256)
def _forms(secret: str) -> frozenset[str]:
    return frozenset(secret_forms(secret))


def secret_forms(secret: str) -> set[str]:
    """The secret as a server may echo it: plain, URL-encoded (either hex case, `+` or `%20` for a
    space), JSON-escaped, and base64 (standard and URL-safe, with and without padding)."""
    forms = {secret}
    for quoted in (quote(secret, safe=""), quote_plus(secret, safe=""), quote(secret)):
        forms.add(quoted)
        forms.add(_PERCENT.sub(lambda m: m.group(0).lower(), quoted))
    forms.add(json.dumps(secret)[1:-1])
    forms.add(json.dumps(secret, ensure_ascii=False)[1:-1])
    forms.update(_b64_forms(secret.encode("utf-8")))
    return {form for form in forms if len(form) >= MIN_SECRET_LENGTH}


def _patterns(secrets: Iterable[str]) -> list[str]:
    forms: set[str] = set()
    for secret in secrets:
        if secret and len(secret) >= MIN_SECRET_LENGTH:
            forms |= _forms(secret)
    return sorted(forms, key=lambda form: (-len(form), form))  # longest first


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret, in every form of `secret_forms`, replaced by `***`."""
    if not text:
        return text
    forms = [form for form in _patterns(secrets) if form in text]
    if not forms:
        return text
    return re.sub("|".join(re.escape(form) for form in forms), REDACTED, text)


def error_excerpt(text: str, secrets: Iterable[str], length: int = EXCERPT_LENGTH) -> str:
    """The start of an answer from outside, on one line, redacted before it is cut (a cut must
    not leave half a secret that no longer matches)."""
    cleaned = " ".join(redact(text, secrets).split())
    return cleaned if len(cleaned) <= length else cleaned[:length] + "…"


def redact_value(value: Any, secrets: Iterable[str]) -> Any:
    """Every string inside a JSON-like value (dicts, lists) redacted; other values as they are."""
    chosen = list(secrets)
    if isinstance(value, str):
        return redact(value, chosen)
    if isinstance(value, Mapping):
        return {key: redact_value(item, chosen) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact_value(item, chosen) for item in value]
    return value


def is_sensitive_key(name: str) -> bool:
    normalised = re.sub(r"[\W_]+", "", name.lower())
    return any(part in normalised for part in SENSITIVE_KEY_PARTS)


def _without_scheme(value: str) -> Iterator[str]:
    yield value
    lowered = value.lower()
    for scheme in _AUTH_SCHEMES:
        if lowered.startswith(scheme):
            yield value[len(scheme) :].strip()


def _sensitive_values(extra: Any, sensitive: bool = False) -> Iterator[str]:
    """String values under sensitive key names, at any depth (e.g. `headers.Authorization`)."""
    if isinstance(extra, Mapping):
        for key, value in extra.items():
            yield from _sensitive_values(value, sensitive or is_sensitive_key(str(key)))
    elif isinstance(extra, list | tuple):
        for item in extra:
            yield from _sensitive_values(item, sensitive)
    elif sensitive and isinstance(extra, str) and extra:
        yield from _without_scheme(extra)


def connection_secrets(conn: ConnectionLike) -> list[str]:
    """The secret values of a connection: its password, every extra under a sensitive key name
    (and the credential of an `Authorization`-style value without its scheme), and the base64 of
    `login:password` when both are set."""
    found: list[str] = []

    def add(value: str | None) -> None:
        if value and value not in found:
            found.append(value)

    add(conn.password)
    try:
        extra = conn.extra_dejson
    except Exception:  # an unreadable extra holds no secret we could name
        extra = {}
    for value in _sensitive_values(extra):
        add(value)
    if conn.login and conn.password:
        for token in basic_auth_token(conn.login, conn.password):
            add(token)
    return found


def url_secrets(url: str) -> list[str]:
    """The secret parts of a URL whose path is its credential (a Slack-style webhook:
    `https://hooks.slack.com/services/T0…/B0…/<token>`): the path with its query, the query, and
    each path segment that looks generated (16 characters or more, or 8 or more with a digit),
    so that a server or a client library that quotes part of the path gives nothing away.
    Ordinary words of a path ("services", "IncomingWebhook") are not secrets."""
    from urllib.parse import urlsplit

    parts = urlsplit(url if "://" in url else f"//{url}")
    found: list[str] = []
    path = parts.path.strip("/")
    for value in (path + (f"?{parts.query}" if parts.query else ""), path, parts.query):
        if value and value not in found:
            found.append(value)
    for segment in path.split("/"):
        generated = len(segment) >= 16 or (len(segment) >= 8 and any(c.isdigit() for c in segment))
        if generated and segment not in found:
            found.append(segment)
    return found


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
