"""A team's own repository in a real Airflow, as the README's install section lays it out: the DAG
file written by `aerosync init-dags`, the companies file beside it naming the team's `sql/` and
`expectations/`, a new dialect `acme_fms` for an FMS whose tables have other names, and a suite
that makes an unknown start airport (a packaged warning) blocking. The scheduler's parse and every
task of the run find the same folders through the DAG file: the extract reads the ACME FMS with the
team's SQL and the changed suite holds the aircraft it names, while the rest is uploaded."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from aerosync.cli import main as aerosync_main
from aerosync.demo.fleet import build_demo_fms, demo_homebases
from aerosync.dev import stack
from aerosync.models import Outcome
from aerosync.sandbox.server import SandboxServer, SandboxState
from aerosync.stores.status import StatusStore
from tests.config.team_repository import MADE_BLOCKING_WORDS, rename_to_acme, team_repository
from tests.conftest import POSTGRES_URL, require_service
from tests.e2e.support import postgres_available

pytestmark = pytest.mark.integration
TOKENS = ("acme-auth-3e4f", "acme-api-5a6b")
UNSET = ("AEROSYNC_CONFIG", "AEROSYNC_SQL_PATH", "AEROSYNC_EXPECTATIONS_PATH")
COMPANY = {
    "id": "acme_air",
    "name": "Acme Air",
    "schedule": "*/15 * * * *",
    "marketplace_conn_id": "avinode_acme",
    "fms": {"conn_id": "fms_acme", "dialect": "acme_fms"},
}


def _unknown_start_airport(fms: Path, tail: str) -> str:
    """The latest leg of `tail` now starts at an airport no table knows; its leg id."""
    with sqlite3.connect(fms) as conn:
        (leg_id,) = conn.execute(
            "SELECT l.leg_id FROM acme_sectors AS l JOIN acme_fleet AS a USING (aircraft_id) "
            "WHERE a.tail_number = ? ORDER BY l.off_block DESC LIMIT 1",
            (tail,),
        ).fetchone()
        conn.execute(
            "UPDATE acme_sectors SET departure_airport = 'QZQZ' WHERE leg_id = ?", (leg_id,)
        )
    return str(leg_id)


def test_a_team_repository_runs_with_its_own_dialect_and_suite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    for name in UNSET:
        monkeypatch.delenv(name, raising=False)
    team = team_repository(tmp_path / "team", [COMPANY])
    assert aerosync_main(["config", "check", "--dags-folder", str(team.dags)]) == 0
    assert "new dialect acme_fms" in capsys.readouterr().out
    fms = tmp_path / "acme.sqlite"
    fleet = build_demo_fms(fms, datetime.now(UTC), company="skyway_charter")
    rename_to_acme(fms)
    held_tail = fleet.tails[0]
    leg_id = _unknown_start_airport(fms, held_tail)
    state = SandboxState(accounts=[("acme", *TOKENS)])
    for tail, icao in demo_homebases("skyway_charter").items():
        state.set_homebase(tail, icao)
    with (
        SandboxServer(port=0, state=state) as sandbox,
        stack.aerosync_airflow(
            tmp_path,
            admin_url=POSTGRES_URL,
            name="aerosync_team",
            config=team.companies_file,
            connections={
                "avinode_acme": stack.marketplace_connection(sandbox.url, *TOKENS, timeout=5),
                "fms_acme": {"conn_type": "sqlite", "host": str(fms)},
            },
            # The companies file is found beside the DAG file, by every Airflow process.
            extra_env={
                "AEROSYNC_CONFIG": "",
                "AEROSYNC_SQL_PATH": "",
                "AEROSYNC_EXPECTATIONS_PATH": "",
            },
            dags_folder=team.dags,
        ) as airflow,
    ):
        result = airflow.runtime.run_dag("schedule_upload__acme_air", timeout=300)
        assert result.state == "success", result
        # The team's SQL read the ACME tables: every marketed aircraft but the held one was sent.
        assert sorted(sandbox.state.held()) == sorted(set(fleet.tails) - {held_tail})
        latest = {r.tail: r for r in StatusStore(sa.create_engine(airflow.store_url)).latest()}
    assert sorted(latest) == fleet.tails
    held = latest[held_tail]
    assert held.outcome is Outcome.HELD
    reasons = " | ".join(str(reason.get("message")) for reason in held.reasons)
    assert MADE_BLOCKING_WORDS in reasons and leg_id in reasons
    others = {r.outcome for tail, r in latest.items() if tail != held_tail}
    assert others == {Outcome.UPLOADED}
