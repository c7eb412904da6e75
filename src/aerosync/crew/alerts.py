"""The crew sync's alert: one message per run that could not read a source or put rows into the
quarantine that were not there before (re-running a window whose rows are quarantined already
says nothing new, so it stays quiet).

It names the company, the window, each failed source with its error (made safe by the task that
failed) and each quarantined row by its source and where it came from (file and line, statement
id) with the field and the check it failed, never a value of the row: rows hold names, birth
dates and e-mail addresses, and an alert travels to mailboxes and chat channels.

Pure: the Airflow side (`aerosync.airflow.crew_tasks.alert`) gathers the facts and sends the
message through the company's channels (`aerosync.airflow.alert_notifier`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from aerosync.crew.checks import SUITES
from aerosync.crew.quarantine import QuarantinedRow
from aerosync.quality.suites import load_suite_definition

# Quarantined rows named one by one in an alert; the table `training_quarantine` holds them all.
ROWS_NAMED = 20


def check_words(source: str, code: str) -> str:
    """The quality check `code` of a source's suite in words (its description in
    `expectations/`), which never holds a row's values."""
    suite = SUITES.get(source)
    if suite is not None:
        for expectation in load_suite_definition(suite).get("expectations", []):
            if expectation.get("kwargs", {}).get("column") == code:
                description = (expectation.get("meta") or {}).get("description")
                if description:
                    return str(description)
    return code.replace("_", " ")


def _row_line(row: QuarantinedRow) -> str:
    reasons = "; ".join(
        f"{where}: {check_words(row.source, code)}" if where else check_words(row.source, code)
        for code, where in row.reasons
    )
    return f"- {row.source}, {row.row_ref}: {reasons}"


@dataclass(frozen=True)
class CrewSyncAlert:
    """What went wrong in one crew sync run (`crew_sync_alert` builds it only when something
    did)."""

    company: str
    company_name: str
    dag_id: str
    run_id: str
    window: str
    failed_sources: Mapping[str, str] = field(default_factory=dict)  # source -> safe error
    failed_steps: Mapping[str, str] = field(default_factory=dict)  # task -> safe error
    quarantined: Sequence[QuarantinedRow] = ()

    @property
    def about(self) -> str:
        """What the alert is about, for the task log."""
        return f"crew sync {self.run_id}"

    @property
    def subject(self) -> str:
        parts = []
        if self.failed_sources:
            parts.append("source " + ", ".join(sorted(self.failed_sources)) + " FAILED")
        if self.failed_steps:
            parts.append("step " + ", ".join(sorted(self.failed_steps)) + " FAILED")
        if self.quarantined:
            parts.append(f"{len(self.quarantined)} row(s) QUARANTINED")
        return f"[AeroSync] {self.company} crew sync: {'; '.join(parts)}"

    def text(self) -> str:
        """The message body, in words a crew administrator understands (plain text)."""
        lines = [f"Crew sync of {self.company_name} ({self.company}), window {self.window}."]
        for source, error in sorted(self.failed_sources.items()):
            lines.append(f"Source {source} could not be read: {error}")
        for step, error in sorted(self.failed_steps.items()):
            lines.append(f"Step {step} failed: {error}")
        if self.failed_sources or self.failed_steps:
            lines.append(
                "Nothing of this window was loaded. Once the cause is fixed, clear the failed "
                f"task of the run (or trigger {self.dag_id} for the window again): re-running a "
                "window loads it once, never twice."
            )
        if self.quarantined:
            by_source = Counter(row.source for row in self.quarantined)
            lines.append(
                f"{len(self.quarantined)} row(s) were quarantined by the quality checks ("
                + ", ".join(f"{source} {n}" for source, n in sorted(by_source.items()))
                + "); the other rows loaded. The table training_quarantine keeps each row "
                "with every reason:"
            )
            lines += [_row_line(row) for row in self.quarantined[:ROWS_NAMED]]
            if len(self.quarantined) > ROWS_NAMED:
                lines.append(f"... and {len(self.quarantined) - ROWS_NAMED} more.")
            lines.append(
                "Correct the rows at their source; rows refused only because the HRIS did not "
                "know their employee yet load by themselves once it does."
            )
        lines.append(f"Run: {self.run_id} of {self.dag_id}; its task logs are in Airflow.")
        return "\n".join(lines)


def crew_sync_alert(
    *,
    company: str,
    company_name: str,
    dag_id: str,
    run_id: str,
    window: str,
    failed_sources: Mapping[str, str],
    failed_steps: Mapping[str, str],
    quarantined: Sequence[QuarantinedRow],
) -> CrewSyncAlert | None:
    """The run's alert, or None when the run has nothing a person needs to hear about."""
    if not (failed_sources or failed_steps or quarantined):
        return None
    return CrewSyncAlert(
        company=company,
        company_name=company_name,
        dag_id=dag_id,
        run_id=run_id,
        window=window,
        failed_sources=dict(failed_sources),
        failed_steps=dict(failed_steps),
        quarantined=list(quarantined),
    )
