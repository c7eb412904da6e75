"""`training.records.readiness`: the design page's defaults, and mistakes refused when read."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from aerosync.config.readiness import ReadinessExport, ReadinessRules
from aerosync.config.training import RecordsSync

pytestmark = pytest.mark.unit


def test_the_defaults_are_the_design_pages() -> None:
    rules = ReadinessExport(export_to="/exports").rules
    assert (rules.recency.days, rules.recency.takeoffs, rules.recency.landings) == (90, 3, 3)
    assert (rules.night_recency.days, rules.night_recency.required) == (90, False)
    flight = rules.flight_time
    assert (flight.hours_28_days, flight.hours_calendar_year, flight.hours_12_months) == (
        100,
        900,
        1000,
    )
    assert flight.roles == ["PIC", "SIC"] and rules.ebt_module.validity_months == 12
    assert rules.required_for("FO") == ["TYPE_RATING:<type_code>", "LINE_CHECK", "MEDICAL"]
    assert rules.employment.active_statuses == ["active"]
    assert ReadinessExport(export_to="/exports").horizon_days == 30


def test_qualifications_are_configured_per_role() -> None:
    rules = ReadinessRules(qualifications={"CPT": ["TYPE_RATING:<type_code>", "LPC"]})
    assert rules.required_for("CPT") == ["TYPE_RATING:<type_code>", "LPC"]
    assert rules.required_for("FO") == rules.default_qualifications
    with pytest.raises(ValidationError, match="not in pilot_roles"):
        ReadinessRules(qualifications={"PURSER": ["MEDICAL"]})
    with pytest.raises(ValidationError, match="listed more than once"):
        ReadinessRules(default_qualifications=["MEDICAL", "MEDICAL"])


def test_mistakes_are_refused() -> None:
    with pytest.raises(ValidationError, match="extra"):
        ReadinessExport.model_validate({"export_to": "/x", "horizon": 30})
    with pytest.raises(ValidationError):
        ReadinessExport.model_validate({"export_to": "/x", "rules": {"recency": {"days": 0}}})
    with pytest.raises(ValidationError):
        ReadinessExport.model_validate({"export_to": "/x", "post_to": {"conn_id": ""}})


def test_records_sync_takes_a_readiness_export() -> None:
    records = RecordsSync.model_validate(
        {
            "hris": {"csv": "/drops/hris"},
            "readiness": {
                "export_to": "s3://ops/readiness/",
                "post_to": {"conn_id": "cms", "endpoint": "crew/readiness", "page_size": 250},
                "horizon_days": 14,
            },
        }
    )
    assert records.readiness is not None and records.readiness.post_to is not None
    assert (records.readiness.post_to.page_size, records.readiness.horizon_days) == (250, 14)
