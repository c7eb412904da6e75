"""What the gate's row checks need to know of a whole batch, gathered in one pass over it
(`BatchSurvey`): repeated rows, shared keys, repeated results, and each source's own batch checks
(`aerosync.crew.checks.BATCH_CHECKS`)."""

from __future__ import annotations

import hashlib
from typing import Any

from aerosync.crew.checks import BATCH_CHECKS, KEYS, SAME_RESULT, details
from aerosync.crew.mapping import Mapped


class BatchSurvey:
    """What the row checks need to know of a whole batch, gathered row by row in one pass over
    it and held compactly (16-byte digests, not the rows): which rows repeat an earlier row's
    content (dropped, as `deduplicate` does), how many rows share each key, and for each result
    (employee, course, module, verb, time) its lowest (statement id, position)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.kept = bytearray()  # per row of the batch as read: 1 when it is not a repeat
        self._seen: set[bytes] = set()
        self._keys: dict[bytes, int] = {}
        self._results: dict[bytes, list[Any]] = {}  # digest -> [count, (lowest id, position)]
        self.rows = 0  # rows kept
        self.batch = BATCH_CHECKS[source]() if source in BATCH_CHECKS else None

    def add(self, row: Mapped) -> None:
        content = _digest(
            repr(sorted(row.record.items(), key=_first)) + repr(sorted(row.unreadable.items()))
        )
        if content in self._seen:
            self.kept.append(0)
            return
        self._seen.add(content)
        self.kept.append(1)
        key = self._key_digest(row)
        if key is not None:
            self._keys[key] = self._keys.get(key, 0) + 1
        result = self._result_digest(row)
        if result is not None:
            mark = (str(row.record.get("record_id")), self.rows)
            found = self._results.get(result)
            if found is None:
                self._results[result] = [1, mark]
            else:
                found[0] += 1
                found[1] = min(found[1], mark)
        if self.batch is not None:
            self.batch.add(row, self.rows)
        self.rows += 1

    def done(self) -> None:
        """Drop what only `add` needs."""
        self._seen = set()

    def not_unique(self, row: Mapped, position: int) -> bool:
        """Whether a kept row (its `position` among the kept rows) fails `key_unique`."""
        key = self._key_digest(row)
        if key is not None and self._keys.get(key, 0) > 1:
            return True
        result = self._result_digest(row)
        if result is None:
            return False
        count, lowest = self._results[result]
        return bool(count > 1 and lowest != (str(row.record.get("record_id")), position))

    def batch_checks(self, row: Mapped, position: int) -> dict[str, bool]:
        """The source's own checks against the rest of the batch (`BATCH_CHECKS`), if any."""
        return {} if self.batch is None else self.batch.checks(row, position)

    def details(self, column: str, row: Mapped, position: int) -> tuple[str | None, str]:
        """(field, detail) for a failed check of the kept row at `position`."""
        found = None if self.batch is None else self.batch.detail(column, row, position)
        return found or details(column, row)

    def _key_digest(self, row: Mapped) -> bytes | None:
        values = tuple(row.record.get(k) for k in KEYS[self.source])
        return None if None in values else _digest(repr(values))

    def _result_digest(self, row: Mapped) -> bytes | None:
        if self.source != "statements":
            return None
        values = tuple(row.record.get(k) for k in SAME_RESULT)
        if values[0] is None or values[4] is None:
            return None
        return _digest(repr(values))


def _first(item: tuple[str, Any]) -> str:
    return item[0]


def _digest(text: str) -> bytes:
    """16 bytes standing for a text (the repr of values: equal values, equal texts)."""
    return hashlib.blake2b(text.encode(), digest_size=16).digest()
