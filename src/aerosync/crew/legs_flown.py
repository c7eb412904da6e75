"""Flights flown (FOS -> EBT): the rows of a dialect's `crew_legs.sql` as `training_leg_crew` rows.

One row per crew member and leg. Times are read with their UTC offset (a time without one is
unreadable, never taken as UTC) and kept in UTC; `flown_on` is the UTC date of on-block, the day a
leg counts on, and `block_minutes` the block time `on_block - off_block`. `counts` is 0 for a leg
that counts for nothing (cancelled, or of a QUOTED, OPTION or CANCELLED trip: crew-operations.md),
so a leg cancelled after it was loaded stops counting the next time it is read.

A run reads the legs whose on-block time lies in its window widened by the source's
`lookback_days` (`legs_window`): crew entered in the FMS a few days late still arrive, and reading
a leg again changes nothing (the load is an idempotent upsert).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from aerosync.crew.mapping import Mapped, _Reader
from aerosync.crew.sources import Window
from aerosync.crew.tables import LEG_CREW
from aerosync.crew.values import moment_of, read_bool, read_int, read_time

# Trips whose legs count for nothing (besides cancelled legs).
NOT_COUNTED_TRIPS = frozenset({"QUOTED", "OPTION", "CANCELLED"})
COUNT_FIELDS = ("takeoffs_day", "takeoffs_night", "landings_day", "landings_night")
# How much wider than the window the dialect's query is asked for: in SQLite the FMS's times are
# text in their local offsets (up to 14 hours from UTC), so its comparison is coarse.
QUERY_MARGIN = timedelta(days=1)


def legs_window(window: Window, lookback_days: int) -> Window:
    """The on-block times a flights run reads: `lookback_days` before its window to its end."""
    return Window(window.start - timedelta(days=lookback_days), window.end)


def query_binds(window: Window) -> dict[str, str]:
    """The binds of `crew_legs.sql`: ISO 8601 UTC text, `QUERY_MARGIN` wider than `window` on
    each side (`in_window` then selects exactly, by the on-block instant)."""
    return {
        "on_block_from": (window.start - QUERY_MARGIN).isoformat(),
        "on_block_until": (window.end + QUERY_MARGIN).isoformat(),
    }


def plain(value: Any) -> Any:
    """A value as a database driver returned it, made JSON-safe (times keep their offset)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _flag(value: str | None) -> int | None:
    return None if value is None else int(value == "true")


def _block_minutes(off_block: str | None, on_block: str | None) -> int | None:
    start, end = moment_of(off_block), moment_of(on_block)
    if start is None or end is None:
        return None
    return round((end - start).total_seconds() / 60)


def map_leg_crew(row: Mapping[str, Any]) -> Mapped:
    """One row of `crew_legs.sql` (as the driver returned it) as a `training_leg_crew` row."""
    raw = {str(k): plain(v) for k, v in row.items()}
    r = _Reader(raw)
    off_block = r.get("off_block", read_time)
    on_block = r.get("on_block", read_time)
    role = r.get("role")
    trip_status = r.get("trip_status")
    cancelled = r.get("cancelled", read_bool)
    record: dict[str, Any] = {
        "leg_id": r.get("leg_id"),
        "employee_id": r.get("employee_id"),
        "aircraft_id": r.get("aircraft_id"),
        "tail_number": r.get("tail_number"),
        "type_code": r.get("type_code"),
        "off_block": off_block,
        "on_block": on_block,
        "flown_on": on_block[:10] if on_block else None,
        "block_minutes": _block_minutes(off_block, on_block),
        "role": role.upper() if role else None,
        "pilot_flying": _flag(r.get("pilot_flying", read_bool)),
        **{name: r.get(name, read_int) for name in COUNT_FIELDS},
        "counts": int(cancelled != "true" and (trip_status or "").upper() not in NOT_COUNTED_TRIPS),
    }
    leg = record["leg_id"] or "?"
    return Mapped(LEG_CREW.source, f"leg {leg}", raw, record, r.unreadable)
