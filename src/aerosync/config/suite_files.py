"""The expectation suites' JSON files: found in the search folders (a team's file with the name
of a packaged suite replaces it) and checked before Great Expectations ever reads them.

A team's changed suite is configuration: a broken one (unreadable JSON, an expectation without a
type or without a severity) is reported naming the file, by `aerosync config check` and on
`aerosync_config_problems`, and refused with the same words when a run would use it; never a
traceback from inside Great Expectations.

An expectation's severity is GX 1.x's own field `severity` (`critical` holds the aircraft or
refuses the row, `warning` is reported, `info` is shown as information). A team's suite may still
give it the old way, `meta.severity` (`blocking` or `warning`): it is read as before, turned into
GX's field, and `aerosync config check` warns about it; giving both, disagreeing, is refused.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aerosync.config.resources import SearchFolder, data_dir, search_folders
from aerosync.models import Severity

# GX's `severity` of an expectation (great_expectations' FailureSeverity) and what it means here.
GX_SEVERITIES: dict[str, Severity] = {
    "critical": Severity.BLOCKING,
    "warning": Severity.WARNING,
    "info": Severity.INFO,
}
# The old form, `meta.severity`, and the GX severity it stands for.
OLD_SEVERITIES: dict[str, str] = {"blocking": "critical", "warning": "warning"}
_GX_WORDS = "'critical', 'warning' or 'info'"


class SuiteFileError(ValueError):
    """A suite file AeroSync cannot use; the message names the file and what to fix."""


@dataclass(frozen=True)
class SuiteFile:
    name: str  # the suite's name: its file name without `.json`
    path: Path
    folder: SearchFolder


def packaged_suites() -> list[str]:
    """The suites AeroSync runs (a team's file may replace any of them)."""
    return sorted(path.stem for path in data_dir("expectations").glob("*.json"))


def find_suite(name: str) -> SuiteFile:
    """The file of suite `name` in the first search folder that holds it."""
    folders = search_folders("expectations")
    for folder in folders:
        path = folder.path / f"{name}.json"
        if path.is_file():
            return SuiteFile(name, path, folder)
    searched = "; ".join(str(folder) for folder in folders)
    raise SuiteFileError(f"expectation suite {name!r}: no {name}.json in {searched}")


def severity_of(expectation: dict[str, Any]) -> Severity:
    """What a failure of an expectation of a suite `read_suite` returned means."""
    return GX_SEVERITIES[str(expectation["severity"])]


def read_suite(path: Path) -> dict[str, Any]:
    """The suite's JSON, checked: an object with a list of expectations, each with a `type`,
    `kwargs` an object, and a severity; each expectation's severity is in GX's field `severity`
    (an old-form `meta.severity` turned into it)."""
    return _checked_suite(path)[0]


def _checked_suite(path: Path) -> tuple[dict[str, Any], list[str]]:
    """The suite's JSON, checked, and a warning for each expectation in the old form."""
    try:
        definition = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SuiteFileError(f"{path}: cannot read it ({exc.strerror})") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise SuiteFileError(f"{path}: not valid JSON ({exc})") from None
    expectations = definition.get("expectations") if isinstance(definition, dict) else None
    if not isinstance(expectations, list):
        raise SuiteFileError(f"{path}: needs an object with a list `expectations`")
    old_form: list[str] = []
    for index, expectation in enumerate(expectations):
        where = f"{path}: expectation #{index + 1}"
        if not isinstance(expectation, dict) or not isinstance(expectation.get("type"), str):
            raise SuiteFileError(f"{where} needs a `type` (e.g. expect_column_values_to_be_in_set)")
        where += f" ({expectation['type']})"
        if not isinstance(expectation.get("kwargs", {}), dict):
            raise SuiteFileError(f"{where}: `kwargs` must be an object")
        if _old_form(where, expectation):
            old_form.append(
                f"{where}: meta.severity is the old form; write GX's field instead "
                f'("severity": "{expectation["severity"]}") and drop meta.severity'
            )
    return definition, old_form


def _old_form(where: str, expectation: dict[str, Any]) -> bool:
    """Put the expectation's severity in GX's field; whether it was given the old way."""
    gx = expectation.get("severity")
    meta = expectation.get("meta")
    old = meta.get("severity") if isinstance(meta, dict) else None
    if gx is not None and str(gx) not in GX_SEVERITIES:
        raise SuiteFileError(f"{where}: `severity` must be {_GX_WORDS}, not {gx!r}")
    if old is not None and str(old) not in OLD_SEVERITIES:
        raise SuiteFileError(
            f"{where}: meta.severity (the old form) must be 'blocking' or 'warning', not "
            f"{old!r}; better, write GX's `severity` {_GX_WORDS}"
        )
    if gx is None and old is None:
        raise SuiteFileError(f"{where} needs a `severity` {_GX_WORDS} (GX's field)")
    if gx is not None and old is not None and OLD_SEVERITIES[old] != gx:
        raise SuiteFileError(
            f"{where} gives `severity` {gx!r} and the old meta.severity {old!r}, which "
            "disagree; keep only `severity`"
        )
    if not isinstance(meta, dict) or old is None:
        return False
    expectation["severity"] = gx or OLD_SEVERITIES[old]
    meta.pop("severity")
    return True


def team_suite_findings() -> tuple[list[str], list[str]]:
    """(problems, warnings) of the suites in the team's folders: a broken file is a problem; a
    file that replaces no packaged suite (AeroSync would never read it), and an expectation
    whose severity is in the old form `meta.severity`, are warnings."""
    problems: list[str] = []
    warnings: list[str] = []
    known = packaged_suites()
    for folder in search_folders("expectations"):
        if folder.packaged or not folder.path.is_dir():
            continue
        for path in sorted(folder.path.glob("*.json")):
            if path.stem not in known:
                warnings.append(
                    f"{path} replaces no suite AeroSync runs (it runs: {', '.join(known)}); "
                    "it is not read"
                )
                continue
            try:
                warnings += _checked_suite(path)[1]
            except SuiteFileError as exc:
                problems.append(str(exc))
    return problems, warnings
