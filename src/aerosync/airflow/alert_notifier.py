"""Alert e-mails through the SMTP provider's notifier: one per aircraft per state change."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from html import escape
from typing import Any

from aerosync.config.companies import CompanyConfig
from aerosync.redaction import safe_error
from aerosync.status.alerts import AlertEvent

log = logging.getLogger(__name__)


def send_alerts(company: CompanyConfig, events: Sequence[AlertEvent], context: Any) -> int:
    """Send each event to the company's recipients; returns how many went out. A mail server
    that fails is logged, never fails the run: the status records stand on their own."""
    if company.alerts is None or not events:
        return 0
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    sent = 0
    for event in events:
        notifier = SmtpNotifier(
            to=company.alerts.email,
            from_email=company.alerts.from_email,
            subject=event.subject,
            html_content=f"<pre>{escape(event.text())}</pre>",
            smtp_conn_id=company.alerts.smtp_conn_id,
        )
        try:
            notifier.notify(context)  # subject and body given: nothing left to template
            sent += 1
        except Exception as exc:
            log.error(
                "%s: alert for %s (%s) not sent: %s",
                company.id,
                event.tail,
                event.change,
                safe_error(exc),
            )
    return sent
