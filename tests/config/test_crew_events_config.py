"""`training.records.events`: defaults, the `_READY` markers' paths, and mistakes refused with
the company and the field named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from aerosync.config.companies_file import parse_config
from aerosync.config.crew_events import CrewEvents, ready_marker_paths
from aerosync.config.training import RecordsSync
from tests.conftest import make_company

pytestmark = pytest.mark.unit


def _records(**events: Any) -> dict[str, Any]:
    return {
        "hris": {"csv": "/drops/hris"},
        "statements": {"csv": "/drops/lms/completions.csv"},
        "qualifications": {"rest": {"conn_id": "cms", "endpoint": "quals"}},
        "events": events,
    }


def test_the_defaults() -> None:
    company = make_company(training={"records": _records(redis_conn_id="redis_events")})
    assert company.training is not None and company.training.records is not None
    events = company.training.records.events
    assert events is not None
    assert events.channel_of(company.id) == "aerosync.skyway_charter.crew"
    assert events.debounce_seconds == 5 and events.ready_markers is False
    assert CrewEvents(redis_conn_id="r", channel="ops.crew").channel_of("x") == "ops.crew"


def test_markers_land_in_each_local_drop_folder_once() -> None:
    records = RecordsSync.model_validate(_records(ready_markers=True))
    assert ready_marker_paths(records) == ["/drops/hris/_READY", "/drops/lms/_READY"]


@pytest.mark.parametrize(
    ("events", "message"),
    [
        ({}, "events starts nothing"),
        ({"channel": "ops.crew", "ready_markers": True}, "channel needs redis_conn_id"),
        ({"redis_conn_id": "r", "channel": "ops crew *"}, "String should match pattern"),
        ({"redis_conn_id": "r", "debounce_seconds": -1}, "greater than or equal to 0"),
        ({"redis_conn_id": "r", "debounce": 5}, "Extra inputs are not permitted"),
    ],
)
def test_mistakes_are_refused(events: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        RecordsSync.model_validate(_records(**events))


def test_a_marker_needs_a_local_drop() -> None:
    records = _records(ready_markers=True)
    records["hris"] = {"csv": "s3://crew-drops/hris/"}
    with pytest.raises(ValidationError, match=r"events.ready_markers: hris is a drop at a URL"):
        RecordsSync.model_validate(records)
    only_rest = {"qualifications": records["qualifications"], "events": {"ready_markers": True}}
    with pytest.raises(ValidationError, match="no source is a file drop"):
        RecordsSync.model_validate(only_rest)


def test_the_companies_file_names_the_company_and_the_field(tmp_path: Path) -> None:
    good = make_company().model_dump(mode="json", exclude_none=True)
    bad = {**good, "id": "bad_co", "training": {"records": _records(redis_conn_id="r", debounce=9)}}
    loaded = parse_config({"companies": [good, bad]}, tmp_path / "companies.yaml")
    problems = [str(p) for p in loaded.problems]
    assert len(problems) == 1, problems
    assert "bad_co" in problems[0] and "training.records.events.debounce" in problems[0]
    assert [c.id for c in loaded.companies] == [good["id"]]
