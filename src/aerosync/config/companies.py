"""The companies file: one entry per operator company, validated strictly.

Each company is validated on its own so that one broken entry is reported, naming the company and
the field, while every other company's DAG still loads.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from aerosync import __version__
from aerosync.config.resources import data_dir
from aerosync.config.schedule_spec import ScheduleError, check_schedule
from aerosync.config.training import TrainingConfig
from aerosync.models import DEFAULT_ACTIVITY_TYPES

CONFIG_ENV = "AEROSYNC_CONFIG"
MAX_ACTIVITY_TYPE_LENGTH = 20
COMPANY_ID_PATTERN = r"^[a-z0-9_]+$"
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# A company's DAG ids: the flow's prefix and the company id (the status page reads the company
# back from an upload DAG's id; a task's parsing reads it from either).
UPLOAD_DAG_PREFIX = "schedule_upload__"
CREW_DAG_PREFIX = "training_sync__"


def known_dialects() -> list[str]:
    from aerosync.config.dialects import dialects

    return dialects()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FmsSource(_Strict):
    conn_id: str = Field(min_length=1)
    dialect: str = "reference"
    timeout_seconds: int = Field(default=120, gt=0, le=3600)

    @field_validator("dialect")
    @classmethod
    def _known_dialect(cls, value: str) -> str:
        available = known_dialects()
        if value not in available:
            raise ValueError(
                f"unknown dialect {value!r}; available: {', '.join(available)} "
                "(a dialect is a folder of SQL files under include/sql/)"
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
    """Who hears about an aircraft that fails or is held, and when it recovers."""

    email: list[str] = Field(min_length=1)
    smtp_conn_id: str = "smtp_default"
    from_email: str | None = None

    @field_validator("email")
    @classmethod
    def _addresses(cls, value: list[str]) -> list[str]:
        for address in value:
            if not EMAIL_PATTERN.fullmatch(address):
                raise ValueError(f"{address!r} is not an e-mail address")
        return value


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
    marketplace_conn_id: str = Field(min_length=1)
    aircraft_connections: dict[str, str] = Field(default_factory=dict)
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
    guards: Guards = Field(default_factory=Guards)
    limits: Limits = Field(default_factory=Limits)
    alerts: Alerts | None = None
    training: TrainingConfig | None = None

    @field_validator("schedule")
    @classmethod
    def _schedule_not_too_fast(cls, value: str) -> str:
        try:
            check_schedule(value)
        except ScheduleError as exc:
            raise ValueError(str(exc)) from None
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
    def schedule_value(self) -> str | timedelta:
        return check_schedule(self.schedule)

    def activity_type(self, kind: str) -> str:
        return self.activity_types.get(kind, DEFAULT_ACTIVITY_TYPES[kind])

    @property
    def task_timeout(self) -> timedelta:
        return timedelta(minutes=self.task_timeout_minutes)

    def connection_for(self, tail: str) -> str:
        return self.aircraft_connections.get(tail, self.marketplace_conn_id)


class _TopLevel(_Strict):
    product: str | None = None
    companies: list[dict[str, Any]]


@dataclass(frozen=True)
class ConfigProblem:
    """A refused company entry (or the whole file), with a message naming what to fix."""

    company: str
    message: str

    def __str__(self) -> str:
        return f"company {self.company!r}: {self.message}"


@dataclass
class LoadedConfig:
    path: Path
    product: str
    companies: list[CompanyConfig] = field(default_factory=list)
    problems: list[ConfigProblem] = field(default_factory=list)

    def company(self, company_id: str) -> CompanyConfig:
        for company in self.companies:
            if company.id == company_id:
                return company
        raise KeyError(f"no valid company {company_id!r} in {self.path}")


def default_config_path() -> Path:
    configured = os.environ.get(CONFIG_ENV)
    if configured:
        return Path(configured)
    return data_dir("config") / "companies.yaml"


def default_product() -> str:
    return f"AeroSync/{__version__}"


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "entry"
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key"
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


def parse_config(data: Any, path: Path, only: str | None = None) -> LoadedConfig:
    """Validate a parsed companies file; bad companies become problems, good ones load.

    With `only`, just that company is validated (a task needs its own company, and a file of a
    thousand companies costs a second to validate in full)."""
    try:
        top = _TopLevel.model_validate(data)
    except ValidationError as exc:
        loaded = LoadedConfig(path=path, product=default_product())
        loaded.problems.append(ConfigProblem("*", f"{path}: {_describe(exc)}"))
        return loaded
    loaded = LoadedConfig(path=path, product=top.product or default_product())
    ids = [entry.get("id") if isinstance(entry, dict) else None for entry in top.companies]
    duplicated = {cid for cid, n in Counter(ids).items() if cid is not None and n > 1}
    for index, entry in enumerate(top.companies):
        if only is not None and ids[index] != only:
            continue
        label = str(ids[index]) if ids[index] is not None else f"#{index + 1}"
        if ids[index] in duplicated:
            loaded.problems.append(
                ConfigProblem(label, "id: used by more than one company; ids must be unique")
            )
            continue
        try:
            loaded.companies.append(CompanyConfig.model_validate(entry))
        except ValidationError as exc:
            loaded.problems.append(ConfigProblem(label, _describe(exc)))
    loaded.companies.sort(key=lambda c: c.id)
    return loaded


# libyaml's loader when PyYAML has it (ten times faster on a file of many companies).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_config(path: Path | None = None, only: str | None = None) -> LoadedConfig:
    """Read and validate the companies file (only one company's entry with `only`); never
    raises for bad content."""
    config_path = path or default_config_path()
    try:
        data = yaml.load(config_path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except (OSError, yaml.YAMLError) as exc:
        loaded = LoadedConfig(path=config_path, product=default_product())
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        loaded.problems.append(ConfigProblem("*", f"cannot read {config_path}: {reason}"))
        return loaded
    return parse_config(data, config_path, only)
