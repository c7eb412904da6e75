"""No DDL on a read path: the Schedule uploads and Crew sync pages, `aerosync status`,
`aerosync db check` and `aerosync check`'s verdicts on the aerosync database read, and never
create, alter or drop anything, whatever revision the database is at; behind, they say so.

Every statement every engine sends is watched (a SQLAlchemy event on `Engine`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from aerosync import cli
from aerosync.models import CheckStatus
from aerosync.stores.database import sqlite_engine
from aerosync.stores.database_check import migrated_verdict, writable_verdict
from aerosync.stores.migrate import migrate
from aerosync.stores.schema_version import HEAD, REVISIONS, VERSION_TABLE
from tests.stores.release_0_1_0 import fill, make_release_database

DDL = re.compile(r"^\s*(CREATE|ALTER|DROP)\b", re.IGNORECASE)


@pytest.fixture
def ddl_statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def watch(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # A scratch in-memory SQLite (the release's columns, to compare with) is not a store.
        if DDL.match(statement) and conn.engine.url.database not in (None, "", ":memory:"):
            seen.append(statement)

    sa.event.listen(sa.Engine, "before_cursor_execute", watch)
    yield seen
    sa.event.remove(sa.Engine, "before_cursor_execute", watch)


def behind(path: Path) -> None:
    engine = sqlite_engine(path)
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(sa.text(f"UPDATE {VERSION_TABLE} SET version_num = :r"), {"r": REVISIONS[0]})
    engine.dispose()


@pytest.mark.unit
def test_status_and_db_check_read_only_and_say_when_behind(
    tmp_path: Path, ddl_statements: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "aerosync.db"
    engine = sqlite_engine(path)
    make_release_database(engine)
    fill(engine)
    ddl_statements.clear()
    url = f"sqlite:///{path}"
    assert cli.main(["status", "--db", url]) == 3  # made by 0.1.0: no revision yet
    assert "run `aerosync db migrate`" in capsys.readouterr().err
    assert cli.main(["db", "check", "--db", url]) == 1
    assert migrated_verdict(engine).status is CheckStatus.WARNING
    assert ddl_statements == []
    migrate(engine)
    ddl_statements.clear()
    assert cli.main(["status", "--db", url]) == 0
    assert "N1SW" in capsys.readouterr().out
    assert cli.main(["db", "check", "--db", url]) == 0
    assert migrated_verdict(engine).ok and writable_verdict(engine).ok
    assert ddl_statements == []
    behind(path)
    ddl_statements.clear()
    assert cli.main(["status", "--db", url]) == 3
    assert f"head is {HEAD}" in capsys.readouterr().err
    assert ddl_statements == []


@pytest.mark.airflow
def test_the_pages_read_only_and_say_when_behind(
    tmp_path: Path, ddl_statements: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pages' routes as FastAPI serves them; the login and Airflow's auth manager are the
    real page tests' (tests/status/test_status_page.py): here any user may read any company."""
    from airflow.api_fastapi.core_api.security import get_user
    from fastapi.testclient import TestClient

    from aerosync.airflow import plugin

    path = tmp_path / "aerosync.db"
    monkeypatch.setattr(plugin, "aerosync_engine", lambda: sqlite_engine(path))
    monkeypatch.setattr(plugin, "readable_companies", lambda _u, found, **_k: sorted(found))
    monkeypatch.setattr(plugin, "may_read", lambda _u, _c: True)
    monkeypatch.setattr(plugin, "may_trigger", lambda _u, _c: False)
    monkeypatch.setattr(plugin, "_configured_companies", lambda: [])
    plugin.app.dependency_overrides[get_user] = lambda: object()
    try:
        client = TestClient(plugin.app)
        empty = client.get("/status")  # a fresh install before any task: nothing recorded
        assert empty.status_code == 200 and "No upload has been recorded" in empty.text
        assert sa.inspect(sqlite_engine(path)).get_table_names() == []
        make_release_database(sqlite_engine(path))
        fill(sqlite_engine(path))
        ddl_statements.clear()
        for route in ("/status", "/crew"):
            page = client.get(route)
            assert page.status_code == 503 and "aerosync db migrate" in page.text
        assert ddl_statements == []
        migrate(sqlite_engine(path))
        ddl_statements.clear()
        assert "N1SW" in client.get("/status").text
        assert client.get("/crew").status_code == 200
        assert ddl_statements == []
        behind(path)
        ddl_statements.clear()
        page = client.get("/status")
        assert page.status_code == 503 and f"head is {HEAD}" in page.text
        assert ddl_statements == []
    finally:
        plugin.app.dependency_overrides.clear()
