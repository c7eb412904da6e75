"""The AMS's database transport on real databases: the packaged `ams_reference` dialect on a
SQLite file and on PostgreSQL, through the pipeline to the sandbox marketplace; its time limit,
text that is not UTF-8, and a dialect that returns the wrong columns."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from aerosync.config.dialects import read_sql, split_statements
from aerosync.sandbox.server import SandboxServer, SandboxState
from aerosync.schedule.local_run import MarketplaceAccount, SessionSender, run_company
from aerosync.schedule.sources.ams import extract_ams, local_ams_reader
from aerosync.schedule.sources.ams_events import AmsUnavailable, open_until
from aerosync.schedule.sources.ams_sql import read_sql_events
from aerosync.schedule.sources.fms import fms_connect_args
from aerosync.stores.database import sqlite_engine
from tests.conftest import POSTGRES_URL, make_company, require_service
from tests.schedule.fms_builder import FmsBuilder
from tests.silent_tcp import SilentServer

pytestmark = pytest.mark.integration
AUTH, API = "ams-sql-auth-1618", "ams-sql-api-1414"
NOW = datetime.now(UTC).replace(second=0, microsecond=0)
UNTIL = open_until(NOW, 7)
COLUMNS = ("event_id", "tail_number", "kind", "airport", "starts_at", "ends_at", "status", "note")


def events(now: datetime) -> list[tuple[Any, ...]]:
    def at(hours: float, offset: int = 1) -> str:
        moment = now + timedelta(hours=hours + offset)
        return moment.replace(tzinfo=None).isoformat(timespec="seconds") + f"{offset:+03d}:00"

    return [
        ("WO-1", "N1", "MAINTENANCE", "TEB", at(48), at(72), "PLANNED", "A-check"),
        ("WO-2", "N1", "MAINTENANCE", "KTEB", at(100), at(110), "CANCELLED", None),
        ("WO-3", "N2", "AOG", "KTEB", at(20), None, "IN_WORK", "Part on order"),
        ("WO-4", "N2", "MAINTENANCE", "KTEB", at(-1000), at(-990), "CLOSED", "Long ago"),
    ]


def create(engine: sa.Engine, now: datetime) -> None:
    with engine.begin() as conn:
        for statement in split_statements(read_sql("ams_reference", "schema.sql")):
            conn.execute(sa.text(statement))
        marks = ", ".join(f":{c}" for c in COLUMNS)
        conn.execute(
            sa.text(f"INSERT INTO maintenance_events ({', '.join(COLUMNS)}) VALUES ({marks})"),
            [dict(zip(COLUMNS, row, strict=True)) for row in events(now)],
        )


def postgres_reachable() -> bool:
    engine = sa.create_engine(POSTGRES_URL, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


@pytest.fixture
def pg() -> Iterator[sa.Engine]:
    """An engine whose search_path is a fresh schema holding the reference AMS table."""
    require_service(postgres_reachable(), "PostgreSQL at " + POSTGRES_URL.split("@")[-1])
    schema = f"ams_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    engine = sa.create_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def sqlite_ams(tmp_path: Path) -> sa.Engine:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'ams.sqlite'}")
    create(engine, NOW)
    return engine


def assert_read(engine: sa.Engine) -> None:
    read = read_sql_events(engine, "ams_reference", NOW, 10, UNTIL)
    # WO-4 ended long ago: the query's pre-filter leaves it out; WO-2 is cancelled.
    assert [r["activity_id"] for r in read.rows] == ["AMS-WO-1", "AMS-WO-3"]
    assert read.summary() == {"events": 2, "cancelled": 1, "open_aog": 1, "refused": 0, "files": 0}
    maintenance, aog = read.rows
    assert maintenance["activity_kind"] == "MAINTENANCE" and maintenance["note"] == "A-check"
    assert datetime.fromisoformat(maintenance["start_time"]) == NOW + timedelta(hours=48)
    assert datetime.fromisoformat(maintenance["end_time"]) == NOW + timedelta(hours=72)
    assert aog["activity_kind"] == "AOG" and aog["end_time"] == UNTIL.isoformat()


def test_the_reference_dialect_reads_a_sqlite_file(sqlite_ams: sa.Engine) -> None:
    assert_read(sqlite_ams)


def test_the_reference_dialect_reads_postgresql(pg: sa.Engine) -> None:
    create(pg, NOW)
    with pg.begin() as conn:  # IF NOT EXISTS: the DDL runs again harmlessly
        for statement in split_statements(read_sql("ams_reference", "schema.sql")):
            conn.execute(sa.text(statement))
    assert_read(pg)


def upload(tmp_path: Path, ams: sa.Engine) -> dict[str, Any]:
    """One local run of a company whose AMS is `ams`, against the sandbox marketplace."""
    state = SandboxState(accounts=[("sql", AUTH, API)])
    with SandboxServer(port=0, state=state) as sandbox:
        fms = FmsBuilder(tmp_path / "fms.sqlite")
        for tail in ("N1", "N2"):
            fms.aircraft(tail).leg(f"{tail}-L1", tail, NOW - timedelta(hours=6))
        company = make_company(ams={"sql": {"conn_id": "ams_db"}})
        assert company.ams is not None
        sender = SessionSender(
            {"avinode_skyway": MarketplaceAccount(sandbox.url, AUTH, API)}, "AeroSync/test"
        )
        summary = run_company(
            company, fms.engine, sqlite_engine(tmp_path / "aerosync.db"), sender, now=NOW,
            ams=local_ams_reader(company.ams, engines={"ams_db": ams}),
        )  # fmt: skip
        log = requests.get(f"http://127.0.0.1:{sandbox.port}/_sandbox/requests", timeout=5)
        return {
            "outcomes": {r.tail: r.outcome.value for r in summary.records},
            "bodies": {entry["tail"]: entry["body"] for entry in log.json()},
        }


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def assert_uploaded(result: dict[str, Any]) -> None:
    assert result["outcomes"] == {"N1": "uploaded", "N2": "uploaded"}
    n1 = result["bodies"]["N1"]["activities"]
    assert n1[-1] == {
        "activityId": "AMS-WO-1",
        "activityType": "Maintenance",
        "startAirport": {"icao": "KTEB"},
        "endAirport": {"icao": "KTEB"},
        "startDateTime": stamp(NOW + timedelta(hours=48)),
        "endDateTime": stamp(NOW + timedelta(hours=72)),
        "note": "A-check",
    }
    aog = result["bodies"]["N2"]["activities"][-1]
    assert aog["activityId"] == "AMS-WO-3" and aog["activityType"] == "AOG"
    assert aog["endDateTime"] == stamp(UNTIL)


def test_maintenance_from_a_sqlite_ams_is_uploaded(tmp_path: Path, sqlite_ams: sa.Engine) -> None:
    assert_uploaded(upload(tmp_path, sqlite_ams))


def test_maintenance_from_a_postgresql_ams_is_uploaded(tmp_path: Path, pg: sa.Engine) -> None:
    create(pg, NOW)
    assert_uploaded(upload(tmp_path, pg))


def test_text_that_is_not_utf8_holds_only_its_events_aircraft(tmp_path: Path) -> None:
    path = tmp_path / "ams.sqlite"
    engine = sa.create_engine(f"sqlite:///{path}")
    create(engine, NOW)
    with sqlite3.connect(path) as conn:
        conn.execute(
            "UPDATE maintenance_events SET note = CAST(? AS TEXT) WHERE event_id = 'WO-3'",
            (b"Pi\xe8ce en commande",),
        )
    read = read_sql_events(engine, "ams_reference", NOW, 10, UNTIL)
    assert [r["activity_id"] for r in read.rows] == ["AMS-WO-1"]
    (refused,) = read.refused
    assert (refused.activity_id, refused.tail, refused.field) == ("AMS-WO-3", "N2", "note")
    assert "not valid UTF-8 text in the AMS (byte 0xE8 at position 3)" in refused.why
    company = make_company(ams={"sql": {"conn_id": "ams_db"}})
    assert company.ams is not None
    reader = local_ams_reader(company.ams, engines={"ams_db": engine})
    extracted = extract_ams(company, reader, NOW, ["N1", "N2"])
    (finding,) = extracted.findings
    assert finding.tail == "N2" and finding.field == "note" and finding.code == "AMS_EVENT_INVALID"
    assert finding.message.startswith("skyway_charter: AMS event AMS-WO-3 of aircraft N2: note")


def test_a_dialect_without_every_column_fails_the_ams(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_ams: sa.Engine
) -> None:
    folder = tmp_path / "sql" / "acme_ams"
    folder.mkdir(parents=True)
    (folder / "maintenance_events.sql").write_text(
        "SELECT event_id, tail_number, kind, airport, starts_at FROM maintenance_events",
        encoding="utf-8",
    )
    monkeypatch.setenv("AEROSYNC_SQL_PATH", str(tmp_path / "sql"))
    with pytest.raises(AmsUnavailable, match=r"returns no column ends_at, status, note"):
        read_sql_events(sqlite_ams, "acme_ams", NOW, 10, UNTIL)


def test_a_query_running_past_the_timeout_is_cancelled(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sqlite_ams: sa.Engine
) -> None:
    folder = tmp_path / "sql" / "slow_ams"
    folder.mkdir(parents=True)
    (folder / "maintenance_events.sql").write_text(
        # Counts to 10^12 one row at a time (CPU only, nothing kept): never ends by itself.
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000000000)\n"
        "SELECT 'X' AS event_id, 'N2' AS tail_number, 'AOG' AS kind, 'KTEB' AS airport,\n"
        "    NULL AS starts_at, NULL AS ends_at, NULL AS status, NULL AS note\n"
        "FROM n WHERE n.i = 0",
        encoding="utf-8",
    )
    monkeypatch.setenv("AEROSYNC_SQL_PATH", str(tmp_path / "sql"))
    company = make_company(ams={"sql": {"conn_id": "ams_db", "dialect": "slow_ams",
                                        "timeout_seconds": 1}, "tails": ["N2"]})  # fmt: skip
    assert company.ams is not None
    reader = local_ams_reader(company.ams, engines={"ams_db": sqlite_ams})
    started = time.monotonic()
    extracted = extract_ams(company, reader, NOW, ["N1", "N2"])
    assert time.monotonic() - started < 10
    assert extracted.failure is not None and extracted.failure.tails == ("N2",)
    assert "AMS (database, connection ams_db, dialect slow_ams) failed" in extracted.failure.message
    assert "no answer within 1 s (ams.sql.timeout_seconds)" in extracted.failure.message


def test_a_postgresql_ams_that_never_answers_holds_only_its_aircraft() -> None:
    company = make_company(
        ams={"sql": {"conn_id": "ams_db", "timeout_seconds": 2}, "tails": ["N1"]}
    )
    assert company.ams is not None
    with SilentServer() as silent:
        engine = sa.create_engine(
            f"postgresql+psycopg2://ams:ams-secret-7d1e@127.0.0.1:{silent.port}/ams",
            connect_args=fms_connect_args("postgresql", 2),
        )
        reader = local_ams_reader(company.ams, engines={"ams_db": engine})
        extracted = extract_ams(company, reader, NOW, ["N1", "N2"])
    assert extracted.failure is not None and extracted.failure.tails == ("N1",)
    assert "no answer within 2 s (ams.sql.timeout_seconds)" in extracted.failure.message
    assert "held: N1" in extracted.failure.message
    assert "ams-secret-7d1e" not in extracted.failure.message
