"""Alerts through Airflow's notifiers, on each channel the company chose (`alerts:`): e-mail
through the SMTP provider's `SmtpNotifier`, a Slack-compatible webhook (`{"text": ...}`, which
Slack, Mattermost, Rocket.Chat and Teams' workflows accept) through the HTTP provider's
`HttpNotifier`.

A channel that fails is logged, redacted, and never fails the run nor stops the other channel:
the status records and the quarantine stand on their own. Nothing is retried (one message per
event, never two), and the webhook call has a timeout.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from html import escape
from typing import Any, Protocol

from aerosync.config.companies import Alerts, CompanyConfig
from aerosync.redaction import safe_error

log = logging.getLogger(__name__)


class Alert(Protocol):
    """A message for people: the upload's `AlertEvent`, the crew sync's `CrewSyncAlert`."""

    @property
    def about(self) -> str: ...

    @property
    def subject(self) -> str: ...

    def text(self) -> str: ...


def send_alerts(company: CompanyConfig, alerts: Sequence[Alert], context: Any) -> int:
    """Send each alert once on each of the company's channels; returns how many alerts went out
    on at least one channel (a channel's failure is in the log)."""
    if company.alerts is None or not alerts:
        return 0
    config = company.alerts
    secrets = _channel_secrets(config)
    sent = 0
    for alert in alerts:
        delivered = False
        for channel, send in _channels(config):
            try:
                send(alert, context)
                delivered = True
            except Exception as exc:
                log.error(
                    "%s: alert about %s not sent by %s: %s",
                    company.id,
                    alert.about,
                    channel,
                    safe_error(exc, secrets),
                )
        sent += delivered
    return sent


Send = Callable[[Alert, Any], None]


def _channels(config: Alerts) -> list[tuple[str, Send]]:
    channels: list[tuple[str, Send]] = []
    if config.email:
        channels.append(("e-mail", lambda alert, context: _send_email(config, alert, context)))
    if config.webhook_conn_id is not None:
        channels.append(("webhook", lambda alert, context: _post_webhook(config, alert, context)))
    return channels


def _channel_secrets(config: Alerts) -> list[str]:
    """The secrets of the channels' connections, masked in the task log before any call (the
    webhook's URL path among them), for `safe_error` on what a failing channel raises."""
    from aerosync.airflow.masking import mask_connection, mask_webhook

    secrets: list[str] = []
    try:
        if config.email:
            secrets += mask_connection(config.smtp_conn_id)
        if config.webhook_conn_id is not None:
            secrets += mask_webhook(config.webhook_conn_id)
    except Exception as exc:  # the send itself then fails with its own, redacted, error
        log.warning("alert connections could not be read: %s", safe_error(exc, secrets))
    return secrets


def _send_email(config: Alerts, alert: Alert, context: Any) -> None:
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    SmtpNotifier(
        to=config.email,
        from_email=config.from_email,
        subject=alert.subject,
        html_content=f"<pre>{escape(alert.text())}</pre>",
        smtp_conn_id=config.smtp_conn_id,
    ).notify(context)  # subject and body given: nothing left to template


def _post_webhook(config: Alerts, alert: Alert, context: Any) -> None:
    """One POST of Slack's incoming-webhook body to the connection's URL (its host; no
    endpoint), with the subject as the first line: the same words as the e-mail."""
    from airflow.providers.http.notifications.http import HttpNotifier

    assert config.webhook_conn_id is not None  # only a channel when set
    HttpNotifier(
        http_conn_id=config.webhook_conn_id,
        method="POST",
        json={"text": f"{alert.subject}\n{alert.text()}"},
        headers={"Content-Type": "application/json"},
        extra_options={"timeout": config.webhook_timeout_seconds, "check_response": True},
    ).notify(context)
