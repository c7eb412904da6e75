"""The demo crew's roster from crew management, deterministic: a duty a day for each person
employed that day (flight duties, standby, reserve, a simulator day, days off), and a leave of
three days, over the same days as the other demo training data.

Day `k` of the data lies in the daily window that starts on `first + k` (03:00 UTC); that
window loads the duties dated `first + k + 1` (the UTC day inside it). Written as roster XML
(docs/roster-xml.md) or CSV.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from aerosync.crew.roster_xml import NAMESPACE

# (type, code, start, end): times of day in UTC; None: a whole day (a date, no time).
DUTIES = (
    ("FLIGHT_DUTY", "AJ{n}", "05:30", "13:45"),
    ("FLIGHT_DUTY", "AJ{n}", "11:00", "19:30"),
    ("STANDBY", "SBY", "04:00", "16:00"),
    ("TRAINING", "SIM", "08:00", "16:00"),
    ("OFF", None, None, None),
    ("RESERVE", "RSV", "06:00", "18:00"),
    ("OFF", None, None, None),
)
# (employee, first day, last day) of the demo's one leave, as day indexes.
LEAVE = ("E002", 8, 10)


def _duty(employee: str, base: str, day: date, pattern: int, n: int) -> dict[str, Any]:
    duty_type, code, starts, ends = DUTIES[pattern % len(DUTIES)]
    when = day.isoformat()
    return {
        "employee_id": employee,
        "starts_at": f"{when}T{starts}:00Z" if starts else when,
        "ends_at": f"{when}T{ends}:00Z" if ends else when,
        "duty_type": duty_type,
        "duty_code": code.format(n=n) if code else "",
        "base": base,
    }


def build_roster(
    first: date, days: int, crew: tuple[tuple[str, str, str, str], ...]
) -> list[dict[str, Any]]:
    """The duties of `crew` (employee, name, role, base) on days `first + 1` to `first + days`:
    E005 from day 5 (hired then), E006 until day 5 (leaves on day 6), E002 on leave days 8-10."""
    duties = []
    employee, leave_from, leave_to = LEAVE
    for j, (emp, _name, _role, base) in enumerate(crew):
        for k in range(days):
            if (emp == "E005" and k < 5) or (emp == "E006" and k >= 6):
                continue
            day = first + timedelta(days=k + 1)
            if emp == employee and leave_from <= k <= leave_to:
                if k == leave_from:
                    end = first + timedelta(days=leave_to + 1)
                    duties.append(
                        {**_duty(emp, base, day, 4, 0), "duty_type": "LEAVE", "ends_at": str(end)}
                    )
                continue
            duties.append(_duty(emp, base, day, k + 2 * j, 100 + 10 * j + k % 10))
    return duties


def _attributes(values: dict[str, Any]) -> str:
    return " ".join(f"{name}={quoteattr(str(value))}" for name, value in values.items() if value)


def write_roster_xml(path: Path, duties: list[dict[str, Any]]) -> None:
    """The duties as one roster XML file, a `crewMember` per employee (in the order met), a
    `duty` a line."""
    by_employee: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for duty in duties:
        by_employee.setdefault((duty["employee_id"], duty["base"]), []).append(duty)
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<roster xmlns="{NAMESPACE}">']
    for (employee, base), own in by_employee.items():
        lines.append(f"  <crewMember {_attributes({'employeeId': employee, 'base': base})}>")
        for duty in own:
            attributes = {
                "type": duty["duty_type"],
                "code": duty.get("duty_code"),
                "start": duty["starts_at"],
                "end": duty["ends_at"],
            }
            lines.append(f"    <duty {_attributes(attributes)}/>")
        lines.append("  </crewMember>")
    lines.append("</roster>")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
