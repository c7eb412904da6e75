"""Two weeks of flying for each demo company, around the demo's `now`.

Days count from UTC midnight of `now` (day 0 is today), hours are UTC. Each plan holds what a real
schedule holds, and every case the upload has to handle: option and booked trips of several legs,
quoted and cancelled trips, a cancelled leg, empty legs with and without marketing offers, ground
events of every kind, airports in ICAO, IATA and FAA form, an unknown airport code, messy flight
regulations, services, an activity that ended more than 30 days ago, and (on the long-range
aircraft) a leg across the next daylight-saving change.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from aerosync.demo.rows import DST_ROUTES, FmsRows, Timeline

# Near-future flying of the long-range aircraft is only planned when the daylight-saving leg's
# positioning flight starts after this day, so the two never overlap whatever `now` is.
FILLER_UNTIL_DAY = 9
FERRY_MINUTES = {
    "skyway_charter": {"Europe/London": 520, "America/New_York": 160,
                       "Australia/Sydney": 1150, "America/Santiago": 500},
    "alpine_jets": {"Europe/London": 95, "America/New_York": 520,
                    "Australia/Sydney": 1180, "America/Santiago": 840},
}  # fmt: skip


def dst_trip(
    rows: FmsRows, t: Timeline, zone: str, change: datetime, ferry_minutes: int, home: str
) -> str:
    """Position, fly a leg 30 min before to 70 min after the change, come home; the leg's id."""
    departure, arrival = DST_ROUTES[zone]
    off_block = change - timedelta(minutes=30)
    on_block = change + timedelta(minutes=70)
    ferry = timedelta(minutes=ferry_minutes)
    out = off_block - timedelta(hours=20)
    t.fly_at(out, out + ferry, departure, kind="FERRY", note="Positioning for a charter")
    trip = rows.trip("BOOKED", regulation="135")
    leg = t.fly_at(
        off_block, on_block, arrival, trip=trip, pax=4, zone=zone,
        note=f"Night flight across the {zone} daylight-saving change",
    )  # fmt: skip
    back = on_block + timedelta(hours=20)
    t.fly_at(back, back + ferry, home, kind="FERRY")
    return leg


def plan_skyway(rows: FmsRows, tl: Mapping[str, Timeline], zone: str, change: datetime) -> str:
    t = tl["N650SW"]
    old = rows.trip("BOOKED", regulation="135")
    t.fly(-34, 14, 165, "KMIA", trip=old, pax=5, flight="SWY650")
    t.fly(-31, 15, 170, "TEB", trip=old, pax=5, flight="SWY651", note="Ended over 30 days ago")
    palm = rows.trip("BOOKED", avinode_trip_id="ATRIP-7Q2K9M", regulation="135")
    leg = t.fly(-6, 13, 160, "KMIA", trip=palm, pax=4, flight="SWY652", note="Light breakfast")
    rows.service(leg, ("81766", "Signature TEB", "TEB", "FBO"))
    rows.service(leg, ("WFS-220", "World Fuel Services", "KTEB", "FUEL"))
    t.fly(-3, 20, 170, "TEB", trip=palm, pax=2, flight="SWY653", regulation="Part 91")
    t.ground(1, 6, 36, "MAINTENANCE", "Phase inspection")
    london = rows.trip("BOOKED", regulation="Part 91K")
    leg = t.fly(3, 22, 415, "LHR", trip=london, pax=8, flight="SWY654")
    rows.service(
        leg, ("CAT-18", "Rudy's Inflight Catering", "TEB", "CATERING"),
        service_for="OTHER", data_source="PROPRIETARY", note="Two kosher meals",
    )  # fmt: skip
    dropped = t.fly(5, 10, 95, "NCE", trip=london, pax=8, cancelled=True, note="Nice cancelled")
    rows.service(dropped, ("HND-7", "Harrods Aviation", "LHR", "HANDLING"))
    t.fly(6, 14, 470, "TEB", trip=london, pax=8, flight="SWY655")
    empty = t.fly(8, 15, 165, "KMIA", kind="EMPTY_LEG", note="Back to Miami for a pick-up")
    rows.offer(
        empty, t.at(5, 15), t.at(8, 15), price=18500, currency="USD",
        message="Teterboro to Miami, 13 seats", verified_by="j.alvarez",
        verified_at=t.at(5, 16), zone="America/New_York",
    )  # fmt: skip
    option = rows.trip("OPTION", avinode_trip_id="ATRIP-8R4X1C", regulation="135")
    t.fly(10, 16, 240, "KASE", trip=option, pax=6)
    t.fly(12, 21, 245, "TEB", trip=option, pax=6)
    quoted = rows.trip("QUOTED", regulation="135")
    t.fly(13, 14, 360, "KSFO", trip=quoted, pax=3)

    t = tl["N525SW"]
    ferry = t.fly(-9, 12, 45, "KBOS", kind="FERRY", regulation="Part 91")
    # A marketing offer on a ferry is an FMS data error: it must never be sent as marketing.
    rows.offer(ferry, t.at(-12), t.at(-9, 12), price=4000, currency="USD", message="Not sent")
    cape = rows.trip("BOOKED", regulation="PART_135")
    t.fly(-9, 14, 40, "KACK", trip=cape, pax=3, flight="SWY525")
    t.fly(-7, 21, 50, "KHPN", trip=cape, pax=3, flight="SWY526")
    t.ground(-2, 2, 10, "CREW_REST", "Crew duty reset")
    gulf = rows.trip("BOOKED", regulation="charter-ish")
    leg = t.fly(2, 13, 150, "DTS", trip=gulf, pax=4, flight="SWY527")
    rows.service(leg, ("DTS-01", "Destin Jet", "DTS", "FBO"), data_source="PROPRIETARY")
    t.fly(4, 18, 145, "KHPN", trip=gulf, pax=4, flight="SWY528")
    t.ground(5, 12, 48, "OWNER_HOLD", "Held for the owner's family")
    empty = t.fly(8, 13, 170, "KMIA", kind="EMPTY_LEG")
    rows.offer(
        empty, t.at(0), t.at(8, 13), price=9800, currency="USD",
        message="Light jet, 5 seats, flexible departure", zone="America/New_York",
    )  # fmt: skip
    t.fly(9, 14, 170, "KHPN", kind="FERRY")
    dead = rows.trip("CANCELLED", regulation="135")
    t.fly(11, 13, 130, "KMDW", trip=dead, pax=2)

    t = tl["N300SW"]
    vegas = rows.trip("BOOKED", avinode_trip_id="ATRIP-3M7D0P", regulation="135")
    t.fly(-5, 17, 60, "KLAS", trip=vegas, pax=7, flight="SWY300")
    t.fly(-4, 19, 75, "KSJC", trip=vegas, pax=7, flight="SWY301")
    t.fly(-3, 1, 65, "KVNY", trip=vegas, pax=6, flight="SWY302")
    t.ground(1, 15, 52, "AOG", "Hydraulic pump, part on order")
    ski = rows.trip("OPTION", regulation="135")
    t.fly(4, 16, 120, "KSUN", trip=ski, pax=5)
    t.fly(6, 23, 115, "KVNY", trip=ski, pax=5)
    ranch = rows.trip("BOOKED", regulation="Part 135")
    t.fly(9, 17, 80, "ZZZZ", trip=ranch, pax=4, note="Private ranch strip, not in any table")
    t.fly(9, 23, 85, "KVNY", trip=ranch, pax=4)

    t = tl["N711SW"]
    t.fly(-4, 14, 55, "KMSY", kind="FERRY")
    jazz = rows.trip("BOOKED", regulation="Part 91K")
    t.fly(-4, 16, 80, "KATL", trip=jazz, pax=4, flight="SWY711")
    t.fly(-2, 22, 75, "DTS", trip=jazz, pax=4, flight="SWY712")
    t.ground(2, 13, 30, "MAINTENANCE", "Tyre change and 100-hour check")
    hamptons = rows.trip("BOOKED", regulation="135")
    t.fly(5, 13, 165, "HWV", trip=hamptons, pax=5, flight="SWY713")
    t.fly(7, 20, 175, "DTS", trip=hamptons, pax=5, flight="SWY714")
    t.ground(10, 14, 8, "OTHER", "Static display at the local air show")

    t = tl["N410SW"]
    aspen = rows.trip("BOOKED", regulation="135")
    t.fly(-10, 16, 35, "KASE", trip=aspen, pax=6, flight="SWY410")
    t.fly(-9, 23, 35, "KAPA", trip=aspen, pax=6, flight="SWY411")
    t.fly(3, 14, 30, "KEGE", kind="FERRY")
    dallas = rows.trip("BOOKED", regulation="135")
    leg = t.fly(3, 16, 110, "KDAL", trip=dallas, pax=6)
    rows.service(leg, ("LIMO-3", "Vail Valley Limousine", "KEGE", "LIMO"), service_for="OTHER")
    t.fly(5, 15, 115, "KAPA", trip=dallas, pax=6)
    t.fly(8, 17, 95, "KSDL", kind="EMPTY_LEG", note="No offer yet")
    t.fly(9, 16, 90, "KAPA", kind="FERRY")

    t = tl["N77SW"]  # the owner's aircraft, not marketed: nothing of it is sent
    private = rows.trip("BOOKED", regulation="Part 91")
    t.fly(-3, 13, 160, "KMIA", trip=private, pax=2)
    t.fly(2, 13, 165, "KTEB", trip=private, pax=2)
    t.ground(5, 12, 24, "MAINTENANCE")

    t = tl["N880SW"]
    cancun = rows.trip("BOOKED", avinode_trip_id="ATRIP-5K2W8N", regulation="135")
    t.fly(-8, 15, 115, "MMUN", trip=cancun, pax=9, flight="SWY880")
    t.fly(-6, 20, 110, "KOPF", trip=cancun, pax=9, flight="SWY881")
    minutes = FERRY_MINUTES["skyway_charter"][zone]
    if change - timedelta(hours=21) > t.at(FILLER_UNTIL_DAY):
        islands = rows.trip("OPTION", regulation="135")
        t.fly(2, 14, 185, "TNCM", trip=islands, pax=8)
        t.fly(5, 18, 195, "KOPF", trip=islands, pax=8)
    return dst_trip(rows, t, zone, change, minutes, home="KOPF")


def plan_alpine(rows: FmsRows, tl: Mapping[str, Timeline], zone: str, change: datetime) -> str:
    t = tl["HB-JSZ"]
    t.fly(-11, 9, 75, "LFMN", kind="FERRY")
    riviera = rows.trip("BOOKED", regulation="PART_CAT")
    t.fly(-11, 12, 105, "EGGW", trip=riviera, pax=6, flight="AJT101")
    t.fly(-8, 16, 95, "LSZH", trip=riviera, pax=6, flight="AJT102")
    t.ground(-1, 7, 9, "CREW_REST", "Rest before the Ibiza rotation")
    ibiza = rows.trip("BOOKED", regulation="EU-OPS CAT")
    leg = t.fly(2, 9, 120, "LEIB", trip=ibiza, pax=7, flight="AJT103")
    rows.service(leg, ("81990", "Jet Aviation Zurich", "LSZH", "FBO"))
    rows.service(
        leg, ("CAT-44", "Gate Gourmet Zurich", "LSZH", "CATERING"),
        service_for="OTHER", data_source="PROPRIETARY", note="Vegan menu",
    )  # fmt: skip
    t.fly(4, 15, 125, "LSZH", trip=ibiza, pax=7, flight="AJT104")
    quoted = rows.trip("QUOTED", regulation="CAT")
    t.fly(6, 8, 90, "LIML", trip=quoted, pax=4)
    empty = t.fly(8, 10, 70, "LFMD", kind="EMPTY_LEG")
    rows.offer(
        empty, t.at(4, 10), t.at(8, 10), price=14200, currency="EUR",
        message="Zurich to Cannes, 12 seats", verified_by="m.keller",
        verified_at=t.at(4, 11), zone="Europe/Zurich",
    )  # fmt: skip
    t.fly(9, 14, 75, "LSZH", kind="FERRY")

    t = tl["G-LXWD"]
    old = rows.trip("BOOKED", regulation="NCC")
    t.fly(-33, 8, 95, "LFMN", trip=old, pax=3, flight="AJT200")
    t.fly(-31, 9, 100, "FAB", trip=old, pax=3, flight="AJT201", note="Ended over 30 days ago")
    scotland = rows.trip("BOOKED", regulation="NCC")
    t.fly(-12, 9, 70, "EGPH", trip=scotland, pax=5, flight="AJT202")
    t.fly(-10, 17, 75, "FAB", trip=scotland, pax=5, flight="AJT205")
    t.ground(1, 8, 72, "AOG", "Bird strike inspection")
    nice = rows.trip("BOOKED", avinode_trip_id="ATRIP-2C6F9T", regulation="EU-OPS CAT")
    t.fly(5, 8, 110, "NCE", trip=nice, pax=9, flight="AJT203")
    dropped = t.fly(6, 9, 35, "LFMD", trip=nice, cancelled=True, note="Cannes hop dropped")
    rows.service(dropped, ("LFMD-2", "Cannes Handling", "LFMD", "HANDLING"))
    t.fly(7, 18, 115, "FAB", trip=nice, pax=9, flight="AJT204")
    empty = t.fly(9, 9, 85, "LSGS", kind="EMPTY_LEG")
    rows.offer(
        empty, t.at(2), t.at(9, 9), price=None, currency=None,
        message="London to Sion for the ski season", zone="Europe/London",
    )  # fmt: skip
    t.fly(10, 15, 80, "FAB", kind="FERRY")

    t = tl["D-CALP"]
    t.fly(-6, 7, 55, "LOWI", kind="FERRY")
    alps = rows.trip("BOOKED", regulation="charter-ish")
    t.fly(-6, 9, 60, "LSZS", trip=alps, pax=5, flight="AJT301")
    t.fly(-5, 15, 65, "EDDM", trip=alps, pax=5, flight="AJT302")
    t.ground(2, 6, 30, "MAINTENANCE", "Engine borescope")
    holland = rows.trip("OPTION", regulation="PART_CAT")
    t.fly(4, 8, 80, "EHAM", trip=holland, pax=6)
    t.fly(4, 17, 80, "EDDM", trip=holland, pax=6)
    dead = rows.trip("CANCELLED", regulation="NCC")
    t.fly(7, 10, 90, "LIML", trip=dead, pax=3)
    t.ground(9, 8, 50, "OWNER_HOLD", "Owner's ski week")

    t = tl["OE-GAJ"]
    paris = rows.trip("BOOKED", regulation="EU-OPS CAT")
    t.fly(-3, 7, 95, "LFPB", trip=paris, pax=4, flight="AJT401")
    t.fly(-3, 17, 95, "LOWW", trip=paris, pax=4, flight="AJT402")
    milan = rows.trip("BOOKED", regulation="Part NCC")
    t.fly(3, 8, 80, "LIML", trip=milan, pax=3, flight="AJT403")
    t.fly(5, 16, 85, "LOWW", trip=milan, pax=3, flight="AJT404")
    t.ground(8, 7, 10, "CREW_REST")
    t.fly(11, 8, 100, "LBG", kind="EMPTY_LEG", note="Vienna to Paris, no offer yet")

    t = tl["F-HAJT"]
    geneva = rows.trip("BOOKED", regulation="EU-OPS CAT")
    t.fly(-9, 7, 60, "GVA", trip=geneva, pax=4, flight="AJT501")
    t.fly(-9, 18, 60, "LBG", trip=geneva, pax=4, flight="AJT502")
    t.fly(1, 9, 70, "LHR", kind="FERRY")
    london = rows.trip("BOOKED", regulation="CAT")
    leg = t.fly(1, 12, 110, "NCE", trip=london, pax=6, flight="AJT503")
    rows.service(leg, ("HND-7", "Harrods Aviation", "LHR", "HANDLING"))
    rows.service(
        leg, ("HTL-2", "Hotel Negresco", "NCE", "HOTEL"),
        service_for="OTHER", data_source="PROPRIETARY", note="Two crew rooms",
    )  # fmt: skip
    t.fly(3, 16, 85, "LBG", trip=london, pax=6, flight="AJT504")
    t.ground(6, 8, 96, "MAINTENANCE", "C-check slot")

    t = tl["HB-VAJ"]  # not marketed
    t.fly(-2, 9, 60, "LSZH", kind="FERRY")
    t.ground(3, 8, 24, "OWNER_HOLD")

    t = tl["HB-JFA"]
    hamptons = rows.trip("BOOKED", avinode_trip_id="ATRIP-9H3L2V", regulation="NCC")
    t.fly(-8, 9, 520, "TEB", trip=hamptons, pax=8, flight="AJT001")
    t.fly(-6, 14, 30, "HWV", trip=hamptons, pax=8, flight="AJT002")
    t.fly(-4, 21, 470, "GVA", trip=hamptons, pax=8, flight="AJT003")
    minutes = FERRY_MINUTES["alpine_jets"][zone]
    if change - timedelta(hours=21) > t.at(FILLER_UNTIL_DAY):
        t.ground(3, 6, 48, "MAINTENANCE", "Cabin inspection")
        dubai = rows.trip("OPTION", regulation="EU-OPS CAT")
        t.fly(5, 8, 380, "OMDB", trip=dubai, pax=10)
        t.fly(7, 9, 400, "GVA", trip=dubai, pax=10)
    return dst_trip(rows, t, zone, change, minutes, home="GVA")
