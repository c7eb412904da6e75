"""What the demo crew brought into the demo's days: when each pilot was hired, the qualifications
crew management holds for them and their last recurrent EBT session, so that readiness on the
demo's day (the UTC day of the last daily window, `first + days`) tells one story:

- every pilot holds `TYPE_RATING:<type>` for each type they fly (`FLOWN_TYPES`, as
  `aerosync.demo.leg_crew.crew_for` seats them), a `LINE_CHECK` and a `MEDICAL`, each issued
  months before and valid a year, and was graded in an EBT session within the last 12 months;
- except E003, whose only `LINE_CHECK` expired `LINE_CHECK_LAPSED_DAYS` days before the demo's
  day: E003 is not ready in either Falcon on a qualification;
- E005, hired during the demo's days (day 5), gets the C56X rating, a line check and a medical
  on the hire day (the company's induction) and is graded in one of the demo's own sessions
  (`aerosync.demo.crew`);
- the other pilots were hired years before the three months of line flying they fly, so the
  HRIS says they were employed on every day they flew;
- every EBT session says what the regulators' exports need (`session_report`): the type, the
  seat, the category, SAT or UNSAT and the check pilot's comments; three of the demo's own
  sessions are UNSAT, with their failed tasks: the second day's (`UNSAT_SESSION`, E003's) and
  the last two days' (`unsat_days`), so the demo's one run, which exports one of those days,
  writes an UNSAT event to the FAA PRD file.

Dates count from `first`, the day before the demo's first window day, like the rest of the demo
data. Medical dates are personal data: they are in the drops and the store, never printed.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from aerosync.crew.tables import COMPETENCIES

# ICAO type designators each pilot flies in the demo FMS.
FLOWN_TYPES = {
    "E001": ("GL7T", "CL60"),
    "E002": ("GL7T", "CL60"),
    "E003": ("FA7X", "F2TH"),
    "E004": ("FA7X", "F2TH", "C56X"),
    "E005": ("C56X",),
    "E006": ("C56X",),
}
# Days of service before `first` of the pilots hired before the demo.
SERVICE_DAYS = {"E001": 2950, "E002": 1210, "E003": 4020, "E004": 640, "E006": 1830}
# E005 is hired on day 5 of the demo data (`first + 6`).
NEW_HIRE, NEW_HIRE_DAY = "E005", 5
LAPSING_LINE_CHECK = "E003"
LINE_CHECK_LAPSED_DAYS = 5
VALID_DAYS = 365
# The seat each pilot is graded in (captains left, first officers right).
SEATS = {"E001": "PIC", "E002": "SIC", "E003": "PIC", "E004": "SIC", "E005": "SIC", "E006": "PIC"}
UNSAT_SESSION = "EBT-001"
UNSAT_TASKS = "Go-around with engine failure; Stabilised approach criteria"


def hired_on(employee: str, first: date) -> date:
    if employee == NEW_HIRE:
        return first + timedelta(days=NEW_HIRE_DAY + 1)
    return first - timedelta(days=SERVICE_DAYS[employee])


def _valid_from(employee: str, issued: date, code: str) -> dict[str, Any]:
    return {
        "employee_id": employee,
        "qualification": code,
        "issued_on": issued.isoformat(),
        "expires_on": (issued + timedelta(days=VALID_DAYS)).isoformat(),
    }


def standing_qualifications(first: date, days: int) -> list[dict[str, Any]]:
    """Each pilot's type ratings, line check and medical (E005's only once hired within
    `days`)."""
    rows = []
    for index, (employee, types) in enumerate(FLOWN_TYPES.items()):
        if employee == NEW_HIRE:
            if days <= NEW_HIRE_DAY:
                continue
            rating = line_check = medical = hired_on(employee, first)
        else:
            rating = first - timedelta(days=210 + 20 * index)
            line_check = first - timedelta(days=110 + 15 * index)
            medical = first - timedelta(days=60 + 25 * index)
        rows += [_valid_from(employee, rating, f"TYPE_RATING:{t}") for t in types]
        if employee == LAPSING_LINE_CHECK:
            expired = first + timedelta(days=days - LINE_CHECK_LAPSED_DAYS)
            line_check = expired - timedelta(days=VALID_DAYS)
        rows += [_valid_from(employee, line_check, "LINE_CHECK")]
        rows += [_valid_from(employee, medical, "MEDICAL")]
    return rows


def unsat_days(days: int) -> tuple[int, ...]:
    """The days (of `days`) whose EBT session is UNSAT."""
    return (1, days - 2, days - 1)


def session_report(session_id: str, employee: str, unsat: bool = False) -> dict[str, Any]:
    """What an EBT session says beyond its grades: in the pilot's first type and seat,
    recurrent, SAT unless `unsat`."""
    return {
        "type_code": FLOWN_TYPES[employee][0],
        "duty_position": SEATS[employee],
        "event_category": "recurrent",
        "result": "UNSAT" if unsat else "SAT",
        "failed_tasks": UNSAT_TASKS if unsat else "",
        "check_comments": (
            "Late go-around decision; retraining booked before the re-check"
            if unsat
            else "Met the standard in every phase"
        ),
    }


def recurrent_gradings(first: date) -> list[dict[str, Any]]:
    """The last recurrent EBT session of each pilot hired before the demo, a few months before
    it, every competency graded."""
    rows = []
    for index, employee in enumerate(SERVICE_DAYS):
        session = first - timedelta(days=75 + 35 * index)
        grades = {c.upper(): str(3 + (index + i) % 3) for i, c in enumerate(COMPETENCIES)}
        rows.append(
            {
                "session_id": f"EBT-R-{employee}",
                "pilot_id": employee,
                "session_date": session.isoformat(),
                "instructor_id": "E001" if employee == "E003" else "E003",
                **grades,
                **session_report(f"EBT-R-{employee}", employee),
            }
        )
    return rows
