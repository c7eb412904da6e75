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

from aerosync.config.companies import CompanyConfig
from aerosync.redaction import connection_secrets, secret_forms, url_secrets

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


def mask_webhook(conn_id: str) -> list[str]:
    """The secrets of a webhook's `http` connection, masked: those of `mask_connection` and the
    URL's path (its host holds the whole URL, and the path is the webhook's credential)."""
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        conn = BaseHook.get_connection(conn_id)
    except AirflowNotFoundException:
        return []
    secrets = connection_secrets(conn)
    secrets += [s for s in url_secrets(str(conn.host or "")) if s not in secrets]
    mask_secrets(secrets)
    return secrets


def company_connection_ids(company: CompanyConfig) -> list[str]:
    """Every connection a company's flows use: FMS, marketplace (and per-aircraft ones), the
    alerts' SMTP server and webhook, LMS, AMS, and the training sync's REST and LRS sources."""
    ids = [company.fms.conn_id, company.marketplace_conn_id, *company.aircraft_connections.values()]
    if company.alerts is not None:
        if company.alerts.email:
            ids.append(company.alerts.smtp_conn_id)
        if company.alerts.webhook_conn_id is not None:
            ids.append(company.alerts.webhook_conn_id)
    if company.ams is not None:
        ids.extend(company.ams.connection_ids())
    training = company.training
    if training is not None and training.bookings is not None and training.bookings.rest:
        ids.append(training.bookings.rest.conn_id)
    records = training.records if training is not None else None
    if records is not None:
        rest_sources = (records.hris, records.qualifications, records.ebt_gradings)
        for source in (*rest_sources, records.courses, records.enrolments):
            if source is not None and source.rest is not None:
                ids.append(source.rest.conn_id)
        if records.statements is not None and records.statements.lrs is not None:
            ids.append(records.statements.lrs.conn_id)
        if records.post_ebt_to is not None:
            ids.append(records.post_ebt_to.conn_id)
    return sorted(set(ids))


def company_secrets(company: CompanyConfig) -> list[str]:
    """The secrets of every connection of the company, masked: to redact a text whose source is
    not known (an upstream task's error, say)."""
    found: list[str] = []
    webhook = company.alerts.webhook_conn_id if company.alerts is not None else None
    for conn_id in company_connection_ids(company):
        secrets = mask_webhook(conn_id) if conn_id == webhook else mask_connection(conn_id)
        found.extend(s for s in secrets if s not in found)
    return found
