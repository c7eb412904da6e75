"""Reading the values of source rows: dates, times, numbers, grades, as canonical text.

Each reader returns the canonical value or raises `Unreadable` with a message naming what was
expected; the mapping turns that into a quarantine reason naming the field.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from aerosync.stores.database import iso


class Unreadable(ValueError):
    """A value that is present but cannot be read as what its field holds."""


def text(value: Any) -> str | None:
    """A trimmed string, or None when empty or missing."""
    if value is None:
        return None
    value = str(value).strip()
    return value or None


def read_date(value: Any) -> str | None:
    """`YYYY-MM-DD`."""
    raw = text(value)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw).isoformat() if len(raw) == 10 else _bad_date(raw)
    except ValueError:
        return _bad_date(raw)


def _bad_date(raw: str) -> str:
    raise Unreadable(f"{raw!r} is not a date (YYYY-MM-DD)")


def read_time(value: Any) -> str | None:
    """An ISO 8601 time with its UTC offset, as canonical UTC text; a bare time is refused."""
    raw = text(value)
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise Unreadable(f"{raw!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise Unreadable(f"{raw!r} has no UTC offset")
    return iso(moment)


def read_float(value: Any) -> float | None:
    raw = text(value)
    if raw is None:
        return None
    try:
        return float(raw)
    except ValueError:
        raise Unreadable(f"{raw!r} is not a number") from None


def read_int(value: Any) -> int | None:
    raw = text(value)
    if raw is None:
        return None
    try:
        number = float(raw)
    except ValueError:
        raise Unreadable(f"{raw!r} is not a whole number") from None
    if not number.is_integer():
        raise Unreadable(f"{raw!r} is not a whole number")
    return int(number)


def read_bool(value: Any) -> str | None:
    """'true' or 'false' (stored as text on both databases)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    raw = text(value)
    if raw is None:
        return None
    lowered = raw.lower()
    if lowered in ("true", "1", "yes", "y"):
        return "true"
    if lowered in ("false", "0", "no", "n"):
        return "false"
    raise Unreadable(f"{raw!r} is not true or false")


def moment_of(value: str | None) -> datetime | None:
    """A canonical date or time as an aware datetime (dates at UTC midnight)."""
    if value is None:
        return None
    if len(value) == 10:
        return datetime.fromisoformat(value).replace(tzinfo=UTC)
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
