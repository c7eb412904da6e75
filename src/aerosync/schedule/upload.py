"""Sending one batch of aircraft: one call each, never retried, every attempt recorded before its
call goes out (`in_flight`) and settled with its outcome as soon as the answer arrives.

The HTTP transport is passed in (`Sender`): in Airflow it is the HTTP provider's hook; the tests
and benchmarks may use a plain session against the same sandbox. Everything else — the 5-minute
spacing, what a response means, what gets recorded — is decided here, once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

import msgspec

from aerosync.config.companies import CompanyConfig
from aerosync.models import Decision, Finding, Outcome
from aerosync.redaction import redact
from aerosync.schedule.guards import next_allowed, too_soon
from aerosync.schedule.in_flight import ANSWER_MARGIN, settle_lost_calls
from aerosync.schedule.marketplace import (
    Message,
    UploadResult,
    interpret_exception,
    interpret_response,
)
from aerosync.schedule.payloads import schedule_body_text
from aerosync.schedule.stages import ACTIVITIES, Stores, staged_decisions
from aerosync.stores.database import where
from aerosync.stores.status import StatusStore
from aerosync.stores.status_records import StatusRecord

# Attempts older than this cannot make an aircraft "too soon" (the spacing is 5 minutes).
SPACING_LOOKBACK = timedelta(minutes=10)


class Response(Protocol):
    @property
    def status_code(self) -> int: ...

    @property
    def text(self) -> str: ...


class Sender(Protocol):
    def __call__(self, conn_id: str, body: bytes) -> Response: ...


@runtime_checkable
class KnowsSecrets(Protocol):
    """A sender that can name the secrets of a connection it sends with: whatever comes back is
    redacted against them before it is recorded (safety rule 5)."""

    def secrets(self, conn_id: str) -> Sequence[str]: ...


def sender_secrets(sender: Sender, conn_id: str) -> Sequence[str]:
    return sender.secrets(conn_id) if isinstance(sender, KnowsSecrets) else ()


class ConnectionProblem(Exception):
    """A marketplace connection that is missing or incomplete; its message names it, no secret."""


@dataclass(frozen=True)
class History:
    """What the store says about a batch's aircraft before its first call, read once a batch:
    each one's latest call (or call in flight) within the spacing's lookback, the last real
    attempt of those (what a skip shows) and its last success."""

    recent: Mapping[str, datetime]
    real: Mapping[str, StatusRecord]
    successes: Mapping[str, datetime]


@dataclass
class BatchResult:
    records: list[StatusRecord] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.records if r.outcome is outcome)


def spacing_reason(tail: str, last: datetime, allowed: datetime) -> Finding:
    return Finding.holding(
        tail,
        "UPLOADED_RECENTLY",
        f"{tail} was sent to the marketplace at {last:%H:%M:%S} UTC, less than 5 minutes "
        f"ago; it may go again from {allowed:%H:%M:%S} UTC",
    )


class _SentActivity(msgspec.Struct, rename="camel"):
    activity_id: str  # "activityId"


class _SentSchedule(msgspec.Struct):
    activities: list[_SentActivity]


_SENT_SCHEDULE = msgspec.json.Decoder(_SentSchedule)


def activity_ids(body: str) -> list[str]:
    """The ids of the activities a `PUT /schedules` body sends, in order: the marketplace's
    messages name an activity by its index (`activities[3].startAirport`)."""
    return [a.activity_id for a in _SENT_SCHEDULE.decode(body).activities]


def _readable_ids(body: str) -> list[str] | None:
    try:
        return activity_ids(body)
    except msgspec.MsgspecError:  # not what the build step writes: never sent
        return None


def _send(
    sender: Sender, conn_id: str, body: str, ids: Sequence[str], timeout: float
) -> UploadResult:
    """One call; what comes back (body, titles, the connection's own complaint) is redacted
    against the connection's secrets before it becomes a message."""
    try:
        response = sender(conn_id, body.encode())
    except ConnectionProblem as exc:
        message = redact(str(exc), sender_secrets(sender, conn_id))
        return UploadResult(Outcome.FAILED, None, [Message("error", "CONNECTION_INVALID", message)])
    except Exception as exc:  # no HTTP answer at all: recorded, never retried
        return interpret_exception(exc, timeout)
    return interpret_response(
        response.status_code, response.text, ids, sender_secrets(sender, conn_id)
    )


def upload_batch(
    company: CompanyConfig,
    run_id: str,
    tails: Sequence[str],
    bodies: Mapping[str, str],
    decisions: Mapping[str, Decision],
    status: StatusStore,
    sender: Sender,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    concurrency: int = 1,
    map_index: int | None = None,
) -> BatchResult:
    """Attempt every aircraft of the batch; one failure never stops the others.

    `bodies` holds each aircraft's complete `PUT /schedules` body as the JSON text to send: it
    goes out as it is, not decoded and encoded again (a big fleet's are tens of megabytes).

    Up to `concurrency` calls are in flight at once, each aircraft's record written by the thread
    that made its call as soon as the answer is in (so `sender` and `status` must be safe to use
    from several threads). Should recording itself fail (the aerosync database is gone), no new
    call starts and the error is raised once the calls in flight are recorded or have failed.

    Each call's attempt is recorded `in_flight` before the call goes out, so that a task killed
    mid-call still counts toward the 5-minute spacing (safety rule 3); calls of earlier runs left
    `in_flight` longer than any answer could take are settled `unknown` first. A skip carries the
    aircraft's last real attempt, so it never hides a failure (safety rule 7). Each record names
    the upload task instance that wrote it (`map_index`), so the status page links to its log."""
    started = clock()
    lost_before = started - timedelta(seconds=company.request_timeout_seconds) - ANSWER_MARGIN
    settle_lost_calls(status, company.id, other_runs_before=lost_before)
    recent = status.last_attempts(company.id, started - SPACING_LOOKBACK)
    history = History(
        recent=recent,
        real=status.last_real_attempts(company.id, [t for t in tails if t in recent]),
        successes=status.last_successes(company.id, tails),
    )
    stop = threading.Event()

    def attempt(tail: str) -> StatusRecord | None:
        if stop.is_set():
            return None
        try:
            record = _attempt(
                company, run_id, tail, bodies, decisions, history, status, sender, clock, map_index
            )
        except BaseException:
            stop.set()
            raise
        return record

    if concurrency <= 1:
        done = [attempt(tail) for tail in tails]
    else:
        pool = ThreadPoolExecutor(concurrency, thread_name_prefix=f"upload-{company.id}")
        try:
            futures = [pool.submit(attempt, tail) for tail in tails]
            wait(futures)
        except BaseException:  # the task is stopped (timeout, SIGTERM): start no new call
            stop.set()
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)  # calls in flight are still recorded
        done = [future.result() for future in futures]  # re-raises a recording failure
    return BatchResult([record for record in done if record is not None])


def _attempt(
    company: CompanyConfig,
    run_id: str,
    tail: str,
    bodies: Mapping[str, str],
    decisions: Mapping[str, Decision],
    history: History,
    status: StatusStore,
    sender: Sender,
    clock: Callable[[], datetime],
    map_index: int | None = None,
) -> StatusRecord:
    """One aircraft: skipped (too soon), refused (no readable body) or sent once; recorded."""
    now = clock()
    decision = decisions.get(tail)
    record = StatusRecord(
        company=company.id,
        tail=tail,
        run_id=run_id,
        attempted_at=now,
        outcome=Outcome.FAILED,
        connection_id=company.connection_for(tail),
        validation_id=decision.validation_id if decision else None,
        messages=[w.to_dict() for w in decision.warnings] if decision else [],
        last_success_at=history.successes.get(tail),
        upload_map_index=map_index,
    )
    last = history.recent.get(tail)
    allowed = next_allowed(last)
    if last is not None and allowed is not None and too_soon(last, now):
        record.outcome = Outcome.SKIPPED
        record.next_allowed_at = allowed
        record.reasons = [spacing_reason(tail, last, allowed).to_dict()]
        if tail in history.real:
            record.last_real_attempt = history.real[tail].real_attempt()
    elif tail not in bodies:
        missing = (
            f"no schedule was built for {tail} in this run: none is staged in the aerosync "
            f"database {where(status.engine)} that build_schedules writes; nothing was sent"
        )
        record.reasons = [Finding.holding(tail, "PAYLOAD_MISSING", missing).to_dict()]
    elif (ids := _readable_ids(bodies[tail])) is None:
        invalid = (
            f"the schedule built for {tail} in this run is not a readable PUT /schedules body; "
            "nothing was sent"
        )
        record.reasons = [Finding.holding(tail, "PAYLOAD_INVALID", invalid).to_dict()]
    else:
        record.outcome = Outcome.IN_FLIGHT
        record.activities_sent = len(ids)
        status.record([record], history_read=True)  # the intent, before the call
        sent = _send(
            sender, record.connection_id or "", bodies[tail], ids, company.request_timeout_seconds
        )
        record.outcome = sent.outcome
        record.http_status = sent.http_status
        record.messages = [m.to_dict() for m in sent.messages] + record.messages
        status.settle(record)
        return record
    status.record([record], history_read=True)
    return record


def schedule_bodies(
    company: CompanyConfig,
    stores: Stores,
    run_id: str,
    tails: Sequence[str],
    decisions: Mapping[str, Decision],
) -> dict[str, str]:
    """The complete `PUT /schedules` body, as JSON text, of each of `tails` that validation
    cleared for sending (`decisions`); a held or undecided aircraft, or one without staged
    activities, has none, and the upload records it as not sent."""
    cleared = [t for t in tails if t in decisions and not decisions[t].held]
    staged = stores.staging.get_text(company.id, run_id, ACTIVITIES, cleared)
    return {tail: schedule_body_text(tail, staged[tail]) for tail in cleared if tail in staged}


def step_upload(
    company: CompanyConfig,
    stores: Stores,
    run_id: str,
    tails: Sequence[str],
    sender: Sender,
    map_index: int | None = None,
) -> BatchResult:
    """One batch of `step_plan`: each aircraft's body (`schedule_bodies`) sent once
    through `sender` and recorded (`upload_batch`) as written by upload task instance
    `map_index`."""
    decisions = staged_decisions(stores, company.id, run_id, tails)
    bodies = schedule_bodies(company, stores, run_id, tails, decisions)
    return upload_batch(
        company,
        run_id,
        tails,
        bodies,
        decisions,
        stores.status,
        sender,
        concurrency=company.upload_concurrency,
        map_index=map_index,
    )
