"""Source data into mapped rows, and the rows that belong to one data interval (window).

CSV exports are read whole (a folder of files or one file) and each run keeps the rows of its
window: qualifications by `issued_on` and EBT gradings by `session_date` in [start, end); LMS
statements by `stored_at` in (start, end], as the LRS's `since` (exclusive) and `until`
(inclusive) select them. HRIS rows are master data: every version in effect by the window's end
(`effective_from` before it) belongs to the window, so each run knows every employee hired so far
and a future-dated change waits for its window; loading a version again changes nothing. A row
whose date is missing or unreadable belongs to every window: it is refused, and quarantined once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aerosync.training.mapping import (
    Mapped,
    is_result,
    map_completion_csv,
    map_employee,
    map_grading,
    map_qualification,
    map_statement,
)
from aerosync.training.tables import BY_SOURCE
from aerosync.training.values import moment_of


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    def label(self) -> str:
        return f"{self.start:%Y-%m-%dT%H:%MZ} to {self.end:%Y-%m-%dT%H:%MZ}"

    def to_dict(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def csv_rows(content: str, name: str) -> list[tuple[str, dict[str, Any]]]:
    """(row reference, row) for each data line of a CSV text with a header line."""
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")))
    rows = []
    for row in reader:
        clean = {str(k).strip(): v for k, v in row.items() if k is not None}
        if any((v or "").strip() for v in clean.values() if isinstance(v, str)):
            rows.append((f"{name} line {reader.line_num}", clean))
    return rows


def map_rows(
    source: str, items: Iterable[tuple[str, Mapping[str, Any]]], validity: Mapping[str, int]
) -> list[Mapped]:
    """CSV lines or REST items of one source, mapped."""
    mapped = []
    for ref, row in items:
        if source == "hris":
            mapped.append(map_employee(row, ref))
        elif source == "statements":
            mapped.append(map_completion_csv(row, ref, validity))
        elif source == "qualifications":
            mapped.append(map_qualification(row, ref))
        elif source == "ebt_gradings":
            mapped.append(map_grading(row, ref))
        else:
            raise ValueError(f"unknown training source {source!r}")
    return [m for m in mapped if source != "statements" or is_result(m)]


def map_statements(
    statements: Iterable[Mapping[str, Any]], validity: Mapping[str, int]
) -> list[Mapped]:
    """xAPI statements; those that are not completions or results (launched...) are skipped."""
    return [m for m in (map_statement(s, validity) for s in statements) if is_result(m)]


def in_window(row: Mapped, window: Window) -> bool:
    moment = moment_of(row.record.get(BY_SOURCE[row.source].window_date))
    if moment is None:
        return True
    if row.source == "statements":
        return window.start < moment <= window.end
    if row.source == "hris":
        return moment < window.end
    return window.start <= moment < window.end


def select(rows: Iterable[Mapped], window: Window) -> list[Mapped]:
    return [row for row in rows if in_window(row, window)]


def last_complete_window(cron: str, now: datetime) -> Window:
    """The latest window that has ended by `now` (a manual run has no data interval of its own)."""
    from croniter import croniter

    end = croniter(cron, now).get_prev(datetime)
    return Window(croniter(cron, end).get_prev(datetime), end)
