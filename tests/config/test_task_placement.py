"""A company's queue, pool and priority (and its crew sync's own) in the companies file."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tests.conftest import make_company

pytestmark = pytest.mark.unit
RECORDS = {"hris": {"csv": "/drops/hris"}}


def test_unset_means_airflow_defaults() -> None:
    company = make_company()
    assert company.task_placement() == {"priority_weight": 1}
    assert company.crew_task_placement() == {"priority_weight": 1}


def test_the_crew_sync_has_its_own_or_the_company_s() -> None:
    company = make_company(
        queue="fms_east",
        pool="east_pool",
        priority_weight=5,
        training={"records": {**RECORDS, "queue": "crew", "priority_weight": 2}},
    )
    assert company.task_placement() == {
        "queue": "fms_east",
        "pool": "east_pool",
        "priority_weight": 5,
    }
    assert company.crew_task_placement() == {
        "queue": "crew",
        "pool": "east_pool",
        "priority_weight": 2,
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [("queue", "east,west"), ("queue", "with space"), ("queue", ""), ("pool", ""),
     ("priority_weight", 0)],
)  # fmt: skip
def test_a_bad_value_names_its_field(field: str, value: object) -> None:
    with pytest.raises(ValidationError) as caught:
        make_company(**{field: value})
    assert field in str(caught.value)


def test_unknown_keys_stay_refused() -> None:
    with pytest.raises(ValidationError, match="queues"):
        make_company(queues=["a"])
