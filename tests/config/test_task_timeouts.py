"""The execution timeout of every task comes from the companies file, within sane bounds."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from aerosync.config.training import RecordsSync
from tests.conftest import make_company

pytestmark = pytest.mark.unit


def test_defaults_bound_every_task() -> None:
    assert make_company().task_timeout == timedelta(minutes=30)
    assert RecordsSync(hris={"csv": "/tmp/hris"}).task_timeout_minutes == 60


@pytest.mark.parametrize("minutes", [0, -5, 24 * 60 + 1])
def test_a_timeout_out_of_bounds_is_refused_naming_the_field(minutes: int) -> None:
    with pytest.raises(ValidationError, match="task_timeout_minutes"):
        make_company(task_timeout_minutes=minutes)
    with pytest.raises(ValidationError, match="task_timeout_minutes"):
        RecordsSync(hris={"csv": "/tmp/hris"}, task_timeout_minutes=minutes)
