"""Smoke-size run of benchmarks/bench_training_csv.py (a 1 MB training CSV), so it never rots."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.benchmark
REPO = Path(__file__).resolve().parents[2]


def test_training_csv_benchmark_loads_the_window_and_measures_each_step(tmp_path: Path) -> None:
    output = tmp_path / "training_csv.json"
    subprocess.run(
        [sys.executable, "benchmarks/bench_training_csv.py", "--smoke", "--output", str(output),
         "--db", f"sqlite:///{tmp_path / 'store.db'}", "--folder", str(tmp_path / "files")],
        cwd=REPO, check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    result = json.loads(output.read_text())
    rows = result["file"]["rows"]
    assert result["runs"] == 1 and 0.9 < result["file"]["megabytes"] < 1.1
    steps = result["per_step"]
    assert list(steps) == ["extract_hris", "extract_statements", "validate", "load", "finish"]
    assert all(s["peak_rss_mb"]["median"] > 0 for s in steps.values())
    staged = result["summaries"]["extract_statements"]
    assert staged["read"] == staged["in_window"] == rows and staged["parts"] == 1
    validated = result["summaries"]["validate"]["sources"]["statements"]
    assert validated["quarantined"] > 0 and validated["good"] > 0
    # every good row loaded once and audited once; repeated lines counted once
    assert result["store"]["training_records"] == validated["good"] < rows
    # a refused completion is refused by both tables it feeds (records and enrolments)
    gated = result["summaries"]["validate"]
    assert gated["sources"]["enrolments"]["quarantined"] > 0
    assert result["store"]["training_quarantine"] == gated["quarantined"]
    # the completions' enrolments too (issue 18): one per employee and course, each inserted once
    enrolments = result["store"]["training_enrolments"]
    assert 0 < enrolments <= result["file"]["employees"] * 8
    audited = validated["good"] + result["file"]["employees"] + enrolments
    assert result["store"]["training_audit"] == audited
    assert result["rows_per_s"]["median"] > 0
