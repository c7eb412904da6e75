"""Both flows keep their validations' Data Docs through the tasks' seam (`data_docs_kept`, as
`BuildSchedulesOperator` and the crew sync's `validate` task open it): the schedule flow's
build step and the crew sync's gate each leave a site under `<location>/<company>/` whose index
links their validation pages, with none of the demo crew's personal values on any page."""

from __future__ import annotations

import csv
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from aerosync.airflow.task_config import data_docs_kept
from aerosync.config.companies_file import LoadedConfig, load_config
from aerosync.schedule.decisions import step_validate
from aerosync.schedule.extract import step_extract, step_normalise
from aerosync.schedule.stages import Stores
from aerosync.stores.database import sqlite_engine
from tests.conftest import make_company
from tests.schedule.fms_builder import FmsBuilder

# Real stores (SQLite files), the real steps and GX: not a fast unit.
pytestmark = pytest.mark.integration
NOW = datetime.now(UTC).replace(second=0, microsecond=0)


def config(tmp_path: Path, keep_runs: int = 2) -> LoadedConfig:
    path = tmp_path / "companies.yaml"
    path.write_text(f"data_docs: {{location: docs, keep_runs: {keep_runs}}}\ncompanies: []\n")
    loaded = load_config(path)
    assert not loaded.problems
    return loaded


def context(dag_id: str, run_id: str) -> dict[str, Any]:
    return {"dag": SimpleNamespace(dag_id=dag_id), "run_id": run_id}


def links(site: Path) -> list[str]:
    text = (site / "index.html").read_text()
    found = re.findall(r"'_table_row_link_path': '([^']+)'", text)
    return [link for link in found if link.startswith("validations/")]


def site_texts(site: Path) -> list[str]:
    return [
        p.read_text(errors="replace")
        for p in site.rglob("*")
        if p.is_file() and "static" not in p.parts
    ]


def test_the_schedule_flows_validation_leaves_a_site_and_keeps_n_runs(tmp_path: Path) -> None:
    company = make_company()
    fms = FmsBuilder(tmp_path / "fms.sqlite")
    fms.aircraft("N1EN").aircraft("N2EN")
    for i in range(4):
        fms.leg(f"N1EN-L{i}", "N1EN", NOW + timedelta(hours=6 * i - 12))
    fms.leg("N2EN-L0", "N2EN", NOW + timedelta(hours=3), arrival_airport="XXXX")
    stores = Stores.on(sqlite_engine(tmp_path / "aerosync.db"))
    loaded = config(tmp_path)
    dag_id = f"schedule_upload__{company.id}"
    for n in range(3):
        run_id = f"scheduled__2026-12-07T0{n}:00:00+00:00"
        extracted = step_extract(company, lambda: fms.engine, stores, run_id, NOW)
        normalised = step_normalise(company, stores, run_id, NOW, extracted)
        with data_docs_kept(loaded, company.id, context(dag_id, run_id)):
            validated = step_validate(company, stores, run_id, NOW, normalised)
        assert validated.aircraft == 2
    site = tmp_path / "docs" / company.id
    found = links(site)
    # The last 2 runs, each with the flow's two suites; newest first.
    assert len(found) == 4
    runs = [link.split("/")[2] for link in found]
    assert set(runs) == {
        f"{dag_id}.scheduled__2026-12-07T01-00-00-00-00",
        f"{dag_id}.scheduled__2026-12-07T02-00-00-00-00",
    }
    assert {link.split("/")[1] for link in found} == {"activities", "aircraft"}
    for link in found:
        assert (site / link).is_file()
    assert len(list((site / "validations").rglob("*.html"))) == 4


def test_the_crew_syncs_validation_leaves_a_site_without_personal_values(tmp_path: Path) -> None:
    from aerosync.demo.crew import build_training_data, write_drops
    from tests.crew.support import run_window, window_of

    first = date(2026, 3, 1)
    drop = tmp_path / "drop"
    write_drops(drop, build_training_data(first, 3, broken=True))
    engine = sqlite_engine(tmp_path / "aerosync.db")
    loaded = config(tmp_path)
    with data_docs_kept(loaded, "acme", context("training_sync__acme", "scheduled__1")):
        done = run_window(engine, drop, window_of(first), "scheduled__1")
    assert done["validated"]["quarantined"] > 0  # the broken rows: failing expectations shown
    site = tmp_path / "docs" / "acme"
    found = links(site)
    assert {link.split("/")[1] for link in found} >= {"training_employees", "training_statements"}
    assert all((site / link).is_file() for link in found)
    with (drop / "hris" / "employees.csv").open(encoding="utf-8") as rows:
        names = {row["name"] for row in csv.DictReader(rows) if row["name"]}
    with (drop / "qualifications" / "qualifications.csv").open(encoding="utf-8") as rows:
        medical = {
            row[field]
            for row in csv.DictReader(rows)
            if row["qualification"] == "MEDICAL"
            for field in ("issued_on", "expires_on")
            if row[field]
        }
    assert names and medical
    texts = site_texts(site)
    assert len(texts) > len(found)
    for value in names | medical | {n.split()[-1] for n in names}:
        assert not any(value in text for text in texts), value
    assert not (tmp_path / "docs" / "skyway_charter").exists()


def test_without_a_data_docs_section_nothing_is_written(tmp_path: Path) -> None:
    from aerosync.quality.data_docs import _TARGET

    path = tmp_path / "companies.yaml"
    path.write_text("companies: []\n")
    with data_docs_kept(load_config(path), "acme", context("d", "r")):
        assert _TARGET.get() is None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["companies.yaml"]
