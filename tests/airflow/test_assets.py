"""`aerosync.airflow.assets`: stable names and URIs as Airflow 3.3 stores them, the tables `load`
writes, the inputs readiness is scheduled on, and what an event's `extra` may carry."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from airflow.sdk import Asset

from aerosync.airflow import assets
from aerosync.airflow.readiness_dag import event_windows
from aerosync.crew.lms_flow import gated_sources
from aerosync.crew.sources import Window
from aerosync.crew.tables import BY_SOURCE, SOURCE_ORDER, SPECS
from tests.conftest import make_company

pytestmark = pytest.mark.airflow
READINESS_PACKAGE = Path(assets.__file__).resolve().parents[1] / "crew" / "readiness"


def test_names_and_uris_are_the_documented_ones() -> None:
    expected = {
        assets.schedules_asset("alpine_jets"): (
            "aerosync.alpine_jets.marketplace_schedules",
            "aerosync://alpine_jets/marketplace/schedules",
        ),
        assets.crew_table_asset("alpine_jets", "training_leg_crew"): (
            "aerosync.alpine_jets.crew.training_leg_crew",
            "aerosync://alpine_jets/crew/training_leg_crew",
        ),
        assets.training_status_asset("alpine_jets"): (
            "aerosync.alpine_jets.export.training_status",
            "aerosync://alpine_jets/exports/training_status",
        ),
        assets.ebt_results_asset("alpine_jets"): (
            "aerosync.alpine_jets.export.ebt_results",
            "aerosync://alpine_jets/exports/ebt_results",
        ),
        assets.readiness_asset("alpine_jets"): (
            "aerosync.alpine_jets.export.readiness",
            "aerosync://alpine_jets/exports/readiness",
        ),
        assets.regulatory_export_asset("alpine_jets", "faa_prd"): (
            "aerosync.alpine_jets.export.regulatory.faa_prd",
            "aerosync://alpine_jets/exports/regulatory/faa_prd",
        ),
    }
    for asset, (name, uri) in expected.items():
        assert isinstance(asset, Asset)
        assert (asset.name, asset.uri) == (name, uri)
        # Airflow's own sanitising leaves them as written (one spelling, no normaliser).
        assert Asset(name=name, uri=uri + "/").uri == uri
        assert asset.uri.split("/")[2] == "alpine_jets" and asset.name.startswith("aerosync.")
    # Equal on every call: a DAG's outlet and another DAG's schedule are the same asset.
    assert assets.readiness_asset("a_co") == assets.readiness_asset("a_co")
    assert assets.readiness_asset("a_co") != assets.readiness_asset("b_co")


def test_every_crew_table_has_one_asset_and_unknown_names_are_refused() -> None:
    tables = [assets.crew_table_asset("acme", spec.table) for spec in SPECS]
    assert len({a.uri for a in tables}) == len({a.name for a in tables}) == len(SPECS) == 8
    assert {a.group for a in tables} == {assets.CREW_GROUP}
    with pytest.raises(ValueError, match="not a crew table"):
        assets.crew_table_asset("acme", "training_readiness")
    for bad in ("FAA", "faa-prd", "", "../x"):
        with pytest.raises(ValueError, match="lower-case"):
            assets.regulatory_export_asset("acme", bad)


def test_load_writes_the_tables_of_the_gated_sources() -> None:
    """The rule copied from `gated_sources` (not imported at parse time) stays the same."""
    for size in range(len(SOURCE_ORDER) + 1):
        for chosen in itertools.combinations(SOURCE_ORDER, size):
            tables = assets.loaded_tables(chosen)
            assert list(tables) == gated_sources(list(chosen))
            assert all(tables[s] == BY_SOURCE[s].table for s in tables)
    assert assets.loaded_tables(["statements"]) == {
        "statements": "training_records",
        "enrolments": "training_enrolments",
    }
    assert [a.uri for a in assets.load_assets("acme", ["flights", "hris"])] == [
        "aerosync://acme/crew/training_employee_versions",
        "aerosync://acme/crew/training_leg_crew",
    ]


def test_readiness_inputs_are_the_tables_its_queries_read() -> None:
    read = set()
    for module in READINESS_PACKAGE.glob("*.py"):
        read |= set(re.findall(r"\btraining_[a-z_]+\b", module.read_text("utf-8")))
    read -= {"training_readiness"}  # its own history, written by the export
    inputs = {BY_SOURCE[s].table for s in assets.READINESS_INPUT_SOURCES}
    assert inputs == read & {spec.table for spec in SPECS}
    assert "training_roster" not in inputs


def test_readiness_schedule_is_any_configured_input_else_any_load() -> None:
    records = make_company(
        training={"records": {"hris": {"csv": "/h"}, "roster": {"csv": "/r"}}}
    ).training.records  # type: ignore[union-attr]
    assert records is not None
    sources = ["hris", "roster"]
    assert assets.readiness_input_sources(records, sources) == ["hris"]
    single = assets.readiness_schedule("acme", records, sources)
    assert single == assets.crew_table_asset("acme", "training_employee_versions")
    both = assets.readiness_schedule("acme", records, ["hris", "flights", "roster"])
    assert [a.uri for a in both.objects] == [  # type: ignore[attr-defined]
        "aerosync://acme/crew/training_employee_versions",
        "aerosync://acme/crew/training_leg_crew",
    ]
    # No readiness input configured: a load of a new window still moves the day.
    assert assets.readiness_input_sources(records, ["roster"]) == ["roster"]


def test_extras_carry_the_window_and_integer_counts_only() -> None:
    window = Window(datetime(2027, 1, 12, 3, tzinfo=UTC), datetime(2027, 1, 13, 3, tzinfo=UTC))
    assert assets.window_extra(window) == {
        "window_start": "2027-01-12T03:00:00+00:00",
        "window_end": "2027-01-13T03:00:00+00:00",
    }
    summary = {"inserted": 3, "updated": 0, "who": "Ana Lima", "flag": True, "ids": ["E1"]}
    assert assets.counts_extra(summary) == {"inserted": 3, "updated": 0}


def test_each_window_end_once_oldest_first() -> None:
    def extra(day: int) -> dict[str, str]:
        start = datetime(2027, 1, day, 3, tzinfo=UTC)
        end = datetime(2027, 1, day + 1, 3, tzinfo=UTC)
        return {"window_start": start.isoformat(), "window_end": end.isoformat()}

    extras = [extra(5), extra(3), extra(5), {"window_end": "soon"}, {}, extra(4), extra(3)]
    found = event_windows(extras)
    assert [end.day for _, end in found] == [4, 5, 6]
    assert [start.day for start, _ in found] == [3, 4, 5]
    assert event_windows([{}, {"window_start": "x", "window_end": "y"}]) == []
