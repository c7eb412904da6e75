"""Custom operators of the schedule-upload DAG: thin shells around the `aerosync.schedule` steps."""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from aerosync.airflow.task_config import data_docs_kept, task_config
from aerosync.config.companies import DEFAULT_UPLOAD_BATCH_SIZE

if TYPE_CHECKING:
    import requests
    from airflow.providers.openlineage.extractors import OperatorLineage

    from aerosync.airflow.avinode_hook import AvinodeHook

# Parse time matters (every task parses its DAG file again): the pipeline, SQLAlchemy and the
# HTTP provider (aiohttp) are imported inside `execute`, not here.


class BuildSchedulesOperator(BaseOperator):
    """Builds every marketed aircraft's complete schedule as of now and plans its upload.

    Reads the company's sources (the FMS, and its training LMS and AMS if it has them),
    normalises what they gave, checks it with the Great Expectations suites, decides per aircraft
    (sent, or held with every reason) and stages each cleared aircraft's `PUT /schedules`
    activities; returns the upload batches, one mapped upload task each. A backfilled or late run
    builds nothing (safety rule 4): the task is skipped and says why."""

    template_fields: Sequence[str] = ("company_id",)
    ui_color = "#d6eaf8"

    def __init__(
        self, *, company_id: str, batch_size: int = DEFAULT_UPLOAD_BATCH_SIZE, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.company_id = company_id
        self.batch_size = batch_size

    def execute(self, context: Any) -> list[dict[str, Any]]:
        from aerosync.airflow.upload_steps import currency_of, error_left_for_record_status

        currency = currency_of(context)
        if not currency.current:
            raise AirflowSkipException(f"{self.company_id}: nothing uploaded: {currency.reason}")
        with error_left_for_record_status(context, self.company_id):
            return self._build(context)

    def _build(self, context: Any) -> list[dict[str, Any]]:
        from aerosync.airflow.ams_transport import ams_reader
        from aerosync.airflow.bookings_transport import bookings_reader
        from aerosync.airflow.connections import aerosync_engine, engine_for_connection
        from aerosync.schedule.build import build_schedules
        from aerosync.schedule.stages import Stores

        self.log.info("%s: Great Expectations %s", self.company_id, validation_stack_origin())
        config = task_config(self.company_id, context)
        company = config.company(self.company_id)
        with data_docs_kept(config, self.company_id, context):
            built = build_schedules(
                company,
                lambda: engine_for_connection(company.fms.conn_id, company.fms.timeout_seconds),
                Stores.on(aerosync_engine()),
                context["run_id"],
                datetime.now(UTC),
                self.batch_size,
                bookings_reader(company),
                report=self.log.info,
                read_ams=ams_reader(company),
            )
        context["ti"].xcom_push(key="summary", value=built.summary)
        return [batch.to_dict() for batch in built.batches]  # XCom holds JSON

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> OperatorLineage:
        """The FMS tables the dialect's queries read, the LMS bookings and AMS in; the staged
        plan out (`aerosync.airflow.lineage_schedule`). Asked only with lineage on."""
        from aerosync.airflow.lineage_facets import build_facets

        return build_facets(self.company_id, self.dag)


def validation_stack_origin() -> str:
    """Where this task's Great Expectations comes from: inherited from the process that preloaded
    it (`aerosync.quality.preload`: the scheduler, or a Celery worker), or imported by this task
    (about 2.6 s of CPU)."""
    from aerosync.quality import preload

    if "great_expectations" not in sys.modules:
        return "imported by this task"
    if preload.PRELOADED_BY is not None:
        return (
            f"inherited from the {preload.PRELOADED_BY} (preloaded once, not imported by this task)"
        )
    return "already imported in this process (no preload)"


class UploadSchedulesOperator(BaseOperator):
    """PUTs one batch of aircraft through the HTTP provider: one call each, never retried.

    Every aircraft of the batch is attempted and recorded at once; the task fails at the end if
    any of them failed.
    """

    template_fields: Sequence[str] = ("company_id",)
    ui_color = "#d5f5e3"

    def __init__(self, *, company_id: str, batch: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.company_id = company_id
        self.batch = batch

    def execute(self, context: Any) -> dict[str, int]:
        from aerosync.airflow.upload_steps import error_left_for_record_status

        with error_left_for_record_status(context, self.company_id):
            return self._upload(context)

    def _upload(self, context: Any) -> dict[str, int]:
        from aerosync.airflow.connections import aerosync_engine
        from aerosync.models import Batch, Outcome
        from aerosync.schedule.stages import Stores
        from aerosync.schedule.upload import step_upload

        loaded = task_config(self.company_id, context)
        company = loaded.company(self.company_id)
        run_id = context["run_id"]
        stores = Stores.on(aerosync_engine())
        tails = Batch.from_dict(self.batch).tails
        sender = HookSender(loaded.product, company.request_timeout_seconds)
        # The instance's map index goes into each record: the status page links to its log.
        index = getattr(context.get("ti"), "map_index", None)
        map_index = index if isinstance(index, int) and index >= 0 else None
        result = step_upload(company, stores, run_id, tails, sender, map_index=map_index)
        for record in result.records:
            self.log.info(
                "%s %s: %s (HTTP %s)", company.id, record.tail, record.outcome, record.http_status
            )
        failed = result.count(Outcome.FAILED)
        if failed:
            raise AirflowFailException(
                f"{company.id}: {failed} of {len(tails)} aircraft in this batch failed to upload; "
                "see `aerosync status` or the Schedule uploads page"
            )
        return {o.value: result.count(o) for o in Outcome}

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> OperatorLineage:
        """The staged plan in; the marketplace schedule of each tail of the batch out."""
        from aerosync.airflow.lineage_facets import upload_facets
        from aerosync.models import Batch

        tails = list(Batch.from_dict(self.batch).tails)
        return upload_facets(self.company_id, self.dag, tails)


class HookSender:
    """Sends through one AvinodeHook session per marketplace connection and thread (the upload
    may have several calls in flight; a `requests.Session` is not shared between threads).

    Before a connection's first call its secrets are registered with Airflow's secrets masker;
    `secrets(conn_id)` gives them to the upload, which redacts every answer against them."""

    def __init__(self, product: str, timeout: float) -> None:
        self.product = product
        self.timeout = timeout
        self._local = threading.local()
        self._secrets: dict[str, list[str]] = {}
        self._secrets_lock = threading.Lock()

    def secrets(self, conn_id: str) -> list[str]:
        """The connection's secrets (masked in the logs from the first time they are asked)."""
        from aerosync.airflow.masking import mask_connection

        with self._secrets_lock:
            if conn_id not in self._secrets:
                self._secrets[conn_id] = mask_connection(conn_id)
            return self._secrets[conn_id]

    def __call__(self, conn_id: str, body: bytes) -> requests.Response:
        from airflow.sdk.exceptions import AirflowNotFoundException

        from aerosync.airflow.avinode_hook import AvinodeHook
        from aerosync.schedule.marketplace_url import InsecureMarketplace
        from aerosync.schedule.upload import ConnectionProblem

        sessions: dict[str, tuple[AvinodeHook, requests.Session]]
        sessions = self._local.__dict__.setdefault("sessions", {})
        if conn_id not in sessions:
            self.secrets(conn_id)
            hook = AvinodeHook(avinode_conn_id=conn_id, timeout=self.timeout)
            try:
                sessions[conn_id] = (hook, hook.open_session())
            except InsecureMarketplace as exc:
                raise ConnectionProblem(f"{exc}; nothing was sent") from None
            except (AirflowNotFoundException, ValueError) as exc:
                raise ConnectionProblem(f"marketplace connection {conn_id!r}: {exc}") from None
        hook, session = sessions[conn_id]
        return hook.put_schedule(session, body, self.product)
