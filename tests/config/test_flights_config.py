"""The `training.records.flights` source: its defaults, its own retention period, and a dialect
without `crew_legs.sql` refused by config validation, naming the dialect and the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from aerosync.config.companies_file import load_config, parse_config
from aerosync.config.dialects import find_dialects
from aerosync.config.resources import data_dir
from tests.config.team_repository import acme_sql, team_repository

pytestmark = pytest.mark.unit
COMPANY: dict[str, Any] = {
    "id": "acme_air",
    "name": "Acme Air",
    "schedule": "*/15 * * * *",
    "marketplace_conn_id": "avinode_acme",
    "fms": {"conn_id": "fms_acme", "dialect": "reference"},
}


@pytest.fixture(autouse=True)
def _no_team_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AEROSYNC_CONFIG", "AEROSYNC_SQL_PATH", "AEROSYNC_EXPECTATIONS_PATH"):
        monkeypatch.delenv(name, raising=False)


def with_records(records: dict[str, Any], **company: Any) -> dict[str, Any]:
    return {**COMPANY, **company, "training": {"records": records}}


def test_flights_alone_is_a_source_with_its_defaults() -> None:
    loaded = parse_config({"companies": [with_records({"flights": {}})]}, Path("c.yaml"))
    assert loaded.problems == []
    records = loaded.company("acme_air").training.records  # type: ignore[union-attr]
    assert records is not None and records.flights is not None
    assert (records.flights.lookback_days, records.flights.retention_days) == (3, 732)
    assert records.source_retention_days() == {"flights": 732, "roster": 732}
    assert records.retention_days == 3 * 365  # training records keep theirs


def test_flight_records_keep_24_months_whether_flights_is_configured_or_not() -> None:
    records = {"hris": {"csv": "/x"}, "flights": {"lookback_days": 0, "retention_days": 800}}
    loaded = parse_config({"companies": [with_records(records)]}, Path("c.yaml"))
    own = loaded.company("acme_air").training.records  # type: ignore[union-attr]
    assert own is not None and own.source_retention_days() == {"flights": 800, "roster": 732}
    loaded = parse_config({"companies": [with_records({"hris": {"csv": "/x"}})]}, Path("c.yaml"))
    own = loaded.company("acme_air").training.records  # type: ignore[union-attr]
    assert own is not None and own.source_retention_days() == {"flights": 732, "roster": 732}


@pytest.mark.parametrize(
    ("flights", "words"),
    [
        ({"lookback_days": -1}, "greater than or equal to 0"),
        ({"retention_days": 0}, "greater than or equal to 1"),
        ({"conn_id": "fms_other"}, "unknown key"),
    ],
)
def test_a_broken_flights_source_names_its_field(flights: dict[str, Any], words: str) -> None:
    loaded = parse_config({"companies": [with_records({"flights": flights})]}, Path("c.yaml"))
    (problem,) = loaded.problems
    assert "training.records.flights" in str(problem) and words in str(problem), str(problem)


def test_the_reference_dialect_has_crew_legs_and_the_acme_dialect_not(tmp_path: Path) -> None:
    team = team_repository(tmp_path / "team", [with_records({"flights": {}})])
    assert find_dialects()["reference"].has("crew_legs.sql")
    document = yaml.safe_load(team.companies_file.read_text("utf-8"))
    acme_fms = {"conn_id": "fms_acme", "dialect": "acme_fms"}
    document["companies"] = [
        with_records({"flights": {}}, fms=acme_fms),
        with_records({"hris": {"csv": "/x"}}, id="acme_hr", fms=acme_fms),
    ]
    team.companies_file.write_text(yaml.safe_dump(document), "utf-8")
    loaded = load_config(team.companies_file)
    assert [c.id for c in loaded.companies] == ["acme_hr"]  # no flights: acme_fms is enough
    (problem,) = loaded.problems
    message = str(problem)
    assert problem.company == "acme_air"
    assert "training.records.flights: dialect 'acme_fms' has no crew_legs.sql" in message
    assert str(team.root / "sql") in message and "acme_fms/crew_legs.sql" in message


def test_a_team_dialect_with_crew_legs_is_accepted(tmp_path: Path) -> None:
    team = team_repository(tmp_path / "team", [])
    reference = (data_dir("sql") / "reference" / "crew_legs.sql").read_text("utf-8")
    (team.root / "sql" / "acme_fms" / "crew_legs.sql").write_text(acme_sql(reference), "utf-8")
    document = yaml.safe_load(team.companies_file.read_text("utf-8"))
    document["companies"] = [
        with_records({"flights": {}}, fms={"conn_id": "fms_acme", "dialect": "acme_fms"})
    ]
    team.companies_file.write_text(yaml.safe_dump(document), "utf-8")
    loaded = load_config(team.companies_file)
    assert loaded.problems == [] and [c.id for c in loaded.companies] == ["acme_air"]
