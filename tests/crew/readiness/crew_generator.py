"""A deterministic crew for readiness tests: at least 200 pilots and a year of legs, written
straight into the store's tables (the sources that fill them are built elsewhere), with the edge
cases of the design page placed on purpose on named pilots (`Crew.edge`).

The year runs to DAY (2027-01-14); the window of that day's export ends at 03:00 UTC on it, so
legs of DAY after 03:00 are not flown yet as of the export. The store also holds what was recorded
after earlier days (legs, HRIS versions, qualifications), as a store does when an old window is
backfilled: readiness on an earlier day must not see it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Engine, text

COMPANY = "acme"
DAY = date(2027, 1, 14)
FIRST = date(2026, 1, 15)
WINDOW_END = datetime.combine(DAY, time(3, 0), tzinfo=UTC)
TYPES = ("CL35", "C68A", "GLEX")
EBT_COURSE, OTHER_COURSE = "EBT-M1", "CRM"
_STAMP = "2027-01-14T03:00:00.000000Z"


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _provenance() -> dict[str, str]:
    return {"source": "generator", "last_run_id": "generated", "last_changed_at": _STAMP}


@dataclass
class Crew:
    employees: list[dict[str, Any]] = field(default_factory=list)
    legs: list[dict[str, Any]] = field(default_factory=list)
    qualifications: list[dict[str, Any]] = field(default_factory=list)
    gradings: list[dict[str, Any]] = field(default_factory=list)
    courses: list[dict[str, Any]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    edge: dict[str, str] = field(default_factory=dict)  # what it shows -> employee id
    _legs: int = 0

    # -- rows ------------------------------------------------------------------------------------

    def employee(
        self,
        employee_id: str,
        role: str,
        start: date,
        status: str = "active",
        left_on: date | None = None,
    ) -> None:
        self.employees.append(
            {
                "company": COMPANY,
                "employee_id": employee_id,
                "effective_from": start.isoformat(),
                "effective_to": None,
                "name": f"Crew {employee_id}",
                "role": role,
                "base": "LSGG",
                "employment_status": status,
                "hired_on": None,
                "left_on": None if left_on is None else left_on.isoformat(),
                **_provenance(),
            }
        )

    def leg(
        self,
        employee_id: str,
        type_code: str | None,
        off_block: datetime,
        minutes: int,
        *,
        role: str = "PIC",
        flying: bool = True,
        landings: int = 1,
        counts: int = 1,
    ) -> None:
        self._legs += 1
        on_block = off_block + timedelta(minutes=minutes)
        night_off = not 6 <= off_block.hour < 20
        night_on = not 6 <= on_block.hour < 20
        takeoffs = 1 if flying else 0
        lands = landings if flying else 0
        self.legs.append(
            {
                "company": COMPANY,
                "leg_id": f"L{self._legs:07d}",
                "employee_id": employee_id,
                "aircraft_id": f"A-{type_code}",
                "tail_number": None,
                "type_code": type_code,
                "off_block": stamp(off_block),
                "on_block": stamp(on_block),
                "flown_on": on_block.date().isoformat(),
                "block_minutes": minutes,
                "role": role,
                "pilot_flying": int(flying),
                "takeoffs_day": 0 if night_off else takeoffs,
                "takeoffs_night": takeoffs if night_off else 0,
                "landings_day": 0 if night_on else lands,
                "landings_night": lands if night_on else 0,
                "counts": counts,
                **_provenance(),
            }
        )

    def qualification(
        self, employee_id: str, code: str, issued: date, expires: date | None
    ) -> None:
        self.qualifications.append(
            {
                "company": COMPANY,
                "employee_id": employee_id,
                "qualification": code,
                "issued_on": issued.isoformat(),
                "expires_on": None if expires is None else expires.isoformat(),
                **_provenance(),
            }
        )

    def grading(self, employee_id: str, session: date) -> None:
        self.gradings.append(
            {
                "company": COMPANY,
                "session_id": f"S-{employee_id}-{session:%Y%m%d}",
                "employee_id": employee_id,
                "session_date": session.isoformat(),
                "instructor_id": "I001",
                **{c: 3 for c in ("apk", "com", "fpa", "fpm", "ltw", "psd", "saw", "wlm", "kno")},
                **_provenance(),
            }
        )

    def completion(self, employee_id: str, course: str, at: datetime, verb: str = "passed") -> None:
        self.records.append(
            {
                "company": COMPANY,
                "record_id": f"R{len(self.records):06d}",
                "employee_id": employee_id,
                "course_id": course,
                "module_id": None,
                "verb": verb,
                "success": "false" if verb == "failed" else "true",
                "score": 0.9,
                "completed_at": stamp(at),
                "expires_at": None,
                "stored_at": stamp(at + timedelta(minutes=5)),
                **_provenance(),
            }
        )

    def with_effective_to(self) -> list[dict[str, Any]]:
        """HRIS versions with `effective_to` derived (the next version's start), as the store
        keeps them."""
        by_employee: dict[str, list[dict[str, Any]]] = {}
        for row in self.employees:
            by_employee.setdefault(row["employee_id"], []).append(row)
        out = []
        for rows in by_employee.values():
            rows.sort(key=lambda r: r["effective_from"])
            for row, following in zip(rows, [*rows[1:], None], strict=True):
                ends = None if following is None else following["effective_from"]
                out.append({**row, "effective_to": ends})
        return out


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


def _standard_papers(
    crew: Crew, rng: random.Random, pilot: str, role: str, types: list[str]
) -> None:
    """Type ratings, line check, medical, LPC (captains) and EBT modules, mostly valid on DAY."""
    for type_code in types:
        issued = FIRST - timedelta(days=rng.randint(100, 2000))
        expires = None if rng.random() < 0.7 else DAY + timedelta(days=rng.randint(-60, 400))
        crew.qualification(pilot, f"TYPE_RATING:{type_code}", issued, expires)
    check = DAY - timedelta(days=rng.randint(5, 380))
    crew.qualification(pilot, "LINE_CHECK", check, check + timedelta(days=365))
    if rng.random() < 0.2:  # renewed early: two overlapping records
        older = check - timedelta(days=300)
        crew.qualification(pilot, "LINE_CHECK", older, older + timedelta(days=365))
    medical = DAY - timedelta(days=rng.randint(1, 375))
    crew.qualification(pilot, "MEDICAL", medical, medical + timedelta(days=365))
    if role == "CPT":
        lpc = DAY - timedelta(days=rng.randint(1, 200))
        crew.qualification(pilot, "LPC", lpc, lpc + timedelta(days=183))
    kind = rng.random()
    module = DAY - timedelta(days=rng.randint(1, 420))
    if kind < 0.75:
        crew.grading(pilot, module)
        crew.grading(pilot, module - timedelta(days=rng.randint(150, 200)))
    elif kind < 0.9:
        crew.completion(pilot, EBT_COURSE, at(module, rng.randint(6, 20)))
        if rng.random() < 0.5:  # a failed attempt later: not a module
            crew.completion(pilot, EBT_COURSE, at(module + timedelta(days=20), 9), "failed")
    else:
        crew.completion(pilot, OTHER_COURSE, at(module, 10))  # not an EBT module


def _random_flying(crew: Crew, rng: random.Random, pilot: str, role: str, types: list[str]) -> None:
    rate = rng.choice((0.02, 0.05, 0.25, 0.35, 0.45))
    leg_role = "PIC" if role == "CPT" else "SIC"
    day = FIRST
    while day <= DAY + timedelta(days=3):
        if rng.random() < rate:
            for _ in range(rng.randint(1, 2)):
                type_code: str | None = types[0] if rng.random() < 0.85 else types[-1]
                if rng.random() < 0.02:
                    type_code = None  # the FMS did not know the aircraft's type
                crew.leg(
                    pilot,
                    type_code,
                    at(day, rng.randint(0, 23), rng.choice((0, 15, 30, 45))),
                    rng.randint(40, 220),
                    role=leg_role,
                    flying=rng.random() < 0.5,
                    landings=2 if rng.random() < 0.05 else 1,
                    counts=0 if rng.random() < 0.03 else 1,
                )
            if rng.random() < 0.02:
                crew.leg(pilot, types[0], at(day, 12), 90, role="OBSERVER", flying=False)
        day += timedelta(days=1)


def generate_crew(pilots: int = 230, seed: int = 18) -> Crew:
    rng = random.Random(seed)
    crew = Crew()
    crew.courses = [
        {"company": COMPANY, "course_id": EBT_COURSE, "title": "EBT module", "category": "EBT",
         "validity_days": 365, "ebt_module": 1, "active": 1, **_provenance()},
        {"company": COMPANY, "course_id": OTHER_COURSE, "title": "CRM", "category": "CRM",
         "validity_days": 365, "ebt_module": 0, "active": 1, **_provenance()},
    ]  # fmt: skip
    for n in range(pilots):
        pilot = f"P{n:04d}"
        role = "CPT" if n % 2 == 0 else "FO"
        types = [TYPES[n % 3]] + ([TYPES[(n + 1) % 3]] if n % 7 == 0 else [])
        late = n % 11 == 0 and n % 13 != 5 and n % 29 != 3  # hired within the year
        hired = FIRST + timedelta(days=rng.randint(0, 200)) if late else FIRST - timedelta(400)
        crew.employee(pilot, role, hired)
        if n % 13 == 5:  # promoted mid-year: captains need their LPC from then on
            crew.employee(pilot, "CPT" if role == "FO" else role, FIRST + timedelta(days=180))
        if n % 29 == 3:  # on leave for a while, back before DAY
            crew.employee(pilot, role, FIRST + timedelta(days=100), status="leave")
            crew.employee(pilot, role, FIRST + timedelta(days=160))
        rated = types if n % 31 != 7 else types[1:]  # a few fly a type they hold no rating for
        _standard_papers(crew, rng, pilot, role, rated)
        _random_flying(crew, rng, pilot, role, types)
    for n in range(12):  # cabin crew: not pilots, never listed
        member = f"C{n:03d}"
        crew.employee(member, "CC", FIRST - timedelta(days=400))
        crew.leg(
            member, "CL35", at(DAY - timedelta(days=n + 1), 10), 120, role="CABIN", flying=False
        )
    place_edge_cases(crew)
    return crew


def _edge_pilot(crew: Crew, key: str, role: str = "CPT", type_code: str = "CL35") -> str:
    pilot = f"X{len(crew.edge):03d}"
    crew.edge[key] = pilot
    crew.employee(pilot, role, FIRST - timedelta(days=500))
    crew.qualification(pilot, f"TYPE_RATING:{type_code}", FIRST - timedelta(days=900), None)
    crew.qualification(pilot, "LINE_CHECK", DAY - timedelta(days=100), DAY + timedelta(days=265))
    crew.qualification(pilot, "MEDICAL", DAY - timedelta(days=50), DAY + timedelta(days=315))
    crew.qualification(pilot, "LPC", DAY - timedelta(days=20), DAY + timedelta(days=163))
    crew.grading(pilot, DAY - timedelta(days=60))
    return pilot


def _daily_flying(
    crew: Crew, pilot: str, first: date, last: date, minutes: int, every: int = 1
) -> None:
    """A leg as pilot flying every `every` days, by day."""
    day = first
    while day <= last:
        crew.leg(pilot, "CL35", at(day, 8), minutes)
        day += timedelta(days=every)


def place_edge_cases(crew: Crew) -> None:
    # Recency: the third-latest take-off and landing exactly 89 days before DAY (day 90 of 90:
    # current on DAY, lapses the day after), and one day earlier (lapsed on DAY).
    for key, back in (("recency_day_90", 89), ("recency_day_91", 90)):
        pilot = _edge_pilot(crew, key)
        for hour in (8, 11, 14):
            crew.leg(pilot, "CL35", at(DAY - timedelta(days=back), hour), 60)
        crew.leg(pilot, "CL35", at(DAY - timedelta(days=3), 9), 60, flying=False)
    # Recency with legs after the last day it held: two landings since, not three (it lapsed when
    # the older ones left the window, not 90 days after the third-latest landing).
    pilot = _edge_pilot(crew, "recency_lapsed_before_recent_legs")
    for back in (200, 199, 198):
        crew.leg(pilot, "CL35", at(DAY - timedelta(days=back), 9), 60)
    for back in (20, 2):
        crew.leg(pilot, "CL35", at(DAY - timedelta(days=back), 9), 60)
    # Night: three night take-offs and landings (night-current); two at night and more by day.
    pilot = _edge_pilot(crew, "night_current")
    for back in (80, 40, 10):
        crew.leg(pilot, "CL35", at(DAY - timedelta(days=back), 22), 60)
    pilot = _edge_pilot(crew, "night_two_of_three")
    for back in (70, 30):
        crew.leg(pilot, "CL35", at(DAY - timedelta(days=back), 23), 50)
    for back in (60, 20, 5, 4):
        crew.leg(pilot, "CL35", at(DAY - timedelta(days=back), 9), 50)
    # A leg landing after midnight counts on its on-block day; legs of DAY after the export's
    # moment (03:00) are not flown yet; a cancelled leg counts for nothing.
    pilot = _edge_pilot(crew, "on_block_day_and_not_yet_flown")
    crew.leg(pilot, "CL35", at(DAY - timedelta(days=90), 23), 120)  # lands DAY-89
    crew.leg(pilot, "CL35", at(DAY - timedelta(days=50), 9), 60)
    crew.leg(pilot, "CL35", at(DAY, 1), 60)  # on block 02:00: flown
    crew.leg(pilot, "CL35", at(DAY, 9), 60)  # on block 10:00: not yet
    crew.leg(pilot, "CL35", at(DAY - timedelta(days=1), 9), 60, counts=0)
    # Flight time: over 900 h in calendar 2026, under the 12-month limit on DAY (the year's limit
    # falls back on 1 January); over 1,000 h in 12 months; over 100 h in 28 days.
    pilot = _edge_pilot(crew, "over_900_hours_in_2026")
    _daily_flying(crew, pilot, date(2026, 2, 20), date(2026, 12, 31), 174)  # 2.9 h a day
    _daily_flying(crew, pilot, DAY - timedelta(days=12), DAY - timedelta(days=1), 60, every=4)
    pilot = _edge_pilot(crew, "over_1000_hours_in_12_months")
    _daily_flying(crew, pilot, date(2026, 2, 1), DAY - timedelta(days=1), 192)  # 3.2 h a day
    pilot = _edge_pilot(crew, "over_100_hours_in_28_days")
    _daily_flying(crew, pilot, DAY - timedelta(days=26), DAY - timedelta(days=1), 240)
    # Employment: left in the middle of DAY's window (left_on the day before DAY), left 40 days
    # ago, leaves on DAY (employed through it), leaves in 10 days (known ahead), left 14 months
    # ago (no longer listed), and a termination effective after DAY that the store already holds.
    for key, left in (
        ("left_mid_window", DAY - timedelta(days=1)),
        ("left_40_days_ago", DAY - timedelta(days=40)),
        ("leaves_on_day", DAY),
        ("leaves_in_10_days", DAY + timedelta(days=10)),
        ("left_14_months_ago", DAY - timedelta(days=425)),
    ):
        pilot = _edge_pilot(crew, key)
        _daily_flying(crew, pilot, DAY - timedelta(days=60), DAY - timedelta(days=2), 90, every=7)
        if left < DAY:  # a version `terminated` from the leaving date
            crew.employee(pilot, "CPT", left, status="terminated", left_on=left)
        else:  # the current version says when
            for row in crew.employees:
                if row["employee_id"] == pilot:
                    row["left_on"] = left.isoformat()
    pilot = _edge_pilot(crew, "termination_recorded_after_day")
    _daily_flying(crew, pilot, DAY - timedelta(days=60), DAY - timedelta(days=2), 90, every=7)
    crew.employee(pilot, "CPT", DAY + timedelta(days=20), status="terminated",
                  left_on=DAY + timedelta(days=20))  # fmt: skip
    # Qualifications: the medical lapses within the horizon; the line check lapsed; a renewal
    # issued after DAY is not known on DAY; an EBT module done on 29 February 2024 lapsed on
    # 28 February 2025 (a day past the month's end clamps).
    pilot = _edge_pilot(crew, "medical_lapses_in_horizon")
    crew.qualifications = [
        q
        for q in crew.qualifications
        if (q["employee_id"], q["qualification"]) != (pilot, "MEDICAL")
    ]
    crew.qualification(pilot, "MEDICAL", DAY - timedelta(days=340), DAY + timedelta(days=12))
    _daily_flying(crew, pilot, DAY - timedelta(days=40), DAY - timedelta(days=2), 60, every=5)
    pilot = _edge_pilot(crew, "line_check_lapsed_renewal_after_day")
    crew.qualification(pilot, "LINE_CHECK", DAY + timedelta(days=3), DAY + timedelta(days=368))
    for row in crew.qualifications:
        mine = row["employee_id"] == pilot and row["qualification"] == "LINE_CHECK"
        if mine and row["issued_on"] < DAY.isoformat():
            row["expires_on"] = (DAY - timedelta(days=8)).isoformat()
    _daily_flying(crew, pilot, DAY - timedelta(days=40), DAY - timedelta(days=2), 60, every=5)
    pilot = _edge_pilot(crew, "ebt_from_29_february")
    crew.gradings = [g for g in crew.gradings if g["employee_id"] != pilot]
    crew.grading(pilot, date(2024, 2, 29))
    pilot = _edge_pilot(crew, "ebt_by_lms_completion")
    crew.gradings = [g for g in crew.gradings if g["employee_id"] != pilot]
    crew.completion(pilot, EBT_COURSE, at(DAY - timedelta(days=300), 10))
    crew.completion(pilot, EBT_COURSE, at(DAY, 9))  # after the export's moment
    _daily_flying(crew, pilot, DAY - timedelta(days=40), DAY - timedelta(days=2), 60, every=5)


TABLES = (
    ("training_employee_versions", "employees"),
    ("training_leg_crew", "legs"),
    ("training_qualifications", "qualifications"),
    ("training_ebt_gradings", "gradings"),
    ("training_courses", "courses"),
    ("training_records", "records"),
)


def insert_crew(engine: Engine, crew: Crew) -> None:
    """Write every row into the (migrated) store, as the sources' loads would have."""
    with engine.begin() as conn:
        for table, attribute in TABLES:
            rows = (
                crew.with_effective_to() if attribute == "employees" else getattr(crew, attribute)
            )
            if not rows:
                continue
            names = list(rows[0])
            conn.execute(
                text(
                    f"INSERT INTO {table} ({', '.join(names)}) "
                    f"VALUES ({', '.join(':' + n for n in names)})"
                ),
                rows,
            )
