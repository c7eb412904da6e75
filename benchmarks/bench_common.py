"""What every benchmark result records beside its figures: the machine, its load, the code.

benchmarks.md asks for `nproc`, memory, Python and Airflow versions and whether the machine was
otherwise idle; RESULTS.md quotes the commit each figure was measured at. A run from a working
tree with uncommitted changes under `src/` or `dags/` says so (`dirty`), since those change what
was measured.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil

REPO = Path(__file__).resolve().parents[1]


def _git(*args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, timeout=30, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip()


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def machine() -> dict[str, Any]:
    """The machine as benchmarks.md asks for it, with its load average right now."""
    load = os.getloadavg()
    return {
        "nproc": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "airflow": _version("apache-airflow"),
        "great_expectations": _version("great-expectations"),
        "pandas": _version("pandas"),
        "load_avg_1_5_15": [round(x, 2) for x in load],
    }


def code() -> dict[str, Any]:
    """The commit measured, and the files under src/ and dags/ that differed from it."""
    dirty = _git("status", "--porcelain", "--", "src", "dags")
    return {
        "commit": _git("rev-parse", "--short=12", "HEAD"),
        "dirty": [line[3:] for line in dirty.splitlines()],
    }


def write_result(result: dict[str, Any], output: Path | None) -> None:
    """Print the result as JSON and, if asked, write it to `output`."""
    text = json.dumps(result, indent=2)
    print(text)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text + "\n", encoding="utf-8")
