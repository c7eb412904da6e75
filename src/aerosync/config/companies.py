"""A company's entry in the companies file, validated strictly: its FMS, guards, limits, alerts
and training sources, and the ids of its DAGs (reading the file: `aerosync.config.companies_file`).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from aerosync.config.ams import AmsSource
from aerosync.config.connection_ids import ConnId
from aerosync.config.dialects import CREW_LEGS_FILE, DIALECT_FILES, Dialect
from aerosync.config.schedule_spec import ScheduleError, check_schedule, longest_interval
from aerosync.config.task_placement import PoolName, PriorityWeight, QueueName, placement
from aerosync.config.training import TrainingConfig
from aerosync.models import DEFAULT_ACTIVITY_TYPES

MAX_ACTIVITY_TYPE_LENGTH = 20
COMPANY_ID_PATTERN = r"^[a-z0-9_]+$"
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# A company's DAG ids: the flow's prefix and the company id (the status page reads the company
# back from an upload DAG's id; a task's parsing reads it from either).
UPLOAD_DAG_PREFIX = "schedule_upload__"
CREW_DAG_PREFIX = "training_sync__"
# The crew readiness export, scheduled on the crew tables it reads (`aerosync.airflow.assets`).
READINESS_DAG_PREFIX = "crew_readiness__"


def _dialects(info: ValidationInfo) -> dict[str, Dialect]:
    """The dialects of the search folders: found once per companies file (the validation
    context), else now."""
    from aerosync.config.dialects import find_dialects

    context = info.context if isinstance(info.context, dict) else {}
    found = context.get("dialects")
    return found if isinstance(found, dict) else find_dialects()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FmsSource(_Strict):
    conn_id: ConnId
    dialect: str = "reference"
    timeout_seconds: int = Field(default=120, gt=0, le=3600)

    @field_validator("dialect")
    @classmethod
    def _known_dialect(cls, value: str, info: ValidationInfo) -> str:
        from aerosync.config.resources import search_folders

        found = _dialects(info)
        searched = "; ".join(str(folder) for folder in search_folders("sql"))
        if value not in found:
            raise ValueError(
                f"unknown dialect {value!r}; available: {', '.join(sorted(found))} (a dialect is "
                f"a folder <name>/ of SQL files holding activities.sql; searched {searched})"
            )
        missing = found[value].missing
        if missing:
            raise ValueError(
                f"dialect {value!r} has no {', '.join(missing)} in any folder searched "
                f"({searched}); a dialect needs {', '.join(DIALECT_FILES)}"
            )
        return value


class Guards(_Strict):
    """Per-company thresholds of the safety guards."""

    shrink_threshold: float = Field(default=0.5, gt=0, le=1)
    min_activities_for_shrink_check: int = Field(default=4, ge=1)


class Limits(_Strict):
    """What one activity may hold and still be sent (safety rule 2); a value beyond a limit holds
    its aircraft, naming the activity and the field. Avinode publishes no maximum other than the
    20-character activity type: these defaults are AeroSync's own, generous for real data and far
    below what would harm the marketplace (a 2 MB note, 10^20 passengers)."""

    pax_max: int = Field(default=500, ge=1)
    note_max_chars: int = Field(default=2000, ge=1)
    marketing_message_max_chars: int = Field(default=1000, ge=1)
    flight_number_max_chars: int = Field(default=20, ge=1)
    regulations_description_max_chars: int = Field(default=500, ge=1)
    id_max_chars: int = Field(default=100, ge=1)  # activity id, FMS trip id, Avinode trip id
    horizon_days: int = Field(default=400, ge=1)  # a start further ahead is a warning


class Alerts(_Strict):
    """Who hears about a change that needs a person: an aircraft that fails, is held, is
    uploaded with the marketplace's errors, recovers or stops being marketed, and a crew sync
    run that quarantined rows or could not read a source. Each channel is an Airflow
    connection: e-mail through an `smtp` one, a Slack-compatible webhook through an `http` one
    (its host is the webhook's URL, whose path is a secret)."""

    email: list[str] = Field(default_factory=list)
    smtp_conn_id: ConnId = "smtp_default"
    from_email: str | None = None
    webhook_conn_id: ConnId | None = None
    webhook_timeout_seconds: float = Field(default=10, gt=0, le=120)

    @field_validator("email")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        for address in value:
            if not EMAIL_PATTERN.fullmatch(address):
                raise ValueError(f"{address!r} is not an e-mail address")
        return value

    @model_validator(mode="after")
    def _has_a_channel(self) -> Self:
        if not self.email and self.webhook_conn_id is None:
            raise ValueError(
                "alerts need at least one channel: `email` (a list of addresses, sent through "
                "`smtp_conn_id`) or `webhook_conn_id` (an Airflow http connection whose host is "
                "the webhook's URL); or remove `alerts`"
            )
        return self

    @property
    def channels(self) -> list[str]:
        """The channels in use, in words for logs: `e-mail`, `webhook`."""
        return [name for name, on in (("e-mail", self.email), ("webhook", self.webhook_conn_id))
                if on]  # fmt: skip


# Aircraft per upload task instance. Each is a process (about 500 MB resident with Great
# Expectations inherited), and on a small worker concurrent upload tasks only share its cores and
# count each other's waits: the 400-aircraft benchmark's uploads took 6.8 s of task time as 4
# tasks of 100, 3.2 s as 2 of 200 and 1.6 s as 1 of 400, for the same wall time
# (benchmarks/RESULTS.md). Calls overlap inside a task instead (`upload_concurrency`): against
# the real marketplace (0.1-0.5 s a PUT) a batch of 500 with 2 calls in flight takes 25-125 s.
DEFAULT_UPLOAD_BATCH_SIZE = 500

# Marketplace calls one upload task keeps in flight. While one call waits for the marketplace,
# the other's status record is written, and against the real marketplace the waits overlap.
# Threads in one task cost far less than more task processes.
DEFAULT_UPLOAD_CONCURRENCY = 2


# A schedule-upload task (build, one batch's upload, record) takes seconds to a few minutes.
DEFAULT_TASK_TIMEOUT_MINUTES = 30


class CompanyConfig(_Strict):
    id: str = Field(pattern=COMPANY_ID_PATTERN, max_length=200)
    name: str = Field(min_length=1)
    schedule: str
    marketplace_conn_id: ConnId
    # Per aircraft (tail -> connection id): an aircraft on another Avinode account.
    aircraft_connections: dict[str, ConnId] = Field(default_factory=dict)
    fms: FmsSource
    share_services: bool = False
    activity_types: dict[str, str] = Field(default_factory=dict)
    owner: str = "aerosync"
    request_timeout_seconds: float = Field(default=30, gt=0, le=300)
    upload_batch_size: int = Field(default=DEFAULT_UPLOAD_BATCH_SIZE, ge=1, le=1000)
    upload_concurrency: int = Field(default=DEFAULT_UPLOAD_CONCURRENCY, ge=1, le=8)
    # Airflow's execution_timeout of every task of the company's upload DAG: a task still
    # running then is failed, so no source or call can keep the company waiting for ever.
    task_timeout_minutes: int = Field(default=DEFAULT_TASK_TIMEOUT_MINUTES, ge=1, le=24 * 60)
    # Where its tasks run and how they queue (Airflow's `queue`, `pool` and `priority_weight` of
    # every task of its DAGs): a queue served only by workers that can reach its FMS, a pool it
    # shares with other companies. Unset: Airflow's default queue and `default_pool`.
    queue: QueueName | None = None
    pool: PoolName | None = None
    priority_weight: PriorityWeight = 1
    guards: Guards = Field(default_factory=Guards)
    # When an aircraft's last accepted upload counts as stale on the status page and in `aerosync
    # status`: brokers see a schedule that old. Unset: twice the schedule's longest interval.
    stale_after_minutes: int | None = Field(default=None, ge=1)
    limits: Limits = Field(default_factory=Limits)
    alerts: Alerts | None = None
    training: TrainingConfig | None = None
    # Its aircraft maintenance system: maintenance and AOG sent as occupied (docs/ams.md).
    ams: AmsSource | None = None

    @field_validator("schedule")
    @classmethod
    def _schedule_not_too_fast(cls, value: str) -> str:
        try:
            check_schedule(value)
        except ScheduleError as exc:
            raise ValueError(str(exc)) from None
        return value

    @model_validator(mode="after")
    def _dialect_reads_flights(self, info: ValidationInfo) -> Self:
        """`training.records.flights` reads the FMS through its dialect's optional
        `crew_legs.sql`: a dialect without it is refused here, not at the first run."""
        from aerosync.config.resources import search_folders

        records = self.training.records if self.training is not None else None
        dialect = _dialects(info).get(self.fms.dialect)
        if records is None or records.flights is None or dialect is None:
            return self
        if not dialect.has(CREW_LEGS_FILE):
            searched = "; ".join(str(folder) for folder in search_folders("sql"))
            raise ValueError(
                f"training.records.flights: dialect {self.fms.dialect!r} has no "
                f"{CREW_LEGS_FILE} in any folder searched ({searched}); add "
                f"{self.fms.dialect}/{CREW_LEGS_FILE} (the reference dialect's is the model) "
                "or remove flights"
            )
        return self

    @field_validator("aircraft_connections")
    @classmethod
    def _tails_named(cls, value: dict[str, str]) -> dict[str, str]:
        if any(not tail.strip() for tail in value):
            raise ValueError("a tail is empty; map aircraft registrations, e.g. {N525SW: ...}")
        return value

    @field_validator("activity_types")
    @classmethod
    def _renames_fit(cls, value: dict[str, str]) -> dict[str, str]:
        for kind, name in value.items():
            if kind not in DEFAULT_ACTIVITY_TYPES:
                raise ValueError(
                    f"unknown activity kind {kind!r}; renameable: "
                    f"{', '.join(sorted(DEFAULT_ACTIVITY_TYPES))}"
                )
            if not name.strip() or len(name) > MAX_ACTIVITY_TYPE_LENGTH:
                raise ValueError(
                    f"type name {name!r} for {kind} must be 1 to {MAX_ACTIVITY_TYPE_LENGTH} "
                    f"characters (it has {len(name)})"
                )
        return value

    @property
    def dag_id(self) -> str:
        """The company's schedule-upload DAG."""
        return f"{UPLOAD_DAG_PREFIX}{self.id}"

    @property
    def crew_dag_id(self) -> str:
        """The company's crew and training records sync DAG (with `training.records`)."""
        return f"{CREW_DAG_PREFIX}{self.id}"

    @property
    def readiness_dag_id(self) -> str:
        """The company's crew readiness export DAG (with `training.records.readiness`)."""
        return f"{READINESS_DAG_PREFIX}{self.id}"

    @property
    def schedule_value(self) -> str | timedelta:
        return check_schedule(self.schedule)

    @property
    def expected_interval(self) -> timedelta:
        """The longest an on-time schedule leaves between two runs (`longest_interval`)."""
        return longest_interval(self.schedule)

    @property
    def stale_after(self) -> timedelta:
        """How old the last accepted upload may get before the aircraft is flagged stale:
        `stale_after_minutes`, or twice the schedule's longest interval."""
        if self.stale_after_minutes is not None:
            return timedelta(minutes=self.stale_after_minutes)
        return 2 * self.expected_interval

    def activity_type(self, kind: str) -> str:
        return self.activity_types.get(kind, DEFAULT_ACTIVITY_TYPES[kind])

    @property
    def task_timeout(self) -> timedelta:
        return timedelta(minutes=self.task_timeout_minutes)

    def task_placement(self) -> dict[str, str | int]:
        """The `queue`, `pool` and `priority_weight` of every task of its upload DAG (those set)."""
        return placement(self.queue, self.pool, self.priority_weight)

    def crew_task_placement(self) -> dict[str, str | int]:
        """Those of every task of its crew sync DAG: `training.records`'s own, else the
        company's."""
        records = self.training.records if self.training else None
        if records is None:
            return self.task_placement()
        return placement(
            records.queue or self.queue,
            records.pool or self.pool,
            records.priority_weight or self.priority_weight,
        )

    def connection_for(self, tail: str) -> str:
        return self.aircraft_connections.get(tail, self.marketplace_conn_id)
