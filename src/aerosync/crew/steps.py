"""The training-sync steps as plain functions over the aerosync stores, one per Airflow task.

Each returns a small typed summary (`aerosync.crew.summaries`; its `to_dict` is the task's
XCom); bulk rows go through `staged_data`, in numbered parts of
`PART_ROWS` rows, each written and read on its own: a source of any size (a 100 MB CSV) passes
extract, validate and load in bounded memory. The transports (files, HTTP) are the Airflow
layer's: `stage_source` receives rows as they are read (an iterator: a CSV row by row).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from itertools import islice
from typing import Any

from sqlalchemy import Engine

from aerosync.crew import retention
from aerosync.crew.gate import run_gate_on_parts
from aerosync.crew.lms_flow import (
    gate_parts,
    gated_sources,
    lms_references,
    loadable_parts,
    log_fed_enrolments,
)
from aerosync.crew.mapping import Mapped
from aerosync.crew.quarantine import QuarantineEntry, QuarantineStore
from aerosync.crew.run_log import TrainingRunLog
from aerosync.crew.sources import Window, in_window
from aerosync.crew.store import TrainingStore, UpsertCounts
from aerosync.crew.summaries import (
    Finished,
    Loaded,
    Retained,
    SourceLoaded,
    Staged,
    Validated,
)
from aerosync.crew.tables import BY_SOURCE, EMPLOYEES, SOURCE_ORDER
from aerosync.stores.migrate import ensure_migrated
from aerosync.stores.staging import StagingStore

MAPPED, GOOD, REFUSED = "training_mapped:", "training_good:", "training_refused"
# Rows per staged part: about 15 MB of JSON for LMS completions, a few tens of MB in a process.
PART_ROWS = 10_000
# Quarantined rows named one by one in a summary; the table holds them all.
SHOWN = 20


@dataclass
class TrainingStores:
    staging: StagingStore
    records: TrainingStore
    quarantine: QuarantineStore
    run_log: TrainingRunLog

    @classmethod
    def on(cls, engine: Engine) -> TrainingStores:
        """The stores of a task that writes: the database is migrated to head first."""
        ensure_migrated(engine)
        return cls(
            StagingStore(engine),
            TrainingStore(engine),
            QuarantineStore(engine),
            TrainingRunLog(engine),
        )


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def stage_source(
    company: str,
    source: str,
    rows: Iterable[Mapped],
    window: Window,
    stores: TrainingStores,
    run_id: str,
    part_rows: int = PART_ROWS,
) -> Staged:
    """Keep the rows of this window and stage them for validation, `part_rows` at a time as
    `rows` yields them (what the source staged before for this run is replaced). If reading
    fails half-way, nothing of this source stays staged."""
    counted = {"read": 0, "in_window": 0}

    def kept() -> Iterator[dict[str, Any]]:
        for row in rows:
            counted["read"] += 1
            if in_window(row, window):
                counted["in_window"] += 1
                yield row.to_dict()

    try:
        parts = stores.staging.put_parts(
            company, run_id, MAPPED + source, _chunks(kept(), part_rows)
        )
    except BaseException:
        stores.staging.clear(company, run_id, MAPPED + source)
        raise
    stores.run_log.staged(
        company, run_id, source, window, counted["read"], counted["in_window"], datetime.now(UTC)
    )
    return Staged(source, counted["read"], counted["in_window"], parts)


@dataclass
class _StagingSink:
    """The gate's results, staged part by part: good rows per source, refused rows to add to
    the quarantine once Great Expectations has agreed."""

    stores: TrainingStores
    company: str
    run_id: str
    examples: list[QuarantineEntry] = field(default_factory=list)
    parts: dict[str, int] = field(default_factory=dict)

    def _add(self, stage: str, part: list[Any]) -> None:
        self.parts[stage] = self.parts.get(stage, 0) + 1
        self.stores.staging.add_part(self.company, self.run_id, stage, self.parts[stage], part)

    def good(self, source: str, rows: list[Mapped]) -> None:
        if rows:
            self._add(GOOD + source, [m.record for m in rows])

    def refused(self, entries: list[QuarantineEntry]) -> None:
        self.examples.extend(entries[: SHOWN - len(self.examples)])
        self._add(REFUSED, [asdict(e) for e in entries])

    def warning(self, warning: dict[str, Any]) -> None:
        pass  # counted by the gate


def step_validate(
    company: str,
    sources: list[str],
    stores: TrainingStores,
    run_id: str,
    window: Window,
    now: datetime,
) -> Validated:
    """Run the quality gate over the staged parts; quarantine refused rows, stage the good ones
    in parts."""
    from aerosync.stores.validation import save_report

    extracted, sources = sources, gated_sources(sources)
    for stage in [GOOD + source for source in sources] + [REFUSED]:
        stores.staging.clear(company, run_id, stage)

    def staged(source: str) -> Iterator[list[Mapped]]:
        for part in stores.staging.parts(company, run_id, MAPPED + source):
            yield [Mapped.from_dict(d) for d in part]

    def parts_of(source: str) -> Any:
        return lambda: gate_parts(source, staged)

    sink = _StagingSink(stores, company, run_id)
    gate = run_gate_on_parts(
        {source: parts_of(source) for source in sources},
        stores.records.known_employees(company),
        window.end,
        sink,
        lms_references(stores.records.engine, company, sources),
    )
    new = 0
    for part in stores.staging.parts(company, run_id, REFUSED):
        new += stores.quarantine.add(company, [QuarantineEntry(**e) for e in part], run_id, now)
    stores.staging.clear(company, run_id, REFUSED)
    validation_id = uuid.uuid4().hex
    save_report(stores.records.engine, validation_id, company, run_id, now, gate.report)
    log_fed_enrolments(stores.run_log, company, run_id, window, extracted, gate.counts, now)
    stores.run_log.validated(company, run_id, window, gate.counts, now)
    return Validated(
        validation_id=validation_id,
        window=window,
        sources=gate.counts,
        quarantined=gate.quarantined,
        newly_quarantined=new,
        quarantine_examples=[q.describe(company) for q in sink.examples],
        warnings=gate.warnings,
    )


def _drop_expired(
    stores: TrainingStores,
    company: str,
    source: str,
    rows: list[dict[str, Any]],
    first_kept: str,
    incoming: Mapping[str, set[str]] | None = None,
) -> list[dict[str, Any]]:
    """The rows not older than the retention period. For employee versions, `incoming` holds
    the start of every version this run loads (all its parts) per employee."""
    spec = BY_SOURCE[source]
    if spec is EMPLOYEES:
        ids = sorted({str(r["employee_id"]) for r in rows})
        stored = [v for i in ids for v in stores.records.employee_history(company, i)]
        stored += [
            {"employee_id": i, "effective_from": start}
            for i in ids
            for start in (incoming or {}).get(i, ())
        ]
        old = retention.superseded_before(rows, stored, first_kept)
        return [r for r in rows if (str(r["employee_id"]), str(r["effective_from"])) not in old]
    return [r for r in rows if not retention.too_old(r, spec, first_kept)]


def _version_starts(parts: Iterable[list[dict[str, Any]]]) -> dict[str, set[str]]:
    starts: dict[str, set[str]] = {}
    for part in parts:
        for r in part:
            starts.setdefault(str(r["employee_id"]), set()).add(str(r["effective_from"]))
    return starts


def step_load(
    company: str,
    sources: list[str],
    stores: TrainingStores,
    run_id: str,
    now: datetime,
    today: date,
    retention_days: int,
    source_retention: Mapping[str, int] | None = None,
) -> Loaded:
    """Upsert the good rows by natural key (employees first), part by part, then load rows
    quarantined only for an employee the HRIS has since delivered. Rows older than their
    retention period (`source_retention` days for a source with its own, else
    `retention_days`) are not loaded."""
    kept_from = retention.first_kept_by_source(today, retention_days, source_retention)
    loaded: dict[str, SourceLoaded] = {}
    sources = gated_sources(sources)
    for source in sources:
        spec = BY_SOURCE[source]
        incoming = None
        if spec is EMPLOYEES:
            incoming = _version_starts(stores.staging.parts(company, run_id, GOOD + source))
        total = UpsertCounts()
        expired = 0
        good = stores.staging.parts(company, run_id, GOOD + source)
        for rows in loadable_parts(stores.records.engine, company, source, good):
            kept = _drop_expired(stores, company, source, rows, kept_from[source], incoming)
            counts = stores.records.upsert(company, spec, kept, run_id, now)
            total.inserted += counts.inserted
            total.updated += counts.updated
            total.unchanged += counts.unchanged
            expired += len(rows) - len(kept)
        loaded[source] = SourceLoaded(total, expired)
    known = stores.records.known_employees(company)
    engine = stores.records.engine
    waiting = [
        w for w in stores.quarantine.waiting_for_employees(company) if w.employee_id in known
    ]
    released = []
    for source in SOURCE_ORDER:
        rows = [w.record for w in waiting if w.source == source]
        if rows:
            rows = [r for part in loadable_parts(engine, company, source, [rows]) for r in part]
        rows = _drop_expired(stores, company, source, rows, kept_from[source]) if rows else []
        if rows:
            stores.records.upsert(company, BY_SOURCE[source], rows, run_id, now)
        released += [(w.source, w.fingerprint) for w in waiting if w.source == source]
    stores.quarantine.resolve(company, released, run_id, now)
    stores.run_log.loaded(company, run_id, {s: done.counts for s, done in loaded.items()}, now)
    return Loaded(loaded, len(released))


def step_retention(
    company: str,
    stores: TrainingStores,
    run_id: str,
    now: datetime,
    today: date,
    retention_days: int,
    source_retention: Mapping[str, int] | None = None,
) -> Retained:
    first_kept = retention.cutoff(today, retention_days)
    kept_from = retention.first_kept_by_source(today, retention_days, source_retention)
    purged = retention.purge(stores.records, company, first_kept, run_id, now, kept_from)
    stores.run_log.purge(company, first_kept)  # not audited: a log of runs, not training data
    return Retained(first_kept, purged)


def step_finish(company: str, sources: list[str], stores: TrainingStores, run_id: str) -> Finished:
    """This run's audit count; the run's staging is dropped."""
    by_action = stores.records.audit_counts(company, run_id)
    stores.staging.purge(company, run_id)
    return Finished(sources, by_action)
