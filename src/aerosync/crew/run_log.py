"""The training sync's run log (`training_sync_runs`, `training_sync_exports`): what each run did
with each source and what it wrote out, for the Crew sync page (`aerosync.crew.sync_status`
reads it). Before, a quarantine was only a line in a green run's log.

Each step writes its own columns as it ends, so a run that stops half-way still says how far it
got: a source that cannot be read leaves its reason, and the steps after it leave their columns
empty. Nothing of a row is logged: counts, a file's path, and failure messages that the caller
has already made safe to show.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, text

from aerosync.crew.sources import Window
from aerosync.crew.store import UpsertCounts
from aerosync.stores.database import iso, parse_iso

TRAINING_STATUS, EBT_STATEMENTS = "training_status", "ebt_statements"
_KEY = "company, run_id, source"


class TrainingRunLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- writing: one call per step, each setting its own columns --------------------------------

    def _upsert(
        self, company: str, run_id: str, source: str, window: Window, now: datetime, **columns: Any
    ) -> None:
        values = {
            "company": company,
            "run_id": run_id,
            "source": source,
            "window_start": iso(window.start),
            "window_end": iso(window.end),
            "started_at": iso(now),
            "updated_at": iso(now),
            **columns,
        }
        names = list(values)
        changed = ["window_start", "window_end", "updated_at", *columns]
        with self.engine.begin() as conn:
            conn.execute(
                text(
                    f"INSERT INTO training_sync_runs ({', '.join(names)}) "
                    f"VALUES ({', '.join(':' + n for n in names)}) "
                    f"ON CONFLICT ({_KEY}) DO UPDATE SET "
                    + ", ".join(f"{c} = excluded.{c}" for c in changed)
                ),
                values,
            )

    def staged(
        self,
        company: str,
        run_id: str,
        source: str,
        window: Window,
        read: int,
        in_window: int,
        now: datetime,
    ) -> None:
        """The source was read: a (re-)run of its extract starts the source's record afresh."""
        self._start(company, run_id, source, window, now, read, in_window, None)

    def source_failed(
        self, company: str, run_id: str, source: str, window: Window, reason: str, now: datetime
    ) -> None:
        """`reason` must already be safe to show (redacted, no row values)."""
        self._start(company, run_id, source, window, now, None, None, reason)

    def _start(
        self,
        company: str,
        run_id: str,
        source: str,
        window: Window,
        now: datetime,
        read: int | None,
        in_window: int | None,
        failure: str | None,
    ) -> None:
        """A source's record begun afresh by its extract: what later steps fill in is cleared."""
        self._upsert(
            company,
            run_id,
            source,
            window,
            now,
            started_at=iso(now),
            rows_read=read,
            rows_in_window=in_window,
            rows_good=None,
            rows_quarantined=None,
            rows_inserted=None,
            rows_updated=None,
            rows_unchanged=None,
            failure=failure,
        )

    def validated(
        self,
        company: str,
        run_id: str,
        window: Window,
        counts: Mapping[str, Mapping[str, int]],
        now: datetime,
    ) -> None:
        for source, by_verdict in counts.items():
            self._upsert(
                company,
                run_id,
                source,
                window,
                now,
                rows_good=by_verdict.get("good", 0),
                rows_quarantined=by_verdict.get("quarantined", 0),
            )

    def loaded(
        self, company: str, run_id: str, counts: Mapping[str, UpsertCounts], now: datetime
    ) -> None:
        """Only sources the run staged have a record to complete (the load has no window)."""
        with self.engine.begin() as conn:
            for source, upserted in counts.items():
                conn.execute(
                    text(
                        "UPDATE training_sync_runs SET rows_inserted = :inserted, "
                        "rows_updated = :updated, rows_unchanged = :unchanged, updated_at = :now "
                        "WHERE company = :company AND run_id = :run_id AND source = :source"
                    ),
                    {
                        **upserted.to_dict(),
                        "now": iso(now),
                        "company": company,
                        "run_id": run_id,
                        "source": source,
                    },
                )

    def exported(
        self,
        company: str,
        run_id: str,
        export: str,
        window: Window,
        location: str,
        rows: int | None,
        now: datetime,
        failure: str | None = None,
    ) -> None:
        """A file or post written out (`rows`), or why it failed (`failure`, safe to show)."""
        values = {
            "company": company,
            "run_id": run_id,
            "export": export,
            "window_start": iso(window.start),
            "window_end": iso(window.end),
            "location": location,
            "row_count": rows,
            "written_at": iso(now),
            "failure": failure,
        }
        names = list(values)
        changed = [n for n in names if n not in ("company", "run_id", "export")]
        with self.engine.begin() as conn:
            conn.execute(
                text(
                    f"INSERT INTO training_sync_exports ({', '.join(names)}) "
                    f"VALUES ({', '.join(':' + n for n in names)}) "
                    "ON CONFLICT (company, run_id, export) DO UPDATE SET "
                    + ", ".join(f"{c} = excluded.{c}" for c in changed)
                ),
                values,
            )

    def exported_until(
        self, company: str, export: str, window: Window, run_id: str
    ) -> datetime | None:
        """Where the pieces of `window` that OTHER runs wrote out (`export`) end: an event-started
        run writes out from the window's start to its event, the next run of the window from
        there (`crew.export.export_piece`). Failed writes do not count; the run itself does not,
        so running it again writes the same piece."""
        with self.engine.connect() as conn:
            until = conn.execute(
                text(
                    "SELECT MAX(window_end) FROM training_sync_exports WHERE company = :company "
                    "AND export = :export AND run_id <> :run_id AND failure IS NULL "
                    "AND row_count IS NOT NULL AND window_start >= :start AND window_start < :end"
                ),
                {
                    "company": company,
                    "export": export,
                    "run_id": run_id,
                    "start": iso(window.start),
                    "end": iso(window.end),
                },
            ).scalar()
        return parse_iso(until)

    def purge(self, company: str, first_kept: str) -> int:
        """Forget runs that ran before the retention cutoff (YYYY-MM-DD). By when they ran, not
        by their window: a backfill of an old window today stays on the page."""
        purged = 0
        with self.engine.begin() as conn:
            for table, ran in (
                ("training_sync_runs", "started_at"),
                ("training_sync_exports", "written_at"),
            ):
                purged += conn.execute(
                    text(f"DELETE FROM {table} WHERE company = :company AND {ran} < :cut"),
                    {"company": company, "cut": first_kept},
                ).rowcount
        return purged
