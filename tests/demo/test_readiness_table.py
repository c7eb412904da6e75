"""The demo's readiness table, printed from a real readiness export (the edge-case crew of the
readiness tests): one line per listed pilot and type, what fails and since when, and never a
medical date."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from aerosync.config.readiness import ReadinessExport
from aerosync.crew.readiness.days import AsOf
from aerosync.crew.readiness.report import prepare_export
from aerosync.demo.crew_setup import readiness_table
from aerosync.stores.database import sqlite_engine
from aerosync.stores.migrate import ensure_migrated
from tests.crew.readiness.comparison import RULES, window_end
from tests.crew.readiness.crew_generator import COMPANY, DAY, Crew, insert_crew, place_edge_cases

pytestmark = pytest.mark.unit


def test_the_table_names_every_pilot_type_and_what_fails_without_medical_dates(
    tmp_path: Path,
) -> None:
    crew = Crew()
    place_edge_cases(crew)
    engine = sqlite_engine(tmp_path / "aerosync.db")
    ensure_migrated(engine)
    insert_crew(engine, crew)
    export = ReadinessExport(export_to=str(tmp_path), rules=RULES, horizon_days=30)
    prepared = prepare_export(engine, COMPANY, AsOf.window_end(window_end(DAY)), export)
    path = tmp_path / prepared.names.csv
    path.write_text(prepared.csv_text, encoding="utf-8")
    rows = [r for r in csv.DictReader(path.open(encoding="utf-8")) if r["listed"] == "true"]
    assert rows and any(r["ready"] == "false" for r in rows)

    lines = readiness_table(path)

    assert f"({len(rows)} pilot-types)" in lines[0]
    body = lines[2:]
    assert len(body) == len(rows)
    for row, line in zip(rows, body, strict=True):
        assert line.split()[:2] == [row["employee_id"], row["type_code"]]
        assert ("NOT READY" in line) == (row["ready"] == "false")
        for rule in filter(None, row["failing"].split(";")):
            assert rule in line
    medical = {
        value
        for row in rows
        for column, value in row.items()
        if "MEDICAL" in column and column.endswith("lapses_on") and value
    }
    assert medical, "the crew has medical dates to keep out"
    assert not any(day in line for line in body for day in medical)
    engine.dispose()
