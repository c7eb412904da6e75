"""How the LMS's sources pass through the staged, gated and loaded steps (`aerosync.crew.steps`).

One read of the statements source feeds two tables. Its extract stages every statement that is a
result or an enrolment verb, kept by when the LRS stored it (`stored_at`, as today); the gate
reads that stage as two batches: the statements batch (the results, which become training
records) and, after the enrolments source's own rows, the enrolment observations of the same
statements (`aerosync.crew.enrolments.statement_event`). So the window of a statement is decided
once for both tables, and a statement has an outcome in each table it feeds: loaded, unchanged,
or quarantined under its source (`statements` or `enrolments`) naming the statement. Enrolments
are gated and loaded whenever statements are, with or without an `enrolments` source. The
statements source's rows read and in the window count its enrolment verbs too; their outcomes are
counted under enrolments.

At load, a run's enrolment observations are joined per enrolment and with the stored enrolment
(one audited change per enrolment and run, `aerosync.crew.enrolments`), and completions whose
expiry neither the LMS nor the companies file gave take the catalog's (`aerosync.crew.catalog`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from aerosync.crew.catalog import catalog_validity, course_ids, with_catalog_expiry
from aerosync.crew.enrolments import enrolment_owners, joined_with_stored, statement_event
from aerosync.crew.lms_checks import LmsReferences
from aerosync.crew.mapping import Mapped, is_result
from aerosync.crew.run_log import TrainingRunLog
from aerosync.crew.sources import Window
from aerosync.crew.tables import SOURCE_ORDER

# Reads the parts a source's extract staged (mapped rows), by the source's name.
StagedParts = Callable[[str], Iterable[list[Mapped]]]
Rows = list[dict[str, Any]]


def gated_sources(sources: Sequence[str]) -> list[str]:
    """The sources a run gates and loads, in `SOURCE_ORDER`: those it extracted, and
    enrolments whenever statements (which feed them) are among them."""
    wanted = set(sources) | ({"enrolments"} if "statements" in sources else set())
    return [s for s in SOURCE_ORDER if s in wanted]


def gate_parts(source: str, staged: StagedParts) -> Iterator[list[Mapped]]:
    """The parts of a source's batch for the gate."""
    if source == "statements":
        for part in staged("statements"):
            yield [m for m in part if is_result(m)]
    elif source == "enrolments":
        yield from staged("enrolments")
        for part in staged("statements"):
            yield [e for e in map(statement_event, part) if e is not None]
    else:
        yield from staged(source)


def lms_references(engine: Engine, company: str, sources: Sequence[str]) -> LmsReferences:
    """What the gate compares the LMS's rows with: the stored catalog when the run reads one
    (else completions of courses it lacks are not warned about), and the stored enrolments'
    owners when the run gates enrolments."""
    return LmsReferences(
        courses=course_ids(engine, company) if "courses" in sources else None,
        owners=enrolment_owners(engine, company) if "enrolments" in sources else {},
    )


def loadable_parts(
    engine: Engine, company: str, source: str, parts: Iterable[Rows]
) -> Iterable[Rows]:
    """A source's good rows as they are upserted: enrolments joined, completions with the
    catalog's expiry (the catalog as loaded so far: courses load before statements)."""
    if source == "enrolments":
        return joined_with_stored(engine, company, parts)
    if source == "statements":
        validity = catalog_validity(engine, company)
        return (with_catalog_expiry(part, validity) for part in parts)
    return parts


def log_fed_enrolments(
    run_log: TrainingRunLog,
    company: str,
    run_id: str,
    window: Window,
    extracted: Sequence[str],
    counts: Mapping[str, Mapping[str, int]],
    now: datetime,
) -> None:
    """Enrolments fed only by the statements have no extract to log what it read: the
    observations the gate saw (those of the window's statements) are what was read. With an
    enrolments source of its own, its extract's counts stand (the observations of statements
    are then not among them)."""
    if "enrolments" in extracted or "enrolments" not in counts:
        return
    seen = counts["enrolments"]["good"] + counts["enrolments"]["quarantined"]
    run_log.staged(company, run_id, "enrolments", window, seen, seen, now)
