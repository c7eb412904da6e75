"""What cannot be sent is held (safety rule 2): prices, currencies, passenger counts, text lengths
and the horizon, through the real activities suite, each finding naming activity and field."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from benchmarks.activity_records import Activity, check_columns
from pydantic import ValidationError

from aerosync.config.companies import Limits
from aerosync.models import Finding, Severity
from aerosync.quality.suites import load_suite_definition, validate_frames
from aerosync.schedule.checks import activity_checks, activity_frame
from aerosync.schedule.currencies import iso_4217_codes
from aerosync.schedule.value_checks import TEXT_LIMITS
from tests.conftest import NOW, make_company

pytestmark = pytest.mark.unit
WINDOW = {"marketing_start": NOW, "marketing_end": NOW + timedelta(days=1)}


def act(activity_id: str, start_h: float, **kw: Any) -> Activity:
    start = NOW + timedelta(hours=start_h)
    base = Activity(
        activity_id=activity_id,
        tail="N1",
        kind="PAX",
        activity_type="PassengerFlight",
        start_airport="KTEB",
        end_airport="KTEB",
        start=start,
        end=start + timedelta(hours=2),
    )
    return replace(base, **kw)


def offer(activity_id: str, start_h: float, **kw: Any) -> Activity:
    return act(activity_id, start_h, kind="EMPTY_LEG", **{**WINDOW, **kw})


def findings(activities: list[Activity], limits: Limits | None = None) -> list[Finding]:
    frame = activity_frame(check_columns({"N1": activities}))
    checks = activity_checks(frame, NOW, limits)
    report = validate_frames([("activities", checks, frame[["tail", "activity_id"]])])
    return report.findings()


def found(activities: list[Activity], limits: Limits | None = None) -> set[tuple[str, str, str]]:
    """(check column, activity id, field) of every blocking finding."""
    return {
        (f.code.removeprefix("activities."), str(f.activity_id), str(f.field))
        for f in findings(activities, limits)
        if f.severity is Severity.BLOCKING
    }


def test_sane_values_pass() -> None:
    clean = [
        act("P", -5, pax_count=0, note="n" * 2000, flight_number="SWY123"),
        offer("E", 1, price=18500.0, currency="USD", marketing_message="m" * 1000),
        offer("F", 5, price=0.0, currency="EUR", pax_count=500),
        offer("G", 9),  # an offer without a price needs no currency
    ]
    assert found(clean) == set()


@pytest.mark.parametrize(
    ("price", "check"),
    [
        (float("inf"), "price_finite"),
        (float("-inf"), "price_finite"),
        (float("nan"), "price_finite"),
        (-100.0, "price_not_negative"),
    ],
)
def test_a_price_that_cannot_be_right_holds_naming_activity_and_field(
    price: float, check: str
) -> None:
    blocking = found([act("P", -5), offer("BAD", 1, price=price, currency="USD"), act("OK", 4)])
    assert blocking == {(check, "BAD", "price")}


@pytest.mark.parametrize("currency", [None, "usd", "DOLLARS", "XXX", "ZZZ", ""])
def test_a_price_needs_an_iso_4217_currency(currency: str | None) -> None:
    blocking = found([offer("BAD", 1, price=100.0, currency=currency)])
    assert blocking == {("currency_iso_4217", "BAD", "currency")}


def test_a_currency_without_a_price_is_not_checked() -> None:
    assert found([offer("E", 1, currency="nonsense")]) == set()


def test_iso_4217_comes_from_pycountry() -> None:
    codes = iso_4217_codes()
    assert {"USD", "EUR", "CHF", "GBP", "JPY"} <= codes
    assert "XXX" not in codes and "ZZZ" not in codes


@pytest.mark.parametrize("pax", [-5, -1, 501, 10**20])
def test_a_passenger_count_out_of_range_holds(pax: int) -> None:
    blocking = found([act("P", -5, pax_count=4), act("BAD", 1, pax_count=pax)])
    assert blocking == {("pax_count_in_range", "BAD", "pax_count")}


def test_the_passenger_ceiling_is_the_companys() -> None:
    activities = [act("A", 1, pax_count=12), act("B", 4, pax_count=20)]
    assert found(activities, Limits(pax_max=12)) == {("pax_count_in_range", "B", "pax_count")}


@pytest.mark.parametrize(
    ("field", "limit"),
    [(field, limit) for field, limit in TEXT_LIMITS.values() if field != "activity_id"],
)
def test_text_over_its_limit_holds_naming_the_field(field: str, limit: str) -> None:
    allowed = getattr(Limits(), limit)
    kind: dict[str, Any] = {"kind": "EMPTY_LEG", **WINDOW} if field == "marketing_message" else {}
    fits = act("FITS", -5, **kind, **{field: "x" * allowed})
    over = act("OVER", 1, **kind, **{field: "x" * (allowed + 1)})
    assert found([fits, over]) == {(f"{_check(field)}", "OVER", field)}


def test_a_long_activity_id_holds() -> None:
    long_id = "L" * 101
    assert found([act("P", -5), act(long_id, 1)]) == {
        ("activity_id_within_limit", long_id, "activity_id")
    }


def test_a_2_mb_note_holds_and_a_smaller_limit_is_the_companys() -> None:
    note = "x" * 2_000_000
    assert found([act("BIG", 1, note=note)]) == {("note_within_limit", "BIG", "note")}
    assert found([act("N", 1, note="x" * 11)], Limits(note_max_chars=10)) == {
        ("note_within_limit", "N", "note")
    }


def test_a_start_beyond_the_horizon_is_a_warning_not_a_hold() -> None:
    far = act("FAR", 24 * 401)
    near = act("NEAR", 24 * 399)
    result = findings([near, far])
    horizon = [f for f in result if f.code == "activities.start_within_horizon"]
    assert [(f.activity_id, f.severity, f.field) for f in horizon] == [
        ("FAR", Severity.WARNING, "start")
    ]
    assert "FAR" in horizon[0].message and "horizon" in horizon[0].message
    assert not [f for f in result if f.severity is Severity.BLOCKING]
    shorter = findings([near], Limits(horizon_days=30))
    assert [f.activity_id for f in shorter if f.code == "activities.start_within_horizon"] == [
        "NEAR"
    ]


def test_the_message_names_the_activity() -> None:
    (finding,) = findings([offer("LEG-9", 1, price=-100.0, currency="USD")])
    assert "LEG-9" in finding.message and "negative" in finding.message.lower()
    assert finding.tail == "N1"


def test_every_new_check_declares_its_field_and_severity() -> None:
    by_column = {
        e["kwargs"]["column"]: {**e["meta"], "severity": e["severity"]}
        for e in load_suite_definition("activities")["expectations"]
    }
    new = {"price_finite", "price_not_negative", "currency_iso_4217", "pax_count_in_range"}
    for column in new | set(TEXT_LIMITS) | {"start_within_horizon"}:
        assert by_column[column]["field"], column
        assert by_column[column]["severity"] in ("critical", "warning"), column


def test_limits_are_per_company_with_defaults_and_refuse_unknown_keys() -> None:
    assert make_company().limits == Limits()
    assert Limits().pax_max == 500 and Limits().horizon_days == 400
    company = make_company(limits={"pax_max": 19, "note_max_chars": 500})
    assert company.limits.pax_max == 19 and company.limits.note_max_chars == 500
    with pytest.raises(ValidationError, match="unknown_limit"):
        make_company(limits={"unknown_limit": 1})
    with pytest.raises(ValidationError):
        make_company(limits={"pax_max": 0})


def _check(field: str) -> str:
    return next(check for check, (f, _) in TEXT_LIMITS.items() if f == field)
