"""`aerosync config check`: what was read from which companies file, one line per company,
warning and refusal (or the same as JSON or YAML)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aerosync.cli_conventions import EXIT_FINDINGS, EXIT_OK, formatted
from aerosync.config.companies_file import LoadedConfig, load_config
from aerosync.config.dialects import find_dialects
from aerosync.config.resources import Extensible, search_folders
from aerosync.config.suite_files import SuiteFileError, find_suite, packaged_suites

KINDS: tuple[Extensible, ...] = ("sql", "expectations")


def team_extensions() -> dict[str, Any]:
    """What the team's folders give: dialects (new, or which of their files replace the
    packaged ones) and suites replacing packaged ones, with the folders searched in order."""
    dialects: dict[str, Any] = {}
    for name, dialect in find_dialects().items():
        team = dialect.from_team
        if team:
            new = all(not folder.packaged for folder in dialect.files.values())
            dialects[name] = {
                "new": new,
                "files": {file: str(folder.path / name / file) for file, folder in team.items()},
            }
    suites: dict[str, str] = {}
    for name in packaged_suites():
        try:
            found = find_suite(name)
        except SuiteFileError:
            continue
        if not found.folder.packaged:
            suites[name] = str(found.path)
    return {
        "search": {kind: [str(f) for f in search_folders(kind)] for kind in KINDS},
        "dialects": dialects,
        "suites": suites,
    }


def extension_lines(team: dict[str, Any]) -> list[str]:
    lines = []
    for name, dialect in team["dialects"].items():
        files = ", ".join(dialect["files"].values())
        what = "new dialect" if dialect["new"] else "dialect"
        lines.append(f"sql      {what} {name}: {files}")
    for name, path in team["suites"].items():
        lines.append(f"suite    {name}: {path} (replaces the packaged one)")
    return lines


def config_data(loaded: LoadedConfig) -> dict[str, Any]:
    return {
        "extensions": team_extensions(),
        "file": str(loaded.path) if loaded.path else None,
        "companies": [
            {"id": c.id, "dag_id": c.dag_id, "schedule": c.schedule} for c in loaded.companies
        ],
        "warnings": [{"company": w.company, "message": w.message} for w in loaded.warnings],
        "refused": [{"company": p.company, "message": p.message} for p in loaded.problems],
    }


def config_lines(loaded: LoadedConfig) -> str:
    if loaded.path is None:  # the one problem says where to put a companies file
        return "\n".join(problem.message for problem in loaded.problems)
    lines = [f"read     {loaded.path}", *extension_lines(team_extensions())]
    lines += [f"ok       {c.id}: {c.dag_id}, schedule {c.schedule}" for c in loaded.companies]
    lines += [f"warning  {warning}" for warning in loaded.warnings]
    lines += [f"refused  {problem}" for problem in loaded.problems]
    return "\n".join(lines)


def check_config(path: Path | None, dag_folder: Path | None, output: str) -> int:
    """Print what the companies file holds; exit 1 when a company (or the file) is refused or
    there is no file, 0 otherwise (warnings do not fail the check)."""
    loaded = load_config(path, dag_folder=dag_folder)
    print(formatted(config_data(loaded), output, lambda: config_lines(loaded)))
    return EXIT_FINDINGS if loaded.problems else EXIT_OK
