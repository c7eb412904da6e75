"""The aerosync database's upload status: one record per aircraft per attempt, written by the
upload and read by the CLI and the UI (the records themselves: `aerosync.stores.status_records`).

SQLAlchemy Core over any engine (SQLite by default, PostgreSQL in production).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, bindparam, text

from aerosync.models import CALL_OUTCOMES, Outcome
from aerosync.stores.database import iso
from aerosync.stores.status_records import StatusRecord, record_of_row, row_params

_SUCCESS = (Outcome.UPLOADED.value, Outcome.UPLOADED_WITH_ERRORS.value)
_CALLS = tuple(o.value for o in CALL_OUTCOMES)
# Records that say nothing about an aircraft's state: a skip, and a call not yet answered.
_NOT_REAL = (Outcome.SKIPPED.value, Outcome.IN_FLIGHT.value)


# What settling an attempt may change: the rest (who, when, which run) is fixed at the intent.
_SETTLED = (
    "outcome", "http_status", "activities_sent", "messages", "reasons", "last_success_at",
    "next_allowed_at",
)  # fmt: skip


_LATEST = """
SELECT s.* FROM upload_status s
JOIN (SELECT company, tail, MAX(attempted_at) AS latest FROM upload_status {where}
      GROUP BY company, tail) l
  ON s.company = l.company AND s.tail = l.tail AND s.attempted_at = l.latest
ORDER BY s.company, s.tail
"""


class StatusStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def last_successes(
        self, company: str, tails: Iterable[str] | None = None
    ) -> dict[str, datetime]:
        """The time of each aircraft's last successful upload (of `tails` only, if given: read
        through the (company, tail, attempted_at) index, not by grouping the whole history)."""
        query = (
            "SELECT tail, MAX(attempted_at) AS at FROM upload_status "
            "WHERE company = :company AND outcome IN (:ok1, :ok2)"
        )
        params: dict[str, Any] = {"company": company, "ok1": _SUCCESS[0], "ok2": _SUCCESS[1]}
        statement = text(query + " GROUP BY tail")
        if tails is not None:
            params["tails"] = sorted(set(tails))
            if not params["tails"]:
                return {}
            statement = text(query + " AND tail IN :tails GROUP BY tail").bindparams(
                bindparam("tails", expanding=True)
            )
        with self.engine.connect() as conn:
            rows = conn.execute(statement, params).all()
        return {row.tail: datetime.fromisoformat(row.at) for row in rows}

    def last_success_counts(self, company: str) -> dict[str, int]:
        """How many activities each aircraft's last successful upload carried."""
        query = (
            "SELECT s.tail, s.activities_sent FROM upload_status s JOIN ("
            " SELECT tail, MAX(attempted_at) AS at FROM upload_status"
            " WHERE company = :company AND outcome IN (:ok1, :ok2) GROUP BY tail) l"
            " ON s.tail = l.tail AND s.attempted_at = l.at WHERE s.company = :company"
        )
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(query), {"company": company, "ok1": _SUCCESS[0], "ok2": _SUCCESS[1]}
            ).all()
        return {row.tail: int(row.activities_sent) for row in rows}

    def record(self, records: Sequence[StatusRecord], *, history_read: bool = False) -> None:
        """Write attempts; each record's `last_success_at` is derived from the history, unless
        the caller has read it already (`history_read`: the upload reads it once per batch,
        not once per aircraft)."""
        if not records:
            return
        # A success is its own last success; only the others need the history (one read per
        # company, none at all for a batch of successes).
        by_company: dict[str, list[StatusRecord]] = {}
        for rec in records:
            if rec.outcome.value in _SUCCESS:
                rec.last_success_at = rec.attempted_at
            elif not history_read:
                by_company.setdefault(rec.company, []).append(rec)
        for company, recs in by_company.items():
            previous = self.last_successes(company, [r.tail for r in recs])
            for rec in recs:
                rec.last_success_at = previous.get(rec.tail)
        params = [row_params(r) for r in records]
        columns = list(params[0])
        insert = (
            f"INSERT INTO upload_status ({', '.join(columns)}) "
            f"VALUES ({', '.join(':' + c for c in columns)})"
        )
        with self.engine.begin() as conn:
            conn.execute(text(insert), params)

    def latest(self, company: str | None = None) -> list[StatusRecord]:
        """The latest attempt of every aircraft (of one company, or of all)."""
        where = "WHERE company = :company" if company else ""
        with self.engine.connect() as conn:
            rows = conn.execute(text(_LATEST.format(where=where)), {"company": company}).all()
        return [record_of_row(r) for r in rows]

    def companies(self) -> list[str]:
        """Every company with at least one status record."""
        with self.engine.connect() as conn:
            rows = conn.execute(text("SELECT DISTINCT company FROM upload_status ORDER BY 1"))
            return [row[0] for row in rows]

    def attempts(self, company: str, run_id: str) -> list[StatusRecord]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT * FROM upload_status WHERE company = :company AND run_id = :run_id "
                    "ORDER BY tail, attempted_at"
                ),
                {"company": company, "run_id": run_id},
            ).all()
        return [record_of_row(r) for r in rows]

    def settle(self, record: StatusRecord) -> None:
        """Turn an attempt recorded before its call (`in_flight`) into what came of the call:
        the same row (by `attempt_id`), whatever it says meanwhile (a late answer overrides an
        `unknown` written while the call seemed lost)."""
        if record.outcome.value in _SUCCESS:
            record.last_success_at = record.attempted_at
        params = {k: v for k, v in row_params(record).items() if k in (*_SETTLED, "attempt_id")}
        assignments = ", ".join(f"{c} = :{c}" for c in _SETTLED)
        with self.engine.begin() as conn:
            conn.execute(
                text(f"UPDATE upload_status SET {assignments} WHERE attempt_id = :attempt_id"),
                params,
            )

    def in_flight(self, company: str) -> list[StatusRecord]:
        """The company's attempts whose call went out and whose outcome is not recorded."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT * FROM upload_status WHERE company = :company AND outcome = :o "
                    "ORDER BY tail, attempted_at"
                ),
                {"company": company, "o": Outcome.IN_FLIGHT.value},
            ).all()
        return [record_of_row(r) for r in rows]

    def last_attempts(self, company: str, since: datetime) -> dict[str, datetime]:
        """When each aircraft was last sent a request, or was about to be (`in_flight`,
        `unknown`): any outcome but held, skipped and not attempted."""
        statement = text(
            "SELECT tail, MAX(attempted_at) AS at FROM upload_status "
            "WHERE company = :company AND attempted_at >= :since "
            "AND outcome IN :calls GROUP BY tail"
        ).bindparams(bindparam("calls", expanding=True))
        with self.engine.connect() as conn:
            rows = conn.execute(
                statement, {"company": company, "since": iso(since), "calls": list(_CALLS)}
            ).all()
        return {row.tail: datetime.fromisoformat(row.at) for row in rows}

    def last_real_attempts(self, company: str, tails: Iterable[str]) -> dict[str, StatusRecord]:
        """Each aircraft's latest record that says something about it (not a skip, not a call
        still in flight): what a skip shows."""
        wanted = sorted(set(tails))
        if not wanted:
            return {}
        statement = text(
            "SELECT s.* FROM upload_status s JOIN ("
            " SELECT tail, MAX(attempted_at) AS at FROM upload_status"
            " WHERE company = :company AND tail IN :tails AND outcome NOT IN :not_real"
            " GROUP BY tail) m ON m.tail = s.tail AND m.at = s.attempted_at "
            "WHERE s.company = :company AND s.outcome NOT IN :not_real"
        ).bindparams(bindparam("tails", expanding=True), bindparam("not_real", expanding=True))
        with self.engine.connect() as conn:
            rows = conn.execute(
                statement, {"company": company, "tails": wanted, "not_real": list(_NOT_REAL)}
            ).all()
        return {row.tail: record_of_row(row) for row in rows}

    def last_fleet(self, company: str, before_run: str | None = None) -> list[str]:
        """The aircraft of the company's latest run that decided about its fleet (any record
        but `not_attempted`), less those it found no longer marketed: the marketed aircraft when
        this run cannot say (its FMS could not be read, or its build crashed), and the ones whose
        absence from a run's FMS is news (`before_run`: of the runs before that one). Every run
        records every aircraft it knows."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT DISTINCT tail FROM upload_status WHERE company = :company AND "
                    "outcome <> :gone AND "
                    "run_id = (SELECT run_id FROM upload_status WHERE company = :company AND "
                    "outcome NOT IN (:na, :gone) AND run_id <> :run "
                    "ORDER BY attempted_at DESC LIMIT 1)"
                ),
                {
                    "company": company,
                    "run": before_run or "",
                    "na": Outcome.NOT_ATTEMPTED.value,
                    "gone": Outcome.NOT_MARKETED.value,
                },
            ).all()
        return sorted(row.tail for row in rows)

    def previous_outcomes(self, company: str, run_id: str) -> dict[str, str]:
        """Each aircraft's outcome before this run: its latest record of another run that was
        not a skip nor a call still in flight (they say nothing about the aircraft's state)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                text(
                    "SELECT s.tail, s.outcome FROM upload_status s JOIN ("
                    " SELECT tail, MAX(attempted_at) AS at FROM upload_status"
                    " WHERE company = :company AND run_id <> :run_id"
                    " AND outcome NOT IN (:skip, :flight)"
                    " GROUP BY tail) m ON m.tail = s.tail AND m.at = s.attempted_at "
                    "WHERE s.company = :company AND s.run_id <> :run_id"
                    " AND s.outcome NOT IN (:skip, :flight)"
                ),
                {
                    "company": company,
                    "run_id": run_id,
                    "skip": _NOT_REAL[0],
                    "flight": _NOT_REAL[1],
                },
            ).all()
        return {row.tail: row.outcome for row in rows}
