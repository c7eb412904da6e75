"""The HTTP provider's hook, taught Avinode's authentication headers: the `avinode` connection type.

The connection is of type `avinode` (registered by this package, `aerosync.airflow.provider_info`:
a form with both tokens and a working "Test" button) or, as before, an ordinary `http` connection:
host = base URL (https is assumed when it has no scheme; plain http is refused except on this
machine, `aerosync.schedule.marketplace_url`), password = the authentication token (sent as
`Authorization: Bearer ...`), extra `api_token` (sent as `X-Avinode-ApiToken`). Extras are read by
name, never spread into headers, and nothing retries.
Every secret of the connection is registered with Airflow's secrets masker before the first call and
kept in `secrets` to redact what the marketplace answers.

Only `HttpHook`'s public surface is used (its constructor, `get_conn`'s signature, `get_connection`,
`url_from_endpoint`, and the attributes `http_conn_id`, `base_url`, `merged_extra`,
`keep_alive_adapter`); `tests/airflow/test_avinode_hook.py` fails if a provider upgrade changes it.
"""

from __future__ import annotations

from typing import Any

import requests
from airflow.providers.http.hooks.http import HttpHook

from aerosync.airflow.masking import mask_connection_secrets
from aerosync.models import Verdict
from aerosync.schedule.marketplace import SCHEDULES_ENDPOINT, request_headers
from aerosync.schedule.marketplace_url import marketplace_base_url

# Seconds a call (or a connection test's handshake and probe) may take when no timeout is given:
# Airflow builds the hook with the connection id only for its "Test" button.
DEFAULT_TIMEOUT = 10.0
# The extra holding the API token; the second spelling is how Airflow 2's forms stored it.
API_TOKEN_EXTRAS = ("api_token", "extra__avinode__api_token")


def api_token_of(extra: dict[str, Any]) -> str:
    return next((str(extra[k]) for k in API_TOKEN_EXTRAS if extra.get(k)), "")


class AvinodeHook(HttpHook):
    conn_type = "avinode"
    conn_name_attr = "avinode_conn_id"
    default_conn_name = "avinode_default"
    hook_name = "Avinode Marketplace"

    def __init__(
        self, avinode_conn_id: str = default_conn_name, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        super().__init__(method="PUT", http_conn_id=avinode_conn_id)
        self.timeout = timeout
        self._send_settings: dict[str, Any] | None = None
        self.secrets: list[str] = []

    def get_conn(
        self, headers: dict[Any, Any] | None = None, extra_options: dict[str, Any] | None = None
    ) -> requests.Session:
        """A session carrying both tokens, built from the connection's fields by name.

        The provider's own `get_conn` is not called: it would send the password as basic auth,
        spread every extra (the API token among them) into headers, and assume http for a bare
        host. Raises `InsecureMarketplace` (a ValueError) before the session exists when the URL
        would carry the tokens over plain http."""
        connection = self.get_connection(self.http_conn_id)
        self.secrets = mask_connection_secrets(connection)  # before any call
        self.base_url = marketplace_base_url(
            self.http_conn_id, connection.host, connection.schema, connection.port
        )
        # `run` hands these to `run_and_check`: our timeout, and answers checked by the caller.
        self.merged_extra = {
            **(extra_options or {}),
            "timeout": self.timeout,
            "check_response": False,
        }
        extra = connection.extra_dejson
        session = requests.Session()
        session.auth = None  # the password is a bearer token, never basic auth
        session.headers["Authorization"] = f"Bearer {connection.password or ''}"
        session.headers["X-Avinode-ApiToken"] = api_token_of(extra)
        verify = extra.get("verify")
        if verify is not None:
            session.verify = verify
        if self.keep_alive_adapter is not None:  # the provider's TCP keep-alive, as in its session
            session.mount("http://", self.keep_alive_adapter)
            session.mount("https://", self.keep_alive_adapter)
        if headers:
            session.headers.update(headers)
        return session

    def open_session(self) -> requests.Session:
        """One session per connection and batch. Raises `InsecureMarketplace` (a ValueError)
        before anything is sent when the URL would carry the tokens over plain http."""
        session = self.get_conn(extra_options={"timeout": self.timeout})
        if not session.headers.get("X-Avinode-ApiToken"):
            raise ValueError(
                f"connection {self.http_conn_id!r} has no extra 'api_token' "
                "(the Avinode API token, sent as X-Avinode-ApiToken)"
            )
        return session

    def put_schedule(self, session: requests.Session, body: bytes, product: str) -> Any:
        """One PUT /schedules with a fresh SentTimestamp; raises requests' errors as they are."""
        request = requests.Request(
            "PUT",
            self.url_from_endpoint(SCHEDULES_ENDPOINT),
            data=body,
            headers=request_headers(product),
        )
        prepared = session.prepare_request(request)
        if self._send_settings is None:  # proxies and CA bundle from the environment: read once
            self._send_settings = dict(
                session.merge_environment_settings(
                    prepared.url, proxies={}, stream=False, verify=session.verify, cert=session.cert
                )
            )
        settings = self._send_settings
        # Sent once: HttpHook.run_and_check would log a retry that never happens.
        return session.send(prepared, timeout=self.timeout, allow_redirects=False, **settings)

    def check_verdicts(self, product: str | None = None) -> list[Verdict]:
        """`aerosync check`'s verdicts on this connection: address, both tokens, TLS handshake,
        and the empty probe through the uploads' own session (`marketplace_check`)."""
        from aerosync.config.companies_file import default_product
        from aerosync.schedule.marketplace_check import (
            PROBE_BODY,
            MarketplaceSettings,
            marketplace_verdicts,
        )

        connection = self.get_connection(self.http_conn_id)
        secrets = mask_connection_secrets(connection)
        extra = connection.extra_dejson
        settings = MarketplaceSettings(
            conn_id=self.http_conn_id,
            host=connection.host,
            schema=connection.schema,
            port=connection.port,
            has_auth_token=bool(connection.password),
            has_api_token=bool(api_token_of(extra)),
            verify=extra.get("verify"),
        )

        def send_probe() -> Any:
            return self.put_schedule(self.get_conn(), PROBE_BODY, product or default_product())

        return marketplace_verdicts(settings, send_probe, self.timeout, secrets)

    def test_connection(self) -> tuple[bool, str]:
        """Airflow's "Test" button: the same verdicts as `aerosync check`, one per sentence."""
        verdicts = self.check_verdicts()
        words = "; ".join(f"{v.status}: {v.name}: {v.detail}" for v in verdicts)
        return all(v.ok for v in verdicts), words
