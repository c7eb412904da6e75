"""The roster's configuration: exactly one transport, and its own retention period."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from aerosync.config.training import RecordsSync, RosterSource

pytestmark = pytest.mark.unit


def test_the_roster_needs_exactly_one_transport() -> None:
    assert RosterSource(xml="s3://crew/roster/").retention_days == 2 * 366
    roster = RosterSource(csv="/drops/roster.csv", retention_days=400)
    assert RecordsSync(roster=roster).source_retention_days() == {"roster": 400, "flights": 732}
    for wrong in ({}, {"xml": "/a", "csv": "/b"}):
        with pytest.raises(ValidationError, match="exactly one transport"):
            RosterSource(**wrong)
    with pytest.raises(ValidationError, match="Extra inputs"):
        RosterSource(xml="/a", rest={"conn_id": "cms", "endpoint": "roster"})  # type: ignore[call-arg]
