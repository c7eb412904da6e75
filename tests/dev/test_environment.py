"""AirflowEnv's extra users and team-owned DAG bundles, as Airflow reads them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from aerosync.dev.environment import AirflowEnv, AirflowUser, DagBundle

pytestmark = pytest.mark.unit


def test_users_and_team_bundles_turn_on_multi_team(tmp_path: Path) -> None:
    env = AirflowEnv(
        home=tmp_path / "home",
        dags_folder=tmp_path / "dags",
        users=(AirflowUser("alice", "user", "pw-a", teams=("team_a",)),),
        bundles=(DagBundle("uploads-a", tmp_path / "a", team="team_a"),),
    )
    settings = env.env()
    assert settings["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] == "admin:admin,alice:user:team_a"
    assert settings["AIRFLOW__CORE__MULTI_TEAM"] == "True"
    bundles = json.loads(settings["AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST"])
    assert [(b["name"], b.get("team_name")) for b in bundles] == [
        ("dags-folder", None),
        ("uploads-a", "team_a"),
    ]
    assert bundles[0]["kwargs"]["path"] == str(tmp_path / "dags")
    env.prepare()
    assert json.loads(env.passwords_file.read_text()) == {"admin": "admin", "alice": "pw-a"}


def test_without_them_nothing_changes(tmp_path: Path) -> None:
    settings = AirflowEnv(home=tmp_path, dags_folder=tmp_path).env()
    assert settings["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] == "admin:admin"
    assert "AIRFLOW__CORE__MULTI_TEAM" not in settings
    assert "AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST" not in settings
