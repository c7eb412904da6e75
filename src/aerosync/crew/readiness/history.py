"""What earlier readiness exports said (`training_readiness`), so an export flags only what
changed since the previous one.

The table is a log of changes, not a daily copy of every pilot (5,000 pilots a day would be
millions of rows a year): a pilot and type get a row on the day (`as_of`) they first appear, on
each day their verdict or failing rules change, and on the day they stop being listed (`failing`
then holds `NOT_LISTED`). What an export said on any day is each pair's latest row up to that day.
The previous verdict of an export for day D is the latest row before D, so re-running a window, or
backfilling an old one, compares with the exports before it, not with itself or later ones.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, text

from aerosync.crew.readiness.states import PilotReadiness, ReadinessReport
from aerosync.stores.database import iso

NOT_LISTED = "not listed"


@dataclass(frozen=True)
class Previous:
    """A pair's verdict in the exports before the day, and the day they first gave it."""

    since: date
    ready: bool
    failing: tuple[str, ...]


@dataclass(frozen=True)
class ExportRow:
    """One row of an export: a pilot and type listed on the day (`pilot`), or one the previous
    export listed and this one no longer does (`pilot` None)."""

    employee_id: str
    type_code: str
    pilot: PilotReadiness | None
    previous: Previous | None
    changed: bool
    lapsing: bool

    @property
    def listed(self) -> bool:
        return self.pilot is not None


def previous_verdicts(engine: Engine, company: str, day: date) -> dict[tuple[str, str], Previous]:
    """Each pair's latest row before `day`; a pair whose latest row says it stopped being
    listed has no previous verdict."""
    statement = text(
        "SELECT employee_id, type_code, as_of, ready, failing FROM ("
        "SELECT employee_id, type_code, as_of, ready, failing, ROW_NUMBER() OVER ("
        "PARTITION BY employee_id, type_code ORDER BY as_of DESC) AS newest "
        "FROM training_readiness WHERE company = :company AND as_of < :day) latest "
        "WHERE newest = 1"
    )
    out = {}
    with engine.connect() as conn:
        for r in conn.execute(statement, {"company": company, "day": day.isoformat()}):
            failing = tuple(json.loads(r.failing))
            if failing != (NOT_LISTED,):
                out[(r.employee_id, r.type_code)] = Previous(
                    date.fromisoformat(r.as_of), bool(r.ready), failing
                )
    return out


def flag_changes(
    report: ReadinessReport, previous: Mapping[tuple[str, str], Previous]
) -> list[ExportRow]:
    """Every listed pair, flagged when new or when its verdict or failing rules changed; and
    every pair the previous export listed that this one does not."""
    rows = []
    for pilot in report.pilots:
        before = previous.get((pilot.employee_id, pilot.type_code))
        changed = before is None or (before.ready, before.failing) != (pilot.ready, pilot.failing)
        lapsing = pilot.lapses_within(report.day, report.horizon_days)
        rows.append(ExportRow(pilot.employee_id, pilot.type_code, pilot, before, changed, lapsing))
    listed = {(p.employee_id, p.type_code) for p in report.pilots}
    for key in sorted(set(previous) - listed):
        rows.append(ExportRow(key[0], key[1], None, previous[key], True, False))
    return sorted(rows, key=lambda row: (row.employee_id, row.type_code))


def _values(row: ExportRow) -> dict[str, object]:
    if row.pilot is None:
        return {"ready": 0, "failing": json.dumps([NOT_LISTED]), "lapses_on": None, "rules": "[]"}
    pilot = row.pilot
    return {
        "ready": int(pilot.ready),
        "failing": json.dumps(list(pilot.failing)),
        "lapses_on": None if pilot.lapses_on is None else pilot.lapses_on.isoformat(),
        "rules": json.dumps([rule.to_dict() for rule in pilot.rules]),
    }


def record_export(
    engine: Engine,
    company: str,
    day: date,
    rows: Sequence[ExportRow],
    run_id: str,
    now: datetime,
) -> int:
    """Log the changed rows of the export for `day` (replacing what an earlier run of the same
    day logged); returns how many."""
    changed = [
        {
            "company": company,
            "as_of": day.isoformat(),
            "employee_id": row.employee_id,
            "type_code": row.type_code,
            "run_id": run_id,
            "exported_at": iso(now),
            **_values(row),
        }
        for row in rows
        if row.changed
    ]
    with engine.begin() as conn:
        conn.execute(
            text("DELETE FROM training_readiness WHERE company = :company AND as_of = :day"),
            {"company": company, "day": day.isoformat()},
        )
        if changed:
            names = list(changed[0])
            conn.execute(
                text(
                    f"INSERT INTO training_readiness ({', '.join(names)}) "
                    f"VALUES ({', '.join(':' + n for n in names)})"
                ),
                changed,
            )
    return len(changed)


def purge_history(engine: Engine, company: str, first_kept: str) -> int:
    """Forget rows older than the retention cutoff (YYYY-MM-DD) that no longer say anything
    about a day since: a row followed by a newer one of the same pair by the cutoff, or an old
    'not listed'. A pair's state as of the cutoff stays, however old its row."""
    with engine.begin() as conn:
        return conn.execute(
            text(
                "DELETE FROM training_readiness WHERE company = :company AND as_of < :cut AND ("
                "failing = :not_listed OR EXISTS (SELECT 1 FROM training_readiness newer "
                "WHERE newer.company = training_readiness.company "
                "AND newer.employee_id = training_readiness.employee_id "
                "AND newer.type_code = training_readiness.type_code "
                "AND newer.as_of > training_readiness.as_of AND newer.as_of <= :cut))"
            ),
            {"company": company, "cut": first_kept, "not_listed": json.dumps([NOT_LISTED])},
        ).rowcount
