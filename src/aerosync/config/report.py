"""`aerosync config check`: what was read from which companies file, one line per company,
warning and refusal (or the same as JSON or YAML)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aerosync.cli_conventions import EXIT_FINDINGS, EXIT_OK, formatted
from aerosync.config.companies_file import LoadedConfig, load_config


def config_data(loaded: LoadedConfig) -> dict[str, Any]:
    return {
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
    lines = [f"read     {loaded.path}"]
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
