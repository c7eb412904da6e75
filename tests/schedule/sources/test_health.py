"""Which aircraft a failed source holds."""

from __future__ import annotations

import pytest

from aerosync.schedule.sources.health import (
    FailedSource,
    failed_sources,
    failures_by_tail,
    messages,
)

pytestmark = pytest.mark.unit


def test_the_fms_holds_every_aircraft_an_lms_only_those_it_covers() -> None:
    fms = FailedSource("fms", "FMS down")
    lms = FailedSource("lms", "LMS down", ("N2", "N3"))
    assert failures_by_tail([lms], ["N1", "N2"]) == {"N2": "LMS down"}
    assert failures_by_tail([fms, lms], ["N1", "N2"]) == {
        "N1": "FMS down",
        "N2": "FMS down; LMS down",
    }
    assert failures_by_tail([], ["N1"]) == {}


def test_staged_forms_round_trip_and_a_bare_message_feeds_everyone() -> None:
    staged = {"fms": "FMS down", "lms": FailedSource("lms", "stale", ("N1",)).to_dict()}
    read = failed_sources(staged)
    assert read["fms"].covers("ANY") and read["lms"].covers("N1") and not read["lms"].covers("N2")
    assert messages(staged) == {"fms": "FMS down", "lms": "stale"}
