"""The FMS extract read column by column: the same values a row-by-row read gives."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from aerosync.schedule.normalise.values import append_rows, columns_from_rows
from aerosync.schedule.sources.fms import _columns, json_safe

pytestmark = pytest.mark.unit


def test_append_rows_is_columns_from_rows_of_all_rows() -> None:
    fms = [{"activity_id": "A1", "tail": "N1", "note": None}, {"activity_id": "A2", "tail": "N1"}]
    lms = [{"activity_id": "T1", "tail": "N2", "source": "lms"}, {"tail": "N3"}]
    assert append_rows(columns_from_rows(fms), lms) == columns_from_rows(fms + lms)
    assert append_rows(columns_from_rows(fms), []) == columns_from_rows(fms)
    assert append_rows({}, lms) == columns_from_rows(lms)
    assert append_rows({"tail": [], "note": []}, lms)["note"] == [None, None]


def test_columns_convert_only_what_is_not_json_safe_as_read(monkeypatch: Any) -> None:
    """A driver that returns times and decimals (psycopg2 does) gets them converted exactly as
    `json_safe` does per value; text, numbers and None are taken as read."""
    moments = [datetime(2026, 3, 29, 1, 30, tzinfo=timezone(timedelta(hours=1))), None]
    rows = [
        ("A1", moments[0], Decimal("12.50"), 3, float("nan"), date(2026, 1, 2)),
        ("A2", moments[1], None, None, 1.5, None),
    ]
    engine = sa.create_engine("sqlite://")

    class FakeResult:  # a fault sqlite cannot cause: a driver returning datetime and Decimal
        def keys(self) -> list[str]:
            return ["activity_id", "start", "price", "pax", "ratio", "day"]

        def all(self) -> list[tuple[Any, ...]]:
            return rows

    with engine.connect() as conn:
        monkeypatch.setattr(conn, "execute", lambda *_a, **_k: FakeResult())
        columns = _columns(conn, "reference", "activities", {})
    expected = {
        name: [json_safe(row[i]) for row in rows] for i, name in enumerate(FakeResult().keys())
    }
    assert columns["start"] == ["2026-03-29T01:30:00+01:00", None]
    assert columns["price"] == [12.5, None]
    assert columns["day"] == ["2026-01-02", None]
    assert columns["activity_id"] == expected["activity_id"]
    assert columns["pax"] == [3, None]
    assert columns["ratio"][1] == 1.5 and columns["ratio"][0] != columns["ratio"][0]  # NaN kept
    assert {k: v for k, v in columns.items() if k != "ratio"} == {
        k: v for k, v in expected.items() if k != "ratio"
    }


def test_columns_of_an_empty_result_keep_the_names() -> None:
    engine = sa.create_engine("sqlite://")
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "CREATE TABLE aircraft (aircraft_id TEXT, tail_number TEXT, homebase TEXT, "
            "marketed INTEGER)"
        )
    with engine.connect() as conn:
        columns = _columns(conn, "reference", "aircraft", {})
    assert columns == {"aircraft_id": [], "tail": [], "homebase": []}


def test_plain_columns_are_copied_in_order_value_for_value() -> None:
    import math
    import uuid

    from aerosync.schedule.normalise.values import plain_in_order

    driver = [f"N{n}" * 3 for n in range(5)]  # text built one by one, as a driver does
    values: list[Any] = [*driver, 7, 2**63 - 1, -(2**63), 1.5, -0.0, float("inf"), True, None]
    copied = plain_in_order([*values, float("nan")])
    assert copied is not None
    assert copied[:-1] == values and math.isnan(copied[-1])
    assert [type(v) for v in copied[:-1]] == [type(v) for v in values]  # True stays a bool
    assert math.copysign(1, copied[values.index(-0.0)]) == -1
    assert all(c is not v for c, v in zip(copied, driver, strict=False))  # new objects, in order
    # What msgpack cannot hold leaves the column as it was; anything not plain is the caller's.
    huge, surrogate = [1, 2**64], ["ok", "\ud800"]
    assert plain_in_order(huge) is huge and plain_in_order(surrogate) is surrogate
    assert plain_in_order(["a", uuid.UUID(int=1)]) is None
    assert plain_in_order([]) == []
