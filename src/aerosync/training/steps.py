"""The training-sync steps as plain functions over the aerosync stores, one per Airflow task.

Each returns a small summary (XCom); bulk rows go through `staged_data`. The transports (files,
HTTP) are the Airflow layer's: `stage_source` receives rows already read.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine

from aerosync.staging import FLEET, StagingStore
from aerosync.training import retention
from aerosync.training.checks import deduplicate
from aerosync.training.gate import ORDER, run_gate
from aerosync.training.mapping import Mapped
from aerosync.training.quarantine import QuarantineStore
from aerosync.training.sources import Window, select
from aerosync.training.store import TrainingStore
from aerosync.training.tables import BY_SOURCE, EMPLOYEES
from aerosync.training_config import RecordsSync

MAPPED, GOOD = "training_mapped:", "training_good:"
# Quarantined rows named one by one in a summary; the table holds them all.
SHOWN = 20


@dataclass
class TrainingStores:
    staging: StagingStore
    records: TrainingStore
    quarantine: QuarantineStore

    @classmethod
    def on(cls, engine: Engine) -> TrainingStores:
        stores = cls(StagingStore(engine), TrainingStore(engine), QuarantineStore(engine))
        stores.records.ensure_schema()
        return stores


def configured_sources(records: RecordsSync) -> list[str]:
    return [s for s in ORDER if getattr(records, s) is not None]


def stage_source(
    company: str,
    source: str,
    rows: Iterable[Mapped],
    window: Window,
    stores: TrainingStores,
    run_id: str,
) -> dict[str, Any]:
    """Keep the rows of this window and stage them for validation."""
    read = list(rows)
    kept = select(read, window)
    stores.staging.put(company, run_id, MAPPED + source, {FLEET: [m.to_dict() for m in kept]})
    return {"source": source, "read": len(read), "in_window": len(kept)}


def step_validate(
    company: str,
    sources: list[str],
    stores: TrainingStores,
    run_id: str,
    window: Window,
    now: datetime,
) -> dict[str, Any]:
    """Run the quality gate; quarantine refused rows, stage the good ones."""
    from aerosync.validation_store import save_report

    batches = {}
    for source in sources:
        staged = stores.staging.get(company, run_id, MAPPED + source).get(FLEET, [])
        batches[source] = deduplicate([Mapped.from_dict(d) for d in staged])
    gate = run_gate(batches, stores.records.known_employees(company), window.end)
    new = stores.quarantine.add(company, gate.quarantined, run_id, now)
    for source, good in gate.good.items():
        stores.staging.put(company, run_id, GOOD + source, {FLEET: [m.record for m in good]})
    validation_id = uuid.uuid4().hex
    save_report(stores.records.engine, validation_id, company, run_id, now, gate.report)
    return {
        "validation_id": validation_id,
        "window": window.to_dict(),
        "sources": gate.counts(),
        "quarantined": len(gate.quarantined),
        "newly_quarantined": new,
        "quarantine_examples": [q.describe(company) for q in gate.quarantined[:SHOWN]],
        "warnings": len(gate.warnings),
    }


def _drop_expired(
    stores: TrainingStores, company: str, source: str, rows: list[dict[str, Any]], first_kept: str
) -> list[dict[str, Any]]:
    spec = BY_SOURCE[source]
    if spec is EMPLOYEES:
        ids = sorted({str(r["employee_id"]) for r in rows})
        stored = [v for i in ids for v in stores.records.employee_history(company, i)]
        old = retention.superseded_before(rows, stored, first_kept)
        return [r for r in rows if (str(r["employee_id"]), str(r["effective_from"])) not in old]
    return [r for r in rows if not retention.too_old(r, spec, first_kept)]


def step_load(
    company: str,
    sources: list[str],
    stores: TrainingStores,
    run_id: str,
    now: datetime,
    today: date,
    retention_days: int,
) -> dict[str, Any]:
    """Upsert the good rows by natural key (employees first), then load rows quarantined only
    for an employee the HRIS has since delivered."""
    first_kept = retention.cutoff(today, retention_days)
    summary: dict[str, Any] = {}
    for source in sources:
        rows = stores.staging.get(company, run_id, GOOD + source).get(FLEET, [])
        kept = _drop_expired(stores, company, source, rows, first_kept)
        counts = stores.records.upsert(company, BY_SOURCE[source], kept, run_id, now)
        summary[source] = {**counts.to_dict(), "beyond_retention": len(rows) - len(kept)}
    known = stores.records.known_employees(company)
    waiting = [
        w for w in stores.quarantine.waiting_for_employees(company) if w["employee_id"] in known
    ]
    released = []
    for source in ORDER:
        rows = [w["record"] for w in waiting if w["source"] == source]
        rows = _drop_expired(stores, company, source, rows, first_kept) if rows else []
        if rows:
            stores.records.upsert(company, BY_SOURCE[source], rows, run_id, now)
        released += [(w["source"], w["fingerprint"]) for w in waiting if w["source"] == source]
    stores.quarantine.resolve(company, released, run_id, now)
    summary["released_from_quarantine"] = len(released)
    return summary


def step_retention(
    company: str,
    stores: TrainingStores,
    run_id: str,
    now: datetime,
    today: date,
    retention_days: int,
) -> dict[str, Any]:
    first_kept = retention.cutoff(today, retention_days)
    purged = retention.purge(stores.records, company, first_kept, run_id, now)
    return {"first_kept": first_kept, "purged": purged}


def step_finish(
    company: str, sources: list[str], stores: TrainingStores, run_id: str
) -> dict[str, Any]:
    """This run's audit count; the run's staging is dropped."""
    changes = stores.records.audit(company, run_id)
    stores.staging.purge(company, run_id)
    by_action: dict[str, int] = {}
    for change in changes:
        key = f"{change['table_name']}.{change['action']}"
        by_action[key] = by_action.get(key, 0) + 1
    return {"sources": sources, "changes": by_action}


def summary_lines(summary: Mapping[str, Any]) -> str:
    return "\n".join(f"  {k}: {v}" for k, v in summary.items())
