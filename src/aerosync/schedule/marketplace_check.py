"""Whether a marketplace connection can upload: its address, its two tokens, the TLS handshake,
and whether the marketplace accepts the tokens (`aerosync check`, the avinode connection's "Test").

Avinode's public API offers no authenticated read (shared/design/avinode-api.md): the one call
that proves the tokens is `PUT /schedules`. The probe sends it with the body `{}`, which names no
aircraft, so no schedule can change: the marketplace refuses unknown tokens with HTTP 401 and then
the empty body with HTTP 400 (`ERR_INPUT_MISSING`), the answer a working connection gets.

Avinode forbids development or test calls against production, so the probe goes only to a
sandbox: a host on this machine, or one whose name says `sandbox` (`sandbox.avinode.com`). Against
any other host the tokens are checked for presence only, and the check says so (a warning): the
first real upload proves them.
"""

from __future__ import annotations

import os
import socket
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from aerosync.models import Verdict
from aerosync.redaction import safe_error, scrub
from aerosync.schedule.marketplace import interpret_exception, interpret_response
from aerosync.schedule.marketplace_url import InsecureMarketplace, marketplace_base_url

PROBE_BODY = b"{}"
ADDRESS, TOKENS, TLS, ACCEPTED = "address", "both tokens set", "TLS handshake", "tokens accepted"


@dataclass(frozen=True)
class MarketplaceSettings:
    """What a marketplace connection holds, without its secrets (only whether each is set)."""

    conn_id: str
    host: str | None
    schema: str | None
    port: int | None
    has_auth_token: bool
    has_api_token: bool
    verify: Any = None  # the `verify` extra: None, a bool, or a CA bundle's path


def marketplace_verdicts(
    settings: MarketplaceSettings,
    send_probe: Callable[[], Any],
    timeout: float,
    secrets: Sequence[str] = (),
) -> list[Verdict]:
    """The address, the tokens, the TLS handshake and the probe, in that order; a step that
    cannot be taken because an earlier one failed is left out (its cause is already named)."""
    verdicts = [tokens_verdict(settings)]
    try:
        base_url = marketplace_base_url(
            settings.conn_id, settings.host, settings.schema, settings.port
        )
    except InsecureMarketplace as exc:
        return [Verdict.failed(ADDRESS, str(exc)), *verdicts]
    verdicts.insert(0, address_verdict(base_url))
    if urlsplit(base_url).scheme == "https":
        handshake = tls_verdict(base_url, timeout, settings.verify)
        verdicts.append(handshake)
        if not handshake.ok:
            return verdicts
    if not verdicts[1].ok:
        return verdicts
    if not is_sandbox(base_url):
        verdicts.append(
            Verdict.warned(
                ACCEPTED,
                f"not tested: {urlsplit(base_url).hostname} is not a sandbox, and Avinode forbids "
                "test calls against production; the first upload proves the tokens (its outcome "
                "is on the Schedule uploads page)",
            )
        )
        return verdicts
    try:
        response = send_probe()
    except Exception as exc:  # no answer: timeout, refused, reset
        message = interpret_exception(exc, timeout).messages[0]
        verdicts.append(Verdict.failed(ACCEPTED, f"{message.title} ({safe_error(exc, secrets)})"))
        return verdicts
    verdicts.append(probe_verdict(int(response.status_code), str(response.text or ""), secrets))
    return verdicts


def is_sandbox(base_url: str) -> bool:
    """Whether a test call may go to this marketplace: a local stand-in or Avinode's sandbox."""
    host = (urlsplit(base_url).hostname or "").lower()
    return host in ("localhost", "127.0.0.1", "::1") or "sandbox" in host


def address_verdict(base_url: str) -> Verdict:
    shown = scrub(base_url)
    if urlsplit(base_url).scheme == "https":
        return Verdict.passed(ADDRESS, f"{shown} (https)")
    return Verdict.passed(
        ADDRESS, f"{shown}: plain http, allowed only to this machine (a local sandbox)"
    )


def tokens_verdict(settings: MarketplaceSettings) -> Verdict:
    missing = []
    if not settings.has_auth_token:
        missing.append("the authentication token (the connection's password)")
    if not settings.has_api_token:
        missing.append("the API token (extra `api_token`)")
    if missing:
        return Verdict.failed(TOKENS, f"no {' and no '.join(missing)}; Avinode issues both")
    return Verdict.passed(TOKENS, "authentication token and API token are set")


def _ca_bundle(verify: Any) -> str | None:
    """Where requests would find its trusted certificates: the `verify` extra's path, else
    REQUESTS_CA_BUNDLE, else certifi's bundle (not the system's store)."""
    if isinstance(verify, str) and verify.lower() not in ("true", "false"):
        return verify
    from_env = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if from_env:
        return from_env
    import certifi  # requests' own bundle

    return str(certifi.where())


def tls_verdict(base_url: str, timeout: float, verify: Any = None) -> Verdict:
    """A TLS handshake with the marketplace's host, verifying its certificate as the uploads do."""
    parts = urlsplit(base_url)
    host, port = parts.hostname or "", parts.port or 443
    unverified = verify is False or (isinstance(verify, str) and verify.lower() == "false")
    context = ssl.create_default_context(cafile=_ca_bundle(verify))
    if unverified:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    try:
        with (
            socket.create_connection((host, port), timeout=timeout) as raw,
            context.wrap_socket(raw, server_hostname=host) as tls,
        ):
            version = tls.version()
    except ssl.SSLCertVerificationError as exc:
        reason = exc.verify_message or "not trusted"
        return Verdict.failed(TLS, f"the certificate of {host}:{port} was refused: {reason}")
    except TimeoutError:
        return Verdict.failed(TLS, f"no TLS handshake with {host}:{port} within {timeout:g} s")
    except socket.gaierror:
        return Verdict.failed(TLS, f"the host name {host} could not be resolved (DNS)")
    except ConnectionRefusedError:
        return Verdict.failed(TLS, f"{host}:{port} refused the connection (nothing listens)")
    except OSError as exc:  # ssl.SSLError among them: not TLS, an old protocol, reset
        return Verdict.failed(
            TLS, f"the TLS handshake with {host}:{port} failed: {safe_error(exc)}"
        )
    if unverified:
        return Verdict.warned(
            TLS,
            f"handshake with {host}:{port} ({version}), but its certificate is not verified "
            "(extra `verify: false`): anyone between could read the tokens",
        )
    return Verdict.passed(TLS, f"handshake with {host}:{port} ({version}), certificate verified")


def probe_verdict(status: int, text: str, secrets: Sequence[str] = ()) -> Verdict:
    """The marketplace's answer to the empty probe (`PROBE_BODY`), in words."""
    errors = [
        m for m in interpret_response(status, text, [], secrets).messages if m.level == "error"
    ]
    said = "; ".join(f"{m.code}: {m.title}" for m in errors[:3])
    answer = f"HTTP {status}" + (f" {said}" if said else "")
    if status == 400:
        return Verdict.passed(
            ACCEPTED,
            f"the marketplace did not refuse the tokens: it answered the empty probe (no aircraft, "
            f"nothing changes) with {answer}, as expected",
        )
    if status == 401:
        return Verdict.failed(ACCEPTED, f"the marketplace refused the tokens ({answer})")
    if status == 403:
        return Verdict.failed(
            ACCEPTED, f"the marketplace refused these tokens access to schedules ({answer})"
        )
    if status == 404:
        return Verdict.failed(
            ACCEPTED,
            f"no schedules endpoint at this address ({answer}): the host must be the API's base "
            "URL, e.g. https://sandbox.avinode.com/api",
        )
    if 200 <= status < 300:
        return Verdict.warned(
            ACCEPTED,
            f"the marketplace accepted the tokens but answered the empty probe with {answer}, "
            "not the expected HTTP 400",
        )
    return Verdict.failed(ACCEPTED, f"the marketplace answered the probe with {answer}")
