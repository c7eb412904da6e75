"""Extract and normalise, the first steps of `build_schedules`: the sources read, what they gave
made canonical, each aircraft's activity bodies staged, the rest handed on in memory.

The benchmarks call the steps directly, without Airflow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from aerosync.config.companies import CompanyConfig
from aerosync.models import Finding, Severity
from aerosync.redaction import engine_secrets, safe_error
from aerosync.schedule.checks import check_columns_of_normalised
from aerosync.schedule.normalise.activities import normalise_columns
from aerosync.schedule.normalise.values import Columns, append_rows, column_length
from aerosync.schedule.payloads import activity_bodies_text
from aerosync.schedule.sendable import readable_schedules
from aerosync.schedule.sources.ams import AmsReader, extract_ams
from aerosync.schedule.sources.fms import RawExtract, extract
from aerosync.schedule.sources.fms_text import undecodable_findings
from aerosync.schedule.sources.health import FailedSource
from aerosync.schedule.sources.lms import BookingsReader, extract_bookings
from aerosync.schedule.stages import ACTIVITIES, SOURCES, Stores
from aerosync.stores.staging import FLEET


@dataclass
class Extracted:
    """What the sources gave for one run, held in memory: `step_normalise` takes it in the same
    task. Staged between two tasks, it cost the big benchmark's fleet (400 aircraft) 46 MB of
    JSON written and read back and a task process: 2.2 s of task time then, 1.7 s in one task."""

    aircraft: list[dict[str, Any]]
    activities: Columns
    services: list[dict[str, Any]]
    findings: list[Finding]
    summary: dict[str, Any]  # counts, for the log and the run's XCom summary
    failed_sources: dict[str, FailedSource] = field(default_factory=dict)
    bookings_summary: dict[str, Any] | None = None  # the LMS bookings read, when configured
    ams_summary: dict[str, Any] | None = None  # the AMS's maintenance events, when configured


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


def step_extract(
    company: CompanyConfig,
    open_fms: Callable[[], Engine],
    stores: Stores,
    run_id: str,
    now: datetime,
    read_bookings: BookingsReader | None = None,
    read_ams: AmsReader | None = None,
) -> Extracted:
    """Read the FMS and, if the company has them, the LMS's training bookings and the AMS's
    maintenance events (appended to the activities with `source="lms"` and `"ams"`), for
    `step_normalise` in the same task. A failing source is recorded (staged as SOURCES for the
    later steps), not raised, with the aircraft it feeds, so that it holds exactly those."""
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
    ams = extract_ams(company, read_ams, now, fms_tails)
    if ams.failure is not None:
        failed[ams.failure.name] = ams.failure
    stores.staging.put(
        company.id, run_id, SOURCES, {FLEET: {n: f.to_dict() for n, f in failed.items()}}
    )
    summary = {
        "aircraft": len(raw.aircraft),
        "activities": column_length(raw.activity_columns),
        "services": len(raw.services),
        "failed_sources": sorted(failed),
    }
    bookings_summary = None
    if company.training is not None and company.training.bookings is not None:
        summary["training_bookings"] = bookings_summary = lms.summary
    ams_summary = None
    if company.ams is not None:
        summary["ams"] = ams_summary = ams.summary
    return Extracted(
        aircraft=raw.aircraft,
        activities=append_rows(raw.activity_columns, [*lms.rows, *ams.rows]),
        services=raw.services,
        findings=[*_undecodable(company, raw), *lms.findings, *ams.findings],
        summary=summary,
        failed_sources=failed,
        bookings_summary=bookings_summary,
        ams_summary=ams_summary,
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
