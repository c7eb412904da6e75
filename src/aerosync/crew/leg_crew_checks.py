"""The check columns of flights flown (`training_leg_crew` rows), for the suite
`expectations/training_flights.json`, and the words of each failure.

Rows of a leg are checked together for one thing: a leg has at most one pilot flying, and when
two crew members claim it, which of them is right cannot be told, so both rows are refused
(`PilotsFlying`). A missing type code is a warning: the leg still counts for flight time, but
recency is per type, so it counts for no type's recency until the FMS gives the aircraft's type.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from aerosync.crew.legs_flown import COUNT_FIELDS
from aerosync.crew.mapping import Mapped
from aerosync.crew.values import moment_of

ROLES = ("PIC", "SIC", "CABIN", "OBSERVER")
NOT_FLYING_ROLES = frozenset({"CABIN", "OBSERVER"})  # never the pilot flying
# More take-offs or landings than this on one leg (of either kind) is not a leg but a data error.
MAX_COUNT_PER_LEG = 10
MAX_BLOCK_TIME = timedelta(hours=24)


def _present(m: Mapped, name: str) -> bool:
    """Present, or unreadable (then `fields_readable` names it, once)."""
    return m.record.get(name) is not None or name in m.unreadable


def _out_of_range(m: Mapped) -> list[str]:
    return [
        name
        for name in COUNT_FIELDS
        if name not in m.unreadable
        and (m.record.get(name) is None or not 0 <= m.record[name] <= MAX_COUNT_PER_LEG)
    ]


def _counted(m: Mapped) -> list[str]:
    """The count fields above zero."""
    return [name for name in COUNT_FIELDS if (m.record.get(name) or 0) > 0]


def _block_time(m: Mapped) -> timedelta | None:
    start, end = moment_of(m.record.get("off_block")), moment_of(m.record.get("on_block"))
    return None if start is None or end is None else end - start


def leg_crew_checks(m: Mapped) -> dict[str, bool]:
    """The check columns of one row that need no other row."""
    r = m.record
    block = _block_time(m)
    return {
        "leg_id_present": _present(m, "leg_id"),
        "aircraft_id_present": _present(m, "aircraft_id"),
        "off_block_present": _present(m, "off_block"),
        "on_block_present": _present(m, "on_block"),
        "pilot_flying_present": _present(m, "pilot_flying"),
        "role_known": r.get("role") in ROLES,
        "counts_in_range": not _out_of_range(m),
        "counted_only_for_pilot_flying": r.get("pilot_flying") != 0 or not _counted(m),
        "pilot_flying_is_pilot": r.get("pilot_flying") != 1
        or r.get("role") not in NOT_FLYING_ROLES,
        "block_time_plausible": block is None or timedelta(0) < block <= MAX_BLOCK_TIME,
        "type_code_present": r.get("type_code") is not None,
    }


class PilotsFlying:
    """Who of each leg's crew is the pilot flying, by the rows of a batch: gathered row by row in
    the gate's first pass over it (one employee's row twice is one pilot: `key_unique`'s case).
    A `BatchChecks` of `aerosync.crew.checks` (`BATCH_CHECKS["flights"]`)."""

    def __init__(self) -> None:
        self._by_leg: dict[str, set[str]] = {}

    def add(self, row: Mapped, position: int) -> None:
        record = row.record
        if record.get("pilot_flying") == 1 and record.get("leg_id") is not None:
            flying = self._by_leg.setdefault(str(record["leg_id"]), set())
            flying.add(str(record.get("employee_id")))

    def checks(self, row: Mapped, position: int) -> dict[str, bool]:
        """The check column of a row that needs the other rows of its leg."""
        record = row.record
        if record.get("pilot_flying") != 1:
            return {"one_pilot_flying": True}
        return {"one_pilot_flying": len(self._by_leg.get(str(record["leg_id"]), ())) < 2}

    def detail(self, column: str, row: Mapped, position: int) -> tuple[str | None, str] | None:
        return None  # `DETAILS` words it from the row alone


def _role(m: Mapped) -> tuple[str, str]:
    role = m.record.get("role")
    known = ", ".join(ROLES)
    return "role", f"{role!r} is not one of {known}" if role else f"missing (one of {known})"


def _counts(m: Mapped) -> tuple[str, str]:
    bad = _out_of_range(m)
    shown = ", ".join(
        f"{name} missing" if m.record.get(name) is None else f"{name}={m.record[name]}"
        for name in bad
    )
    return ", ".join(bad), f"{shown} (0 to {MAX_COUNT_PER_LEG} on one leg)"


def _not_flying(m: Mapped) -> tuple[str, str]:
    counted = _counted(m)
    shown = ", ".join(f"{name}={m.record[name]}" for name in counted)
    return ", ".join(counted), f"{shown}, but take-offs and landings count for the pilot flying"


def _block(m: Mapped) -> tuple[str, str]:
    block = _block_time(m)
    off, on = m.record.get("off_block"), m.record.get("on_block")
    if block is not None and block > timedelta(0):
        return "on_block", f"block time {block} (off {off}, on {on}) is over 24 hours"
    return "on_block", f"{on} is not after off_block {off}"


def _type(m: Mapped) -> tuple[str, str]:
    aircraft = m.record.get("tail_number") or m.record.get("aircraft_id")
    return (
        "type_code",
        f"aircraft {aircraft} has no type code: the leg counts for flight time, not for recency",
    )


DETAILS: dict[str, Callable[[Mapped], tuple[str | None, str]]] = {
    "role_known": _role,
    "counts_in_range": _counts,
    "counted_only_for_pilot_flying": _not_flying,
    "pilot_flying_is_pilot": lambda m: (
        "pilot_flying",
        f"a {m.record.get('role')} is never the pilot flying (PIC or SIC only)",
    ),
    "one_pilot_flying": lambda m: (
        "pilot_flying",
        f"another crew member of leg {m.record.get('leg_id')} is pilot flying too",
    ),
    "block_time_plausible": _block,
    "type_code_present": _type,
}
