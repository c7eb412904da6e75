"""The HTTP provider's hook, taught Avinode's authentication headers.

The connection is an ordinary `http` connection: host = base URL (https is assumed when it has no
scheme; plain http is refused except on this machine, `aerosync.schedule.marketplace_url`),
password = the
authentication token (sent as `Authorization: Bearer ...`), extra `api_token` (sent as
`X-Avinode-ApiToken`). Extras are read by name, never spread into headers, and nothing retries.
Every secret of the connection is registered with Airflow's secrets masker before the first call
and kept in `secrets` to redact what the marketplace answers.
"""

from __future__ import annotations

from typing import Any

import requests
from airflow.providers.http.hooks.http import HttpHook

from aerosync.airflow.masking import mask_connection_secrets
from aerosync.schedule.marketplace import SCHEDULES_ENDPOINT, request_headers
from aerosync.schedule.marketplace_url import marketplace_base_url


class AvinodeHook(HttpHook):
    conn_type = "http"
    hook_name = "Avinode Marketplace"

    def __init__(self, avinode_conn_id: str, timeout: float) -> None:
        super().__init__(method="PUT", http_conn_id=avinode_conn_id)
        self.timeout = timeout
        self._send_settings: dict[str, Any] | None = None
        self.secrets: list[str] = []

    def _extract_auth(self, connection: Any) -> None:
        # The password is a bearer token, not the basic-auth secret HttpHook assumes.
        return None

    def _configure_session_from_extra(
        self, session: requests.Session, connection: Any, extra_options: dict[str, Any]
    ) -> requests.Session:
        self.merged_extra = {**extra_options, "timeout": self.timeout, "check_response": False}
        auth_token = connection.password or ""
        api_token = connection.extra_dejson.get("api_token") or ""
        self.secrets = mask_connection_secrets(connection)  # before any call
        session.headers["Authorization"] = f"Bearer {auth_token}"
        session.headers["X-Avinode-ApiToken"] = api_token
        verify = connection.extra_dejson.get("verify")
        if verify is not None:
            session.verify = verify
        return session

    def open_session(self) -> requests.Session:
        """One session per connection and batch. Raises `InsecureMarketplace` (a ValueError)
        before anything is sent when the URL would carry the tokens over plain http."""
        connection = self.get_connection(self.http_conn_id)
        self.secrets = mask_connection_secrets(connection)
        base_url = marketplace_base_url(
            self.http_conn_id, connection.host, connection.schema, connection.port
        )
        session = self.get_conn(extra_options={"timeout": self.timeout})
        self.base_url = base_url  # the provider would have assumed http for a bare host
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
