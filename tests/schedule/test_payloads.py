"""Bodies match avinode-api.md field for field, for each kind of activity."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from benchmarks.activity_records import Activity, schedule_body

from aerosync.models import Service
from aerosync.schedule.payloads import avinode_time

pytestmark = pytest.mark.unit


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def test_time_format_is_utc_to_the_minute_with_z() -> None:
    assert avinode_time(at(23, 14, 5)) == "2026-11-23T14:05Z"


def test_booked_passenger_leg_with_services() -> None:
    activity = Activity(
        activity_id="LEG-88213",
        tail="N650SW",
        kind="PAX",
        activity_type="PassengerFlight",
        start_airport="KTEB",
        end_airport="KPBI",
        start=at(23, 14, 5),
        end=at(23, 16, 50),
        external_trip_id="T-1042",
        trip_id="AV-77",
        flight_number="SW101",
        pax_count=4,
        note="VIP",
        flight_regulations="PART_135",
        services=[Service("81766", "Signature TEB", "KTEB", "FBO", "ALL", "UNIVERSAL")],
    )
    assert schedule_body("N650SW", [activity]) == {
        "lift": {"aircraftTail": "N650SW"},
        "activities": [
            {
                "activityId": "LEG-88213",
                "externalTripId": "T-1042",
                "tripId": "AV-77",
                "flightNumber": "SW101",
                "activityType": "PassengerFlight",
                "startAirport": {"icao": "KTEB"},
                "endAirport": {"icao": "KPBI"},
                "startDateTime": "2026-11-23T14:05Z",
                "endDateTime": "2026-11-23T16:50Z",
                "paxCount": 4,
                "note": "VIP",
                "flightRegulations": "PART_135",
                "services": [
                    {
                        "serviceProviderId": "81766",
                        "serviceProviderName": "Signature TEB",
                        "airport": {"icao": "KTEB"},
                        "serviceType": "FBO",
                        "serviceFor": "ALL",
                        "dataSource": "UNIVERSAL",
                    }
                ],
            }
        ],
    }


def test_empty_leg_with_marketing() -> None:
    activity = Activity(
        activity_id="LEG-9",
        tail="N650SW",
        kind="EMPTY_LEG",
        activity_type="EmptyLeg",
        start_airport="KPBI",
        end_airport="KTEB",
        start=at(25, 18),
        end=at(25, 20, 30),
        price=12500.0,
        currency="USD",
        marketing_start=at(21, 0),
        marketing_end=at(25, 17),
        marketing_verified=True,
        marketing_message="One-way deal",
    )
    (body,) = schedule_body("N650SW", [activity])["activities"]
    assert body == {
        "activityId": "LEG-9",
        "activityType": "EmptyLeg",
        "startAirport": {"icao": "KPBI"},
        "endAirport": {"icao": "KTEB"},
        "startDateTime": "2026-11-25T18:00Z",
        "endDateTime": "2026-11-25T20:30Z",
        "price": 12500,
        "currency": "USD",
        "marketingStartDateTime": "2026-11-21T00:00Z",
        "marketingEndDateTime": "2026-11-25T17:00Z",
        "marketingVerified": True,
        "marketingMessage": "One-way deal",
    }


def test_ground_event_has_one_airport_and_no_trip_fields() -> None:
    activity = Activity(
        activity_id="GE-5",
        tail="N650SW",
        kind="MAINTENANCE",
        activity_type="Maintenance",
        start_airport="KTEB",
        end_airport="KTEB",
        start=at(26, 8),
        end=at(27, 17),
    )
    (body,) = schedule_body("N650SW", [activity])["activities"]
    assert body == {
        "activityId": "GE-5",
        "activityType": "Maintenance",
        "startAirport": {"icao": "KTEB"},
        "endAirport": {"icao": "KTEB"},
        "startDateTime": "2026-11-26T08:00Z",
        "endDateTime": "2026-11-27T17:00Z",
    }


def test_an_aircraft_with_no_activities_sends_an_empty_list() -> None:
    assert schedule_body("N1", []) == {"lift": {"aircraftTail": "N1"}, "activities": []}


def test_body_text_is_the_body_assembled_from_staged_activity_bodies() -> None:
    import json

    from benchmarks.activity_records import activity_body

    from aerosync.schedule.payloads import schedule_body_text

    activities = [
        Activity(
            activity_id=f"A{i}",
            tail="N650SW",
            kind="PAX",
            activity_type="PassengerFlight",
            start_airport="KTEB",
            end_airport="KPBI",
            start=datetime(2026, 11, 24, 10 + i, tzinfo=UTC),
            end=datetime(2026, 11, 24, 11 + i, tzinfo=UTC),
            note='quotes " and unicode é',
        )
        for i in range(3)
    ]
    staged = json.dumps([activity_body(a) for a in activities], separators=(",", ":"))
    assert json.loads(schedule_body_text("N650SW", staged)) == schedule_body("N650SW", activities)
    assert json.loads(schedule_body_text("N1", "[]")) == schedule_body("N1", [])
