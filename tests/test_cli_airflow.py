"""`aerosync status` reads the aerosync database where the tasks and the page find it: the
`aerosync_db` connection stored in Airflow's metadata database (as `airflow connections add`
stores it) included; and a read against an Airflow home without a database creates none."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from aerosync.dev.environment import AirflowEnv
from tests.test_cli import aerosync, write_store

pytestmark = pytest.mark.integration


def test_an_airflow_home_without_a_database_gets_none(tmp_path: Path) -> None:
    home = tmp_path / "airflow"
    home.mkdir()
    done = aerosync("status", home=home)
    assert done.returncode == 3
    assert f"no aerosync database at {home}/aerosync.db (AIRFLOW_HOME={home})" in done.stderr
    # Airflow's import may make its logs folder; no database, Airflow's or ours, is created.
    assert not (home / "aerosync.db").exists() and not (home / "airflow.db").exists()


def test_the_aerosync_db_connection_in_airflows_database_is_the_one_read(tmp_path: Path) -> None:
    env = AirflowEnv(home=tmp_path / "airflow", dags_folder=tmp_path / "dags")
    env.prepare()
    airflow_env = {k: v for k, v in env.env().items() if not k.startswith("AIRFLOW_CONN_")} | {
        "AEROSYNC_CONFIG": ""
    }

    def airflow(*args: str) -> None:
        subprocess.run(
            [sys.executable, "-m", "airflow", *args],
            env=airflow_env,
            check=True,
            capture_output=True,
            timeout=600,
        )

    airflow("db", "migrate")
    stored = tmp_path / "stored" / "aerosync.db"
    stored.parent.mkdir()
    write_store(stored, company="stored_co")
    airflow(
        "connections", "add", "aerosync_db", "--conn-type", "sqlite", "--conn-host", str(stored)
    )
    # A store in the default place too: the connection must win over it, as in a task.
    write_store(env.home / "aerosync.db", company="default_co")

    done = aerosync("status", "-o", "json", env=airflow_env)
    assert done.returncode == 0, done.stderr
    assert {row["company"] for row in json.loads(done.stdout)} == {"stored_co"}

    # The connection's file gone: an error naming it, and it is not created again.
    stored.unlink()
    missing = aerosync("status", env=airflow_env)
    assert missing.returncode == 3
    assert f"no aerosync database at {stored}" in missing.stderr
    assert "aerosync_db" in missing.stderr
    assert not stored.exists()
