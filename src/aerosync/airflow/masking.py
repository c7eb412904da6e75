"""A connection's secrets registered with Airflow's secrets masker before its first call.

Airflow masks a connection's password in task logs by itself, but not the forms a server echoes
it in (basic auth's base64 of `login:password`, URL-encoded) nor secrets kept in extras under
names it does not know. `mask_connection` registers all of them (`aerosync.redaction`) and
returns the secrets, for `redact` on every text that comes back.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Any

from airflow.sdk.log import mask_secret

from aerosync.redaction import connection_secrets, secret_forms

# Forms registered already, per process (a forked task must register its own): each
# registration is a message to the supervisor.
_MASKED: set[tuple[int, str]] = set()


def mask_secrets(secrets: Iterable[str]) -> None:
    """Every secret, in every form `redact` replaces, masked in this task's logs."""
    for secret in secrets:
        for form in sorted(secret_forms(secret)):
            if (os.getpid(), form) not in _MASKED:
                mask_secret(form)
                _MASKED.add((os.getpid(), form))


def mask_connection_secrets(conn: Any) -> list[str]:
    """The secrets of a connection object, masked; returned for `redact`."""
    secrets = connection_secrets(conn)
    mask_secrets(secrets)
    return secrets


def mask_connection(conn_id: str) -> list[str]:
    """The secrets of the connection `conn_id`, masked; [] when there is no such connection
    (the call that needs it then fails with its own message)."""
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        conn = BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        return []
    return mask_connection_secrets(conn)
