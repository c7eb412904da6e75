"""The optional `training:` section of a company: training systems that feed AeroSync.

Two consumers read it:
- `bookings`: an LMS that books aircraft for training; its bookings become `Training` activities
  in those aircraft's marketplace schedules (the schedule-upload DAG).
- `records`: HRIS, LMS (xAPI), crew-management and EBT sources moved by the daily
  `training_sync__<company id>` DAG into the aerosync database and out again; and `flights`, the
  crew on the legs flown, read from the company's FMS (its `fms:` connection and dialect).

Every other source has one of two transports: a CSV file drop (`csv`: a folder or a file, a local
path or any URL that Airflow's `ObjectStoragePath` understands, e.g. `s3://bucket/lms/`) or a REST
API read page by page through an Airflow `http` connection (`rest`); the roster is a CSV drop or
an XML drop (`xml`, the schema of docs/roster-xml.md).
"""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from aerosync.config.connection_ids import ConnId
from aerosync.config.crew_events import CrewEvents, check_ready_markers
from aerosync.config.readiness import ReadinessExport
from aerosync.config.task_placement import PoolName, PriorityWeight, QueueName

# EASA keeps crew training records for at least 3 years.
DEFAULT_RETENTION_DAYS = 3 * 365
# Flight and duty records: 24 months (EASA FAQ on ORO.FTL.245), counted as 2 x 366 days so a leap
# year never cuts one short.
DEFAULT_FLIGHT_RETENTION_DAYS = 2 * 366
# Sources whose records are kept for another period than training, checking and qualification
# records (`retention_days`), and that period by default.
OWN_RETENTION_DAYS = {
    "flights": DEFAULT_FLIGHT_RETENTION_DAYS,
    "roster": DEFAULT_FLIGHT_RETENTION_DAYS,
}
# Legs whose on-block time is this many days before a run's window are read again, so crew entered
# in the FMS after the leg's own window still arrive; loading a leg again changes nothing.
DEFAULT_FLIGHTS_LOOKBACK_DAYS = 3
# A daily sync reads whole exports (a 100 MB CSV, thousands of LRS pages): more room than an upload.
DEFAULT_SYNC_TASK_TIMEOUT_MINUTES = 60


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def tails_named_once(value: list[str]) -> list[str]:
    """A source's `tails`, trimmed: none empty, none twice."""
    cleaned = [tail.strip() for tail in value]
    if any(not tail for tail in cleaned):
        raise ValueError("a tail is empty; list aircraft registrations, e.g. [N525SW]")
    repeated = sorted({tail for tail in cleaned if cleaned.count(tail) > 1})
    if repeated:
        raise ValueError(f"{', '.join(repeated)} listed more than once")
    return cleaned


class RestSource(_Strict):
    """A paginated REST endpoint behind an Airflow `http` connection (host = base URL)."""

    conn_id: ConnId
    endpoint: str = Field(min_length=1)
    page_size: int = Field(default=200, ge=1, le=10_000)
    timeout_seconds: float = Field(default=30, gt=0, le=300)
    # The whole read's budget of LMS training bookings (`training.bookings.rest`) and of an AMS
    # (`ams.rest`): past it (checked before each page, each page within timeout_seconds) or past
    # max_pages, the source has failed and holds only the aircraft it covers. The records sync's
    # REST sources do not read these yet; their task's execution timeout
    # (`records.task_timeout_minutes`) bounds them.
    deadline_seconds: float = Field(default=60, gt=0, le=3600)
    max_pages: int = Field(default=1000, ge=1, le=100_000)


class Transport(_Strict):
    """Exactly one of `csv` (a file drop) or `rest` (a paginated API)."""

    csv: str | None = Field(default=None, min_length=1)
    rest: RestSource | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.csv is None) == (self.rest is None):
            raise ValueError("give exactly one transport: `csv` (a folder or file) or `rest`")
        return self


class BookingsSource(Transport):
    """Aircraft booked for training (base training, line checks, check rides)."""

    # A CSV drop whose newest file is older than this is stale: the aircraft it covers are held.
    max_age_minutes: int = Field(default=24 * 60, ge=1)
    # The aircraft this LMS books; empty means every marketed aircraft of the company.
    tails: list[str] = Field(default_factory=list)

    @field_validator("tails")
    @classmethod
    def _tails_named_once(cls, value: list[str]) -> list[str]:
        return tails_named_once(value)

    def covers(self, tail: str) -> bool:
        return not self.tails or tail in self.tails


class LrsSource(_Strict):
    """A Learning Record Store read with `GET /statements?since=&until=` and its `more` links."""

    conn_id: ConnId
    endpoint: str = "statements"
    timeout_seconds: float = Field(default=30, gt=0, le=300)
    # Statements asked for per request (`limit`); the LRS may answer with fewer and a `more` link.
    page_size: int = Field(default=500, ge=1, le=10_000)


class StatementsSource(_Strict):
    """LMS completions and results: xAPI statements from an LRS, or a CSV export."""

    lrs: LrsSource | None = None
    csv: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.csv is None) == (self.lrs is None):
            raise ValueError("give exactly one transport: `lrs` (an xAPI store) or `csv`")
        return self


class RosterSource(_Strict):
    """Crew management's roster (duties, standby, reserve, training days, days off and leave):
    exactly one of `csv` or `xml` (a folder of `*.xml` files or one file, in the schema of
    docs/roster-xml.md); either a local path or an `ObjectStoragePath` URL."""

    csv: str | None = Field(default=None, min_length=1)
    xml: str | None = Field(default=None, min_length=1)
    # Duties are kept this long (their own period, not `records.retention_days`).
    retention_days: int = Field(default=DEFAULT_FLIGHT_RETENTION_DAYS, ge=1)

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.csv is None) == (self.xml is None):
            raise ValueError("give exactly one transport: `csv` or `xml` (a folder or file)")
        return self


class FlightsSource(_Strict):
    """Flights flown per crew member (FOS -> EBT): read from the company's own FMS (`fms:`, its
    connection and dialect) through the dialect's `crew_legs.sql`."""

    # Each run reads the legs with on-block times from this many days before its window to the
    # window's end (a first run, or the demo's, may look back 90 days and more for recency).
    lookback_days: int = Field(default=DEFAULT_FLIGHTS_LOOKBACK_DAYS, ge=0, le=800)
    # Days leg-crew rows are kept after their flight date (the company's `retention_days` is for
    # training, checking and qualification records).
    retention_days: int = Field(default=DEFAULT_FLIGHT_RETENTION_DAYS, ge=1)


class RegulatoryExport(_Strict):
    """The regulators' exports of each run (`aerosync.crew.regulatory`), CSV and JSON into
    `export_to` (a folder or any `ObjectStoragePath` URL): the FAA Pilot Records Database's
    training events of the window (14 CFR 111.225), each person's EASA crew training record
    (ORO.MLR.115) over the retention period, and what expires within `expiring_within_days`."""

    export_to: str = Field(min_length=1)
    expiring_within_days: int = Field(default=30, ge=0, le=366)
    # The training program the PRD's events belong to: its 14 CFR part and subpart (Part 135
    # subpart H: training), and the curriculum an EBT session is part of.
    program_part: str = Field(default="135", min_length=1)
    program_subpart: str = Field(default="H", min_length=1)
    curriculum: str = Field(default="EBT", min_length=1)


class RecordsSync(_Strict):
    """What the daily training-records DAG moves, and where it writes out."""

    hris: Transport | None = None
    statements: StatementsSource | None = None
    qualifications: Transport | None = None
    ebt_gradings: Transport | None = None
    roster: RosterSource | None = None
    flights: FlightsSource | None = None
    # The LMS's course catalog (master data: read whole by every run), and its enrolments and
    # progress (the statements source feeds enrolments too, from registered/progressed/results).
    courses: Transport | None = None
    enrolments: Transport | None = None
    # Out to crew management: one training-status CSV per run, into this folder or URL.
    export_to: str | None = Field(default=None, min_length=1)
    # Out to the LMS: EBT results posted as xAPI statements to this LRS.
    post_ebt_to: LrsSource | None = None
    # Out to flight operations and crew management: readiness per pilot and type, each run.
    readiness: ReadinessExport | None = None
    # Out to the regulators: PRD training events, EASA training records, expiring report.
    regulatory: RegulatoryExport | None = None
    # Course validity in days, for the expiry of a completion: overrides the catalog's
    # `validity_days` (courses in neither never expire; see `aerosync.crew.catalog`).
    course_validity_days: dict[str, int] = Field(default_factory=dict)
    retention_days: int = Field(default=DEFAULT_RETENTION_DAYS, ge=1)
    # Airflow's execution_timeout of every task of the daily training-sync DAG.
    task_timeout_minutes: int = Field(default=DEFAULT_SYNC_TASK_TIMEOUT_MINUTES, ge=1, le=24 * 60)
    # The sync's own `queue`, `pool` and `priority_weight` (every task of its DAG); unset: the
    # company's. A daily sync of big exports may go to other workers than the uploads.
    queue: QueueName | None = None
    pool: PoolName | None = None
    priority_weight: PriorityWeight | None = None
    # The xAPI account `homePage` of employees in statements posted to the LRS (their account
    # `name` is the employee id), and the base of the EBT session activity ids.
    xapi_home_page: str = Field(default="https://hris.example.com", pattern=r"^https?://\S+$")
    # Event-driven starts between the daily runs: Redis pub/sub messages, `_READY` markers.
    events: CrewEvents | None = None

    @model_validator(mode="after")
    def _has_a_source(self) -> Self:
        sources = (self.hris, self.statements, self.qualifications, self.ebt_gradings)
        if not any((*sources, self.courses, self.enrolments, self.flights, self.roster)):
            raise ValueError(
                "records needs at least one source: hris, statements, qualifications, "
                "ebt_gradings, courses, enrolments, flights or roster"
            )
        check_ready_markers(self)
        return self

    def source_retention_days(self) -> dict[str, int]:
        """Days kept per source whose records have their own period (`OWN_RETENTION_DAYS`):
        its configured `retention_days`, else the default, configured as a source or not."""
        days = {}
        for source, default in OWN_RETENTION_DAYS.items():
            configured = getattr(self, source, None)
            days[source] = getattr(configured, "retention_days", default)
        return days


class TrainingConfig(_Strict):
    bookings: BookingsSource | None = None
    records: RecordsSync | None = None
