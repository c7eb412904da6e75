"""What normalising reports per source row: its first error, and its findings in order.

Normalising works column by column, but a row's report must read as if the row had been read on
its own, field by field: the first problem met is the one reported (later stages never overwrite
it), and findings come in the order that reading appends them (`REGULATION` before `MARKETING`
before `INVALID` before `NOT_MARKETED`), rows in source order.
"""

from __future__ import annotations

from collections.abc import Mapping

from aerosync.models import Finding, Severity
from aerosync.schedule.normalise.values import RowError

REGULATION, MARKETING, INVALID, NOT_MARKETED = range(4)
# What makes a row invalid (a finding); anything else (a bug) escapes. A value Python cannot
# represent (an infinite passenger count, a price of 10**400, year 1 with a positive offset)
# raises OverflowError: that is the row's fault, and holds its aircraft, not the company's run.
ROW_ERRORS = (RowError, ValueError, TypeError, ArithmeticError)


class RowReport:
    """Each row's first error and its findings, named by the row's id and tail as given."""

    def __init__(self, ids: list[str | None], tails: list[str | None]) -> None:
        self.ids, self.tails = ids, tails
        self.errors: dict[int, tuple[str, Exception]] = {}
        self._notes: list[tuple[int, int, Finding]] = []

    def fail(self, row: int, exc: Exception) -> None:
        if row not in self.errors:
            self.errors[row] = (exc.field if isinstance(exc, RowError) else "row", exc)

    def fail_all(self, failures: Mapping[int, Exception]) -> None:
        for row, exc in failures.items():
            self.fail(row, exc)

    def note(self, row: int, slot: int, code: str, message: str, column: str) -> None:
        severity = Severity.BLOCKING if slot == INVALID else Severity.WARNING
        finding = Finding(code, message, severity, self.tails[row], self.ids[row], column)
        self._notes.append((row, slot, finding))

    def findings(self) -> list[Finding]:
        """Every finding, rows in source order. An error that is not a row error (a bug) is
        raised, the first row's first."""
        escaped = [row for row, (_, exc) in self.errors.items() if not isinstance(exc, ROW_ERRORS)]
        if escaped:
            raise self.errors[min(escaped)][1]
        for row, (column, exc) in self.errors.items():
            self.note(
                row,
                INVALID,
                "ROW_INVALID",
                f"activity {self.ids[row] or '(no id)'} of aircraft "
                f"{self.tails[row] or '(no tail)'}: {exc}",
                column,
            )
        return [finding for _, _, finding in sorted(self._notes, key=lambda n: n[:2])]
