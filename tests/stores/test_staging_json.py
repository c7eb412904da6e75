"""The staging store's JSON: msgspec's speed, the standard library's values."""

from __future__ import annotations

import gc
import json
import math

import pytest

from aerosync.collector import collector_paused
from aerosync.stores import staging as staged_json

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "value",
    [
        {"pax_count": [1, None, 3], "tail": ["N1", "N2", "N3"]},
        [10**400, -(10**30), 2**63, -(2**63) - 1],  # beyond 64 bits: msgspec refuses, json reads
        [float("inf"), float("-inf")],
        ["\ud800 lone surrogate", "é ✈ 東京"],
        [0.1, 1e16, -0.0, 5e-324, 1.7976931348623157e308],
        {"nested": {"list": [[], {}, ""], "true": True, "false": False}},
    ],
)
def test_what_staging_writes_it_reads_back_as_json_would(value: object) -> None:
    text = staged_json.dumps(value)
    assert text == json.dumps(value, separators=(",", ":"))
    assert repr(staged_json.loads(text)) == repr(json.loads(text))


def test_nan_survives_staging_as_nan() -> None:
    """A source's NaN must reach normalisation as NaN (it holds the aircraft), not as null."""
    (value,) = staged_json.loads(staged_json.dumps([float("nan")]))
    assert isinstance(value, float) and math.isnan(value)


def test_numbers_beyond_a_float_read_as_json_reads_them() -> None:
    assert staged_json.loads("[1e400]") == [float("inf")]


def test_the_collector_is_paused_in_the_block_and_back_after_it() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("a failing step")
    assert gc.isenabled()


def test_a_collector_already_off_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
