"""The schedule-upload steps run in one process, without Airflow.

For the benchmarks' "pipeline core" figures and for tests that trip every expectation and guard
through the real steps. Uploads go through a plain `requests` session with the same headers the
Airflow hook sends; the Airflow path itself is covered by the end-to-end tests.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests
from sqlalchemy import Engine

from aerosync.config.companies import CompanyConfig
from aerosync.schedule.build import build_schedules
from aerosync.schedule.marketplace import SCHEDULES_ENDPOINT, request_headers
from aerosync.schedule.record import RunSummary, step_record_status
from aerosync.schedule.sources.ams import AmsReader
from aerosync.schedule.sources.lms import BookingsReader
from aerosync.schedule.stages import Stores
from aerosync.schedule.upload import ConnectionProblem, step_upload


@dataclass(frozen=True)
class MarketplaceAccount:
    base_url: str
    auth_token: str
    api_token: str


@dataclass
class SessionSender:
    """PUT /schedules with plain requests: one session per marketplace connection id."""

    accounts: Mapping[str, MarketplaceAccount]
    product: str
    timeout: float = 30
    _local: threading.local = field(default_factory=threading.local, repr=False)

    def __call__(self, conn_id: str, body: bytes) -> requests.Response:
        account = self.accounts.get(conn_id)
        if account is None:
            raise ConnectionProblem(f"marketplace connection {conn_id!r} is not defined")
        # A session per thread: the upload may have several calls in flight.
        sessions: dict[str, requests.Session] = self._local.__dict__.setdefault("sessions", {})
        session = sessions.get(conn_id)
        if session is None:
            session = requests.Session()
            session.headers["Authorization"] = f"Bearer {account.auth_token}"
            session.headers["X-Avinode-ApiToken"] = account.api_token
            sessions[conn_id] = session
        url = f"{account.base_url.rstrip('/')}/{SCHEDULES_ENDPOINT}"
        return session.put(
            url, data=body, headers=request_headers(self.product), timeout=self.timeout
        )


def run_company(
    company: CompanyConfig,
    fms: Engine,
    store: Engine,
    sender: SessionSender,
    *,
    run_id: str | None = None,
    now: datetime | None = None,
    batch_size: int | None = None,
    bookings: BookingsReader | None = None,
    ams: AmsReader | None = None,
) -> RunSummary:
    """build schedules (extract, normalise, validate, plan) → upload → record status, in-process.

    A company with `training.bookings` needs `bookings` (see `local_bookings_reader`), one with
    `ams` needs `ams` (`local_ams_reader`); without it that source counts as failed and holds
    the aircraft it covers. Batches are the company's
    `upload_batch_size` unless `batch_size` is given."""
    run = run_id or f"local__{uuid.uuid4().hex[:12]}"
    moment = now or datetime.now(UTC)
    stores = Stores.on(store)
    size = batch_size or company.upload_batch_size
    built = build_schedules(company, lambda: fms, stores, run, moment, size, bookings, read_ams=ams)
    for batch in built.batches:
        step_upload(company, stores, run, batch.tails, sender)
    return step_record_status(company.id, stores, run)
