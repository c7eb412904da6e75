"""What `record_status` writes for the aircraft no upload recorded, and why a run fails.

Every marketed aircraft gets a record in every run, whatever happened upstream (safety rule 7):
held aircraft with their reasons; aircraft whose upload task crashed, or whose run crashed before
it could decide, as `not_attempted` with the crashed task's error. When this run does not know
the fleet (its FMS could not be read, or its build crashed before deciding), the fleet is that of
the company's last run that decided (`StatusStore.last_fleet`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aerosync.models import Batch, Decision, Finding, Outcome
from aerosync.redaction import safe_error
from aerosync.schedule.in_flight import ANSWER_MARGIN, settle_lost_calls
from aerosync.schedule.sources.health import messages
from aerosync.schedule.stages import SOURCES, Stores, staged_decisions
from aerosync.stores.database import where
from aerosync.stores.staging import FLEET
from aerosync.stores.status_records import StatusRecord

NO_ERROR_REPORTED = "it stopped without reporting an error (killed, out of memory or timed out)"
UPSTREAM_TASKS = ("build_schedules", "upload")  # the tasks before record_status
CRASHED_STATES = ("failed", "upstream_failed")
MAX_TASK_ERROR = 300  # characters: the error travels in XCom and into every aircraft's record


def task_error_text(exc: BaseException, secrets: Iterable[str] = ()) -> str:
    """The one line a crashed task leaves for `record_status` (in XCom, which lives in Airflow's
    database and so works when the aerosync database refuses writes) and that ends up in the
    `not_attempted` records, the page and the alerts.

    The single place where a task's error is made safe to store and show: redacted of the
    company's connection secrets (`secrets`, every encoding) and of anything shaped like a
    credential (`safe_error`)."""
    return safe_error(exc, secrets)[:MAX_TASK_ERROR]


@dataclass
class TaskCrashes:
    """The run's tasks that crashed (failed, or never ran because a task before them failed),
    each with a one-line error; `by_tail` names the crashed upload task that held each aircraft
    of its batch. Empty when every task ended as it should."""

    errors: dict[str, str] = field(default_factory=dict)  # task label -> error text
    by_tail: dict[str, str] = field(default_factory=dict)  # tail -> task label

    def __bool__(self) -> bool:
        return bool(self.errors)

    def cause(self, tail: str) -> str:
        """Which task kept the aircraft from being sent, and its error."""
        label = self.by_tail.get(tail)
        if label is None or label not in self.errors:
            label = next(iter(self.errors))
        return f"task {label} failed: {self.errors[label]}"

    def problems(self) -> list[str]:
        return [f"task {label} failed: {error}" for label, error in self.errors.items()]


def _task_key(key: str) -> tuple[str, int]:
    """Airflow's task states name a mapped instance `<task_id>_<map_index>`."""
    task_id, _, index = key.rpartition("_")
    if task_id in UPSTREAM_TASKS and index.isdigit():
        return task_id, int(index)
    return key, -1


def crashes_of(
    states: Mapping[str, str | None],
    batches: Callable[[], Sequence[Batch]],
    error_of: Callable[[str, int], str | None],
) -> TaskCrashes:
    """The crashes among the run's task `states` (Airflow's `get_task_states` of the run): each
    failed task with the error it left (`error_of(task_id, map_index)`), or a note that it left
    none (killed); a failed upload task is labelled with its batch (`batches`: the build's plan)
    and named for each of its aircraft. A task upstream_failed never ran: the task before it
    has the error."""
    crashed = sorted(key for key, state in states.items() if state in CRASHED_STATES)
    crashes = TaskCrashes()
    if not crashed:
        return crashes
    plan = batches()
    for key in crashed:
        if states[key] == "upstream_failed":
            continue
        task_id, index = _task_key(key)
        label = task_id
        if 0 <= index < len(plan):
            label = f"{task_id}[{index}] ({plan[index].label})"
            crashes.by_tail.update(dict.fromkeys(plan[index].tails, label))
        error = error_of(task_id, index)
        crashes.errors[label] = str(error) if error else NO_ERROR_REPORTED
    if not crashes.errors:  # only upstream_failed ones: still a crash
        crashes.errors[crashed[0]] = NO_ERROR_REPORTED
    return crashes


def _reason(tail: str, code: str, message: str) -> dict[str, Any]:
    """The stored form of the reason (`Finding.holding`) a record of this step carries."""
    return Finding.holding(tail, code, message).to_dict()


def no_longer_marketed(
    company: str, run_id: str, now: datetime, tails: Sequence[str]
) -> list[StatusRecord]:
    """Aircraft of the last run that this run's FMS no longer markets: reported once (their
    next run's fleet no longer holds them), since the marketplace keeps their last schedule."""
    return [
        StatusRecord(company, tail, run_id, now, Outcome.NOT_MARKETED, reasons=[_reason(
            tail, "NO_LONGER_MARKETED",
            f"{tail} is no longer marketed in {company}'s FMS: nothing more is sent for it, and "
            "the marketplace keeps the schedule it last accepted until it is removed there")])
        for tail in sorted(tails)
    ]  # fmt: skip


def not_attempted(company: str, tail: str, run_id: str, now: datetime, cause: str) -> StatusRecord:
    return StatusRecord(
        company=company,
        tail=tail,
        run_id=run_id,
        attempted_at=now,
        outcome=Outcome.NOT_ATTEMPTED,
        reasons=[
            _reason(
                tail,
                "NOT_ATTEMPTED",
                f"{tail} was not sent in this run because {cause}; "
                "its previous marketplace schedule stays and the next run sends it",
            )
        ],
    )


def unrecorded(
    company: str,
    run_id: str,
    now: datetime,
    decisions: Mapping[str, Decision],
    recorded: Set[str],
    last_fleet: list[str],
    failed_sources: Mapping[str, str],
    crashes: TaskCrashes,
    store: str = "the aerosync database",
) -> list[StatusRecord]:
    """A record for every aircraft of the run (`decisions`, else `last_fleet`) that has none;
    `store` names the database read (what another task wrote, or did not), for the messages."""
    found = []
    for tail, decision in sorted(decisions.items()):
        if tail in recorded:
            continue
        warnings = [w.to_dict() for w in decision.warnings]
        if decision.held:
            found.append(
                StatusRecord(company=company, tail=tail, run_id=run_id, attempted_at=now,
                             outcome=Outcome.HELD, reasons=[r.to_dict() for r in decision.reasons],
                             messages=warnings, validation_id=decision.validation_id)
            )  # fmt: skip
            continue
        cause = (
            crashes.cause(tail)
            if crashes
            else (
                f"no upload of it is recorded for this run in {store}: its upload task did not run "
                f"({NO_ERROR_REPORTED})"
            )
        )
        record = not_attempted(company, tail, run_id, now, cause)
        record.messages = warnings
        record.validation_id = decision.validation_id
        found.append(record)
    if decisions and "fms" in failed_sources:
        return found
    if decisions:
        return found + no_longer_marketed(
            company,
            run_id,
            now,
            [t for t in last_fleet if t not in decisions and t not in recorded],
        )
    fms = failed_sources.get("fms")
    for tail in last_fleet:
        if tail in recorded:
            continue
        if fms is None and not crashes:  # the FMS answered, and listed no marketed aircraft
            message = (
                f"the FMS listed no marketed aircraft at all for {company} in this run (no "
                f"decision of build_schedules is staged in {store}); {tail} is held and its "
                "previous marketplace schedule stays (check the FMS and the dialect's aircraft "
                "query)"
            )
            reasons = [_reason(tail, "FLEET_EMPTY", message)]
            found.append(StatusRecord(company, tail, run_id, now, Outcome.HELD, reasons=reasons))
        elif fms is not None:
            message = (
                f"{fms}; {tail} is held (an aircraft of the last run that read the FMS): "
                "its previous marketplace schedule stays"
            )
            reasons = [_reason(tail, "source_failed", message)]
            found.append(StatusRecord(company, tail, run_id, now, Outcome.HELD, reasons=reasons))
        elif crashes:
            found.append(not_attempted(company, tail, run_id, now, crashes.cause(tail)))
    return found


def run_problems(counts: Mapping[str, int], failed_sources: Mapping[str, str],
                 crashes: TaskCrashes) -> list[str]:  # fmt: skip
    """Why the run fails (safety rule 7): nothing here, and the run is a success."""
    found = []
    for outcome, words in (
        (Outcome.FAILED, "aircraft failed"),
        (Outcome.UNKNOWN, "aircraft have an unknown outcome (the call may have reached the "
                          "marketplace)"),
        (Outcome.NOT_ATTEMPTED, "aircraft were not attempted"),
    ):  # fmt: skip
        if counts.get(outcome.value):
            found.append(f"{counts[outcome.value]} {words}")
    if failed_sources:
        found.append("source failed: " + "; ".join(failed_sources.values()))
    return found + crashes.problems()


@dataclass(frozen=True)
class RunSummary:
    counts: dict[str, int]
    records: list[StatusRecord]
    failed_sources: dict[str, str]
    crashes: TaskCrashes = field(default_factory=TaskCrashes)

    @property
    def problems(self) -> list[str]:
        return run_problems(self.counts, self.failed_sources, self.crashes)

    def table(self) -> str:
        lines = [", ".join(f"{n} {o}" for o, n in self.counts.items() if n) or "no aircraft"]
        for rec in self.records:
            why = "; ".join(str(r.get("message")) for r in rec.reasons)[:300]
            lines.append(
                f"  {rec.tail:<10} {rec.outcome.value:<22} HTTP {rec.http_status!s:<5} {why}"
            )
        return "\n".join(lines)


def step_record_status(
    company_id: str,
    stores: Stores,
    run_id: str,
    crashes: TaskCrashes | None = None,
    request_timeout_seconds: float = 60,
) -> RunSummary:
    """Every aircraft of the run gets its record (`unrecorded`): held ones with every
    reason, the ones a crashed task kept from being sent `not_attempted`; calls of this run left
    `in_flight` (the upload task died mid-call) become `unknown`, never "nothing was sent"."""
    crashes = crashes or TaskCrashes()
    now = datetime.now(UTC)
    lost_before = now - timedelta(seconds=request_timeout_seconds) - ANSWER_MARGIN
    settle_lost_calls(stores.status, company_id, run_id=run_id, other_runs_before=lost_before)
    decisions = staged_decisions(stores, company_id, run_id)
    failed_sources = messages(stores.staging.get(company_id, run_id, SOURCES).get(FLEET, {}))
    recorded = {r.tail for r in stores.status.attempts(company_id, run_id)}
    fleet = stores.status.last_fleet(company_id, before_run=run_id)
    store = f"the aerosync database {where(stores.status.engine)}"
    stores.status.record(
        unrecorded(
            company_id, run_id, now, decisions, recorded, fleet, failed_sources, crashes, store
        )
    )
    records = stores.status.attempts(company_id, run_id)
    stores.staging.purge(company_id, run_id)
    counts = {o.value: sum(1 for r in records if r.outcome is o) for o in Outcome}
    return RunSummary(counts, records, failed_sources, crashes)
