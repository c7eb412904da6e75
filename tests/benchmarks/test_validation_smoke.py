"""Smoke-size run of benchmarks/bench_validation.py, so the benchmark never rots."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.benchmark
REPO = Path(__file__).resolve().parents[2]


def test_validation_benchmark_runs_and_finds_the_broken_aircraft(tmp_path: Path) -> None:
    output = tmp_path / "validation.json"
    subprocess.run(
        [sys.executable, "benchmarks/bench_validation.py", "--smoke", "--output", str(output)],
        cwd=REPO,
        check=True,
        capture_output=True,
        timeout=300,
    )
    result = json.loads(output.read_text())
    assert result["activities"] == 20_000 and result["aircraft"] == 40
    assert result["runs"] == 2 and 0 < result["min_s"] <= result["median_s"] <= result["max_s"]
    assert result["activities_per_s"] > 0
