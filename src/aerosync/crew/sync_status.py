"""The Crew sync page's query: per company, the last run of each source and of each export (from
the run log, `aerosync.crew.run_log`) and the rows still in quarantine, as the plain records of
`aerosync.stores.training_runs` that the status wing renders.

The quarantine is read by its identifiers and reason codes only, never `row_data` or `record`
(a row as read may hold a name, a birth date, an e-mail address), and each reason is worded with
its check's description from the suites, not with the gate's message, which may quote a value.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Engine, bindparam, inspect, text

from aerosync.crew.checks import SUITES
from aerosync.crew.tables import SOURCE_ORDER
from aerosync.quality.suites import load_suite_definition
from aerosync.stores.database import parse_iso
from aerosync.stores.training_runs import (
    CrewSyncStatus,
    ExportRun,
    QuarantinedRow,
    QuarantineReason,
    SourceRun,
)

# Quarantined rows listed per company on the page; the counts cover them all.
SHOWN_QUARANTINED = 100


@cache
def reason_words(source: str, code: str) -> str:
    """The description of check `code` in the source's suite, or the code in words."""
    suite = SUITES.get(source)
    if suite is not None:
        for expectation in load_suite_definition(suite)["expectations"]:
            if expectation["kwargs"].get("column") == code:
                return str(expectation["meta"].get("description") or code)
    return code.replace("_", " ")


def _at(value: Any) -> datetime:
    moment = parse_iso(str(value))
    assert moment is not None
    return moment


def crew_sync_companies(engine: Engine) -> list[str]:
    """Every company the run log knows (for the page to ask which of them the user may read)."""
    if not inspect(engine).has_table("training_sync_runs"):
        return []
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT company FROM training_sync_runs UNION SELECT company "
                "FROM training_sync_exports"
            )
        )
        return sorted(row[0] for row in rows)


def crew_sync_status(
    engine: Engine, companies: Collection[str] | None = None, shown: int = SHOWN_QUARANTINED
) -> list[CrewSyncStatus]:
    """Per company (every company the log knows, or only those of `companies`: the page's
    authorisation filter): the last run of each source and of each export, and the rows still in
    quarantine (the first `shown` of them, oldest first, and how many per source)."""
    where, params = "", {}
    if not inspect(engine).has_table("training_sync_runs"):
        return []  # no training sync has run with this release: a read creates nothing
    if companies is not None:
        if not companies:
            return []
        where, params = "WHERE company IN :companies", {"companies": sorted(companies)}
    sources = [_source_run(r) for r in _latest(engine, "training_sync_runs", where, params)]
    exports = [_export_run(r) for r in _latest(engine, "training_sync_exports", where, params)]
    order = {s: i for i, s in enumerate(SOURCE_ORDER)}
    out = []
    for company in sorted({r.company for r in sources} | {e.company for e in exports}):
        quarantined, counts = _quarantine(engine, company, shown)
        out.append(
            CrewSyncStatus(
                company=company,
                sources=tuple(
                    sorted(
                        (r for r in sources if r.company == company),
                        key=lambda r: (order.get(r.source, len(order)), r.source),
                    )
                ),
                exports=tuple(e for e in exports if e.company == company),
                quarantined=quarantined,
                still_quarantined=counts,
            )
        )
    return out


def _latest(engine: Engine, table: str, where: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """The newest row per company and source (or export): the last run, whichever window it
    read (a backfill's run of an old window is the last run too)."""
    kind, stamp = (
        ("source", "started_at") if table == "training_sync_runs" else ("export", "written_at")
    )
    statement = text(
        f"SELECT * FROM (SELECT t.*, ROW_NUMBER() OVER (PARTITION BY company, {kind} "
        f"ORDER BY {stamp} DESC, run_id DESC) AS newest FROM {table} t {where}) ranked "
        f"WHERE newest = 1 ORDER BY company, {kind}"
    )
    if where:
        statement = statement.bindparams(bindparam("companies", expanding=True))
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(statement, params).mappings()]


def _source_run(r: Mapping[str, Any]) -> SourceRun:
    return SourceRun(
        company=r["company"],
        source=r["source"],
        run_id=r["run_id"],
        window_start=_at(r["window_start"]),
        window_end=_at(r["window_end"]),
        started_at=_at(r["started_at"]),
        updated_at=_at(r["updated_at"]),
        read=r["rows_read"],
        in_window=r["rows_in_window"],
        good=r["rows_good"],
        quarantined=r["rows_quarantined"],
        inserted=r["rows_inserted"],
        updated=r["rows_updated"],
        unchanged=r["rows_unchanged"],
        failure=r["failure"],
    )


def _export_run(r: Mapping[str, Any]) -> ExportRun:
    return ExportRun(
        company=r["company"],
        export=r["export"],
        run_id=r["run_id"],
        window_start=_at(r["window_start"]),
        window_end=_at(r["window_end"]),
        location=r["location"],
        rows=r["row_count"],
        written_at=_at(r["written_at"]),
        failure=r["failure"],
    )


def _quarantine(
    engine: Engine, company: str, shown: int
) -> tuple[tuple[QuarantinedRow, ...], dict[str, int]]:
    """Identifiers and reason codes only: `row_data` and `record` are never read here."""
    with engine.connect() as conn:
        counts = {
            row.source: int(row.n)
            for row in conn.execute(
                text(
                    "SELECT source, COUNT(*) AS n FROM training_quarantine "
                    "WHERE company = :company AND resolved_at IS NULL GROUP BY source"
                ),
                {"company": company},
            )
        }
        rows = conn.execute(
            text(
                "SELECT source, row_ref, employee_id, reasons, first_run_id, quarantined_at "
                "FROM training_quarantine WHERE company = :company AND resolved_at IS NULL "
                "ORDER BY quarantined_at, source, row_ref LIMIT :shown"
            ),
            {"company": company, "shown": shown},
        ).mappings()
        listed = tuple(
            QuarantinedRow(
                source=r["source"],
                row_ref=r["row_ref"],
                employee_id=r["employee_id"],
                reasons=tuple(
                    QuarantineReason(
                        code=str(reason["code"]),
                        field=reason.get("field"),
                        text=reason_words(r["source"], str(reason["code"])),
                    )
                    for reason in json.loads(r["reasons"])
                ),
                first_run_id=r["first_run_id"],
                quarantined_at=_at(r["quarantined_at"]),
            )
            for r in rows
        )
    return listed, counts
