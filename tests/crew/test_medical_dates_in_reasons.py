"""A medical's dates are personal data: a reason for refusing a MEDICAL qualification names the
field and the rule, never the dates (reasons reach the Crew sync page, alerts and XCom)."""

from __future__ import annotations

import pytest

from aerosync.crew.checks import details
from aerosync.crew.mapping import Mapped, map_qualification

pytestmark = pytest.mark.unit


def _row(qualification: str) -> Mapped:
    raw = {
        "employee_id": "E001",
        "qualification": qualification,
        "issued_on": "2026-03-14",
        "expires_on": "2025-03-13",
    }
    return map_qualification(raw, "qualifications.csv line 2")


@pytest.mark.parametrize("column", ["expiry_after_issue", "key_unique"])
def test_a_medicals_dates_are_not_in_its_reason(column: str) -> None:
    field, reason = details(column, _row("MEDICAL"))
    assert "2026-03-14" not in reason and "2025-03-13" not in reason
    assert "<medical date>" in reason and field in ("expires_on", None)


def test_other_qualifications_keep_their_dates_in_the_reason() -> None:
    _, reason = details("expiry_after_issue", _row("LINE_CHECK"))
    assert "2025-03-13 is before issue 2026-03-14" in reason
