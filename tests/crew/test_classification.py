"""Every column of every crew table has a class, in the migrated schema of both databases; every
export declares its columns' classes and sends nothing its recipient is not entitled to; the
README's table of what is stored is the classification's."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine, inspect

from aerosync.config.readiness import ReadinessRules
from aerosync.crew import export as status_export
from aerosync.crew.classification import (
    COLUMNS,
    FAA_PRD,
    INTERNAL,
    OBSERVERS,
    PERSONAL,
    SENSITIVE,
    ExportDeclaration,
    columns_for,
    level_of,
)
from aerosync.crew.readiness import export as readiness_export
from aerosync.crew.regulatory import easa, expiring, prd
from aerosync.crew.stored_data import END, START, stored_data_markdown
from aerosync.crew.tables import SPECS
from aerosync.stores.database import sqlite_engine
from aerosync.stores.migrate import ensure_migrated
from tests.conftest import require_service
from tests.e2e.support import fresh_postgres_database, postgres_available

README = Path(__file__).resolve().parents[2] / "README.md"


def _unclassified(engine: Engine) -> dict[str, set[str]]:
    """Per crew table of the migrated schema: columns without a class (and classes of columns
    the schema does not have)."""
    ensure_migrated(engine)
    inspector = inspect(engine)
    tables = {t for t in inspector.get_table_names() if t.startswith("training_")}
    gaps: dict[str, set[str]] = {}
    for table in sorted(tables | set(COLUMNS)):
        actual = {c["name"] for c in inspector.get_columns(table)} if table in tables else set()
        missing = actual ^ set(COLUMNS.get(table, {}))
        if missing:
            gaps[table] = missing
    return gaps


@pytest.mark.integration
def test_every_crew_column_has_a_class_in_sqlite(tmp_path: Path) -> None:
    engine = sqlite_engine(tmp_path / "aerosync.db")
    assert _unclassified(engine) == {}
    assert len(COLUMNS) >= 13
    engine.dispose()


@pytest.mark.integration
def test_every_crew_column_has_a_class_in_postgres() -> None:
    require_service(postgres_available(), "PostgreSQL at 127.0.0.1:5432")
    with fresh_postgres_database("aerosync_classes") as url:
        engine = sa.create_engine(url)
        assert _unclassified(engine) == {}
        # A column added without a class is found.
        with engine.begin() as conn:
            conn.execute(sa.text("ALTER TABLE training_records ADD COLUMN e_mail TEXT"))
        assert _unclassified(engine) == {"training_records": {"e_mail"}}
        engine.dispose()


@pytest.mark.unit
def test_names_and_medical_dates_are_classified_as_the_design_says() -> None:
    assert level_of("training_employee_versions", "name") == PERSONAL
    assert level_of("training_employee_versions", "hired_on") == PERSONAL
    medical = {"qualification": "MEDICAL"}
    rating = {"qualification": "TYPE_RATING:C56X"}
    assert level_of("training_qualifications", "expires_on", medical) == SENSITIVE
    assert level_of("training_qualifications", "issued_on", {"qualification": "MEDICAL:1"}) == (
        SENSITIVE
    )
    assert level_of("training_qualifications", "expires_on", rating) == INTERNAL
    assert level_of("training_ebt_gradings", "check_comments") == PERSONAL
    # Every table the sync loads is classified column for column.
    for spec in SPECS:
        assert set(spec.columns) <= set(COLUMNS[spec.table]), spec.table


def _declared_rules() -> list[ReadinessRules]:
    return [
        ReadinessRules(),
        ReadinessRules.model_validate(
            {"qualifications": {"CPT": ["TYPE_RATING:<type_code>", "MEDICAL:1", "LPC"]}}
        ),
    ]


def _declarations() -> list[ExportDeclaration]:
    return [
        status_export.DECLARATION,
        *(readiness_export.declaration(r) for r in _declared_rules()),
        prd.DECLARATION,
        easa.DECLARATION,
        expiring.DECLARATION,
    ]


@pytest.mark.unit
def test_no_export_sends_a_column_its_recipient_is_not_entitled_to() -> None:
    for declaration in _declarations():
        assert declaration.refused() == [], declaration.export
    # The readiness export's medical lapse date is sensitive, sent on purpose: classified so.
    readiness = readiness_export.declaration(ReadinessRules())
    assert readiness.columns["qualification:MEDICAL.lapses_on"] == SENSITIVE
    assert [c for c, level in readiness.columns.items() if level == SENSITIVE] == [
        "lapses_on",
        "qualification:MEDICAL.lapses_on",
    ]
    other = readiness_export.declaration(_declared_rules()[1])
    assert other.columns["qualification:MEDICAL:1.lapses_on"] == SENSITIVE
    # The regulators' exports and the status CSV carry nothing sensitive at all.
    for declaration in (status_export.DECLARATION, prd.DECLARATION, easa.DECLARATION):
        assert max(declaration.columns.values()) <= PERSONAL
    # The check can fail: the same lapse date to the FAA, or a name into a log, is refused.
    to_faa = ExportDeclaration("x", FAA_PRD, {"qualification:MEDICAL.lapses_on": SENSITIVE})
    assert to_faa.refused() == ["qualification:MEDICAL.lapses_on"]
    assert ExportDeclaration("log", OBSERVERS, {"name": PERSONAL}).refused() == ["name"]


@pytest.mark.unit
def test_logs_and_lineage_may_name_only_internal_columns() -> None:
    shown = columns_for(OBSERVERS, "training_qualifications")
    assert "employee_id" in shown and "qualification" in shown
    assert "issued_on" not in shown and "expires_on" not in shown  # a medical's, on some rows
    assert "name" not in columns_for(OBSERVERS, "training_employee_versions")


@pytest.mark.unit
def test_each_declaration_is_the_export_s_own_columns() -> None:
    assert tuple(status_export.DECLARATION.columns) == status_export.EXPORT_COLUMNS
    rules = ReadinessRules()
    assert list(readiness_export.declaration(rules).columns) == readiness_export.csv_columns(rules)


@pytest.mark.unit
def test_the_readme_lists_what_is_stored_as_the_classification_says() -> None:
    text = README.read_text(encoding="utf-8")
    assert text.count(START) == 1 and text.count(END) == 1
    copy = text[text.index(START) : text.index(END) + len(END)]
    assert copy == stored_data_markdown(), "regenerate: aerosync.crew.stored_data"
    for table in COLUMNS:
        assert f"| `{table}` |" in copy
