"""From activities and source health to a decision per aircraft: send, or hold with reasons."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from aerosync.config.companies import CompanyConfig
from aerosync.models import Decision, Finding, Severity
from aerosync.quality.suites import ValidationReport, validate_frames
from aerosync.schedule.checks import activity_checks, activity_frame, aircraft_checks
from aerosync.schedule.sources.health import FailedSource, failures_by_tail
from aerosync.schedule.sources.health import failed_sources as failed_sources_of
from aerosync.schedule.stages import DECISIONS, Stores

if TYPE_CHECKING:
    from aerosync.schedule.extract import Normalised

MAX_OUTSIDE_FLEET_LISTED = 50  # findings about tails outside the fleet named in a run's summary


def decide(
    company: CompanyConfig,
    tails_marketed: Sequence[str],
    columns: Mapping[str, Sequence[Any]],
    earlier_findings: Sequence[Finding],
    failed_sources: Mapping[str, str | Mapping[str, Any] | FailedSource],
    stores: Stores,
    now: datetime,
    validation_id: str,
) -> tuple[dict[str, Decision], ValidationReport]:
    """Validate the check columns (`check_columns_of_normalised`) of the marketed aircraft.

    A failed source holds exactly the aircraft it feeds: the FMS every aircraft (a bare message
    means that), an LMS those its `training.bookings` covers. Aircraft uploaded before and fed
    by a failed source are held too, even if the FMS no longer lists them."""
    previous_counts = stores.status.last_success_counts(company.id)
    failed = list(failed_sources_of(failed_sources).values())
    fed_before = {t for t in previous_counts if any(f.covers(t) for f in failed)}
    tails = sorted(set(tails_marketed) | fed_before)
    frame = activity_frame(columns)
    checks = activity_checks(frame, now, company.limits)
    failed_by_tail = failures_by_tail(failed, tails)
    fleet_checks, fleet_ids = aircraft_checks(
        frame,
        tails,
        now,
        previous_counts,
        failed_by_tail,
        company.guards.shrink_threshold,
        company.guards.min_activities_for_shrink_check,
    )
    report = validate_frames(
        [
            ("activities", checks, frame[["tail", "activity_id"]]),
            ("aircraft", fleet_checks, fleet_ids),
        ]
    )
    findings = list(earlier_findings) + report.findings()
    findings += [
        Finding("source_failed", message, Severity.BLOCKING, tail=tail)
        for tail, message in failed_by_tail.items()
    ]
    counts = dict(zip(fleet_ids["tail"], fleet_checks["activity_count"], strict=True))
    previous = dict(zip(fleet_ids["tail"], fleet_checks["previous_count"], strict=True))
    reasons: dict[str, list[Finding]] = {tail: [] for tail in tails}
    warnings: dict[str, list[Finding]] = {tail: [] for tail in tails}
    for finding in findings:
        by_severity = reasons if finding.severity is Severity.BLOCKING else warnings
        for tail in [finding.tail] if finding.tail is not None else tails:
            if tail in by_severity:
                by_severity[tail].append(finding)
    decisions = {
        tail: Decision(
            held=bool(reasons[tail]),
            reasons=tuple(reasons[tail]),
            warnings=tuple(warnings[tail]),
            activities=int(counts.get(tail, 0)),
            previous_activities=int(previous.get(tail, 0)),
            validation_id=validation_id,
        )
        for tail in tails
    }
    return decisions, report


@dataclass(frozen=True, slots=True)
class Validated:
    """What validating a run's aircraft found, for its log and its summary (`to_dict`, XCom)."""

    validation_id: str
    aircraft: int
    held: list[str]
    failed_expectations: int
    outside_fleet: int
    outside_fleet_findings: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "validation_id": self.validation_id,
            "aircraft": self.aircraft,
            "held": list(self.held),
            "failed_expectations": self.failed_expectations,
            "outside_fleet": self.outside_fleet,
            "outside_fleet_findings": list(self.outside_fleet_findings),
        }


def step_validate(
    company: CompanyConfig, stores: Stores, run_id: str, now: datetime, normalised: Normalised
) -> Validated:
    """Run the suites; decide per aircraft: send (with warnings) or hold (with reasons). The
    decisions are staged (DECISIONS) for the upload and `record_status`."""
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
    return Validated(
        validation_id=validation_id,
        aircraft=len(decisions),
        held=held,
        failed_expectations=len([o for o in report.outcomes if not o.success]),
        outside_fleet=len(outside),
        outside_fleet_findings=[f.message for f in outside[:MAX_OUTSIDE_FLEET_LISTED]],
    )
