"""A team's own dialects and suites, outside the package: where they are looked for (the
environment's folders, then the companies file's, then the packaged ones), what a new dialect or a
replaced query reads, what a changed suite holds, and what a broken one says."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml

from aerosync.cli import main as aerosync_main
from aerosync.config.companies_file import load_config
from aerosync.config.dialects import dialects, read_sql, sql_path
from aerosync.config.resources import data_dir, search_folders
from aerosync.config.suite_files import SuiteFileError, find_suite
from aerosync.demo.fleet import build_demo_fms
from aerosync.quality.suites import load_suite_definition
from aerosync.schedule.sources.fms import extract
from tests.config.team_repository import (
    MADE_BLOCKING,
    TeamRepository,
    rename_to_acme,
    team_repository,
)

pytestmark = pytest.mark.unit
REPO = Path(__file__).resolve().parents[2]
ACME: dict[str, Any] = {
    "id": "acme_air",
    "name": "Acme Air",
    "schedule": "*/15 * * * *",
    "marketplace_conn_id": "avinode_acme",
    "fms": {"conn_id": "fms_acme", "dialect": "acme_fms"},
}


@pytest.fixture(autouse=True)
def _no_team_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AEROSYNC_CONFIG", "AEROSYNC_SQL_PATH", "AEROSYNC_EXPECTATIONS_PATH"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def team(tmp_path: Path) -> TeamRepository:
    return team_repository(tmp_path / "team", [ACME])


def _severity(suite: dict[str, Any], column: str) -> str:
    (found,) = [e for e in suite["expectations"] if e["kwargs"].get("column") == column]
    return str(found["severity"])


def test_the_dag_file_template_is_the_repositorys_dag_file(team: TeamRepository) -> None:
    template = (data_dir("dags") / "aerosync_dags.py").read_text("utf-8")
    assert template == (REPO / "dags" / "aerosync_dags.py").read_text("utf-8")
    assert (team.dags / "aerosync_dags.py").read_text("utf-8") == template


def test_the_team_repository_loads_its_dialect_and_its_suite(team: TeamRepository) -> None:
    loaded = load_config(dag_folder=team.dags)  # beside the DAG file, as the DAG file finds it
    assert loaded.problems == [] and loaded.warnings == []
    assert loaded.company("acme_air").fms.dialect == "acme_fms"
    assert "acme_fms" in dialects() and "reference" in dialects()
    assert sql_path("acme_fms", "activities.sql") == team.root / "sql/acme_fms/activities.sql"
    assert sql_path("reference", "activities.sql") == data_dir("sql") / "reference/activities.sql"
    assert find_suite("activities").path == team.root / "expectations/activities.json"
    assert find_suite("aircraft").folder.packaged  # what the team did not change stays packaged
    assert _severity(load_suite_definition("activities"), MADE_BLOCKING) == "critical"
    packaged = json.loads((data_dir("expectations") / "activities.json").read_text("utf-8"))
    assert _severity(packaged, MADE_BLOCKING) == "warning"


def test_the_new_dialect_reads_an_fms_with_other_table_names(
    team: TeamRepository, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    fms = tmp_path / "acme.sqlite"
    fleet = build_demo_fms(fms, now)
    rename_to_acme(fms)
    load_config(team.companies_file)
    engine = sa.create_engine(f"sqlite:///{fms}")
    raw = extract(engine, "acme_fms", now)
    assert sorted(a["tail"] for a in raw.aircraft) == fleet.tails
    assert len(raw.activities) > len(fleet.tails)
    with pytest.raises(sa.exc.OperationalError, match="no such table"):
        extract(engine, "reference", now)  # the packaged SQL would not read it


def test_config_check_names_what_the_team_gives(
    team: TeamRepository, capsys: pytest.CaptureFixture[str]
) -> None:
    assert aerosync_main(["config", "check", "--dags-folder", str(team.dags)]) == 0
    out = capsys.readouterr().out
    assert f"read     {team.companies_file}" in out
    assert f"new dialect acme_fms: {team.root / 'sql/acme_fms'}" in out
    assert f"suite    activities: {team.root / 'expectations/activities.json'}" in out
    assert "ok       acme_air" in out
    assert aerosync_main(["config", "check", "--file", str(team.companies_file), "-o", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["extensions"]["search"]["sql"][0].startswith(str(team.root / "sql"))
    assert data["extensions"]["search"]["sql"][-1].endswith("(packaged)")


def test_environment_folders_come_first_and_may_replace_one_query(
    team: TeamRepository, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "ops_sql", tmp_path / "more_sql"
    (first / "reference").mkdir(parents=True)
    (first / "reference" / "aircraft.sql").write_text("SELECT 1 AS aircraft_id", "utf-8")
    (second / "acme_fms").mkdir(parents=True)
    (second / "acme_fms" / "aircraft.sql").write_text("SELECT 2 AS aircraft_id", "utf-8")
    monkeypatch.setenv("AEROSYNC_SQL_PATH", os.pathsep.join([str(first), str(second)]))
    load_config(team.companies_file)
    origins = [folder.origin for folder in search_folders("sql")]
    assert origins == [
        "AEROSYNC_SQL_PATH",
        "AEROSYNC_SQL_PATH",
        f"sql_path in {team.companies_file}",
        "packaged",
    ]
    assert read_sql("reference", "aircraft.sql") == "SELECT 1 AS aircraft_id"
    # Only the one query: the rest of the dialect is still the packaged one.
    assert sql_path("reference", "services.sql") == data_dir("sql") / "reference/services.sql"
    assert read_sql("acme_fms", "aircraft.sql") == "SELECT 2 AS aircraft_id"
    assert sql_path("acme_fms", "services.sql") == team.root / "sql/acme_fms/services.sql"


def test_the_stores_schema_is_never_a_teams(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store's schema is the package's migrations (`aerosync.stores.migrations`), never a
    SQL folder: a team folder named `aerosync` is neither read nor taken for a dialect."""
    (tmp_path / "aerosync").mkdir()
    (tmp_path / "aerosync" / "schema.sql").write_text("DROP TABLE upload_status", "utf-8")
    (tmp_path / "aerosync" / "activities.sql").write_text("SELECT 1", "utf-8")
    monkeypatch.setenv("AEROSYNC_SQL_PATH", str(tmp_path))
    assert "aerosync" not in dialects()
    with pytest.raises(FileNotFoundError):
        read_sql("aerosync", "schema.sql")


def test_an_unknown_or_incomplete_dialect_is_refused_naming_where_it_looked(
    team: TeamRepository,
) -> None:
    (team.root / "sql" / "half_fms").mkdir()
    (team.root / "sql" / "half_fms" / "activities.sql").write_text("SELECT 1", "utf-8")
    typo = {**ACME, "id": "typo_air", "fms": {"conn_id": "fms_acme", "dialect": "acme_fsm"}}
    half = {**ACME, "id": "half_air", "fms": {"conn_id": "fms_acme", "dialect": "half_fms"}}
    document = yaml.safe_load(team.companies_file.read_text("utf-8"))
    document["companies"] += [typo, half]
    team.companies_file.write_text(yaml.safe_dump(document), "utf-8")
    loaded = load_config(team.companies_file)
    assert [c.id for c in loaded.companies] == ["acme_air"]
    problems = {p.company: p.message for p in loaded.problems}
    assert "unknown dialect 'acme_fsm'" in problems["typo_air"]
    assert "acme_fms" in problems["typo_air"]
    assert f"{team.root / 'sql'} (sql_path in {team.companies_file})" in problems["typo_air"]
    assert "dialect 'half_fms' has no aircraft.sql, services.sql" in problems["half_air"]


def test_a_broken_team_suite_is_a_problem_naming_the_file(
    team: TeamRepository, capsys: pytest.CaptureFixture[str]
) -> None:
    suite = team.root / "expectations" / "activities.json"
    definition = json.loads(suite.read_text("utf-8"))
    del definition["expectations"][2]["severity"]
    suite.write_text(json.dumps(definition), "utf-8")
    loaded = load_config(team.companies_file)
    assert [c.id for c in loaded.companies] == ["acme_air"]  # the companies still load
    (problem,) = loaded.problems
    assert problem.company == "*"
    assert f"{suite}: expectation #3" in problem.message and "`severity`" in problem.message
    with pytest.raises(SuiteFileError, match="expectation #3"):
        load_suite_definition("activities")  # a run refuses it in the same words
    suite.write_text("{not json", "utf-8")
    loaded = load_config(team.companies_file)
    assert f"{suite}: not valid JSON" in loaded.problems[0].message
    assert aerosync_main(["config", "check", "--file", str(team.companies_file)]) == 1
    assert f"refused  company '*': {suite}: not valid JSON" in capsys.readouterr().out


def test_a_misnamed_suite_or_a_missing_folder_is_a_warning(team: TeamRepository) -> None:
    (team.root / "expectations" / "activites.json").write_text("{}", "utf-8")
    document = yaml.safe_load(team.companies_file.read_text("utf-8"))
    document["sql_path"] = ["../sql", "../no_such_sql"]
    team.companies_file.write_text(yaml.safe_dump(document), "utf-8")
    loaded = load_config(team.companies_file)
    assert loaded.problems == []
    messages = [w.message for w in loaded.warnings]
    assert any("activites.json replaces no suite AeroSync runs" in m for m in messages)
    assert any(f"{team.root / 'no_such_sql'}" in m and "does not exist" in m for m in messages)


def test_the_folders_follow_the_companies_file_last_read(team: TeamRepository) -> None:
    load_config(team.companies_file)
    assert "acme_fms" in dialects()
    load_config(REPO / "include" / "config" / "companies.yaml")  # names no folders
    assert "acme_fms" not in dialects()
    assert find_suite("activities").folder.packaged


def test_init_dags_keeps_a_file_edited_by_hand(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert aerosync_main(["init-dags", str(tmp_path)]) == 0
    assert aerosync_main(["init-dags", str(tmp_path)]) == 0
    assert "unchanged" in capsys.readouterr().out
    (tmp_path / "aerosync_dags.py").write_text("# ours\n", "utf-8")
    assert aerosync_main(["init-dags", str(tmp_path)]) == 2
    assert "pass --force" in capsys.readouterr().err
    assert (tmp_path / "aerosync_dags.py").read_text("utf-8") == "# ours\n"
    assert aerosync_main(["init-dags", str(tmp_path), "--force"]) == 0
    assert aerosync_main(["init-dags", str(tmp_path / "nope")]) == 2
