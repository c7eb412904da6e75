"""The expectation suites' JSON files: found in the search folders (a team's file with the name
of a packaged suite replaces it) and checked before Great Expectations ever reads them.

A team's changed suite is configuration: a broken one (unreadable JSON, an expectation without a
type or without `meta.severity`) is reported naming the file, by `aerosync config check` and on
`aerosync_config_problems`, and refused with the same words when a run would use it; never a
traceback from inside Great Expectations.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aerosync.config.resources import SearchFolder, data_dir, search_folders
from aerosync.models import Severity

SEVERITIES = (Severity.BLOCKING.value, Severity.WARNING.value)


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


def read_suite(path: Path) -> dict[str, Any]:
    """The suite's JSON, checked: an object with a list of expectations, each with a `type`,
    `kwargs` an object, and `meta.severity` `blocking` or `warning`."""
    try:
        definition = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SuiteFileError(f"{path}: cannot read it ({exc.strerror})") from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        raise SuiteFileError(f"{path}: not valid JSON ({exc})") from None
    expectations = definition.get("expectations") if isinstance(definition, dict) else None
    if not isinstance(expectations, list):
        raise SuiteFileError(f"{path}: needs an object with a list `expectations`")
    for index, expectation in enumerate(expectations):
        where = f"{path}: expectation #{index + 1}"
        if not isinstance(expectation, dict) or not isinstance(expectation.get("type"), str):
            raise SuiteFileError(f"{where} needs a `type` (e.g. expect_column_values_to_be_in_set)")
        where += f" ({expectation['type']})"
        if not isinstance(expectation.get("kwargs", {}), dict):
            raise SuiteFileError(f"{where}: `kwargs` must be an object")
        meta = expectation.get("meta")
        severity = meta.get("severity") if isinstance(meta, dict) else None
        if severity not in SEVERITIES:
            raise SuiteFileError(f"{where} needs meta.severity 'blocking' or 'warning'")
    return definition


def team_suite_findings() -> tuple[list[str], list[str]]:
    """(problems, warnings) of the suites in the team's folders: a broken file is a problem; a
    file that replaces no packaged suite is a warning (AeroSync would never read it)."""
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
                read_suite(path)
            except SuiteFileError as exc:
                problems.append(str(exc))
    return problems, warnings
