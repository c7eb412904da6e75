"""What the `build_schedules` task does: extract, normalise, validate and plan the upload.

The four steps run in one process, each handing its bulk to the next in memory: the
raw extract and the check columns never leave it, only what later tasks need is staged (each
aircraft's activity bodies, the decisions, the failed sources). As separate tasks (extract and
normalise, validate, build payloads) they cost a 400-aircraft fleet 13 MB of check columns
written and read back and two task processes more per run, and a 50-company cycle 100 task
instances more (benchmarks/RESULTS.md).

`report` receives the lines the task's log shows, in collapsible groups (Airflow's log view
folds the lines between `::group::<title>` and `::endgroup::`); each line names the company.

Python's cyclic garbage collector is paused while a step runs (`collector_paused`): a step
allocates millions of small objects (texts, lists, row values) that form no reference cycles;
each allocation burst triggers collections that walk every live container again, which cost a
tenth of the pipeline core's time. Reference counting still frees everything at once while the
collector is paused; cycles made meanwhile (pandas and Great Expectations make a few) are
collected after the step, when the collector runs again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from aerosync.collector import collector_paused
from aerosync.config.companies import CompanyConfig
from aerosync.models import Batch
from aerosync.schedule.decisions import step_validate
from aerosync.schedule.extract import step_extract, step_normalise
from aerosync.schedule.plan import step_plan
from aerosync.schedule.sources.ams import AmsReader
from aerosync.schedule.sources.lms import BookingsReader
from aerosync.schedule.stages import Stores

Report = Callable[[str], None]


@dataclass
class BuiltSchedules:
    """The upload batches (`plan_batches`), and each step's summary (small: counts and tails)."""

    batches: list[Batch]
    summary: dict[str, Any]


def _group(report: Report, title: str, lines: list[str]) -> None:
    report(f"::group::{title}")
    for line in lines:
        report(line)
    report("::endgroup::")


def build_schedules(
    company: CompanyConfig,
    open_fms: Callable[[], Engine],
    stores: Stores,
    run_id: str,
    now: datetime,
    batch_size: int,
    read_bookings: BookingsReader | None = None,
    report: Report = lambda _line: None,
    read_ams: AmsReader | None = None,
) -> BuiltSchedules:
    """Read the sources as of `now`, normalise, run the suites, decide per aircraft and plan the
    upload batches of every aircraft cleared for sending. A failing source is recorded (it holds
    the aircraft it feeds), not raised."""
    cid = company.id
    with collector_paused():
        extracted = step_extract(company, open_fms, stores, run_id, now, read_bookings, read_ams)
    extract_summary = extracted.summary
    lines = [f"{cid}: extracted {extract_summary}"]
    if extracted.bookings_summary is not None:
        lines.append(f"{cid}: training bookings from the LMS: {extracted.bookings_summary}")
    if extracted.ams_summary is not None:
        lines.append(f"{cid}: maintenance and AOG from the AMS: {extracted.ams_summary}")
    if extracted.failed_sources:
        failed = ", ".join(sorted(extracted.failed_sources))
        lines.append(f"{cid}: source failed ({failed}); the aircraft it feeds will be held")
        lines += [f"{cid}:   {s.message}" for s in extracted.failed_sources.values()]
    with collector_paused():
        normalised = step_normalise(company, stores, run_id, now, extracted)
    del extracted  # the raw extract is done with: validation builds its own frames
    lines.append(f"{cid}: normalised {normalised.summary}")
    _group(report, "Extract and normalise", lines)

    with collector_paused():
        validated = step_validate(company, stores, run_id, now, normalised)
    lines = [
        f"{cid}: {validated.aircraft} aircraft checked, {len(validated.held)} held; "
        f"{validated.failed_expectations} expectation(s) not met, blocking or warning "
        f"(validation {validated.validation_id}; `aerosync status --company {cid}` "
        "shows each aircraft's findings)"
    ]
    if validated.held:
        lines.append(f"{cid}: held: {', '.join(validated.held)}")
    if validated.outside_fleet:
        lines.append(
            f"{cid}: {validated.outside_fleet} source row(s) concern aircraft that are not "
            "in this company's marketed fleet and were not sent:"
        )
        lines += [f"{cid}:   {message}" for message in validated.outside_fleet_findings]
    _group(report, "Validate (Great Expectations)", lines)

    batches = step_plan(company, stores, run_id, batch_size)
    sendable = sum(len(batch.tails) for batch in batches)
    report(f"{cid}: {sendable} aircraft to upload in {len(batches)} batch(es)")
    return BuiltSchedules(
        batches=batches,
        summary={
            "extracted": extract_summary,
            "normalised": normalised.summary,
            "validated": validated.to_dict(),
            "aircraft_to_upload": sendable,
        },
    )
