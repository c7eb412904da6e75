"""The schedule-upload steps as plain functions over the aerosync stores.

The DAG's `build_schedules` task runs extract, normalise, validate and build payloads in one
process, each step handing its bulk (the raw extract, the check columns) to the next in memory;
`upload` and `record_status` read what it staged (each aircraft's activity bodies, the decisions,
the failed sources) by run id. Tasks pass on only the small summaries these return. The
benchmarks call the steps directly, without Airflow.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from aerosync.config.companies import CompanyConfig
from aerosync.models import Batch, Decision, Finding, Outcome, Severity
from aerosync.schedule.checks import check_columns_of_normalised
from aerosync.schedule.gc_pause import cyclic_gc_paused
from aerosync.schedule.in_flight import ANSWER_MARGIN, settle_lost_calls
from aerosync.schedule.normalise.activities import normalise_columns
from aerosync.schedule.normalise.values import Columns, append_rows, column_length
from aerosync.schedule.payload_columns import activity_bodies_text
from aerosync.schedule.payloads import schedule_body_text
from aerosync.schedule.record import TaskCrashes, run_problems, unrecorded
from aerosync.schedule.sendable import readable_schedules
from aerosync.schedule.sources.fms import RawExtract, extract
from aerosync.schedule.sources.fms_text import undecodable_findings
from aerosync.schedule.sources.health import FailedSource, engine_secrets, messages, safe_error
from aerosync.schedule.sources.lms import BookingsReader, extract_bookings
from aerosync.schedule.upload import BatchResult, Sender, upload_batch
from aerosync.stores.staging import FLEET, StagingStore
from aerosync.stores.status import StatusRecord, StatusStore

MAX_OUTSIDE_FLEET_LISTED = 50  # findings about tails outside the fleet named in a run's summary
ACTIVITIES, DECISIONS, SOURCES = "activities", "decisions", "sources"


@dataclass
class Stores:
    staging: StagingStore
    status: StatusStore

    @classmethod
    def on(cls, engine: Engine) -> Stores:
        stores = cls(StagingStore(engine), StatusStore(engine))
        stores.status.ensure_schema()
        return stores


@dataclass
class Extracted:
    """What the sources gave for one run, held in memory: `step_normalise` takes it in the same
    task. Staged between two tasks, it cost the big benchmark's fleet (400 aircraft) 46 MB of
    JSON written and read back and a task process: 2.2 s of task time then, 1.7 s in one task."""

    aircraft: list[dict[str, Any]]
    activities: Columns
    services: list[dict[str, Any]]
    findings: list[Finding]
    summary: dict[str, Any]
    failed_sources: dict[str, FailedSource] = field(default_factory=dict)


@dataclass
class Normalised:
    """What normalisation hands validation in the same task: the marketed tails, the check
    columns (`quality_frames.FRAME_COLUMNS`), every finding so far and the failed sources. Staged
    between two tasks, the check columns of a 400-aircraft fleet were 13 MB of JSON written and
    read back, and validation a task process of its own (see benchmarks/RESULTS.md)."""

    tails: list[str]
    check_columns: dict[str, list[Any]]
    findings: list[Finding]
    failed_sources: dict[str, FailedSource]
    summary: dict[str, Any]


@cyclic_gc_paused()
def step_extract(
    company: CompanyConfig,
    open_fms: Callable[[], Engine],
    stores: Stores,
    run_id: str,
    now: datetime,
    read_bookings: BookingsReader | None = None,
) -> Extracted:
    """Read the FMS and, if the company has one, the LMS's training bookings (appended to the
    activities with `source="lms"`), for `step_normalise` in the same task. A failing source is
    recorded (staged as SOURCES for the later steps), not raised, with the aircraft it feeds, so
    that it holds exactly those."""
    failed: dict[str, FailedSource] = {}
    secrets: list[str] = []  # the FMS connection's, redacted from a driver's message
    try:
        fms = open_fms()
        secrets = engine_secrets(fms)
        raw = extract(fms, company.fms.dialect, now, company.fms.timeout_seconds)
    except Exception as exc:  # any driver error: the source failed, its aircraft are held
        raw = RawExtract()
        failed["fms"] = FailedSource(
            "fms",
            f"FMS {company.fms.conn_id} ({company.fms.dialect}): {safe_error(exc, secrets)}",
        )
    fms_tails = [str(row["tail"]).strip() for row in raw.aircraft if row.get("tail")]
    lms = extract_bookings(company, read_bookings, now, fms_tails)
    if lms.failure is not None:
        failed[lms.failure.name] = lms.failure
    stores.staging.put(
        company.id, run_id, SOURCES, {FLEET: {n: f.to_dict() for n, f in failed.items()}}
    )
    summary = {
        "aircraft": len(raw.aircraft),
        "activities": column_length(raw.activity_columns),
        "services": len(raw.services),
        "failed_sources": sorted(failed),
    }
    if company.training is not None and company.training.bookings is not None:
        summary["training_bookings"] = lms.summary
    return Extracted(
        aircraft=raw.aircraft,
        activities=append_rows(raw.activity_columns, lms.rows),
        services=raw.services,
        findings=[*_undecodable(company, raw), *lms.findings],
        summary=summary,
        failed_sources=failed,
    )


def _undecodable(company: CompanyConfig, raw: RawExtract) -> list[Finding]:
    """A blocking finding per FMS value that is not UTF-8 text, for its row's aircraft."""
    # Services are sent only by a company that shares them.
    values = [v for v in raw.undecodable if v.query != "services" or company.share_services]
    if not values:
        return []
    return undecodable_findings(
        company.id,
        values,
        {"tail": [row.get("tail") for row in raw.aircraft]},
        raw.activity_columns,
        {"activity_id": [row.get("activity_id") for row in raw.services]},
    )


@cyclic_gc_paused()
def step_normalise(
    company: CompanyConfig, stores: Stores, run_id: str, now: datetime, extracted: Extracted
) -> Normalised:
    """Canonical activities from the extract; each aircraft's activity bodies staged (ACTIVITIES,
    written once: the upload sends them as they are), the rest handed to `step_validate`."""
    fleet = normalise_columns(
        company, extracted.aircraft, extracted.activities, extracted.services, now
    )
    # Findings of the extract itself (e.g. a training booking for an aircraft the LMS does
    # not cover) come first, as if the normaliser had found them.
    fleet.findings[:0] = extracted.findings
    # Only bodies the upload can read are staged; another holds its aircraft, naming the activity.
    bodies, unreadable = readable_schedules(
        activity_bodies_text(fleet.aircraft, fleet.columns), fleet.columns
    )
    fleet.findings += unreadable
    stores.staging.put_text(company.id, run_id, ACTIVITIES, bodies)
    return Normalised(
        tails=sorted(fleet.aircraft),
        check_columns=check_columns_of_normalised(fleet.columns),
        findings=fleet.findings,
        failed_sources=dict(extracted.failed_sources),
        summary={
            "aircraft": len(fleet.aircraft),
            "activities": fleet.count,
            "expired": fleet.expired,
            "findings": len(fleet.findings),
            "blocking": len([f for f in fleet.findings if f.severity is Severity.BLOCKING]),
        },
    )


@cyclic_gc_paused()
def step_validate(
    company: CompanyConfig, stores: Stores, run_id: str, now: datetime, normalised: Normalised
) -> dict[str, Any]:
    """Run the suites; decide per aircraft: send (with warnings) or hold (with reasons). The
    decisions are staged (DECISIONS) for the upload and `record_status`."""
    from aerosync.schedule.decisions import decide

    normalise_findings = normalised.findings
    validation_id = uuid.uuid4().hex
    decisions, report = decide(
        company,
        normalised.tails,
        normalised.check_columns,
        normalise_findings,
        normalised.failed_sources,
        stores,
        now,
        validation_id,
    )
    from aerosync.stores.validation import save_report

    save_report(stores.status.engine, validation_id, company.id, run_id, now, report)
    stores.staging.put(
        company.id, run_id, DECISIONS, {t: d.to_dict() for t, d in decisions.items()}
    )
    held = sorted(t for t, d in decisions.items() if d.held)
    # Findings about tails the company does not market (an FMS or LMS row for an aircraft that is
    # not in its fleet) have no aircraft to be recorded with: the run reports them itself.
    outside = [f for f in normalise_findings if f.tail is not None and f.tail not in decisions]
    return {
        "validation_id": validation_id,
        "aircraft": len(decisions),
        "held": held,
        "failed_expectations": len([o for o in report.outcomes if not o.success]),
        "outside_fleet": len(outside),
        "outside_fleet_findings": [f.message for f in outside[:MAX_OUTSIDE_FLEET_LISTED]],
    }


def staged_decisions(
    stores: Stores, company_id: str, run_id: str, tails: Sequence[str] | None = None
) -> dict[str, Decision]:
    """The run's decisions as `step_validate` staged them (DECISIONS), of `tails` or all."""
    staged = stores.staging.get(company_id, run_id, DECISIONS, tails)
    return {tail: Decision.from_dict(data) for tail, data in staged.items()}


def plan_batches(tails: list[str], batch_size: int) -> list[Batch]:
    """Groups of aircraft for the mapped upload task, each with a readable label."""
    if not tails:
        return []
    count = math.ceil(len(tails) / batch_size)
    size = math.ceil(len(tails) / count)
    batches = []
    for index in range(count):
        group = tails[index * size : (index + 1) * size]
        label = (
            group[0] if len(group) == 1 else f"{group[0]} to {group[-1]} ({len(group)} aircraft)"
        )
        batches.append(Batch(index, tuple(group), label))
    return batches


def step_build_payloads(
    company: CompanyConfig, stores: Stores, run_id: str, batch_size: int
) -> list[Batch]:
    """The upload batches: every aircraft whose schedule may be sent (validated, not held).

    Each one's complete `PUT /schedules` body is its activity bodies as normalisation staged them
    (ACTIVITIES, one JSON array per aircraft, written once) inside the aircraft's envelope
    (`schedule_body_text`), assembled by the upload as it sends: copying a big fleet's bodies
    into a second stage here cost a third of the pipeline core's database writes."""
    decisions = staged_decisions(stores, company.id, run_id)
    sendable = sorted(t for t, d in decisions.items() if not d.held)
    return plan_batches(sendable, batch_size)


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
    company: CompanyConfig, stores: Stores, run_id: str, tails: Sequence[str], sender: Sender
) -> BatchResult:
    """One batch of `step_build_payloads`: each aircraft's body (`schedule_bodies`) sent once
    through `sender` and recorded (`upload_batch`)."""
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
    )


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
    """Every aircraft of the run gets its record (`run_record.unrecorded`): held ones with every
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
    stores.status.record(
        unrecorded(company_id, run_id, now, decisions, recorded, fleet, failed_sources, crashes)
    )
    records = stores.status.attempts(company_id, run_id)
    stores.staging.purge(company_id, run_id)
    counts = {o.value: sum(1 for r in records if r.outcome is o) for o in Outcome}
    return RunSummary(counts, records, failed_sources, crashes)
