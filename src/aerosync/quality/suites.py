"""Run the Great Expectations suites (`expectations/`, or a team's file that replaces one) and
turn results into decisions.

Each expectation's `severity` (GX 1.x's own field) says what a failure means: `critical` holds the
aircraft the failing rows belong to (its previous marketplace schedule stays; `Severity.BLOCKING`),
`warning` is sent on and shown, `info` is sent on and shown as information. The severity is read
off GX's validation result, so what GX reports and what AeroSync decides are the same.
Great Expectations is imported inside `validate_frames` only: it costs seconds to import, and no
DAG file may pay that at parse time.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aerosync.config.suite_files import GX_SEVERITIES, find_suite, read_suite
from aerosync.models import Finding, Severity
from aerosync.quality.data_docs import keep_results

if TYPE_CHECKING:
    import pandas as pd

# At most this many failing rows are kept per expectation; the count is always exact.
MAX_FAILING_KEPT = 1000


@dataclass
class ExpectationOutcome:
    suite: str
    expectation: str
    column: str | None
    severity: Severity
    description: str
    success: bool
    element_count: int
    unexpected_count: int
    failing: list[dict[str, str]] = field(default_factory=list)
    # The activity's field a failure concerns (`meta.field`), when the check column is not it.
    activity_field: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "suite": self.suite,
            "expectation": self.expectation,
            "column": self.column,
            "severity": str(self.severity),
            "description": self.description,
            "success": self.success,
            "element_count": self.element_count,
            "unexpected_count": self.unexpected_count,
            "failing": self.failing,
            "field": self.activity_field or self.column,
        }


@dataclass
class ValidationReport:
    outcomes: list[ExpectationOutcome] = field(default_factory=list)

    def findings(self) -> list[Finding]:
        found = []
        for outcome in self.outcomes:
            if outcome.success:
                continue
            for row in outcome.failing:
                activity = row.get("activity_id")
                what = f"activity {activity}" if activity else f"aircraft {row['tail']}"
                found.append(
                    Finding(
                        code=f"{outcome.suite}.{outcome.column or outcome.expectation}",
                        message=f"{outcome.description} ({what})",
                        severity=outcome.severity,
                        tail=row.get("tail"),
                        activity_id=activity,
                        field=outcome.activity_field or outcome.column,
                    )
                )
        return found

    def held_tails(self) -> set[str]:
        return {
            f.tail
            for f in self.findings()
            if f.severity is Severity.BLOCKING and f.tail is not None
        }


def suite_path(name: str) -> Path:
    """The suite's file: a team's folder's first (`aerosync.config.suite_files`), else packaged."""
    return find_suite(name).path


def load_suite_definition(name: str) -> dict[str, Any]:
    """The suite's JSON; every expectation must declare its severity (`SuiteFileError`, naming
    the file, otherwise)."""
    return _read_cached(suite_path(name))


@cache
def _read_cached(path: Path) -> dict[str, Any]:
    return read_suite(path)


def _failing_rows(result: dict[str, Any], ids: pd.DataFrame) -> list[dict[str, str]]:
    indexes = result.get("unexpected_index_list") or []
    rows: list[dict[str, str]] = []
    for index in indexes[:MAX_FAILING_KEPT]:
        position = index if isinstance(index, int) else index.get("index")
        if position is None:
            continue
        record = ids.loc[position]
        rows.append({k: str(v) for k, v in record.items()})
    return rows


def validate_frames(named: Sequence[tuple[str, pd.DataFrame, pd.DataFrame]]) -> ValidationReport:
    """Validate each (suite name, check columns, identity columns) with its suite. Inside
    `aerosync.quality.data_docs.keeping_data_docs`, the results are also kept as Data Docs."""
    import great_expectations as gx
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.data_context.types.base import ProgressBarsConfig
    from great_expectations.validator.v1_validator import Validator

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    source = context.data_sources.add_pandas("aerosync")
    report = ValidationReport()
    kept = []
    for name, checks, ids in named:
        definition = load_suite_definition(name)
        suite = ExpectationSuite(**json.loads(json.dumps(definition)))
        batch_definition = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(
            "all"
        )
        # What `Batch.validate` does, without first building a batch of its own: GX hashes the
        # whole frame for every batch it builds, and that is a tenth of the run at a million rows.
        validator = Validator(
            batch_definition,
            result_format={"result_format": "COMPLETE", "return_unexpected_index_query": False},
            batch_parameters={"dataframe": checks},
        )
        result = validator.validate_expectation_suite(suite)
        kept.append((suite, result))
        for item in result.results:
            config = item.expectation_config
            if config is None:  # GX fills it for every result of a suite run
                continue
            meta = config.meta or {}
            details = item.result or {}
            report.outcomes.append(
                ExpectationOutcome(
                    suite=name,
                    expectation=config.type,
                    column=config.kwargs.get("column"),
                    severity=GX_SEVERITIES[str(config.severity.value)],
                    description=str(meta.get("description") or config.type),
                    success=bool(item.success),
                    element_count=int(details.get("element_count") or len(checks)),
                    unexpected_count=int(details.get("unexpected_count") or 0),
                    failing=[] if item.success else _failing_rows(details, ids),
                    activity_field=meta.get("field"),
                )
            )
    keep_results(kept)  # never raises: a Data Docs failure is a warning in the task log
    return report
