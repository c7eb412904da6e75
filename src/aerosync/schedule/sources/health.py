"""Which sources of a run failed, and which aircraft each failed source holds.

The FMS feeds every aircraft of its company; an LMS feeds the aircraft its `training.bookings`
covers, an AMS those its `ams` section covers. A failed source holds exactly the aircraft it feeds
(safety rule 1), with a reason that names the company, the source and the cause, and never a
secret (rule 5).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


class SourceUnavailable(Exception):
    """A source could not be read completely, or its data is too old: its aircraft are held."""


@dataclass(frozen=True)
class FailedSource:
    """A source that failed, timed out or was stale in this run."""

    name: str
    message: str
    tails: tuple[str, ...] | None = None  # None: the source feeds every aircraft

    def covers(self, tail: str) -> bool:
        return self.tails is None or tail in self.tails

    def to_dict(self) -> dict[str, Any]:
        return {
            "message": self.message,
            "tails": list(self.tails) if self.tails is not None else None,
        }

    @classmethod
    def staged(cls, name: str, value: str | Mapping[str, Any] | FailedSource) -> FailedSource:
        """From what `step_extract` staged; a bare message is a source of every aircraft."""
        if isinstance(value, FailedSource):
            return value
        if isinstance(value, str):
            return cls(name, value)
        tails = value.get("tails")
        return cls(name, str(value["message"]), tuple(tails) if tails is not None else None)


def failed_sources(
    staged: Mapping[str, str | Mapping[str, Any] | FailedSource],
) -> dict[str, FailedSource]:
    return {name: FailedSource.staged(name, value) for name, value in staged.items()}


def messages(staged: Mapping[str, str | Mapping[str, Any] | FailedSource]) -> dict[str, str]:
    """Source name -> its failure message."""
    return {name: source.message for name, source in failed_sources(staged).items()}


def failures_by_tail(failed: Iterable[FailedSource], tails: Iterable[str]) -> dict[str, str]:
    """For each aircraft fed by at least one failed source, the reasons joined into one line."""
    sources = list(failed)
    found = {}
    for tail in tails:
        reasons = [source.message for source in sources if source.covers(tail)]
        if reasons:
            found[tail] = "; ".join(reasons)
    return found
