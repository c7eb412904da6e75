"""Source text that is not valid UTF-8: read per value, so it holds only its own aircraft.

SQLite stores whatever bytes a writer gave it, and its Python driver refuses a whole result when
one value is not UTF-8 ("Could not decode to UTF-8 column ..."): one byte in one leg's note would
fail the company's extract and hold every aircraft. The extract reads with the driver's fast
default and, only when a value cannot be decoded, reads that query again with a text factory that
decodes each value on its own (`marking_undecodable`): a bad value comes back as
`UndecodableText` (the bytes decoded with U+FFFD in place of what is not UTF-8), the row keeps its
other fields, and `undecodable_findings` holds the activity's aircraft naming the field.

PostgreSQL needs none of this: the server checks every text value against the database's
encoding when it is written, so a value that is not valid in it cannot be stored nor read.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from aerosync.models import Finding, Severity

UNDECODABLE_CODE = "TEXT_NOT_UTF8"
_DRIVER_MESSAGE = "Could not decode to UTF-8"


class UndecodableText(str):
    """A source value whose bytes are not UTF-8: the text with U+FFFD for each bad sequence."""

    raw: bytes

    def __new__(cls, raw: bytes) -> UndecodableText:
        text = super().__new__(cls, raw.decode("utf-8", errors="replace"))
        text.raw = raw
        return text

    def detail(self) -> str:
        """Where the first bad byte is, without the text itself (it may be personal data)."""
        try:
            self.raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return f"byte 0x{self.raw[exc.start]:02X} at position {exc.start + 1}"
        return "a byte sequence that is not UTF-8"  # pragma: no cover - always fails above


def decode_value(raw: bytes) -> str:
    """A text value as UTF-8; an `UndecodableText` when it is not."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return UndecodableText(raw)


def is_undecodable_error(exc: BaseException) -> bool:
    """Whether a driver error is SQLite's refusal of a value that is not UTF-8."""
    orig = getattr(exc, "orig", exc)
    return isinstance(orig, sqlite3.OperationalError) and str(orig).startswith(_DRIVER_MESSAGE)


@contextmanager
def marking_undecodable(conn: Connection) -> Iterator[None]:
    """Text read on `conn` is decoded value by value (`decode_value`), for the block's queries."""
    driver = conn.connection.driver_connection
    if not isinstance(driver, sqlite3.Connection):
        yield
        return
    before = driver.text_factory
    driver.text_factory = decode_value
    try:
        yield
    finally:
        driver.text_factory = before


@dataclass(frozen=True)
class UndecodableValue:
    """One value of one row of one FMS query that is not UTF-8."""

    query: str  # aircraft, activities or services
    row: int
    column: str
    detail: str


def take_undecodable(query: str, columns: dict[str, list[Any]]) -> list[UndecodableValue]:
    """Every `UndecodableText` of `columns`, each replaced by plain text (with U+FFFD) in place,
    so nothing after the extract meets the marker type."""
    found = []
    for name, values in columns.items():
        for row, value in enumerate(values):
            if isinstance(value, UndecodableText):
                found.append(UndecodableValue(query, row, name, value.detail()))
                values[row] = str.__str__(value)
    return found


def _value(columns: Mapping[str, Sequence[Any]], name: str, row: int) -> str | None:
    values = columns.get(name)
    if values is None or row >= len(values) or values[row] is None:
        return None
    return str(values[row]).strip() or None


def undecodable_findings(
    company_id: str,
    values: Sequence[UndecodableValue],
    aircraft: Mapping[str, Sequence[Any]],
    activities: Mapping[str, Sequence[Any]],
    services: Mapping[str, Sequence[Any]],
) -> list[Finding]:
    """A blocking finding per undecodable value, for the aircraft whose row holds it (a
    service's: the aircraft of its activity; a service of no activity read is never sent)."""
    tail_of_activity: dict[str, str | None] = {}
    if any(v.query == "services" for v in values):
        ids = activities.get("activity_id", [])
        tail_of_activity = {str(i): _value(activities, "tail", n) for n, i in enumerate(ids)}
    findings = []
    for value in values:
        if value.query == "aircraft":
            tail, activity = _value(aircraft, "tail", value.row), None
            what = f"the {value.column} of aircraft {tail or '(no tail)'}"
        elif value.query == "activities":
            tail, activity = (
                _value(activities, "tail", value.row),
                _value(activities, "activity_id", value.row),
            )
            what = (
                f"the {value.column} of activity {activity or '(no id)'} of {tail or '(no tail)'}"
            )
        else:
            activity = _value(services, "activity_id", value.row)
            if (activity or "") not in tail_of_activity:
                continue  # a service of no activity read is never sent
            tail = tail_of_activity[activity or ""]
            what = (
                f"the {value.column} of a service of activity {activity or '(no id)'} of "
                f"{tail or '(no tail)'}"
            )
        findings.append(
            Finding(
                code=UNDECODABLE_CODE,
                message=(
                    f"{company_id}: {what} is not valid UTF-8 text in the FMS ({value.detail}); "
                    "the aircraft is held until the text is corrected in the FMS"
                ),
                severity=Severity.BLOCKING,
                tail=tail,
                activity_id=activity,
                field=value.column,
            )
        )
    return findings
