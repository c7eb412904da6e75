"""Where the companies file is looked for, what is refused (empty connection ids) and what only
warns (slow schedules, `companies: []`, kinds renamed to one type)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from aerosync.config.companies_file import (
    COMPANIES_FILE_NAME,
    find_config,
    load_config,
    parse_config,
)
from aerosync.config.schedule_spec import longest_interval

pytestmark = pytest.mark.unit

GOOD: dict[str, Any] = {
    "id": "skyway_charter",
    "name": "Skyway Charter",
    "schedule": "*/15 * * * *",
    "marketplace_conn_id": "avinode_skyway",
    "fms": {"conn_id": "fms_skyway", "dialect": "reference"},
}


def _parse(*companies: dict[str, Any]):  # type: ignore[no-untyped-def]
    return parse_config({"companies": list(companies)}, Path("companies.yaml"))


# -- where the file is ----------------------------------------------------------------------------


def test_no_env_and_nothing_beside_the_dag_file_is_no_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AEROSYNC_CONFIG", raising=False)
    assert find_config() is None and find_config(tmp_path) is None
    loaded = load_config(dag_folder=tmp_path)
    assert loaded.path is None and loaded.companies == []
    (problem,) = loaded.problems
    assert "no companies file" in problem.message
    assert COMPANIES_FILE_NAME in problem.message and str(tmp_path) in problem.message
    assert "AEROSYNC_CONFIG" in problem.message


def test_beside_the_dag_file_then_aerosync_config_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AEROSYNC_CONFIG", raising=False)
    beside = tmp_path / COMPANIES_FILE_NAME
    beside.write_text(yaml.safe_dump({"companies": [GOOD]}), encoding="utf-8")
    assert find_config(tmp_path) == beside
    assert [c.id for c in load_config(dag_folder=tmp_path).companies] == ["skyway_charter"]
    named = tmp_path / "elsewhere.yaml"
    monkeypatch.setenv("AEROSYNC_CONFIG", str(named))
    assert find_config(tmp_path) == named
    # A named file that is missing is reported, not replaced by the one beside.
    (problem,) = load_config(dag_folder=tmp_path).problems
    assert "cannot read" in problem.message and str(named) in problem.message


# -- refused: empty connection ids ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"aircraft_connections": {"N650SW": ""}}, "aircraft_connections.N650SW"),
        ({"aircraft_connections": {"N650SW": "  "}}, "aircraft_connections.N650SW"),
        ({"aircraft_connections": {"": "avinode_x"}}, "aircraft_connections"),
        ({"marketplace_conn_id": ""}, "marketplace_conn_id"),
        ({"fms": {"conn_id": " ", "dialect": "reference"}}, "fms.conn_id"),
        ({"alerts": {"email": ["ops@x.example"], "smtp_conn_id": ""}}, "alerts.smtp_conn_id"),
        (
            {"training": {"bookings": {"rest": {"conn_id": "", "endpoint": "b"}}}},
            "training.bookings.rest.conn_id",
        ),
    ],
)
def test_empty_connection_ids_are_refused(change: dict[str, Any], field: str) -> None:
    loaded = _parse({**GOOD, **change}, {**GOOD, "id": "other_co"})
    assert [c.id for c in loaded.companies] == ["other_co"]  # the others still load
    (problem,) = loaded.problems
    assert problem.company == "skyway_charter" and field in problem.message, problem.message
    assert "empty" in problem.message


def test_a_connection_id_airflow_would_not_accept_is_refused() -> None:
    (problem,) = _parse({**GOOD, "marketplace_conn_id": "avinode skyway"}).problems
    assert "not an Airflow connection id" in problem.message


# -- warned: loads, but probably not meant --------------------------------------------------------


@pytest.mark.parametrize(
    ("schedule", "words"),
    [("7h", "7 hours"), ("0 3 * * *", "24 hours"), ("0 8-18 * * *", "14 hours")],
)
def test_a_schedule_slower_than_six_hours_warns(schedule: str, words: str) -> None:
    loaded = _parse({**GOOD, "schedule": schedule})
    assert [c.id for c in loaded.companies] == ["skyway_charter"] and loaded.problems == []
    (warning,) = loaded.warnings
    assert warning.company == "skyway_charter" and words in warning.message
    assert schedule in warning.message


@pytest.mark.parametrize("schedule", ["6h", "0 */6 * * *", "*/15 * * * *", "@hourly"])
def test_six_hours_or_faster_does_not_warn(schedule: str) -> None:
    assert _parse({**GOOD, "schedule": schedule}).warnings == []


def test_no_companies_warns() -> None:
    loaded = _parse()
    assert loaded.problems == [] and loaded.companies == []
    (warning,) = loaded.warnings
    assert warning.company == "*" and "companies: []" in warning.message


def test_kinds_renamed_to_one_type_warn() -> None:
    merged = {"PAX": "Flight", "FERRY": "Flight", "EMPTY_LEG": "Flight"}
    loaded = _parse({**GOOD, "activity_types": merged})
    assert [c.id for c in loaded.companies] == ["skyway_charter"]
    (warning,) = loaded.warnings
    assert "PAX, FERRY and EMPTY_LEG all become type 'Flight'" in warning.message
    assert "empty legs would be booked as flights" in warning.message


def test_a_rename_onto_another_kinds_default_type_warns() -> None:
    (warning,) = _parse({**GOOD, "activity_types": {"FERRY": "PassengerFlight"}}).warnings
    assert "PAX and FERRY both become type 'PassengerFlight'" in warning.message
    assert "empty legs" not in warning.message


def test_distinct_renames_do_not_warn() -> None:
    renames = {"PAX": "Charter", "FERRY": "Reposition", "EMPTY_LEG": "OneWay"}
    assert _parse({**GOOD, "activity_types": renames}).warnings == []


@pytest.mark.parametrize(
    ("schedule", "longest"),
    [
        ("10m", timedelta(minutes=10)),
        ("*/15 * * * *", timedelta(minutes=15)),
        ("0 */6 * * *", timedelta(hours=6)),
        ("0 8-18 * * *", timedelta(hours=14)),
        ("*/30 * * * 1-5", timedelta(days=2, minutes=30)),  # the weekend
        ("0 0 1 * *", timedelta(days=31)),
    ],
)
def test_longest_interval(schedule: str, longest: timedelta) -> None:
    assert longest_interval(schedule) == longest
