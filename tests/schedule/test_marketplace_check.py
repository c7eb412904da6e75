"""The marketplace connection's verdicts: the probe's answers in words, the tokens, the address,
and a real TLS handshake with a local server whose certificate nobody trusts."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from aerosync.models import CheckStatus
from aerosync.schedule.marketplace_check import (
    MarketplaceSettings,
    is_sandbox,
    marketplace_verdicts,
    probe_verdict,
    tls_verdict,
)

pytestmark = pytest.mark.unit
API = "api-token-secret-4471"


def settings(
    host: str, auth: bool = True, api: bool = True, verify: object = None
) -> MarketplaceSettings:
    return MarketplaceSettings("avinode_x", host, None, None, auth, api, verify)


def test_a_refused_token_is_named_with_the_marketplace_words_and_no_secret() -> None:
    body = '{"meta": {"errors": [{"title": "Invalid API token ' + API + '", "code": "ERR_X"}]}}'
    verdict = probe_verdict(401, body, [API])
    assert verdict.status is CheckStatus.FAILED
    assert verdict.detail.startswith("the marketplace refused the tokens (HTTP 401 ERR_X:")
    assert API not in verdict.detail


@pytest.mark.parametrize(
    ("status", "expected", "words"),
    [
        (400, CheckStatus.OK, "did not refuse the tokens"),
        (403, CheckStatus.FAILED, "refused these tokens access"),
        (404, CheckStatus.FAILED, "the host must be the API's base URL"),
        (200, CheckStatus.WARNING, "not the expected HTTP 400"),
        (503, CheckStatus.FAILED, "answered the probe with HTTP 503"),
    ],
)
def test_each_answer_to_the_probe(status: int, expected: CheckStatus, words: str) -> None:
    verdict = probe_verdict(status, "", [])
    assert verdict.status is expected and words in verdict.detail


def test_missing_tokens_and_plain_http_elsewhere_fail_without_a_probe() -> None:
    sent: list[int] = []
    verdicts = marketplace_verdicts(
        settings("http://avinode.example.com/api", api=False), lambda: sent.append(1), 5
    )
    assert [v.name for v in verdicts] == ["address", "both tokens set"]
    assert all(v.status is CheckStatus.FAILED for v in verdicts)
    assert "plain http would send the API tokens in clear" in verdicts[0].detail
    assert "no the API token (extra `api_token`)" in verdicts[1].detail
    assert not sent


def test_no_probe_when_a_token_is_missing_on_a_sandbox() -> None:
    sent: list[int] = []
    verdicts = marketplace_verdicts(
        settings("http://127.0.0.1:9/api", auth=False), lambda: sent.append(1), 5
    )
    assert [v.status for v in verdicts] == [CheckStatus.OK, CheckStatus.FAILED]
    assert not sent


def test_a_probe_without_answer_is_named() -> None:
    def refuse() -> object:
        import requests

        raise requests.ConnectionError("refused")

    verdicts = marketplace_verdicts(settings("http://127.0.0.1:9/api"), refuse, 5)
    assert verdicts[-1].status is CheckStatus.FAILED
    assert "could not connect to the marketplace" in verdicts[-1].detail


@pytest.fixture(scope="module")
def untrusted_tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    """A TLS server on 127.0.0.1 with a self-signed certificate; yields its port and the cert."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    address = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(address, critical=False)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_path, key_path)
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                client, _ = server.accept()
            except OSError:
                continue
            try:
                with context.wrap_socket(client, server_side=True):
                    pass
            except (ssl.SSLError, OSError):
                pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield server.getsockname()[1], cert_path
    stop.set()
    thread.join(2)
    server.close()


def test_an_untrusted_certificate_fails_the_handshake(untrusted_tls: tuple[int, Path]) -> None:
    port, _ = untrusted_tls
    verdict = tls_verdict(f"https://127.0.0.1:{port}/api", 5)
    assert verdict.status is CheckStatus.FAILED
    assert f"the certificate of 127.0.0.1:{port} was refused" in verdict.detail


def test_a_trusted_bundle_passes_and_no_verification_warns(untrusted_tls: tuple[int, Path]) -> None:
    port, cert = untrusted_tls
    trusted = tls_verdict(f"https://127.0.0.1:{port}/api", 5, verify=str(cert))
    assert trusted.status is CheckStatus.OK and "certificate verified" in trusted.detail
    unverified = tls_verdict(f"https://127.0.0.1:{port}/api", 5, verify=False)
    assert unverified.status is CheckStatus.WARNING and "not verified" in unverified.detail


def test_nothing_listening_is_named() -> None:
    from aerosync.dev.environment import free_port

    port = free_port()
    verdict = tls_verdict(f"https://127.0.0.1:{port}/api", 2)
    assert verdict.status is CheckStatus.FAILED and "refused the connection" in verdict.detail


def test_production_is_never_probed(
    untrusted_tls: tuple[int, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Avinode forbids test calls against production: a host that is not a sandbox gets its
    address, tokens and handshake checked, and a warning instead of the probe. (No DNS here for
    a real production name: the local TLS server stands in, declared not a sandbox.)"""
    from aerosync.schedule import marketplace_check

    port, cert = untrusted_tls
    sent: list[int] = []
    production = settings(f"https://127.0.0.1:{port}/api", verify=str(cert))
    monkeypatch.setattr(marketplace_check, "is_sandbox", lambda _url: False)
    verdicts = marketplace_verdicts(production, lambda: sent.append(1), 5)
    assert sent == []
    assert [v.status for v in verdicts[:-1]] == [CheckStatus.OK] * (len(verdicts) - 1)
    last = verdicts[-1]
    assert last.status is CheckStatus.WARNING and "is not a sandbox" in last.detail
    monkeypatch.undo()
    assert is_sandbox("https://sandbox.avinode.com/api") and is_sandbox("http://127.0.0.1:8765")
    assert not is_sandbox("https://services.avinode.com/api")
