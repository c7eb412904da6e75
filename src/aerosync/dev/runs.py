"""What the REST API says of DAG runs, as the harness hands it on: one run with its task
instances (:class:`RunResult`), a task log's events as text, and dates as the API writes them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

FINAL_RUN_STATES = frozenset({"success", "failed"})
#: Task-instance states after which nothing more happens to it in this run.
FINAL_TI_STATES = frozenset({"success", "failed", "skipped", "upstream_failed", "removed"})


@dataclass
class RunResult:
    """One DAG run as :meth:`AirflowRuntime.run_dag` saw it."""

    dag_id: str
    run_id: str
    state: str
    task_instances: list[dict[str, Any]]
    #: Seconds from the trigger request to the final state.
    seconds: float
    #: Runs of the same DAG that appeared while this one ran (for instance a scheduled run created
    #: when the DAG was unpaused); each a DAG-run dict of the REST API.
    other_runs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return self.state == "success"

    def states(self) -> dict[str, str | None]:
        """``task_id`` (``task_id[map_index]`` for mapped instances) to state."""
        out: dict[str, str | None] = {}
        for ti in self.task_instances:
            key = ti["task_id"] if ti["map_index"] < 0 else f"{ti['task_id']}[{ti['map_index']}]"
            out[key] = ti["state"]
        return out

    def tasks(self, task_id: str) -> list[dict[str, Any]]:
        return [ti for ti in self.task_instances if ti["task_id"] == task_id]


def api_date(value: datetime | str) -> str:
    """A date as the REST API takes it (ISO 8601); a string is passed on as it is."""
    return value.isoformat() if isinstance(value, datetime) else value


_LOG_CONTEXT_KEYS = frozenset(
    {"timestamp", "level", "event", "logger", "sources", "error_detail", "ti_id", "dag_id",
     "run_id", "task_id", "map_index", "try_number", "filename", "lineno"}
)  # fmt: skip


def _as_utc(value: datetime | str) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def in_range(value: str | None, start: datetime | str, end: datetime | str) -> bool:
    """Whether the API's date ``value`` lies between ``start`` and ``end``, both included."""
    if value is None:
        return False
    return _as_utc(start) <= _as_utc(value.replace("Z", "+00:00")) <= _as_utc(end)


def log_entry_text(entry: Mapping[str, Any]) -> str:
    """One structured log event of the REST API as a line of text (plus a traceback if any)."""
    head = [str(entry.get("timestamp") or "")]
    if entry.get("level"):
        head.append(f"[{entry['level']}]")
    if entry.get("logger"):
        head.append(f"{entry['logger']}:")
    head.append(str(entry.get("event", "")))
    head.extend(f"{k}={v}" for k, v in entry.items() if k not in _LOG_CONTEXT_KEYS)
    lines = [" ".join(part for part in head if part)]
    lines.extend(f"  {source}" for source in entry.get("sources") or [])
    for error in entry.get("error_detail") or []:
        if not isinstance(error, Mapping):
            lines.append(f"  {error}")
            continue
        lines.extend(
            f"  File {frame.get('filename')}, line {frame.get('lineno')}, in {frame.get('name')}"
            for frame in error.get("frames") or []
        )
        lines.append(f"  {error.get('exc_type')}: {error.get('exc_value')}")
    return "\n".join(lines)
