"""Lineage dataset names (`lineage_places`, `lineage_schedule`, `lineage_crew`): pure functions
over the config and connection places; no Airflow, no services."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openlineage.client.serde import Serde

from aerosync.airflow.lineage_crew import crew_step_lineage
from aerosync.airflow.lineage_places import (
    ConnPlace,
    file_dataset,
    http_base,
    http_dataset,
    table_dataset,
    url_parts,
)
from aerosync.airflow.lineage_schedule import build_lineage, upload_lineage
from aerosync.crew.field_lineage import source_fields
from tests.conftest import make_company

pytestmark = pytest.mark.unit

PG = ConnPlace("postgres", "fms.example.com", 6432, "fms")
STORE = ConnPlace("postgres", "127.0.0.1", None, "aerosync")
PLACES = {
    "fms_skyway": PG,
    "lms": ConnPlace("http", "https://lms.example.com/api", None, ""),
    "hris": ConnPlace("http", "hris.example.com", 8443, "https"),
}
BASES = {conn_id: http_base(place) for conn_id, place in PLACES.items()}
BASES["avinode_skyway"] = "https://sandbox.avinode.com/api"
BASES["avinode_partner"] = "https://partner.example.com"


def names(datasets: list) -> list[tuple[str, str]]:
    return [(d.namespace, d.name) for d in datasets]


def test_places_follow_the_naming_spec_and_drop_credentials(tmp_path: Path) -> None:
    assert table_dataset(PG, "legs").namespace == "postgres://fms.example.com:6432"
    assert table_dataset(PG, "legs").name == "fms.public.legs"
    assert table_dataset(ConnPlace("postgres", "db"), "t", "ops").name == "postgres.ops.t"
    assert table_dataset(ConnPlace("postgres", "db"), "t").namespace == "postgres://db:5432"
    sqlite = table_dataset(ConnPlace("sqlite", str(tmp_path / "fms.sqlite")), "legs")
    assert (sqlite.namespace, sqlite.name) == (f"sqlite://{tmp_path / 'fms.sqlite'}", "legs")
    assert url_parts("https://user:s3cret@h.example.com:8443/base/?token=x#f") == (
        "https://h.example.com:8443",
        "/base",
    )
    assert names([http_dataset("http://u:p@127.0.0.1:5000/hris", "employees?x=1")]) == [
        ("http://127.0.0.1:5000", "/hris/employees")
    ]
    assert names([file_dataset(str(tmp_path / "drop"))]) == [("file", str(tmp_path / "drop"))]
    assert names([file_dataset("s3://bucket/crew/out")]) == [("s3://bucket", "/crew/out")]
    assert http_base(PLACES["hris"]) == "https://hris.example.com:8443"


def test_build_reads_the_dialects_fms_tables_bookings_and_ams_and_stages_the_plan() -> None:
    company = make_company(
        training={"bookings": {"rest": {"conn_id": "lms", "endpoint": "bookings"}}},
        ams={"csv": "/drops/ams"},
    )
    lineage = build_lineage(company, PLACES.__getitem__, BASES.__getitem__, STORE)
    fms = "postgres://fms.example.com:6432"
    assert names(lineage.inputs) == [
        (fms, "fms.public.aircraft"),
        (fms, "fms.public.empty_leg_offers"),
        (fms, "fms.public.ground_events"),
        (fms, "fms.public.legs"),
        (fms, "fms.public.trips"),
        (fms, "fms.public.leg_services"),
        ("https://lms.example.com", "/api/bookings"),
        ("file", "/drops/ams"),
    ]
    assert names(lineage.outputs) == [
        ("postgres://127.0.0.1:5432", "aerosync.public.staged_data"),
        ("postgres://127.0.0.1:5432", "aerosync.public.validation_results"),
    ]


def test_upload_writes_each_tails_schedule_on_its_own_marketplace_connection() -> None:
    company = make_company(aircraft_connections={"N650SW": "avinode_partner"})
    lineage = upload_lineage(company, ["N100SW", "N650SW"], BASES.__getitem__, STORE)
    assert names(lineage.inputs) == [("postgres://127.0.0.1:5432", "aerosync.public.staged_data")]
    assert names(lineage.outputs) == [
        ("https://sandbox.avinode.com", "/api/schedules/N100SW"),
        ("https://partner.example.com", "/schedules/N650SW"),
    ]


def _crew_company():  # type: ignore[no-untyped-def]
    return make_company(
        training={
            "records": {
                "hris": {"rest": {"conn_id": "hris", "endpoint": "employees"}},
                "statements": {"lrs": {"conn_id": "lms"}},
                "ebt_gradings": {"csv": "/drops/ebt"},
                "flights": {},
                "export_to": "/exports/status",
                "post_ebt_to": {"conn_id": "lms"},
            }
        }
    )


def test_crew_steps_chain_from_sources_through_staging_to_tables_and_exports() -> None:
    company = _crew_company()
    records = company.training.records

    def step(task_id: str):  # type: ignore[no-untyped-def]
        return crew_step_lineage(
            task_id, company, records, STORE, PLACES.__getitem__, BASES.__getitem__
        )

    store = "postgres://127.0.0.1:5432"
    staging = (store, "aerosync.public.staged_data")
    assert names(step("extract_hris").inputs) == [("https://hris.example.com:8443", "/employees")]
    assert names(step("extract_statements").inputs) == [
        ("https://lms.example.com", "/api/statements")
    ]
    assert names(step("extract_ebt_gradings").inputs) == [("file", "/drops/ebt")]
    assert ("postgres://fms.example.com:6432", "fms.public.leg_crew") in names(
        step("extract_flights").inputs
    )
    for source in ("hris", "statements", "ebt_gradings", "flights"):
        assert names(step(f"extract_{source}").outputs) == [staging]
    assert names(step("load").inputs) == [staging]
    loaded = {d.name: d for d in step("load").outputs}
    assert set(loaded) == {
        f"aerosync.public.{t}"
        for t in (
            "training_employee_versions",
            "training_records",
            "training_ebt_gradings",
            "training_leg_crew",
            "training_enrolments",
            "training_audit",
        )
    }
    employees = loaded["aerosync.public.training_employee_versions"].facets["columnLineage"]
    (name,) = employees.fields["name"].inputFields
    assert (name.namespace, name.name, name.field) == (
        "https://hris.example.com:8443",
        "/employees",
        "name",
    )
    gradings = loaded["aerosync.public.training_ebt_gradings"].facets["columnLineage"]
    assert gradings.fields["employee_id"].inputFields[0].field == "pilot_id"
    legs = loaded["aerosync.public.training_leg_crew"].facets["columnLineage"].fields
    assert legs["tail_number"].inputFields[0].name == "fms.public.aircraft"
    assert "block_minutes" not in legs  # computed: no field behind it
    # Statements from an LRS are flattened first: no column lineage is claimed for them.
    assert not loaded["aerosync.public.training_records"].facets
    assert names(step("export_status").outputs) == [("file", "/exports/status")]
    assert names(step("post_ebt").outputs) == [("https://lms.example.com", "/api/statements")]
    assert names(step("finish").inputs + step("finish").outputs) == []


def test_lineage_serialises_without_any_connection_secret() -> None:
    company = _crew_company()
    places = {
        **PLACES,
        "hris": ConnPlace("http", "https://svc:hunter2@hris.example.com", None, ""),
    }
    bases = {**BASES, "hris": http_base(places["hris"])}
    text = json.dumps(
        [
            Serde.to_dict(d)
            for task in ("extract_hris", "load")
            for d in crew_step_lineage(
                task,
                company,
                company.training.records,
                STORE,
                places.__getitem__,
                bases.__getitem__,
            ).inputs
            + crew_step_lineage(
                task,
                company,
                company.training.records,
                STORE,
                places.__getitem__,
                bases.__getitem__,
            ).outputs
        ]
    )
    assert "hris.example.com" in text
    assert "hunter2" not in text and "svc:" not in text


def test_column_lineage_only_for_flat_transports() -> None:
    assert source_fields("hris", "csv")["name"] == "name"
    assert source_fields("statements", "csv")["record_id"] == "statement_id"
    assert source_fields("statements", "lrs") == {}
    assert source_fields("roster", "xml") == {}


def test_build_reads_an_ams_database_through_its_dialect_and_bookings_from_a_drop() -> None:
    company = make_company(
        training={"bookings": {"csv": "/drops/bookings", "tails": ["N1"]}},
        ams={"sql": {"conn_id": "ams_db"}},
    )
    places = {**PLACES, "ams_db": ConnPlace("postgres", "ams.example.com", 5433, "mro")}
    lineage = build_lineage(company, places.__getitem__, BASES.__getitem__, STORE)
    assert names(lineage.inputs)[-2:] == [
        ("file", "/drops/bookings"),
        ("postgres://ams.example.com:5433", "mro.public.maintenance_events"),
    ]
