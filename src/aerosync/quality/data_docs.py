"""Each validation's Great Expectations Data Docs, kept as a static site per company.

A task that validates opens `keeping_data_docs(target)` around its step (the Airflow tasks do
through `aerosync.airflow.task_config.data_docs_kept`); every suite run inside
(`aerosync.quality.suites.validate_frames`, whichever suite: the schedule flow's, the crew flow's,
a regulatory export's) hands its GX results to `keep_results`, which renders them into
`<location>/<company>/` (`aerosync.config.data_docs`). A context variable carries the target, so
the flows' steps stay as they are and a new suite run is kept without threading a parameter.

How, with GX's own machinery: the validation runner's context is ephemeral (its stores live in
memory and die with the task), and GX's site index lists only the results its validation-results
store still holds (`DefaultSiteIndexBuilder.build` removes every page whose result is gone). So
each company's site gets a second, small ephemeral context whose validation-results store is a
`TupleFilesystemStoreBackend` inside the site (`.results/`, hidden: the plugin never serves
`.`-names) and whose Data Docs site is a `SiteBuilder` on the site folder. A run stores its
results there, drops the results of runs beyond `keep_runs`, and calls `build_data_docs` for its
own results only: GX renders this run's pages (`ValidationResultsPageRenderer`,
`DefaultJinjaPageView`), rebuilds the index from the kept results and deletes the pages of the
dropped runs. The suites go to a filesystem expectations store (`.suites/`) the same way, so the
index's and the pages' links to a suite's page lead somewhere; a suite's page is rendered only
when the suite changed. Disk stays bounded by `keep_runs`, and the cost of a run by its own
results plus an index of `keep_runs` entries (rendering the whole history each time would grow
without end).

Concurrent runs: companies have separate folders; two runs of one company (its upload DAG and
its crew sync) take the site's lock file in turn.

What the site may show: the counts and the suite. GX's results list unexpected values (a name, an
e-mail, a medical date in a crew suite over raw columns) and observed values; `redacted` keeps
only numbers, so nothing personal reaches a page, whatever the suite checks.

A failure here never fails the validation, nor hides its outcome: it is a warning in the task
log, naming the company.
"""

from __future__ import annotations

import fcntl
import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
        ExpectationValidationResult,
    )

log = logging.getLogger(__name__)

SITE_NAME = "aerosync"
RESULTS_FOLDER = ".results"  # the site's validation-results store (never served)
SUITES_FOLDER = ".suites"  # its expectations store: the suites its pages show (never served)
LOCK_FILE = ".lock"
LOCK_WAIT_SECONDS = 60.0
INDEX = "index.html"
WITHHELD = "(not kept in Data Docs)"
_VIEWS = "aerosync.quality.data_docs_views"


@dataclass(frozen=True)
class DocsTarget:
    """Where one task's validations go: the company's site folder, how many runs it keeps,
    and the run's label (`aerosync.config.data_docs.run_label`)."""

    site: Path
    company: str
    run_label: str
    keep_runs: int


_TARGET: ContextVar[DocsTarget | None] = ContextVar("aerosync_data_docs", default=None)


@contextmanager
def keeping_data_docs(target: DocsTarget | None) -> Iterator[None]:
    """Keep the Data Docs of every suite run inside (None: keep none)."""
    token = _TARGET.set(target)
    try:
        yield
    finally:
        _TARGET.reset(token)


# A suite and GX's result of validating a batch with it.
SuiteRun = tuple["ExpectationSuite", "ExpectationSuiteValidationResult"]


def keep_results(runs: Sequence[SuiteRun]) -> Path | None:
    """Render the results of `runs` into the current target's site (if any); the index's
    path, or None when no site is kept or writing it failed (logged as a warning, never
    raised)."""
    target = _TARGET.get()
    if target is None or not runs:
        return None
    try:
        return write_site(target, runs, datetime.now(UTC))
    except Exception as exc:  # the validation's outcome stands whatever the docs do
        log.warning(
            "company %s: the Data Docs of run %s could not be written to %s (%s); the "
            "validation itself is unaffected",
            target.company,
            target.run_label,
            target.site,
            _why(exc),
        )
        return None


def _why(exc: Exception) -> str:
    """What went wrong, without an exception's own text (GX's can quote what it was given):
    a file system error's reason and file, else the kind of error."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return type(exc).__name__


def _redacted_result(item: ExpectationValidationResult) -> ExpectationValidationResult:
    from great_expectations.core.expectation_validation_result import ExpectationValidationResult

    kept: dict[str, Any] = {}
    for name, value in (item.result or {}).items():
        if isinstance(value, bool | int | float) or value is None:
            kept[name] = value
        elif name == "observed_value":
            kept[name] = WITHHELD
    exception = item.exception_info or {}
    raised = bool(exception.get("raised_exception"))
    # GX's message can quote a value ("cannot compare 'Ingrid' ..."): a fixed text instead.
    said = "GX raised an error on this expectation" if raised else ""
    return ExpectationValidationResult(
        success=item.success,
        expectation_config=item.expectation_config,
        result=kept,
        meta=item.meta,
        exception_info={
            "raised_exception": raised,
            "exception_message": said or None,
            "exception_traceback": said or None,
        },
    )


def redacted(result: ExpectationSuiteValidationResult) -> ExpectationSuiteValidationResult:
    """The result with numbers only (counts, percentages, numeric observed values): no list of
    unexpected values or indexes, no observed text or date, no exception text."""
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
    )

    return ExpectationSuiteValidationResult(
        success=bool(result.success),
        results=[_redacted_result(item) for item in result.results],
        suite_name=result.suite_name,
        suite_parameters=result.suite_parameters,
        statistics=result.statistics,
        meta=result.meta,
        batch_id=result.batch_id,
    )


def _project(site: Path) -> Any:
    from great_expectations.data_context.types.base import DataContextConfig

    def in_memory(class_name: str) -> dict[str, Any]:
        return {"class_name": class_name, "store_backend": {"class_name": "InMemoryStoreBackend"}}

    def on_disk(class_name: str, folder: str) -> dict[str, Any]:
        backend = {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(site / folder),
        }
        return {"class_name": class_name, "store_backend": backend}

    page_view = {"module_name": _VIEWS, "class_name": "PageView"}
    return DataContextConfig(
        stores={
            "expectations_store": on_disk("ExpectationsStore", SUITES_FOLDER),
            "checkpoint_store": in_memory("CheckpointStore"),
            "validation_definition_store": in_memory("ValidationDefinitionStore"),
            "validation_results_store": on_disk("ValidationResultsStore", RESULTS_FOLDER),
        },
        expectations_store_name="expectations_store",
        checkpoint_store_name="checkpoint_store",
        validation_results_store_name="validation_results_store",
        data_docs_sites={
            SITE_NAME: {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(site),
                },
                # Validation and suite pages (a suite's only when it changed), through GX's
                # views with their templates compiled once per process (`data_docs_views`).
                "site_section_builders": {
                    "expectations": {"view": page_view},
                    "profiling": "0",
                    "validations": {"view": page_view},
                },
                "site_index_builder": {
                    "class_name": "DefaultSiteIndexBuilder",
                    "view": {"module_name": _VIEWS, "class_name": "IndexPageView"},
                },
            }
        },
        analytics_enabled=False,
    )


@contextmanager
def _locked(site: Path) -> Iterator[None]:
    """The company's site to this process alone (its other flow may be writing it too)."""
    with (site / LOCK_FILE).open("a") as handle:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    held = f"{site / LOCK_FILE} held for {LOCK_WAIT_SECONDS:.0f} s"
                    raise TimeoutError(held) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def runs_to_drop(keys: Sequence[Any], keep_runs: int) -> list[Any]:
    """The result keys of every run but the `keep_runs` latest (a run: one label, however many
    suites it validated; its time: its latest result's)."""
    latest: dict[str, str] = {}
    for key in keys:
        name, when = key.run_id.run_name, key.run_id.to_tuple()[1]
        latest[name] = max(latest.get(name, when), when)
    kept = set(sorted(latest, key=lambda name: latest[name], reverse=True)[:keep_runs])
    return [key for key in keys if key.run_id.run_name not in kept]


def _changed_suites(context: Any, site: Path, runs: Sequence[SuiteRun]) -> list[Any]:
    """Store each suite whose stored copy differs (GX writes it sorted: the same suite is the
    same text) or whose page is missing; their keys, for GX to render their pages. A suite that
    did not change costs a file read, not a page."""
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
    )

    store = context.expectations_store
    changed = []
    for suite, _ in runs:
        key = ExpectationSuiteIdentifier(name=suite.name)
        text = store.serialize(suite)
        backend_key = store.key_to_tuple(key)
        stored = store.store_backend.get(backend_key) if store.has_key(key) else None
        page = site.joinpath("expectations", *suite.name.split(".")).with_suffix(".html")
        if stored != text or not page.is_file():
            store.set(key, suite)
            changed.append(key)
    return changed


def write_site(target: DocsTarget, runs: Sequence[SuiteRun], now: datetime) -> Path:
    """Store the results of `runs` (redacted) in the site's results store, and each suite
    that changed in its expectations store; drop the runs beyond `keep_runs`; have GX render
    this run's pages, the changed suites' pages and the index; the index's path."""
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    target.site.mkdir(parents=True, exist_ok=True)
    with _locked(target.site):
        context = gx.get_context(mode="ephemeral", project_config=_project(target.site))
        store = context.validation_results_store
        run = RunIdentifier(run_name=target.run_label, run_time=now)
        keys = _changed_suites(context, target.site, runs)
        for _, result in runs:
            key = ValidationResultIdentifier(
                expectation_suite_identifier=ExpectationSuiteIdentifier(name=result.suite_name),
                run_id=run,
                batch_identifier=result.asset_name or result.suite_name,
            )
            store.set(key, redacted(result))
            keys.append(key)
        for key in runs_to_drop(store.list_keys(), target.keep_runs):
            store.remove_key(key)
        context.build_data_docs(site_names=[SITE_NAME], resource_identifiers=keys)
    return target.site / INDEX
