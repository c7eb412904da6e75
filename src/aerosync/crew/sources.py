"""Source data into mapped rows, and the rows that belong to one data interval (window).

CSV exports (a folder of files or one file) are read row by row from a text stream, never whole,
and refused whole when their header names a column twice. Each run keeps the rows of its window:
LMS statements by `stored_at` in (start, end], as the LRS's `since` (exclusive) and `until`
(inclusive) select them; roster duties by `duty_date` (the UTC date they start) in [start, end)
(a duty delivered after its day's window ran loads when that window runs again: re-reading a
roster of years every run would cost much, and its overlap check compares one day's duties);
enrolments (a CSV or REST export) by `updated_at` in [start, end). HRIS rows, qualifications and
EBT gradings are master data (`MASTER_DATA`): every row dated before the window's end
(`effective_from`, `issued_on`, `session_date`) belongs to the window. So each run knows every
employee hired so far, re-reads the whole crew-management and EBT export (a row loaded before,
unchanged, is left alone and not audited), and a qualification or grading entered a few days
after its date, after the window of that date ran, loads on the next run; a future-dated row
waits for its window.
Rows older than the retention period are still not loaded (`crew.steps`). The LMS's course
catalog is master data read whole: every course belongs to every window. A row whose date is
missing or unreadable belongs to every window: it is refused, and quarantined once.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aerosync.crew.catalog import map_course
from aerosync.crew.enrolments import map_enrolment
from aerosync.crew.mapping import (
    Mapped,
    is_staged_statement,
    map_completion_csv,
    map_employee,
    map_grading,
    map_qualification,
    map_statement,
)
from aerosync.crew.roster import map_duty
from aerosync.crew.tables import BY_SOURCE
from aerosync.crew.values import moment_of
from aerosync.csv_header import check_header


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    def label(self) -> str:
        return f"{self.start:%Y-%m-%dT%H:%MZ} to {self.end:%Y-%m-%dT%H:%MZ}"

    def to_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def csv_rows(lines: Iterable[str], name: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(row reference, row) for each data line of a CSV with a header line, read as `lines`
    (an open text stream) yields them. A header naming a column twice is refused (`RepeatedColumn`,
    naming the file and the column) before any row is read."""
    reader = csv.DictReader(lines)
    header = [str(n).lstrip("\ufeff").strip() for n in reader.fieldnames or []]
    check_header(name, header)
    reader.fieldnames = header
    for row in reader:
        clean = {k: v for k, v in row.items() if k is not None}
        if any((v or "").strip() for v in clean.values() if isinstance(v, str)):
            yield f"{name} line {reader.line_num}", clean


def csv_items(
    files: Iterable[tuple[str, Iterable[str]]],
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(row reference, row) of every data line of every (file name, text stream), in order."""
    for name, lines in files:
        yield from csv_rows(lines, name)


def iter_mapped(
    source: str, items: Iterable[tuple[str, Mapping[str, Any]]], validity: Mapping[str, int]
) -> Iterator[Mapped]:
    """CSV lines or REST items of one source, mapped one at a time as `items` yields them."""
    mappers = {
        "hris": map_employee,
        "qualifications": map_qualification,
        "ebt_gradings": map_grading,
        "roster": map_duty,
        "courses": map_course,
        "enrolments": map_enrolment,
    }
    if source not in mappers and source != "statements":
        raise ValueError(f"unknown training source {source!r}")
    for ref, row in items:
        if source == "statements":
            mapped = map_completion_csv(row, ref, validity)
            if is_staged_statement(mapped):
                yield mapped
        else:
            yield mappers[source](row, ref)


def map_rows(
    source: str, items: Iterable[tuple[str, Mapping[str, Any]]], validity: Mapping[str, int]
) -> list[Mapped]:
    """CSV lines or REST items of one source, mapped."""
    return list(iter_mapped(source, items, validity))


def map_statements(
    statements: Iterable[Mapping[str, Any]], validity: Mapping[str, int]
) -> list[Mapped]:
    """xAPI statements: results, and the enrolment verbs (registered, progressed); the others
    (launched...) are skipped."""
    return [m for m in (map_statement(s, validity) for s in statements) if is_staged_statement(m)]


# Sources whose every row dated before a window's end belongs to it: exports that hold what is
# in force (employee versions, qualifications, EBT sessions), where a row may be entered days
# after the date it carries.
MASTER_DATA = frozenset({"hris", "qualifications", "ebt_gradings"})


def in_window(row: Mapped, window: Window) -> bool:
    spec = BY_SOURCE[row.source]
    if not spec.window_date:
        return True
    moment = moment_of(row.record.get(spec.window_date))
    if moment is None:
        return True
    if row.source == "statements":
        return window.start < moment <= window.end
    if row.source in MASTER_DATA:
        return moment < window.end
    return window.start <= moment < window.end


def select(rows: Iterable[Mapped], window: Window) -> list[Mapped]:
    return [row for row in rows if in_window(row, window)]


def last_complete_window(cron: str, now: datetime) -> Window:
    """The latest window that has ended by `now` (a manual run has no data interval of its own)."""
    from croniter import croniter

    end = croniter(cron, now).get_prev(datetime)
    return Window(croniter(cron, end).get_prev(datetime), end)


def current_window(cron: str, moment: datetime) -> Window:
    """The window that `moment` lies in, up to `moment`: an event-started (incremental) run reads
    what has arrived since the last scheduled window ended; the scheduled run of that window
    reads it again later (loading is idempotent; exports go out once, `crew.export_pieces`)."""
    from croniter import croniter

    return Window(croniter(cron, moment).get_prev(datetime), moment)
