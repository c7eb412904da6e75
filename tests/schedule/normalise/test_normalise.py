from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from benchmarks.activity_records import activities_of, normalise

from aerosync.config.companies import CompanyConfig
from aerosync.models import Severity
from aerosync.schedule.normalise.activities import parse_timestamp
from tests.conftest import NOW, make_company

pytestmark = pytest.mark.unit

AIRCRAFT = [{"aircraft_id": "A1", "tail": "N650SW", "homebase": "TEB"}]


def leg(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "activity_id": "LEG-1",
        "tail": "N650SW",
        "activity_kind": "PAX",
        "external_trip_id": "T-1",
        "avinode_trip_id": None,
        "flight_number": None,
        "start_airport": "KTEB",
        "end_airport": "KPBI",
        "start_time": "2026-11-25T09:05:00-05:00",
        "end_time": "2026-11-25T11:50:00-05:00",
        "pax_count": 4,
        "note": None,
        "flight_regulation": "135",
        "market_from": None,
        "market_to": None,
        "price": None,
        "currency": None,
        "marketing_message": None,
        "verified_by": None,
    }
    row.update(overrides)
    return row


def run(rows: list[dict[str, Any]], company: CompanyConfig | None = None, services=()):  # type: ignore[no-untyped-def]
    return normalise(company or make_company(), AIRCRAFT, rows, list(services), NOW)


def test_a_booked_leg_becomes_a_utc_activity_with_icao_airports() -> None:
    fleet = run([leg(start_airport="TEB", end_airport="LHR")])
    (activity,) = activities_of(fleet)["N650SW"]
    assert activity.start == datetime(2026, 11, 25, 14, 5, tzinfo=UTC)
    assert activity.end == datetime(2026, 11, 25, 16, 50, tzinfo=UTC)
    assert (activity.start_airport, activity.end_airport) == ("KTEB", "EGLL")
    assert activity.activity_type == "PassengerFlight"
    assert activity.flight_regulations == "PART_135"
    assert activity.external_trip_id == "T-1"
    assert fleet.aircraft["N650SW"].homebase == "KTEB"
    assert fleet.findings == []


def test_daylight_saving_change_inside_a_leg_gives_the_true_duration() -> None:
    # New York springs forward at 02:00 local on 2027-03-14: 01:30 EST to 04:10 EDT is 1h40.
    fleet = run([leg(start_time="2027-03-14T01:30:00-05:00", end_time="2027-03-14T04:10:00-04:00")])
    (activity,) = activities_of(fleet)["N650SW"]
    assert activity.end - activity.start == timedelta(hours=1, minutes=40)
    assert activity.start.hour == 6 and activity.end.hour == 8


def test_timestamp_without_offset_holds_the_aircraft_naming_the_activity() -> None:
    fleet = run([leg(start_time="2026-11-25T09:05:00"), leg(activity_id="LEG-2")])
    assert [a.activity_id for a in activities_of(fleet)["N650SW"]] == ["LEG-2"]
    (finding,) = fleet.findings
    assert finding.severity is Severity.BLOCKING
    assert finding.activity_id == "LEG-1" and finding.tail == "N650SW"
    assert finding.field == "start_time" and "no UTC offset" in finding.message
    assert fleet.blocking_tails() == {"N650SW"}


def test_naive_datetime_from_a_driver_is_refused_too() -> None:
    with pytest.raises(ValueError, match="no UTC offset"):
        parse_timestamp(datetime(2026, 11, 25, 9, 5), "start_time")


def test_renamed_types_and_option_legs() -> None:
    company = make_company(activity_types={"PAX": "CharterFlight", "OPTION": "Tentative"})
    fleet = run([leg(), leg(activity_id="LEG-2", activity_kind="OPTION")], company)
    types = {a.activity_id: a.activity_type for a in activities_of(fleet)["N650SW"]}
    assert types == {"LEG-1": "CharterFlight", "LEG-2": "Tentative"}


def test_unknown_regulation_is_reported_not_guessed() -> None:
    fleet = run([leg(flight_regulation="charter-ish")])
    (activity,) = activities_of(fleet)["N650SW"]
    assert activity.flight_regulations is None
    (finding,) = fleet.findings
    assert finding.code == "REGULATION_UNKNOWN" and finding.severity is Severity.WARNING
    assert "charter-ish" in finding.message


def empty_leg(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "activity_id": "LEG-E",
        "activity_kind": "EMPTY_LEG",
        "external_trip_id": None,
        "market_from": "2026-11-24T00:00:00Z",
        "market_to": "2026-11-25T09:00:00-05:00",
        "price": 12500,
        "currency": "USD",
        "marketing_message": "One-way deal",
        "verified_by": "dispatcher.kim",
    }
    values.update(overrides)
    return leg(**values)


def test_marketing_only_on_empty_legs_and_verified_only_by_a_person() -> None:
    fleet = run(
        [
            empty_leg(),
            empty_leg(
                activity_id="LEG-F",
                verified_by=None,
                start_time="2026-11-26T09:05:00Z",
                end_time="2026-11-26T10:05:00Z",
            ),
            leg(
                activity_id="LEG-P",
                start_time="2026-11-27T09:05:00Z",
                end_time="2026-11-27T10:05:00Z",
                market_from="2026-11-24T00:00:00Z",
                market_to="2026-11-25T00:00:00Z",
            ),
        ]
    )
    by_id = {a.activity_id: a for a in activities_of(fleet)["N650SW"]}
    assert by_id["LEG-E"].marketing_verified is True
    assert by_id["LEG-E"].price == 12500 and by_id["LEG-E"].currency == "USD"
    assert by_id["LEG-F"].marketing_verified is False
    assert by_id["LEG-P"].marketing_start is None and by_id["LEG-P"].price is None
    assert [f.code for f in fleet.findings] == ["MARKETING_NOT_EMPTY_LEG"]


def test_marketing_window_over_five_days_is_cut_to_its_last_five_days() -> None:
    fleet = run([empty_leg(market_from="2026-11-10T00:00:00Z")])
    (activity,) = activities_of(fleet)["N650SW"]
    assert activity.marketing_end is not None and activity.marketing_start is not None
    assert activity.marketing_end - activity.marketing_start == timedelta(days=5)
    assert activity.marketing_end == datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
    assert [f.code for f in fleet.findings] == ["MARKETING_WINDOW_CLIPPED"]


def test_activities_that_ended_over_30_days_ago_are_not_sent() -> None:
    old = leg(activity_id="OLD", start_time="2026-10-20T09:00:00Z", end_time="2026-10-20T10:00:00Z")
    recent = leg(
        activity_id="RECENT", start_time="2026-11-01T09:00:00Z", end_time="2026-11-01T10:00:00Z"
    )
    fleet = run([old, recent])
    assert [a.activity_id for a in activities_of(fleet)["N650SW"]] == ["RECENT"]
    assert fleet.expired == 1


def test_services_only_when_the_company_shares_them() -> None:
    service = {
        "activity_id": "LEG-1",
        "provider_id": "81766",
        "provider_name": "Signature TEB",
        "airport": "TEB",
        "service_type": "FBO",
        "service_for": "ALL",
        "data_source": "UNIVERSAL",
        "note": None,
    }
    hidden = run([leg()], services=[service])
    shared = run([leg()], make_company(share_services=True), services=[service])
    assert activities_of(hidden)["N650SW"][0].services == []
    (sent,) = activities_of(shared)["N650SW"][0].services
    assert sent.airport == "KTEB" and sent.provider_name == "Signature TEB"


def test_row_without_tail_holds_every_aircraft() -> None:
    fleet = run([leg(tail=None)])
    assert fleet.blocking_tails() == {"N650SW"}


@pytest.mark.parametrize("column", ["activity_id", "start_airport", "end_time", "activity_kind"])
def test_missing_required_values_block_with_the_field_named(column: str) -> None:
    fleet = run([leg(**{column: None})])
    (finding,) = fleet.findings
    assert finding.severity is Severity.BLOCKING and finding.field == column
