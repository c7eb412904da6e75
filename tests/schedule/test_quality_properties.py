"""Property: whatever broken rows the FMS holds, a run never crashes, the aircraft held are exactly
the ones with a broken row, and every other aircraft uploads. Real pipeline, real GX, the sandbox
over HTTP; hypothesis picks the fleet, the breakage and harmless noise around it."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aerosync.models import DEFAULT_ACTIVITY_TYPES
from aerosync.sandbox.server import SandboxServer, SandboxState
from tests.schedule.test_quality_gate import API, AUTH, NOW, Gate, outcomes

pytestmark = pytest.mark.integration


def _is_offset_iso(text: str) -> bool:
    try:
        return datetime.fromisoformat(text).tzinfo is not None
    except ValueError:
        return False


# Each breakage is a function of (hypothesis-drawn value) -> leg column overrides that must hold
# the aircraft. The values are arbitrary; only their kind of wrongness is fixed.
BREAKAGES: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "unparseable start": st.text(max_size=30)
    .filter(lambda t: not _is_offset_iso(t))
    .map(lambda t: {"off_block": t}),
    # Within the history window: a naive time from months ago is history, rightly cut.
    "start without offset": st.datetimes(
        min_value=NOW.replace(tzinfo=None) - timedelta(days=5),
        max_value=NOW.replace(tzinfo=None) + timedelta(days=60),
    ).map(lambda d: {"off_block": d.isoformat()}),
    "end before start": st.integers(1, 60 * 24 * 40).map(
        lambda m: {"on_block": (NOW + timedelta(days=2) - timedelta(minutes=m)).isoformat()}
    ),
    "missing airport": st.sampled_from(["", " ", "\t"]).map(lambda a: {"departure_airport": a}),
    "unknown kind": st.text(min_size=1, max_size=12)
    .filter(lambda k: k.strip().upper() not in DEFAULT_ACTIVITY_TYPES)
    .map(lambda k: {"leg_kind": k}),
    "implausible duration": st.floats(21, 2000).map(lambda h: {"hours": h}),
}

# Harmless noise: arbitrary free text where free text is allowed; never a reason to hold.
NOISE = st.fixed_dictionaries(
    {},
    optional={
        "note": st.text(max_size=80),
        "flight_number": st.text(max_size=10),
        "pax_count": st.integers(0, 19),
    },
)


@st.composite
def fleets(draw: st.DrawFn) -> tuple[int, dict[int, tuple[str, dict[str, Any]]], list[dict]]:
    size = draw(st.integers(2, 4))
    broken = draw(st.sets(st.integers(0, size - 1), max_size=size))
    breakage = {
        index: (name := draw(st.sampled_from(sorted(BREAKAGES))), draw(BREAKAGES[name]))
        for index in sorted(broken)
    }
    noise = [draw(NOISE) for _ in range(size * 3)]
    return size, breakage, noise


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(port=0, state=SandboxState(accounts=[("gate", AUTH, API)])) as server:
        yield server


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(fleet=fleets())
def test_held_aircraft_are_exactly_the_broken_ones(
    sandbox: SandboxServer,
    fleet: tuple[int, dict[int, tuple[str, dict[str, Any]]], list[dict[str, Any]]],
) -> None:
    size, breakage, noise = fleet
    with tempfile.TemporaryDirectory() as tmp:
        gate = Gate(Path(tmp), sandbox)
        tails = [f"N{i}PR" for i in range(size)]
        for index, tail in enumerate(tails):
            gate.fms.aircraft(tail)
            for leg in range(3):
                gate.fms.leg(
                    f"{tail}-L{leg}", tail, NOW + timedelta(hours=6 * leg - 12), **noise.pop()
                )
            if index in breakage:
                overrides = dict(breakage[index][1])
                hours = overrides.pop("hours", 2)
                start = overrides.pop("off_block", NOW + timedelta(days=2))
                gate.fms.leg(f"{tail}-BAD", tail, start, hours=hours, **overrides)
        summary = gate.run()  # never raises, whatever the rows hold

        expected = {
            tail: "held" if index in breakage else "uploaded" for index, tail in enumerate(tails)
        }
        assert outcomes(summary) == expected, {t: breakage.get(i) for i, t in enumerate(tails)}
        for index, tail in enumerate(tails):
            sent = gate.requests_for(tail)
            assert len(sent) == (0 if index in breakage else 1)
            if index in breakage:
                (record,) = [r for r in summary.records if r.tail == tail]
                assert any(f"{tail}-BAD" in str(r.get("message")) for r in record.reasons)
