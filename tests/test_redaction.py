"""Redaction at the boundary: every secret of a connection, in every form a server may echo it in,
is out of a text before it is logged, stored, shown or raised; and which values are secrets."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from aerosync.models import Outcome
from aerosync.redaction import (
    REDACTED,
    basic_auth_token,
    connection_secrets,
    engine_secrets,
    error_excerpt,
    redact,
    redact_value,
    safe_error,
    scrub,
    url_secrets,
)
from aerosync.schedule.marketplace import interpret_response
from aerosync.schedule.marketplace_url import InsecureMarketplace, is_loopback, marketplace_base_url

pytestmark = pytest.mark.unit
PASSWORD = "p@ss word/ü+=&?%20"  # every character an encoding changes
TOKEN = "tok-3f9a1c77e2b44d0a"


@dataclass
class Conn:
    login: str | None = None
    password: str | None = None
    extra_dejson: dict[str, Any] = field(default_factory=dict)


def b64(text: str, encoding: str = "utf-8") -> str:
    return base64.b64encode(text.encode(encoding)).decode()


@pytest.mark.parametrize(
    "form",
    [
        PASSWORD,
        quote(PASSWORD, safe=""),
        quote(PASSWORD, safe="").lower(),  # lower-case hex
        quote_plus(PASSWORD, safe=""),
        quote(PASSWORD),
        json.dumps(PASSWORD)[1:-1],
        b64(PASSWORD),
        b64(PASSWORD).rstrip("="),
        base64.urlsafe_b64encode(PASSWORD.encode()).decode(),
    ],
    ids=[
        "plain",
        "quoted",
        "quoted-lower-hex",
        "quote-plus",
        "path-quoted",
        "json",
        "b64",
        "b64-unpadded",
        "b64-urlsafe",
    ],
)
def test_every_encoding_of_a_secret_is_redacted(form: str) -> None:
    text = f"401 Unauthorized; echo: [{form}] end"
    cleaned = redact(text, [PASSWORD])
    assert form not in cleaned and cleaned == f"401 Unauthorized; echo: [{REDACTED}] end"


def test_basic_auth_header_is_redacted_through_connection_secrets() -> None:
    conn = Conn(login="crew-sync", password=PASSWORD)
    header = f"Authorization: Basic {b64('crew-sync:' + PASSWORD, 'latin-1')}"
    secrets = connection_secrets(conn)
    assert b64("crew-sync:" + PASSWORD, "latin-1") in secrets
    assert redact(f"echo {header}; {PASSWORD}", secrets) == "echo Authorization: Basic ***; ***"
    assert basic_auth_token("a", "ü") == [b64("a:ü", "latin-1"), b64("a:ü")]


def test_bearer_token_and_api_token_headers_in_a_json_body() -> None:
    conn = Conn(password=TOKEN, extra_dejson={"api_token": "api-7788-secret", "timeout": 5})
    body = json.dumps({"headers": {"Authorization": f"Bearer {TOKEN}",
                                   "X-Avinode-ApiToken": "api-7788-secret"}})  # fmt: skip
    cleaned = redact(body, connection_secrets(conn))
    assert TOKEN not in cleaned and "api-7788-secret" not in cleaned
    assert json.loads(cleaned) == {
        "headers": {"Authorization": "Bearer ***", "X-Avinode-ApiToken": "***"}
    }


def test_sensitive_extras_at_any_depth_and_without_their_scheme() -> None:
    conn = Conn(
        login="user",
        extra_dejson={
            "token": "t-111111",
            "client_secret": "cs-222222",
            "X-Api-Key": "key-333333",
            "headers": {"Authorization": "Bearer hdr-444444"},
            "verify": False,
            "timeout": 30,
            "endpoint_path": "not-a-secret",
        },
    )
    secrets = connection_secrets(conn)
    for value in ("t-111111", "cs-222222", "key-333333", "Bearer hdr-444444", "hdr-444444"):
        assert value in secrets
    assert "not-a-secret" not in secrets and "user" not in secrets
    assert not any(s.startswith(b64("user:")[:4]) for s in secrets)  # no password: no basic


def test_longest_form_wins_and_short_or_empty_secrets_change_nothing() -> None:
    assert redact("Bearer abcd1234abcd", ["abcd", "abcd1234abcd"]) == "Bearer ***"
    assert redact("a pin of 123 stays", ["123", ""]) == "a pin of 123 stays"
    assert redact("", ["secret"]) == ""


def test_excerpt_is_redacted_before_it_is_cut() -> None:
    text = "x" * 195 + TOKEN + "y" * 50
    excerpt = error_excerpt(text, [TOKEN])
    assert TOKEN[:5] not in excerpt and excerpt.endswith("…")


def test_redact_value_walks_json_like_values() -> None:
    value = {"messages": [{"title": f"echo {TOKEN}", "http": 500}], "n": None}
    assert redact_value(value, [TOKEN]) == {
        "messages": [{"title": "echo ***", "http": 500}],
        "n": None,
    }


def test_marketplace_answers_are_redacted_before_they_are_read_or_clipped() -> None:
    secrets = [TOKEN, "api-7788-secret"]
    plain = "400 Bad Request\n" + "z" * 290 + f"Authorization: Bearer {TOKEN}"
    result = interpret_response(400, plain, [], secrets)
    assert result.outcome is Outcome.FAILED and result.http_status == 400
    assert TOKEN[:6] not in json.dumps([m.to_dict() for m in result.messages])
    envelope = {"meta": {"errors": [{"code": "ERR_500", "path": f"h/{TOKEN}",
                                     "title": f"headers: X-Avinode-ApiToken: api-7788-secret; "
                                              f"Authorization: Bearer {TOKEN}"}]}}  # fmt: skip
    result = interpret_response(500, json.dumps(envelope), [], secrets)
    (message,) = result.messages
    assert message.title == "headers: X-Avinode-ApiToken: ***; Authorization: Bearer ***"
    assert message.path == "h/***"


def test_safe_error_redacts_the_connection_and_anything_like_a_credential() -> None:
    exc = RuntimeError(
        f"could not connect to postgresql://bob:{PASSWORD}@db:5432/fms?sslpassword=x1y2z3 "
        f"(password={PASSWORD}); server says: FATAL: password authentication failed"
    )
    line = safe_error(exc, [PASSWORD])
    assert PASSWORD not in line and "x1y2z3" not in line and "bob" not in line
    assert "password authentication failed" in line and line.startswith("RuntimeError: ")
    assert scrub("token: Bearer abc.def.ghi") == "token: ***"


def test_engine_secrets_are_the_url_password_and_sensitive_query_values() -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(
        "postgresql+psycopg2://bob:pw-99887766@db/fms?sslpassword=kp-5544&application_name=x"
    )
    assert engine_secrets(engine) == ["pw-99887766", "kp-5544"]
    engine.dispose()


@pytest.mark.parametrize(
    ("host", "schema", "port", "expected"),
    [
        ("sandbox.avinode.com/api", None, None, "https://sandbox.avinode.com/api"),
        ("https://sandbox.avinode.com/api", None, None, "https://sandbox.avinode.com/api"),
        ("sandbox.avinode.com", "https", 8443, "https://sandbox.avinode.com:8443"),
        ("http://127.0.0.1:8080/api", None, None, "http://127.0.0.1:8080/api"),
        ("http://127.8.9.10/api", None, None, "http://127.8.9.10/api"),
        ("http://localhost:9/api", None, None, "http://localhost:9/api"),
        ("http://[::1]:9/api", None, None, "http://[::1]:9/api"),
        ("localhost", "http", 9, "http://localhost:9"),
    ],
)
def test_marketplace_url_is_https_or_loopback_http(
    host: str, schema: str | None, port: int | None, expected: str
) -> None:
    assert marketplace_base_url("avinode_x", host, schema, port) == expected


@pytest.mark.parametrize(
    ("host", "schema"),
    [
        ("http://sandbox.avinode.com/api", None),
        ("sandbox.avinode.com", "http"),
        ("http://10.0.0.5/api", None),
        ("http://127.0.0.1.evil.example/api", None),
        ("ftp://sandbox.avinode.com", None),
        ("", None),
    ],
)
def test_marketplace_url_refuses_plain_http_to_another_machine(
    host: str, schema: str | None
) -> None:
    with pytest.raises(InsecureMarketplace, match="'avinode_x'"):
        marketplace_base_url("avinode_x", host, schema)


def test_loopback_names() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("LOCALHOST")
    assert not is_loopback("10.0.0.1") and not is_loopback(None) and not is_loopback("local")


def test_a_webhook_url_path_is_its_secret_but_its_ordinary_words_are_not() -> None:
    url = "https://hooks.slack.com/services/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"
    secrets = url_secrets(url)
    assert secrets == [
        "services/T0ALERTS9/B0ALERTS7/Xy7kQ2pLm9sR4tVw8zA1bC3d",
        "T0ALERTS9", "B0ALERTS7", "Xy7kQ2pLm9sR4tVw8zA1bC3d",
    ]  # fmt: skip
    error = "Max retries exceeded with url: /services/T0ALERTS9/B0ALERTS7/Xy7kQ2pLm9sR4tVw8zA1bC3d"
    assert redact(error, secrets) == "Max retries exceeded with url: /***"
    assert redact("token Xy7kQ2pLm9sR4tVw8zA1bC3d echoed", secrets) == "token *** echoed"
    assert redact("the services are up", secrets) == "the services are up"
    teams = url_secrets("https://x.webhook.office.com/webhookb2/IncomingWebhook/abc?sig=s3cr3tsig")
    assert "sig=s3cr3tsig" in teams and "IncomingWebhook" not in teams
    assert url_secrets("hooks.example.com") == []
