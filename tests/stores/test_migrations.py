"""The aerosync database's migrations: from an empty database and from one AeroSync 0.1.0 made
(with a row in every table, counted before and after, `aerosync db migrate` run as a user runs
it), on SQLite and on the local PostgreSQL; `aerosync db check`'s answers; what is refused."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from aerosync.crew.tables import SESSION_REPORT
from aerosync.stores.database import sqlite_engine
from aerosync.stores.migrate import SchemaMismatch, ensure_migrated, migrate
from aerosync.stores.schema_version import (
    HEAD,
    REVISIONS,
    VERSION_TABLE,
    SchemaNotCurrent,
    read_state,
    require_readable,
)
from tests.conftest import require_service
from tests.e2e.support import fresh_postgres_database, postgres_available
from tests.stores.release_0_1_0 import columns, counts, fill, make_release_database
from tests.test_cli import aerosync

ADDED_BY_0002 = {"aerosync_audit", VERSION_TABLE}
ADDED_BY_0003 = {
    "training_leg_crew", "training_roster", "training_courses", "training_enrolments",
    "training_readiness",
}  # fmt: skip
ADDED_AFTER_BASELINE = ADDED_BY_0002 | ADDED_BY_0003
# Columns later revisions added to tables of the baseline.
COLUMNS_ADDED_AFTER_BASELINE = {"training_ebt_gradings": set(SESSION_REPORT)}  # by 0004


def release_shape(engine: sa.Engine) -> dict[str, list[tuple[str, str, bool]]]:
    """The schema less what revisions after the baseline added: comparable with 0.1.0's."""
    shape = {
        t: [c for c in cs if c[0] not in COLUMNS_ADDED_AFTER_BASELINE.get(t, set())]
        for t, cs in columns(engine).items()
        if t not in ADDED_AFTER_BASELINE
    }
    shape["validation_results"] = [
        c for c in shape["validation_results"] if c[0] != "index validation_results_validated_at"
    ]
    return shape


def assert_migrates_without_losing_a_row(url: str, engine: sa.Engine) -> None:
    make_release_database(engine)
    fill(engine)
    before = counts(engine)
    assert len(before) == 11 and all(n >= 1 for n in before.values())
    assert aerosync("db", "check", "--db", url).returncode == 1  # behind: no revision yet
    done = aerosync("db", "migrate", "--db", url, "-o", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["from"] is None and report["to"] == HEAD and report["adopted_0_1_0"] is True
    assert counts(engine) == before
    assert read_state(engine).at_head
    check = aerosync("db", "check", "--db", url)
    assert check.returncode == 0 and "up to date" in check.stdout
    again = aerosync("db", "migrate", "--db", url)
    assert again.returncode == 0 and "already at head" in again.stdout


@pytest.mark.unit
def test_the_revisions_are_alembics_scripts_in_order() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from aerosync.stores.migrate import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    assert script.get_heads() == [HEAD]
    walked = [s.revision for s in script.walk_revisions("base", "heads")]
    assert tuple(reversed(walked)) == REVISIONS


@pytest.mark.unit
def test_an_empty_sqlite_database_reaches_head_with_the_release_schema(tmp_path: Path) -> None:
    released = sqlite_engine(tmp_path / "released.db")
    make_release_database(released)
    fresh = sqlite_engine(tmp_path / "fresh.db")
    assert read_state(fresh).empty
    migration = migrate(fresh)
    assert (migration.before, migration.after, migration.adopted) == (None, HEAD, False)
    assert release_shape(fresh) == columns(released)
    assert set(sa.inspect(fresh).get_table_names()) >= ADDED_AFTER_BASELINE


@pytest.mark.unit
def test_a_sqlite_database_of_the_release_migrates_without_losing_a_row(tmp_path: Path) -> None:
    path = tmp_path / "aerosync.db"
    assert_migrates_without_losing_a_row(f"sqlite:///{path}", sqlite_engine(path))


@pytest.mark.unit
def test_a_release_database_without_training_tables_gets_them(tmp_path: Path) -> None:
    """0.1.0 made the training tables only where a training sync ran."""
    engine = sqlite_engine(tmp_path / "aerosync.db")
    make_release_database(engine, ("schema.sql",))
    fill(engine, {"upload_status", "staged_data", "validation_results"})
    before = counts(engine)
    migration = ensure_migrated(engine)
    assert migration is not None and migration.adopted and migration.added_columns == ()
    after = counts(engine)
    assert {t: after[t] for t in before} == before
    assert after["training_records"] == 0


@pytest.mark.unit
def test_db_check_says_what_is_pending_and_is_3_when_unreachable(tmp_path: Path) -> None:
    path = tmp_path / "aerosync.db"
    engine = sqlite_engine(path)
    with engine.connect():  # the file exists, empty
        pass
    empty = aerosync("db", "check", "--db", f"sqlite:///{path}", "-o", "json")
    assert empty.returncode == 1
    assert json.loads(empty.stdout)["pending"] == list(REVISIONS)
    migrate(engine)
    with engine.begin() as conn:  # as if migrated by the release before this one
        conn.execute(sa.text(f"UPDATE {VERSION_TABLE} SET version_num = :r"), {"r": REVISIONS[0]})
    behind = aerosync("db", "check", "--db", f"sqlite:///{path}")
    assert behind.returncode == 1
    assert f"at revision {REVISIONS[0]}, head is {HEAD}" in behind.stdout
    assert "aerosync db migrate" in behind.stdout
    missing = aerosync("db", "check", "--db", f"sqlite:///{tmp_path / 'none.db'}")
    assert missing.returncode == 3 and not (tmp_path / "none.db").exists()
    closed = aerosync("db", "check", "--db", "postgresql+psycopg2://nobody@127.0.0.1:1/none")
    assert closed.returncode == 3 and "cannot reach" in closed.stderr


@pytest.mark.unit
def test_tables_of_another_schema_are_refused_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "aerosync.db"
    engine = sqlite_engine(path)
    make_release_database(engine, ("schema.sql",))
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE upload_status DROP COLUMN outcome"))
    with pytest.raises(SchemaMismatch, match=r"upload_status\.outcome"):
        migrate(engine)
    refused = aerosync("db", "migrate", "--db", f"sqlite:///{path}")
    assert refused.returncode == 1 and "another schema" in refused.stdout
    assert VERSION_TABLE not in sa.inspect(engine).get_table_names()
    assert "training_records" not in sa.inspect(engine).get_table_names()


@pytest.mark.unit
def test_a_newer_releases_revision_is_neither_read_nor_migrated(tmp_path: Path) -> None:
    engine = sqlite_engine(tmp_path / "aerosync.db")
    migrate(engine)
    with engine.begin() as conn:
        conn.execute(sa.text(f"UPDATE {VERSION_TABLE} SET version_num = '0099_future'"))
    with pytest.raises(SchemaNotCurrent, match="newer AeroSync"):
        ensure_migrated(engine)
    with pytest.raises(SchemaNotCurrent, match="0099_future"):
        require_readable(engine)


@pytest.mark.unit
def test_tasks_starting_together_migrate_a_sqlite_file_once(tmp_path: Path) -> None:
    errors: list[BaseException] = []
    done: list[object] = []
    start = threading.Barrier(6)

    def task() -> None:
        engine = sqlite_engine(tmp_path / "aerosync.db")  # each task process has its own
        start.wait()
        try:
            done.append(ensure_migrated(engine))
        except BaseException as exc:  # collected: the assertion below names it
            errors.append(exc)
        engine.dispose()

    threads = [threading.Thread(target=task) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    migrated = [m for m in done if m is not None and getattr(m, "changed", False)]
    assert len(migrated) == 1


@pytest.mark.integration
def test_an_empty_postgresql_database_reaches_head_with_the_release_schema() -> None:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    with (
        fresh_postgres_database("aerosync_released") as released_url,
        fresh_postgres_database("aerosync_fresh") as fresh_url,
    ):
        released, fresh = sa.create_engine(released_url), sa.create_engine(fresh_url)
        make_release_database(released)
        migrate(fresh)
        assert release_shape(fresh) == columns(released)
        released.dispose()
        fresh.dispose()


@pytest.mark.integration
def test_a_postgresql_database_of_the_release_migrates_without_losing_a_row() -> None:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    with fresh_postgres_database("aerosync_release") as url:
        engine = sa.create_engine(url)
        assert_migrates_without_losing_a_row(url, engine)
        with engine.connect() as conn:  # Airflow's own version table is never touched
            assert not sa.inspect(conn).has_table("alembic_version")
        engine.dispose()
