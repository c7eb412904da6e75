"""Building LMS rows for the catalog and enrolment tests: xAPI statements as an LRS holds them,
catalog and enrolment CSV files, and a run of the training-sync steps over mapped rows."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from aerosync.crew.mapping import Mapped, map_employee
from aerosync.crew.sources import Window, csv_rows, map_rows
from aerosync.crew.steps import (
    TrainingStores,
    stage_source,
    step_finish,
    step_load,
    step_validate,
)
from aerosync.crew.summaries import Loaded, Validated
from aerosync.crew.xapi import CMI5_PROGRESS

COMPANY = "acme"
FIRST = date(2026, 3, 1)
LMS = "https://lms.example.com"
VERBS = "http://adlnet.gov/expapi/verbs/"
_NS = uuid.UUID("0b1e9f4c-3a55-4f0e-8d7b-6c2a1e9d4b70")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def z(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def window_of(day: date) -> Window:
    start = at(day, 3)
    return Window(start, start + timedelta(days=1))


def statement(
    key: str,
    verb: str,
    when: datetime,
    stored: datetime,
    *,
    employee: str = "E001",
    course: str = "EBT",
    module: str | None = None,
    registration: str | None = None,
    percent: Any = None,
    scaled: float | None = None,
) -> dict[str, Any]:
    """An xAPI statement as the LRS returns it."""
    activity = f"{LMS}/courses/{course}" + (f"/modules/{module}" if module else "")
    result: dict[str, Any] = {}
    if verb in ("completed", "passed", "failed"):
        result = {"completion": True, "success": verb != "failed"}
    if scaled is not None:
        result["score"] = {"scaled": scaled}
    if percent is not None:
        result["extensions"] = {CMI5_PROGRESS: percent}
    found: dict[str, Any] = {
        "id": str(uuid.uuid5(_NS, key)),
        "actor": {"objectType": "Agent", "account": {"homePage": LMS, "name": employee}},
        "verb": {"id": VERBS + verb},
        "object": {"objectType": "Activity", "id": activity},
        "timestamp": z(when),
        "stored": z(stored),
    }
    if result:
        found["result"] = result
    if registration is not None:
        found["context"] = {"registration": registration}
    return found


def employees(*ids: str) -> list[Mapped]:
    return [
        map_employee(
            {
                "employee_id": emp,
                "name": f"Pilot {emp}",
                "role": "CPT",
                "base": "LSGG",
                "employment_status": "active",
                "effective_from": "2026-01-01",
            },
            f"employees.csv line {n + 2}",
        )
        for n, emp in enumerate(ids)
    ]


def csv_file(path: Path, header: str, *lines: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join((header, *lines)) + "\n", encoding="utf-8")
    return path


def read_csv(source: str, path: Path, validity: dict[str, int] | None = None) -> list[Mapped]:
    with path.open(encoding="utf-8", newline="") as lines:
        return map_rows(source, list(csv_rows(lines, path.name)), validity or {})


CATALOG_HEADER = "course_id,title,category,validity_days,ebt_module,active"
CATALOG = (
    "CRM,Crew resource management,recurrent,365,false,true",
    "SEP,Safety and emergency procedures,recurrent,,false,true",
    "EBT,EBT module,ebt,365,true,",
)


def catalog(folder: Path) -> list[Mapped]:
    return read_csv("courses", csv_file(folder / "catalog.csv", CATALOG_HEADER, *CATALOG))


def run_rows(
    engine: Engine,
    window: Window,
    run_id: str,
    rows: dict[str, list[Mapped]],
    company: str = COMPANY,
) -> tuple[Validated, Loaded]:
    """One run of the steps (stage, validate, load, finish) over mapped rows per source."""
    stores = TrainingStores.on(engine)
    now = datetime.now(UTC)
    for source, mapped in rows.items():
        stage_source(company, source, mapped, window, stores, run_id)
    validated = step_validate(company, list(rows), stores, run_id, window, now)
    loaded = step_load(company, list(rows), stores, run_id, now, now.date(), 3 * 365)
    step_finish(company, list(rows), stores, run_id)
    return validated, loaded
