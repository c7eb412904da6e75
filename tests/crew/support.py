"""Running the training-sync steps without Airflow, over CSV drops (and the roster's XML drop)
written by demo_training."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from aerosync.crew.mapping import Mapped
from aerosync.crew.roster_xml import roster_rows
from aerosync.crew.sources import Window, csv_rows, map_rows, map_statements
from aerosync.crew.steps import (
    PART_ROWS,
    TrainingStores,
    stage_source,
    step_finish,
    step_load,
    step_retention,
    step_validate,
)
from aerosync.crew.tables import SOURCE_ORDER, SPECS

FOLDERS = {
    "hris": "hris",
    "courses": "courses",
    "statements": "statements",
    "enrolments": "enrolments",
    "qualifications": "qualifications",
    "ebt_gradings": "ebt",
    "roster": "roster",
}
# The sources written as drops (flights come from an FMS: tests/crew/flights_support.py; the demo
# company's enrolments come from the statements).
SOURCES = tuple(s for s in SOURCE_ORDER if s in FOLDERS and s != "enrolments")
VALIDITY = {"CRM": 365, "DG": 730, "LPC": 180, "SEP": 365}


def window_of(day: date) -> Window:
    start = datetime.combine(day, time(3, 0), tzinfo=UTC)
    return Window(start, start + timedelta(days=1))


def read_drop(folder: Path, source: str, *, lrs: bool = False) -> list[Mapped]:
    if source == "statements" and lrs:
        return map_statements(json.loads((folder / "statements.json").read_text()), VALIDITY)
    items = []
    for path in sorted((folder / FOLDERS[source]).glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as lines:
            items.extend(csv_rows(lines, path.name))
    for path in sorted((folder / FOLDERS[source]).glob("*.xml")):
        with path.open("rb") as stream:
            items.extend(roster_rows(stream, path.name))
    return map_rows(source, items, VALIDITY)


def run_window(
    engine: Engine,
    folder: Path,
    window: Window,
    run_id: str,
    company: str = "acme",
    today: date | None = None,
    retention_days: int = 3 * 365,
    sources: tuple[str, ...] = SOURCES,
    part_rows: int = PART_ROWS,
    source_retention: dict[str, int] | None = None,
) -> dict[str, Any]:
    stores = TrainingStores.on(engine)
    now = datetime.now(UTC)
    for source in sources:
        rows = read_drop(folder, source)
        stage_source(company, source, rows, window, stores, run_id, part_rows=part_rows)
    validated = step_validate(company, list(sources), stores, run_id, window, now)
    today = today or now.date()
    by_source = source_retention or {"roster": 2 * 366, "flights": 2 * 366}
    loaded = step_load(
        company, list(sources), stores, run_id, now, today, retention_days, by_source
    )
    step_retention(company, stores, run_id, now, today, retention_days, by_source)
    finished = step_finish(company, list(sources), stores, run_id)
    return {
        "validated": validated.to_dict(),
        "loaded": loaded.to_dict(),
        "finished": finished.to_dict(),
    }


TABLES = [spec.table for spec in SPECS] + ["training_quarantine"]
VOLATILE = {"last_changed_at", "quarantined_at", "resolved_at"}


def snapshot(engine: Engine, company: str = "acme") -> dict[str, list[dict[str, Any]]]:
    """Every training table's rows (minus wall-clock columns), sorted: for equality checks."""
    out = {}
    with engine.connect() as conn:
        for table in TABLES:
            rows = conn.execute(
                text(f"SELECT * FROM {table} WHERE company = :c"), {"c": company}
            ).mappings()
            cleaned = [{k: v for k, v in r.items() if k not in VOLATILE} for r in rows]
            out[table] = sorted(cleaned, key=lambda r: json.dumps(r, sort_keys=True, default=str))
    return out


def audit_count(engine: Engine, company: str = "acme") -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT COUNT(*) FROM training_audit WHERE company = :c"), {"c": company}
            ).scalar_one()
        )
