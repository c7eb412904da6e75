"""The exact `PUT /schedules` body for one aircraft, as avinode-api.md describes it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from aerosync.models import Activity, Service


def avinode_time(moment: datetime) -> str:
    """UTC with a `Z`, to the minute, as in Avinode's own example: `2026-11-23T14:05Z`."""
    utc = moment.astimezone(UTC)  # isoformat is three times faster than strftime
    return utc.isoformat(timespec="minutes")[:16] + "Z"


def _service(service: Service) -> dict[str, Any]:
    body: dict[str, Any] = {
        "serviceProviderId": service.provider_id,
        "serviceProviderName": service.provider_name,
        "airport": {"icao": service.airport},
        "serviceType": service.service_type,
        "serviceFor": service.service_for,
        "dataSource": service.data_source,
    }
    if service.note:
        body["note"] = service.note
    return body


def activity_body(activity: Activity) -> dict[str, Any]:
    """One activity; optional fields appear only when they carry a value."""
    body: dict[str, Any] = {"activityId": activity.activity_id}
    if activity.external_trip_id:
        body["externalTripId"] = activity.external_trip_id
    if activity.trip_id:
        body["tripId"] = activity.trip_id
    if activity.flight_number:
        body["flightNumber"] = activity.flight_number
    body["activityType"] = activity.activity_type
    body["startAirport"] = {"icao": activity.start_airport}
    body["endAirport"] = {"icao": activity.end_airport}
    body["startDateTime"] = avinode_time(activity.start)
    body["endDateTime"] = avinode_time(activity.end)
    if activity.pax_count is not None:
        body["paxCount"] = activity.pax_count
    if activity.note:
        body["note"] = activity.note
    if activity.flight_regulations:
        body["flightRegulations"] = activity.flight_regulations
    if activity.flight_regulations_description:
        body["flightRegulationsDescription"] = activity.flight_regulations_description
    if activity.marketing_start is not None and activity.marketing_end is not None:
        if activity.price is not None:
            price = activity.price
            body["price"] = int(price) if float(price).is_integer() else price
        if activity.currency:
            body["currency"] = activity.currency
        body["marketingStartDateTime"] = avinode_time(activity.marketing_start)
        body["marketingEndDateTime"] = avinode_time(activity.marketing_end)
        body["marketingVerified"] = bool(activity.marketing_verified)
        if activity.marketing_message:
            body["marketingMessage"] = activity.marketing_message
    if activity.services:
        body["services"] = [_service(s) for s in activity.services]
    return body


def schedule_body(tail: str, activities: Sequence[Activity]) -> dict[str, Any]:
    """The aircraft's complete schedule: whatever is left out is deleted by the marketplace."""
    return {
        "lift": {"aircraftTail": tail},
        "activities": [activity_body(a) for a in activities],
    }


def schedule_body_text(tail: str, activities_json: str) -> str:
    """`schedule_body` as JSON text, from the JSON array of the aircraft's activity bodies as
    normalisation staged it: the complete schedule is assembled without decoding and
    re-encoding every activity (a fleet of 400 by 300 activities is 40 MB of JSON)."""
    lift = json.dumps({"aircraftTail": tail}, separators=(",", ":"))
    return f'{{"lift":{lift},"activities":{activities_json}}}'
