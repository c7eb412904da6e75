"""Crew management's roster: each duty of a person (flight duty, standby, reserve, training, a day
off, leave) as a row of `training_roster`, whichever file it came in (CSV or roster XML, see
docs/roster-xml.md; both hand over the same fields).

Fields of a duty: `employee_id`, `starts_at`, `ends_at`, `duty_type`, and optionally `duty_code`
(the crew system's own code: a pairing, a flight number, a course) and `base`.

- Times are ISO 8601 with a UTC offset, stored as UTC. A date alone (`YYYY-MM-DD`) stands for a
  whole UTC day: as `starts_at` its 00:00Z, as `ends_at` the end of that day (the next day's
  00:00Z), so `2026-03-02` to `2026-03-04` is three whole days off.
- `duty_date` is the UTC date of `starts_at`: the day the duty belongs to, and the date that puts
  it into a sync window.
- `duty_type`, read case-insensitively, with blanks and hyphens taken as underscores, is one of
  `DUTY_TYPES` or a synonym of `SYNONYMS` (`fdp`, `sby`, `sim`, `day off`, `annual leave`...).
  Anything else is kept as read (upper case) and refused by the quality gate, naming the value.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from aerosync.crew.mapping import Mapped, _Reader
from aerosync.crew.tables import ROSTER
from aerosync.crew.values import Unreadable, moment_of, read_time, text
from aerosync.stores.database import iso

DUTY_TYPES = ("FLIGHT_DUTY", "STANDBY", "RESERVE", "TRAINING", "OFF", "LEAVE", "OTHER")
SYNONYMS = {
    "FLIGHT": "FLIGHT_DUTY",
    "FDP": "FLIGHT_DUTY",
    "FLT": "FLIGHT_DUTY",
    "SBY": "STANDBY",
    "STBY": "STANDBY",
    "HOME_STANDBY": "STANDBY",
    "AIRPORT_STANDBY": "STANDBY",
    "RSV": "RESERVE",
    "RES": "RESERVE",
    "TRN": "TRAINING",
    "SIM": "TRAINING",
    "SIMULATOR": "TRAINING",
    "GROUND_TRAINING": "TRAINING",
    "DAY_OFF": "OFF",
    "DO": "OFF",
    "ANNUAL_LEAVE": "LEAVE",
    "VACATION": "LEAVE",
    "VAC": "LEAVE",
    "SICK": "LEAVE",  # kept as leave: the roster is no place for health data
    "SICK_LEAVE": "LEAVE",
    "POSITIONING": "OTHER",
    "DEADHEAD": "OTHER",
    "DH": "OTHER",
    "OFFICE": "OTHER",
}
# Days off and leave may run over several days; any other duty longer than a day is absurd (a
# flight duty period is at most 13 h plus extensions under ORO.FTL.205, standby at most 16 h
# under CS FTL.1.225): most likely a wrong date.
LONGEST = {"OFF": timedelta(days=366), "LEAVE": timedelta(days=366)}
LONGEST_OTHERWISE = timedelta(hours=24)
# The columns of a roster CSV, and the fields the XML reader hands over.
FIELDS = ("employee_id", "starts_at", "ends_at", "duty_type", "duty_code", "base")


def duty_type_of(value: Any) -> str | None:
    """The duty type `value` names (see the module's rules); an unknown one as read, upper
    case; None when missing."""
    raw = text(value)
    if raw is None:
        return None
    word = "_".join(raw.upper().replace("-", " ").split())
    return word if word in DUTY_TYPES else SYNONYMS.get(word, word)


def read_start(value: Any) -> str | None:
    """A time with its UTC offset, or a date (its 00:00Z), as canonical UTC text."""
    raw = text(value)
    if raw is not None and len(raw) == 10:
        return iso(_day(raw))
    return read_time(raw)


def read_end(value: Any) -> str | None:
    """A time with its UTC offset, or a date (the end of that day: the next day's 00:00Z)."""
    raw = text(value)
    if raw is not None and len(raw) == 10:
        return iso(_day(raw) + timedelta(days=1))
    return read_time(raw)


def _day(raw: str) -> datetime:
    try:
        moment = moment_of(raw)
    except ValueError:
        moment = None
    if moment is None:
        raise Unreadable(f"{raw!r} is neither a date (YYYY-MM-DD) nor an ISO 8601 time")
    return moment


def map_duty(raw: Mapping[str, Any], row_ref: str) -> Mapped:
    """One duty, from a CSV line or a roster XML `duty` element."""
    r = _Reader(raw)
    starts_at = r.get("starts_at", read_start)
    record = {
        "employee_id": r.get("employee_id"),
        "starts_at": starts_at,
        "ends_at": r.get("ends_at", read_end),
        "duty_date": starts_at[:10] if starts_at else None,
        "duty_type": duty_type_of(raw.get("duty_type")),
        "duty_code": r.get("duty_code"),
        "base": r.get("base"),
    }
    return Mapped(ROSTER.source, row_ref, dict(raw), record, r.unreadable)


def longest(duty_type: str) -> timedelta:
    """The longest plausible duty of a type."""
    return LONGEST.get(duty_type, LONGEST_OTHERWISE)
