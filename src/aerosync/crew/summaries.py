"""What each training-sync step hands on: typed records, turned into the summary dict its Airflow
task returns (XCom) by one `to_dict` each, whose keys, order and values are the contract the
task logs, tests and benchmarks read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aerosync.crew.sources import Window
from aerosync.crew.store import UpsertCounts


@dataclass(frozen=True, slots=True)
class Staged:
    """One source's rows read, those inside the window, and the parts they were staged in."""

    source: str
    read: int
    in_window: int
    parts: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "read": self.read,
            "in_window": self.in_window,
            "parts": self.parts,
        }


@dataclass(frozen=True, slots=True)
class Validated:
    """The quality gate's verdict on the window's staged rows. `sources` holds, per source, the
    rows good, quarantined and warned about; `quarantine_examples` names the first few refused
    rows (the quarantine table holds them all)."""

    validation_id: str
    window: Window
    sources: dict[str, dict[str, int]]
    quarantined: int
    newly_quarantined: int
    quarantine_examples: list[str]
    warnings: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "validation_id": self.validation_id,
            "window": self.window.to_dict(),
            "sources": self.sources,
            "quarantined": self.quarantined,
            "newly_quarantined": self.newly_quarantined,
            "quarantine_examples": self.quarantine_examples,
            "warnings": self.warnings,
        }


@dataclass(frozen=True, slots=True)
class SourceLoaded:
    """One source's good rows upserted, and those dropped as older than the retention period."""

    counts: UpsertCounts
    beyond_retention: int

    def to_dict(self) -> dict[str, int]:
        return {**self.counts.to_dict(), "beyond_retention": self.beyond_retention}


@dataclass(frozen=True, slots=True)
class Loaded:
    """Every source's load (in the order loaded), and how many quarantined rows were loaded
    because their employee has since arrived."""

    sources: dict[str, SourceLoaded]
    released_from_quarantine: int

    def to_dict(self) -> dict[str, Any]:
        summary: dict[str, Any] = {s: loaded.to_dict() for s, loaded in self.sources.items()}
        summary["released_from_quarantine"] = self.released_from_quarantine
        return summary


@dataclass(frozen=True, slots=True)
class Retained:
    """The first day kept (YYYY-MM-DD), and the rows purged per table as older."""

    first_kept: str
    purged: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {"first_kept": self.first_kept, "purged": self.purged}


@dataclass(frozen=True, slots=True)
class Finished:
    """The sources of the run and its audited changes per action."""

    sources: list[str]
    changes: dict[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {"sources": self.sources, "changes": self.changes}
