"""Whole columns of source timestamps to UTC, as epoch microseconds.

Most values are ISO 8601 text in one canonical shape (`2026-03-29T01:30:00+01:00`, `...Z`, with
or without a fraction of 3 or 6 digits): pandas parses those in one call. pandas and Python do
not accept quite the same texts (pandas takes a trailing space, Python `+02:75` or a `t`), so only
values of that exact shape go to pandas; every other value (a time without an offset, a driver's
datetime, anything odd) goes through `parse_timestamp` on its own, which decides what is valid.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from aerosync.schedule.normalise.values import RowError

if TYPE_CHECKING:
    import numpy as np

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
_DAY_US = 86_400_000_000
_MINUTE_US = 60_000_000
_WIDTH = 33  # one more than the longest shape: a longer text keeps a length no shape has
# d: a digit, s: + or -, anything else: itself. Years 1000-8999 only (first digit checked
# below), where converting to UTC can never leave the range of Python's datetime.
_BASE = "dddd-dd-ddTdd:dd:dd"
_SHAPES = tuple(
    _BASE + fraction + zone for fraction in ("", ".ddd", ".dddddd") for zone in ("Z", "sdd:dd")
)
# (position, highest value) of the two-digit fields with a range: month, day, h, min, s.
_RANGES = ((5, 12), (8, 31), (11, 23), (14, 59), (17, 59))


@cache
def _clock_texts() -> Any:
    """`THH:MM` of every minute of a day, to pick from by minute."""
    import numpy as np

    return np.array([f"T{m // 60:02d}:{m % 60:02d}" for m in range(24 * 60)], dtype=object)


def to_us(moment: datetime) -> int:
    """An aware datetime as whole microseconds since the epoch (exact, unlike a float)."""
    return (moment - EPOCH) // MICROSECOND


def from_us(us: int) -> datetime:
    return EPOCH + timedelta(microseconds=us)


@dataclass
class TimeColumn:
    """Epoch microseconds per row where `parsed`; `given` where the value is there at all (read,
    or failed: see `failures`); for an optional column, None and blank text are not given."""

    us: np.ndarray  # int64, 0 where not parsed
    parsed: np.ndarray  # bool
    given: np.ndarray  # bool
    failures: dict[int, Exception] = field(default_factory=dict)

    def at(self, row: int) -> int | None:
        return int(self.us[row]) if self.parsed[row] else None


def parse_timestamp(value: Any, field_name: str) -> datetime:
    """A timestamp with its UTC offset, as UTC. A timestamp without an offset is an error."""
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and value.strip():
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise RowError(field_name, f"{field_name} {value!r} is not an ISO 8601 time") from None
    else:
        raise RowError(field_name, f"{field_name} is missing")
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise RowError(
            field_name,
            f"{field_name} {value!s} has no UTC offset; the FMS must store times with their "
            "offset (a time without one is not assumed to be UTC)",
        )
    return parsed.astimezone(UTC)


def parse_time_column(values: Sequence[Any], field_name: str, optional: bool = False) -> TimeColumn:
    """`parse_timestamp` of every value, canonical texts in bulk. With `optional`, a missing or
    blank value is not given, and no failure."""
    import numpy as np
    import pandas as pd

    array = np.fromiter(values, dtype=object, count=len(values))
    result = TimeColumn(
        np.zeros(len(array), dtype=np.int64),
        np.zeros(len(array), dtype=bool),
        np.ones(len(array), dtype=bool),
    )
    if optional:  # most rows have no marketing offer: leave them out before anything else
        result.given = array != None  # noqa: E711 (element by element; NaN is given)
    rows = np.flatnonzero(result.given)
    canonical = rows[_canonical(array[rows])]
    if len(canonical):
        parsed = pd.to_datetime(
            pd.Series(array[canonical], dtype=object), format="ISO8601", utc=True, errors="coerce"
        )
        ok = parsed.notna().to_numpy()
        result.us[canonical[ok]] = parsed.dt.as_unit("us").array.asi8[ok]
        result.parsed[canonical[ok]] = True
    # Anything pandas did not take, Python reads, with its own verdict and message.
    for row in rows[~result.parsed[rows]].tolist():
        value = values[row]
        if optional and isinstance(value, str) and not value.strip():
            result.given[row] = False
            continue
        try:
            result.us[row] = to_us(parse_timestamp(value, field_name))
            result.parsed[row] = True
        except Exception as exc:  # kept: the row reports it, as a row-by-row reading would
            result.failures[row] = exc
    return result


def _canonical(array: np.ndarray) -> np.ndarray:
    """Which values are text of one of `_SHAPES`, with fields in their ranges."""
    import numpy as np
    import pandas as pd

    if not len(array):
        return np.zeros(0, dtype=bool)
    kind = pd.api.types.infer_dtype(array, skipna=True)
    if kind == "empty":  # nothing but None and NaN
        return np.zeros(len(array), dtype=bool)
    if kind == "string":
        text = array.astype(f"U{_WIDTH}")  # None and NaN become "None"/"nan": never canonical
    else:  # numbers, a driver's datetimes, bytes: only real text may take the bulk path
        is_text = np.fromiter((type(v) is str for v in array), dtype=bool, count=len(array))
        text = np.where(is_text, array, "").astype(f"U{_WIDTH}")
    chars = text.view(np.uint32).reshape(len(array), _WIDTH)
    lengths = np.char.str_len(text)
    matched = np.zeros(len(array), dtype=bool)
    for shape in _SHAPES:  # each shape has its own length
        rows = np.flatnonzero(lengths == len(shape))
        if not len(rows):
            continue
        part = chars[rows, : len(shape)]
        digits = (part >= ord("0")) & (part <= ord("9"))
        literal = np.array([ord(c) for c in shape], dtype=np.uint32)
        sign = (part == ord("+")) | (part == ord("-"))
        kinds = np.array(list(shape))
        ok = np.where(kinds == "d", digits, np.where(kinds == "s", sign, part == literal))
        good = ok.all(axis=1)
        for first, highest in _RANGES:
            value = _two_digits(part, first)
            good &= (value <= highest) & ((value >= 1) | (first > 8))
        if shape.endswith("sdd:dd"):  # the offset's hours and minutes
            good &= (_two_digits(part, len(shape) - 5) <= 23) & (
                _two_digits(part, len(shape) - 2) <= 59
            )
        good &= (part[:, 0] >= ord("1")) & (part[:, 0] <= ord("8"))
        matched[rows[good]] = True
    return matched


def _two_digits(chars: np.ndarray, position: int) -> np.ndarray:
    zero = ord("0")
    return (chars[:, position].astype("int64") - zero) * 10 + (
        chars[:, position + 1].astype("int64") - zero
    )


def minute_texts(us: np.ndarray) -> tuple[list[str], list[str]]:
    """`YYYY-MM-DD` and `THH:MM` of each UTC time: together what `datetime.isoformat()` starts
    with, to the minute. A fleet's times fall on few distinct days and minutes of the day, so each
    text is made once and picked per row."""
    import numpy as np

    day, microsecond = np.divmod(us, _DAY_US)  # floor: before 1970 too, as datetime counts
    days, day_codes = np.unique(day, return_inverse=True)
    day_texts = np.datetime_as_string(days.astype("datetime64[D]"), unit="D").astype(object)
    minutes = microsecond // _MINUTE_US
    return day_texts[day_codes].tolist(), _clock_texts()[minutes].tolist()


def epoch_seconds(us: Sequence[int | None]) -> list[float | None]:
    """What `datetime.timestamp()` returns: the exact quotient, rounded once, as Python does."""
    return [None if value is None else value / 1_000_000 for value in us]
