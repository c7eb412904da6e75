"""The roster's own check columns (suite `expectations/training_roster.json`), beside the ones
every source has (`fields_readable`, `employee_known`, `key_unique`: `aerosync.crew.checks`).

- `starts_at_present`, `ends_at_present`: both times are there (an unreadable one is refused as
  unreadable, not as missing).
- `duty_type_known`: one of `roster.DUTY_TYPES` after the synonyms.
- `ends_after_start`: a duty ends after it starts.
- `duration_plausible`: no longer than `roster.longest` of its type (a day; 366 days for days off
  and leave).
- `no_overlap`: no other duty of the same person in the same batch (a window's duties) overlaps
  it. Both duties of an overlap are refused, each naming the other: which is right cannot be
  told. Two rows of one person with the same start are one key twice (`key_unique`), not an
  overlap; a duty refused for its own times (missing, not after its start, absurdly long) takes
  no part, so it cannot drag its neighbours into the quarantine. Duties touching end to start do
  not overlap.

The overlap check needs the whole batch: `RosterBatch.add` sees every row in the gate's survey
pass and keeps only each plausible duty's person, times, type and reference (a window's roster,
a few per person), then `checks` and `detail` answer per row in the check pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aerosync.crew.mapping import Mapped
from aerosync.crew.roster import DUTY_TYPES, longest
from aerosync.crew.values import moment_of


@dataclass(frozen=True, slots=True)
class _Duty:
    position: int
    starts_at: str
    ends_at: str
    duty_type: str
    row_ref: str

    def describe(self) -> str:
        return f"{self.duty_type} {self.starts_at} to {self.ends_at} ({self.row_ref})"


def _hours(r: dict[str, Any]) -> float | None:
    starts, ends = moment_of(r["starts_at"]), moment_of(r["ends_at"])
    if starts is None or ends is None:
        return None
    return (ends - starts).total_seconds() / 3600


def _row_checks(m: Mapped) -> dict[str, bool]:
    r = m.record
    hours = _hours(r)
    known = r["duty_type"] in DUTY_TYPES
    return {
        "starts_at_present": r["starts_at"] is not None or "starts_at" in m.unreadable,
        "ends_at_present": r["ends_at"] is not None or "ends_at" in m.unreadable,
        "duty_type_known": known,
        "ends_after_start": hours is None or hours > 0,
        "duration_plausible": hours is None
        or not known
        or hours <= longest(r["duty_type"]).total_seconds() / 3600,
    }


def _plausible(m: Mapped) -> bool:
    """A duty whose times may be compared with others: both there and sensible."""
    checks = _row_checks(m)
    return (
        m.record["starts_at"] is not None
        and m.record["ends_at"] is not None
        and checks["ends_after_start"]
        and checks["duration_plausible"]
    )


class RosterBatch:
    """The roster checks of one batch: row by row in the survey (`add`), then per row."""

    def __init__(self) -> None:
        self._by_person: dict[str, list[_Duty]] = {}
        self._overlaps: dict[int, _Duty] | None = None

    def add(self, row: Mapped, position: int) -> None:
        person = row.employee_id
        if person is None or not _plausible(row):
            return
        r = row.record
        duty = _Duty(position, r["starts_at"], r["ends_at"], str(r["duty_type"]), row.row_ref)
        self._by_person.setdefault(person, []).append(duty)

    def _overlapping(self) -> dict[int, _Duty]:
        """For each duty (by position) overlapping another, the earliest such other duty.
        Canonical UTC times sort as text, so they are compared as text."""
        if self._overlaps is None:
            found: dict[int, _Duty] = {}
            for duties in self._by_person.values():
                duties.sort(key=lambda d: (d.starts_at, d.position))
                for i, duty in enumerate(duties):
                    for later in duties[i + 1 :]:
                        if later.starts_at >= duty.ends_at:
                            break
                        if later.starts_at != duty.starts_at:
                            found.setdefault(duty.position, later)
                            found.setdefault(later.position, duty)
            self._overlaps = found
        return self._overlaps

    def checks(self, row: Mapped, position: int) -> dict[str, bool]:
        return _row_checks(row) | {"no_overlap": position not in self._overlapping()}

    def detail(self, column: str, row: Mapped, position: int) -> tuple[str | None, str] | None:
        """(field, words) of a failed roster check of the row at `position`; None for a check
        that is not the roster's own."""
        r = row.record
        if column == "no_overlap":
            other = self._overlapping()[position]
            return "starts_at", f"overlaps the person's duty {other.describe()}"
        if column == "duty_type_known":
            if r["duty_type"] is None:
                return "duty_type", "missing"
            return "duty_type", f"{row.raw.get('duty_type')!r} is not a duty type (one of " + (
                ", ".join(DUTY_TYPES) + ", or a synonym of docs/roster-xml.md)"
            )
        if column == "ends_after_start":
            return "ends_at", f"{r['ends_at']} is not after starts_at {r['starts_at']}"
        if column == "duration_plausible":
            hours = _hours(r) or 0.0
            limit = longest(r["duty_type"])
            most = f"{limit.days} days" if limit.days > 1 else f"{limit.total_seconds() / 3600:g} h"
            return "ends_at", f"a {r['duty_type']} duty of {hours:.1f} h is longer than {most}"
        if column in ("starts_at_present", "ends_at_present"):
            return column.removesuffix("_present"), "missing"
        return None
