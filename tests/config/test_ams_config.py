"""The `ams:` section of a company: one transport, the aircraft it covers, refusals that name the
field and say what to write instead."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aerosync.config.companies_file import parse_config

pytestmark = pytest.mark.unit

COMPANY = {
    "id": "alpine_jets",
    "name": "Alpine Jets",
    "schedule": "10m",
    "marketplace_conn_id": "avinode_alpine",
    "fms": {"conn_id": "fms_alpine", "dialect": "reference"},
}
REST = {"conn_id": "ams_api", "endpoint": "v2/maintenance-events"}


def parse(ams: Any) -> Any:
    return parse_config({"companies": [{**COMPANY, "ams": ams}]}, Path("companies.yaml"))


def test_each_transport_loads_with_its_defaults() -> None:
    sql = parse({"sql": {"conn_id": "ams_db"}}).company("alpine_jets").ams
    assert sql.transport == "sql" and sql.sql.dialect == "ams_reference"
    assert sql.sql.timeout_seconds == 60 and sql.connection_ids() == ["ams_db"]
    assert sql.open_aog_days == 7 and sql.covers("ANY-TAIL")
    drop = parse({"csv": "s3://aws_ams@mx/events/", "max_age_minutes": 30, "tails": [" OE-GAJ "]})
    ams = drop.company("alpine_jets").ams
    assert ams.transport == "csv" and ams.max_age_minutes == 30 and ams.connection_ids() == []
    assert ams.tails == ["OE-GAJ"] and ams.covers("OE-GAJ") and not ams.covers("HB-JSZ")
    rest = parse({"rest": REST, "open_aog_days": 3}).company("alpine_jets").ams
    assert rest.transport == "rest" and rest.rest.deadline_seconds == 60
    assert rest.rest.max_pages == 1000 and rest.open_aog_days == 3


@pytest.mark.parametrize(
    ("ams", "field", "words"),
    [
        ({}, "ams", "give exactly one transport: `sql`"),
        ({"csv": "/x", "rest": REST}, "ams", "given: csv, rest"),
        ({"sql": {"conn_id": "db"}, "csv": "/x"}, "ams", "given: sql, csv"),
        ({"sql": {"conn_id": "db", "dialect": "acme_ams"}}, "ams.sql.dialect",
         "AMS dialect 'acme_ams' has no maintenance_events.sql in any folder searched"),
        ({"sql": {"conn_id": "db", "dialect": "../reference"}}, "ams.sql.dialect", "pattern"),
        ({"sql": {"conn_id": ""}}, "ams.sql.conn_id", "empty connection id"),
        ({"rest": REST, "max_age_minutes": 30}, "ams", "max_age_minutes applies to a `csv` drop"),
        ({"csv": "/x", "colour": "red"}, "ams.colour", "unknown key"),
        ({"csv": "/x", "tails": ["OE-GAJ", " "]}, "ams.tails", "a tail is empty"),
        ({"csv": "/x", "tails": ["OE-GAJ", "OE-GAJ"]}, "ams.tails", "OE-GAJ listed more than once"),
        ({"csv": "/x", "open_aog_days": 0}, "ams.open_aog_days", "greater than or equal to 1"),
        ({"csv": ""}, "ams.csv", "at least 1 character"),
    ],
)  # fmt: skip
def test_a_broken_ams_section_is_refused_naming_the_field(
    ams: dict[str, Any], field: str, words: str
) -> None:
    loaded = parse(ams)
    assert loaded.companies == []
    (problem,) = loaded.problems
    text = str(problem)
    assert "alpine_jets" in text and field in text and words in text, text


def test_a_team_folder_may_hold_its_own_ams_dialect(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "acme_ams").mkdir()
    (tmp_path / "acme_ams" / "maintenance_events.sql").write_text("SELECT 1", encoding="utf-8")
    monkeypatch.setenv("AEROSYNC_SQL_PATH", str(tmp_path))
    loaded = parse({"sql": {"conn_id": "db", "dialect": "acme_ams"}})
    assert loaded.problems == []
    assert loaded.company("alpine_jets").ams.sql.dialect == "acme_ams"


def test_an_ams_dialect_is_not_an_fms_dialect() -> None:
    loaded = parse_config(
        {"companies": [{**COMPANY, "fms": {"conn_id": "fms", "dialect": "ams_reference"}}]},
        Path("companies.yaml"),
    )
    (problem,) = loaded.problems
    assert "unknown dialect 'ams_reference'" in str(problem)
