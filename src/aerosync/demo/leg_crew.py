"""Crew on the demo FMS's legs: Alpine Jets, whose pilots the demo HRIS holds
(`aerosync.demo.crew.CREW`), as the FMS's `leg_crew` table holds them; and three months of
earlier line flying, so that recency has a history to count. Days count from UTC midnight of the
demo's `now` (day 0 is today).

Who flies what (ICAO type designators; two pilots a leg, a PIC and a SIC, one of them the pilot
flying, who makes its take-off and landing, by day or night as the sun stood: `demo.night`):
- E001 (captain) and E002 (first officer): the Bombardiers, GL7T (HB-JFA) and CL60 (G-LXWD);
- E003 (captain) and E004 (first officer): the Falcons, FA7X (HB-JSZ, HB-VAJ) and F2TH (F-HAJT);
- the Citations, C56X (D-CALP, OE-GAJ): E006 (captain) with E004 until E006 leaves the company
  (day -7), then E004 (a captain since day -10) with E005 (hired on day -8).

Only legs flown by `now` have crew: legs that ended, not cancelled, standalone or of a BOOKED trip.
On the legs of the schedule plans the first officer flies the first sector of each aircraft, then
the pilots take turns; on the line flying (round trips on days -80, -62 and -41) the captain flies
out and the first officer back.

So on either day of the demo's last window (today or yesterday) every pilot has at least 3
take-offs and 3 landings as pilot flying within 90 days in every type they fly, except E002 in the
CL60: E002's third-latest sector as pilot flying in it is the line flying of day -93 (G-LXWD's
line flying before day -90 has E002 fly the sectors home; after it, E001 flies both), so E002's
CL60 recency lapsed on day -3.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from aerosync.demo.night import is_night
from aerosync.demo.rows import ZONES, FmsRows, local_iso

# Employment in the demo HRIS (`demo.crew`, `crew_setup.DEMO_DAYS`): E005 is hired on day -8,
# E006 leaves on day -7 and flies up to the day before.
E006_LAST_DAY = -8
LINE_FLYING_DAYS = (-80, -62, -41)
LAPSING_TAIL = "G-LXWD"
LAPSING_DAYS = (-104, -97, -93)
# Round trips of the line flying: tail -> (destination, block minutes each way).
ROUTES = {
    "HB-JFA": ("LFMN", 60),
    "HB-JSZ": ("EGGW", 105),
    "G-LXWD": ("LSGG", 95),
    "D-CALP": ("LOWI", 45),
    "OE-GAJ": ("LIML", 80),
    "F-HAJT": ("LFMN", 85),
    "HB-VAJ": ("LFMD", 80),
}
OUT_HOUR, BACK_HOUR = 8, 16  # UTC


def crew_for(type_code: str, day: int) -> tuple[str, str]:
    """(PIC, SIC) of a leg of this type flown on `day`."""
    if type_code in ("GL7T", "CL60"):
        return "E001", "E002"
    if type_code in ("FA7X", "F2TH"):
        return "E003", "E004"
    return ("E006", "E004") if day <= E006_LAST_DAY else ("E004", "E005")


def _leg(
    rows: FmsRows, aircraft_id: str, trip: str, origin: str, to: str, off: datetime, minutes: int
) -> str:
    leg_id = rows.next_id("L", 1001)
    on = off + timedelta(minutes=minutes)
    rows.legs.append(
        (leg_id, trip, aircraft_id, "PAX", origin, to, local_iso(off, ZONES.get(origin)),
         local_iso(on, ZONES.get(to)), None, 4, "Line flying", None, False)
    )  # fmt: skip
    return leg_id


def add_line_flying(
    rows: FmsRows, fleet: Mapping[str, tuple[str, str]], base: datetime
) -> dict[str, str]:
    """Round trips from each aircraft's homebase (`fleet`: tail -> (aircraft id, homebase))
    long enough ago that no schedule upload reads them; returns the seat ("PIC" or "SIC") of the
    pilot flying of each leg."""
    seats: dict[str, str] = {}
    for tail, (aircraft_id, home) in fleet.items():
        destination, minutes = ROUTES[tail]
        days = LINE_FLYING_DAYS + (LAPSING_DAYS if tail == LAPSING_TAIL else ())
        for day in sorted(days):
            trip = rows.trip("BOOKED", regulation="EU-OPS CAT")
            out = base + timedelta(days=day, hours=OUT_HOUR)
            back = base + timedelta(days=day, hours=BACK_HOUR)
            seats[_leg(rows, aircraft_id, trip, home, destination, out, minutes)] = "PIC"
            back_seat = "PIC" if tail == LAPSING_TAIL and day in LINE_FLYING_DAYS else "SIC"
            seats[_leg(rows, aircraft_id, trip, destination, home, back, minutes)] = back_seat
    return seats


def _flown(rows: FmsRows, leg: tuple[object, ...], now: datetime) -> bool:
    trip, cancelled = leg[1], leg[12]
    ended = datetime.fromisoformat(str(leg[7])) <= now
    return ended and not cancelled and (trip is None or rows.statuses[str(trip)] == "BOOKED")


def _counts(flying: bool, off: datetime, origin: str, on: datetime, to: str) -> tuple[int, ...]:
    """(take-offs by day, at night, landings by day, at night) of one crew member."""
    if not flying:
        return 0, 0, 0, 0
    takeoff_night, landing_night = is_night(off, origin), is_night(on, to)
    return int(not takeoff_night), int(takeoff_night), int(not landing_night), int(landing_night)


def add_crew(
    rows: FmsRows,
    types: Mapping[str, str],
    base: datetime,
    now: datetime,
    seats: Mapping[str, str],
) -> None:
    """Two pilots on every leg flown by `now` of an aircraft in `types` (aircraft id -> type
    code); the pilot flying's seat from `seats` (line flying), else taking turns."""
    by_aircraft: dict[str, list[tuple[object, ...]]] = {}
    for leg in rows.legs:
        if leg[2] in types and _flown(rows, leg, now):
            by_aircraft.setdefault(str(leg[2]), []).append(leg)
    for aircraft_id, legs in sorted(by_aircraft.items()):
        turn = 0
        for leg in sorted(legs, key=lambda row: datetime.fromisoformat(str(row[6]))):
            leg_id, origin, to = str(leg[0]), str(leg[4]), str(leg[5])
            off, on = datetime.fromisoformat(str(leg[6])), datetime.fromisoformat(str(leg[7]))
            seat = seats.get(leg_id)
            if seat is None:
                seat, turn = ("SIC", "PIC")[turn % 2], turn + 1
            pic, sic = crew_for(types[aircraft_id], (off - base).days)
            for employee, role in ((pic, "PIC"), (sic, "SIC")):
                flying = role == seat
                rows.leg_crew.append(
                    (leg_id, employee, role, flying, *_counts(flying, off, origin, on, to))
                )
