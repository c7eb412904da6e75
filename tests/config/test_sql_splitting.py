"""`split_statements`: a `;` ends a statement only outside comments, strings and `$$` bodies."""

from __future__ import annotations

import sqlite3

import pytest

from aerosync.config.dialects import split_statements, sql_dir
from aerosync.stores.migrate import MIGRATIONS

pytestmark = pytest.mark.unit

# Every shipped SQL file and how many statements it holds (the hand-written splitter this one
# replaced found the same statements, byte for byte); the store's baseline DDL is the migrations'.
BASELINE = {"schema.sql": 4, "training.sql": 11}
SHIPPED = {
    "ams_reference/maintenance_events.sql": 1,
    "ams_reference/schema.sql": 2,
    "reference/aircraft.sql": 1,
    "reference/activities.sql": 1,
    "reference/crew_legs.sql": 1,
    "reference/schema.sql": 12,
    "reference/services.sql": 1,
}


def test_a_semicolon_in_a_line_comment_ends_nothing() -> None:
    text = "-- header; not a statement\nSELECT 1 -- one; two\n, 2;\nSELECT 3; -- end; really"
    assert split_statements(text) == ["SELECT 1\n, 2", "SELECT 3"]


def test_a_semicolon_in_a_block_comment_ends_nothing() -> None:
    text = "/* setup;\n   more; */ SELECT 1 /* a; b */ ;\nSELECT /* ; */ 2;"
    statements = split_statements(text)
    assert len(statements) == 2
    assert [" ".join(s.split()) for s in statements] == ["SELECT 1", "SELECT 2"]
    assert not any("/*" in s or "*/" in s for s in statements)


def test_a_semicolon_in_a_single_quoted_string_is_text() -> None:
    text = "SELECT 'a;b'; SELECT 'it''s; fine', '--x'; SELECT '/* ; */'"
    assert split_statements(text) == [
        "SELECT 'a;b'",
        "SELECT 'it''s; fine', '--x'",
        "SELECT '/* ; */'",
    ]


def test_a_semicolon_in_a_double_quoted_name_is_text() -> None:
    assert split_statements('SELECT "a;b" FROM t; SELECT 2') == ['SELECT "a;b" FROM t', "SELECT 2"]


@pytest.mark.parametrize("tag", ["$$", "$body$"])
def test_a_postgresql_dollar_quoted_body_is_one_statement(tag: str) -> None:
    function = (
        f"CREATE FUNCTION touch() RETURNS trigger AS {tag}\n"
        "BEGIN\n  NEW.updated_at := now(); -- stamped; always\n  RETURN NEW;\nEND;\n"
        f"{tag} LANGUAGE plpgsql"
    )
    statements = split_statements(f"{function};\nSELECT 1;")
    assert len(statements) == 2
    assert statements[0].startswith("CREATE FUNCTION touch()")
    assert "RETURN NEW;\nEND;" in statements[0] and statements[0].endswith("LANGUAGE plpgsql")
    assert statements[1] == "SELECT 1"


def test_empty_statements_and_trailing_semicolons_are_dropped() -> None:
    assert split_statements("SELECT 1;;\n;  SELECT 2 ;  \n") == ["SELECT 1", "SELECT 2"]
    assert split_statements("-- only a comment\n") == []
    assert split_statements("/* only a comment; */") == []
    assert split_statements("") == []


def test_every_shipped_sql_file_splits_into_its_statements() -> None:
    root = sql_dir()
    shipped = {path.relative_to(root).as_posix(): path for path in root.rglob("*.sql")}
    assert set(shipped) == set(SHIPPED)
    for name, path in shipped.items():
        statements = split_statements(path.read_text(encoding="utf-8"))
        assert len(statements) == SHIPPED[name], name
        for statement in statements:
            assert statement == statement.strip() and not statement.endswith(";"), name
            assert "--" not in statement, name


def test_the_store_baseline_ddl_runs_on_sqlite_statement_by_statement() -> None:
    connection = sqlite3.connect(":memory:")
    for name, count in BASELINE.items():
        statements = split_statements((MIGRATIONS / "baseline" / name).read_text("utf-8"))
        assert len(statements) == count, name
        for statement in statements:
            connection.execute(statement)
    connection.close()
