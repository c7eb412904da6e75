from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import yaml

from aerosync.config.companies_file import load_config, parse_config
from aerosync.config.resources import data_dir

pytestmark = pytest.mark.unit

GOOD = {
    "id": "skyway_charter",
    "name": "Skyway Charter",
    "schedule": "*/15 * * * *",
    "marketplace_conn_id": "avinode_skyway",
    "aircraft_connections": {"N650SW": "avinode_skyway_partner"},
    "fms": {"conn_id": "fms_skyway", "dialect": "reference"},
    "share_services": True,
    "activity_types": {"PAX": "CharterFlight"},
}


def _parse(*companies: dict[str, object], product: str | None = None):  # type: ignore[no-untyped-def]
    data: dict[str, object] = {"companies": list(companies)}
    if product:
        data["product"] = product
    return parse_config(data, Path("companies.yaml"))


def test_the_documented_shape_loads() -> None:
    loaded = _parse(GOOD, product="AeroSync/0.1.0")
    assert loaded.problems == []
    company = loaded.company("skyway_charter")
    assert loaded.product == "AeroSync/0.1.0"
    assert company.dag_id == "schedule_upload__skyway_charter"
    assert company.connection_for("N650SW") == "avinode_skyway_partner"
    assert company.connection_for("N1") == "avinode_skyway"
    assert company.activity_type("PAX") == "CharterFlight"
    assert company.activity_type("FERRY") == "Positioning"


def test_upload_batch_size_sets_the_batches_of_the_company_dag() -> None:
    from aerosync.airflow.dag_factory import build_upload_dag

    default = _parse(GOOD).company("skyway_charter")
    small = _parse({**GOOD, "upload_batch_size": 25}).company("skyway_charter")
    assert default.upload_batch_size == 500 and default.upload_concurrency == 2
    assert build_upload_dag(small).get_task("build_schedules").batch_size == 25  # type: ignore[attr-defined]
    assert build_upload_dag(default).get_task("build_schedules").batch_size == 500  # type: ignore[attr-defined]


def test_product_defaults_to_the_package_version() -> None:
    assert _parse(GOOD).product.startswith("AeroSync/")


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"schedule": "*/2 * * * *"}, "schedule", "5 minutes"),
        ({"schedule": "0,3 * * * *"}, "schedule", "5 minutes"),
        ({"schedule": "4m"}, "schedule", "5 minutes"),
        ({"schedule": "every now and then"}, "schedule", "neither a cron"),
        ({"schedule": "*/5 * * * * */10"}, "schedule", "exactly 5"),
        ({"activity_types": {"PAX": "A" * 21}}, "activity_types", "1 to 20 characters"),
        ({"activity_types": {"BOAT": "Boat"}}, "activity_types", "unknown activity kind"),
        ({"fms": {"conn_id": "x", "dialect": "leon"}}, "fms.dialect", "unknown dialect"),
        ({"colour": "blue"}, "colour", "unknown key"),
        ({"id": "Skyway-Charter"}, "id", "pattern"),
        ({"upload_batch_size": 0}, "upload_batch_size", "greater than or equal to 1"),
        ({"upload_batch_size": 5000}, "upload_batch_size", "less than or equal to 1000"),
        ({"upload_concurrency": 0}, "upload_concurrency", "greater than or equal to 1"),
        ({"upload_concurrency": 20}, "upload_concurrency", "less than or equal to 8"),
    ],
)
def test_bad_companies_are_refused_naming_company_and_field(
    change: dict[str, object], field: str, words: str
) -> None:
    broken = {**GOOD, "id": "broken_co", **change}
    other = {**GOOD, "id": "other_co"}
    loaded = _parse(broken, other)
    assert [c.id for c in loaded.companies] == ["other_co"]
    assert len(loaded.problems) == 1
    text = str(loaded.problems[0])
    assert field in text and words in text
    assert str(broken["id"]) in text


def test_duplicate_ids_are_refused_and_others_still_load() -> None:
    loaded = _parse(GOOD, GOOD, {**GOOD, "id": "alpine_jets"})
    assert [c.id for c in loaded.companies] == ["alpine_jets"]
    assert "more than one company" in str(loaded.problems[0])


def test_accepted_schedules() -> None:
    loaded = _parse(
        {**GOOD, "id": "a", "schedule": "10m"}, {**GOOD, "id": "b", "schedule": "*/5 * * * *"}
    )
    assert loaded.problems == []
    assert loaded.company("a").schedule_value == timedelta(minutes=10)
    assert loaded.company("b").schedule_value == "*/5 * * * *"


def test_unreadable_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    bad = tmp_path / "companies.yaml"
    bad.write_text("companies: [unclosed", encoding="utf-8")
    loaded = load_config(bad)
    assert loaded.companies == []
    assert "cannot read" in str(loaded.problems[0])
    missing = load_config(tmp_path / "nope.yaml")
    assert "cannot read" in str(missing.problems[0])


def test_shipped_demo_file_is_valid() -> None:
    path = data_dir("config") / "companies.yaml"
    loaded = load_config(path)
    assert loaded.problems == []
    assert len(loaded.companies) >= 2
    assert loaded.data_docs is not None  # the demo keeps its validations' Data Docs
    assert yaml.safe_load(path.read_text())["companies"]


def test_alert_recipients_are_checked() -> None:
    good = _parse({**GOOD, "alerts": {"email": ["ops@skyway.example"]}})
    assert good.companies[0].alerts is not None
    assert good.companies[0].alerts.smtp_conn_id == "smtp_default"
    (problem,) = _parse({**GOOD, "alerts": {"email": ["not an address"]}}).problems
    assert "skyway_charter" in str(problem) and "alerts.email" in str(problem)


def test_alerts_need_a_channel_email_or_webhook_or_both() -> None:
    webhook = _parse({**GOOD, "alerts": {"webhook_conn_id": "slack_ops"}})
    alerts = webhook.companies[0].alerts
    assert alerts is not None and alerts.email == [] and alerts.channels == ["webhook"]
    assert alerts.webhook_timeout_seconds == 10
    both = _parse({**GOOD, "alerts": {"email": ["ops@skyway.example"], "webhook_conn_id": "s"}})
    assert both.companies[0].alerts is not None
    assert both.companies[0].alerts.channels == ["e-mail", "webhook"]
    for empty in ({}, {"email": []}, {"smtp_conn_id": "smtp_ops"}):
        (problem,) = _parse({**GOOD, "alerts": empty}).problems
        assert str(problem).startswith("company 'skyway_charter': alerts: alerts need at least one")
        assert "`email`" in str(problem) and "`webhook_conn_id`" in str(problem)
    (problem,) = _parse({**GOOD, "alerts": {"webhook_conn_id": ""}}).problems
    assert "alerts.webhook_conn_id" in str(problem)


def test_training_sources_load_with_their_transports() -> None:
    training = {
        "bookings": {"csv": "/data/lms/bookings", "max_age_minutes": 90, "tails": ["N650SW"]},
        "records": {
            "hris": {"rest": {"conn_id": "hris_skyway", "endpoint": "employees"}},
            "statements": {"lrs": {"conn_id": "lrs_skyway"}},
            "qualifications": {"csv": "s3://crew/quals/"},
            "ebt_gradings": {"csv": "/data/ebt"},
            "export_to": "/data/crew/exports",
        },
    }
    loaded = _parse({**GOOD, "training": training})
    assert loaded.problems == []
    config = loaded.companies[0].training
    assert config is not None and config.bookings is not None and config.records is not None
    assert config.bookings.covers("N650SW") and not config.bookings.covers("N1")
    assert config.records.hris is not None and config.records.hris.rest is not None
    assert config.records.hris.rest.page_size == 200
    assert config.records.retention_days == 3 * 365


@pytest.mark.parametrize(
    ("training", "field", "words"),
    [
        ({"bookings": {}}, "training.bookings", "exactly one transport"),
        (
            {"bookings": {"csv": "/x", "rest": {"conn_id": "c", "endpoint": "e"}}},
            "training.bookings",
            "exactly one transport",
        ),
        ({"records": {}}, "training.records", "at least one source"),
        ({"records": {"statements": {}}}, "training.records.statements", "exactly one"),
        ({"bookings": {"csv": "/x", "colour": "red"}}, "training.bookings.colour", "unknown key"),
        ({"bookings": {"csv": "/x", "tails": ["N1", " "]}}, "training.bookings.tails", "empty"),
        ({"bookings": {"csv": "/x", "tails": ["N1", "N1"]}}, "training.bookings.tails", "N1"),
    ],
)
def test_broken_training_sections_name_the_field(
    training: dict[str, object], field: str, words: str
) -> None:
    (problem,) = _parse({**GOOD, "training": training}).problems
    text = str(problem)
    assert "skyway_charter" in text and field in text and words in text, text


def test_a_task_loads_only_its_own_company(tmp_path: Path) -> None:
    path = tmp_path / "companies.yaml"
    broken = {**GOOD, "id": "broken_co", "schedule": "*/1 * * * *"}
    path.write_text(yaml.safe_dump({"companies": [GOOD, broken]}), encoding="utf-8")
    whole = load_config(path)
    assert [c.id for c in whole.companies] == ["skyway_charter"] and len(whole.problems) == 1
    own = load_config(path, only="skyway_charter")
    assert [c.id for c in own.companies] == ["skyway_charter"] and own.problems == []
    assert load_config(path, only="broken_co").companies == []


def test_config_check_reports_a_six_field_cron(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from aerosync.cli import main

    path = tmp_path / "companies.yaml"
    seconds = {**GOOD, "id": "seconds_co", "schedule": "*/5 * * * * */10"}
    path.write_text(yaml.safe_dump({"companies": [GOOD, seconds]}), encoding="utf-8")
    assert main(["config", "check", "--file", str(path)]) == 1
    out = capsys.readouterr().out
    assert "ok       skyway_charter" in out
    (refused,) = [line for line in out.splitlines() if line.startswith("refused")]
    assert "seconds_co" in refused and "has 6 fields" in refused and "seconds" in refused
