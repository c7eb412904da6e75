"""Smoke-size run of benchmarks/bench_readiness.py (40 pilots, 120 days, SQLite), so it never
rots."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.benchmark
REPO = Path(__file__).resolve().parents[2]


def test_readiness_benchmark_generates_the_crew_and_times_the_computation(tmp_path: Path) -> None:
    output = tmp_path / "readiness.json"
    subprocess.run(
        [sys.executable, "benchmarks/bench_readiness.py", "--smoke", "--output", str(output),
         "--db", f"sqlite:///{tmp_path / 'store.db'}"],
        cwd=REPO, check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    result = json.loads(output.read_text())
    assert (result["pilots"], result["days"], result["runs"]) == (40, 120, 1)
    (store,) = result["stores"].values()
    data, run = store["data"], store["last_run"]
    assert data["pilots"] == 40 and 40 * 120 * 0.4 < data["leg_crew_rows"] < 40 * 120
    assert 30 < run["pilots_listed"] <= 40 and run["pairs"] >= run["pilots_listed"]
    assert 0 < run["ready"] < run["pairs"]
    assert store["compute_s"]["median"] > 0 and store["export_s"]["median"] > 0
    assert store["peak_rss_mb"]["median"] > 0 and run["csv_bytes"] > 0
    assert result["same_export_in_every_store"] and len(run["json_sha256"]) == 16
