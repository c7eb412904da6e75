"""How long the aerosync database keeps what it accumulates: the top-level `retention:` section
of the companies file, days per table, purged daily by the `aerosync_maintenance` DAG.

Database-wide, not per company: the tables are shared by every company and purged in one pass.
The training records themselves (employees, completions, qualifications, gradings) keep their
per-company `training.records.retention_days`, purged by each company's training sync.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from aerosync.config.training import DEFAULT_RETENTION_DAYS


class Retention(BaseModel):
    """Days kept per table. Whatever the rule, the purge keeps each aircraft's latest record,
    latest success and latest real attempt (the page's last outcome, the shrink guard's last
    upload), the validation results those records point at, and the staging of runs still
    running."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    status_history_days: int = Field(default=90, ge=1)  # upload_status
    validation_results_days: int = Field(default=30, ge=1)  # validation_results
    staging_days: int = Field(default=2, ge=1)  # staged_data
    quarantine_days: int = Field(default=365, ge=1)  # training_quarantine, once resolved or not
    audit_days: int = Field(default=DEFAULT_RETENTION_DAYS, ge=1)  # training_audit, aerosync_audit
