"""Day or night at an airport, as take-offs and landings are counted: night is the time from the
end of evening civil twilight to the beginning of morning civil twilight (the sun's centre more
than 6 degrees below the horizon; EASA's definition of night). The demo FMS and the benchmarks'
fleet generator write their crew's day and night counts by it; for real data the FMS's counts are
the authority.

The sun's position comes from NOAA's general solar position equations (about a quarter of a
degree): precise enough to tell day from night outside the few minutes around twilight.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from functools import cache

from aerosync.airports import to_icao

CIVIL_TWILIGHT_DEGREES = -6.0


@cache
def _coordinates() -> dict[str, tuple[float, float]]:
    import airportsdata

    return {code: (row["lat"], row["lon"]) for code, row in airportsdata.load("ICAO").items()}


def solar_elevation(moment: datetime, latitude: float, longitude: float) -> float:
    """The sun's elevation above the horizon, in degrees, at `moment` and that place."""
    utc = moment.astimezone(UTC)
    hours = utc.hour + utc.minute / 60 + utc.second / 3600
    year = 2 * math.pi / 365 * (utc.timetuple().tm_yday - 1 + (hours - 12) / 24)
    equation_of_time = 229.18 * (
        0.000075
        + 0.001868 * math.cos(year)
        - 0.032077 * math.sin(year)
        - 0.014615 * math.cos(2 * year)
        - 0.040849 * math.sin(2 * year)
    )
    declination = (
        0.006918
        - 0.399912 * math.cos(year)
        + 0.070257 * math.sin(year)
        - 0.006758 * math.cos(2 * year)
        + 0.000907 * math.sin(2 * year)
        - 0.002697 * math.cos(3 * year)
        + 0.00148 * math.sin(3 * year)
    )
    solar_minutes = hours * 60 + equation_of_time + 4 * longitude
    hour_angle = math.radians(solar_minutes / 4 - 180)
    lat = math.radians(latitude)
    cos_zenith = math.sin(lat) * math.sin(declination) + math.cos(lat) * math.cos(
        declination
    ) * math.cos(hour_angle)
    return 90 - math.degrees(math.acos(max(-1.0, min(1.0, cos_zenith))))


def is_night(moment: datetime, airport: str) -> bool:
    """Whether `moment` is night at `airport` (ICAO, IATA or FAA code); an airport no table
    knows is taken as day."""
    place = _coordinates().get(to_icao(airport)[0])
    if place is None:
        return False
    return solar_elevation(moment, *place) < CIVIL_TWILIGHT_DEGREES
