"""Which sources of a run failed, and which aircraft each failed source holds.

The FMS feeds every aircraft of its company; an LMS feeds the aircraft its `training.bookings`
covers, an AMS those its `ams` section covers. A failed source holds exactly the aircraft it feeds
(safety rule 1), with a reason that names the company, the source and the cause, and never a
secret (rule 5).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from aerosync.models import Finding, Severity


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


@dataclass
class SourceExtract:
    """A booking source's part of a run's extract (the LMS's, the AMS's): rows to merge,
    findings, or the failure."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    failure: FailedSource | None = None
    summary: dict[str, Any] = field(default_factory=dict)


def tail_key(tail: str) -> str:
    """A registration compared the way people write it: `hb-jsz`, `HBJSZ` and `HB-JSZ` match."""
    return "".join(ch for ch in tail.upper() if ch.isalnum())


def uncovered_tails(
    rows: Iterable[Mapping[str, Any]],
    tails: Collection[str],
    *,
    code: str,
    field: str,
    message: Callable[[Any, str], str],
) -> list[Finding]:
    """A blocking finding for each row (an activity of a source that covers only `tails`; empty:
    every aircraft) whose aircraft that source does not cover: were the source to fail, the
    aircraft would be sent without it and shown available. `message(activity id, tail)`."""
    covered = {tail_key(t) for t in tails}
    findings = []
    for row in rows:
        tail = row.get("tail")
        if tail and covered and tail_key(tail) not in covered:
            activity = row.get("activity_id")
            findings.append(
                Finding(
                    code=code,
                    message=message(activity, tail),
                    severity=Severity.BLOCKING,
                    tail=tail,
                    activity_id=activity,
                    field=field,
                )
            )
    return findings
