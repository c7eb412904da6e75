"""The column-wise normaliser against the row-by-row one it replaced (`normalise_rowwise`).

On a generated fleet (daylight-saving changes, IATA/FAA/unknown airports, marketing windows over
5 days, shared services, renamed types) and on hypothesis-drawn broken rows mixed into it, both
must give the same activities, the same findings in the same order, the same expired count, the
same staged activity bodies byte for byte and the same check columns, or raise the same error.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from benchmarks.activity_records import activities_of, activity_body, check_columns, normalise
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aerosync.config.companies import CompanyConfig
from aerosync.models import DEFAULT_ACTIVITY_TYPES
from aerosync.schedule.checks import check_columns_of_normalised
from aerosync.schedule.normalise.activities import NormalisedFleet, normalise_columns
from aerosync.schedule.normalise.times import parse_time_column, parse_timestamp, to_us
from aerosync.schedule.normalise.values import columns_from_rows
from aerosync.schedule.payloads import activity_bodies_text
from tests.conftest import NOW, make_company
from tests.schedule.normalise import normalise_rowwise

pytestmark = pytest.mark.unit

COMPACT = (",", ":")
TAILS = ["N650SW", "G-LXWD", "N1PR", "D-IBIZ"]
ZONES = [UTC, *(ZoneInfo(z) for z in ("America/New_York", "Europe/London", "Australia/Sydney"))]
ZONES += [ZoneInfo("America/Santiago"), timezone(timedelta(hours=5, minutes=30))]
AIRPORTS = ["KTEB", "TEB", "LHR", "egll", " KPBI ", "JFK", "4A7", "ZZZZ", "LFPB", "X1"]
KINDS = [*sorted(DEFAULT_ACTIVITY_TYPES), "pax", " Empty_Leg "]
REGULATIONS = [None, "135", "Part 91K", "PART_135", "EU-OPS CAT", "charter-ish", "", " 604 "]
COLUMNS = (
    "activity_id", "tail", "activity_kind", "external_trip_id", "avinode_trip_id",
    "flight_number", "start_airport", "end_airport", "start_time", "end_time", "pax_count",
    "note", "flight_regulation", "market_from", "market_to", "price", "currency",
    "marketing_message", "verified_by",
)  # fmt: skip


def _time_text(rng: random.Random, moment: datetime) -> Any:
    """The ways sources write a time: offset text, `Z`, fractions, a driver's datetime."""
    local = moment.astimezone(rng.choice(ZONES))
    style = rng.randrange(6)
    if style == 0:
        return local.isoformat().replace("+00:00", "Z")
    if style == 1:
        return local.replace(microsecond=rng.randrange(1_000_000)).isoformat()
    if style == 2:
        return local.isoformat(timespec="milliseconds")
    if style == 3:
        return local  # PostgreSQL's timestamptz through a driver
    return local.isoformat()


def generated_fleet(seed: int, per_aircraft: int = 40) -> tuple[list[dict[str, Any]], ...]:
    """Aircraft, activity and service rows; some activities ended more than 30 days ago, some
    share their times with another (the id decides their order), some are not marketed."""
    rng = random.Random(seed)
    aircraft = [{"aircraft_id": f"A{i}", "tail": t, "homebase": "TEB"} for i, t in enumerate(TAILS)]
    rows: list[dict[str, Any]] = []
    services: list[dict[str, Any]] = []
    for tail in [*TAILS, "N999XX"]:
        clock = NOW - timedelta(days=rng.randint(28, 45), minutes=5 * rng.randrange(288))
        for number in range(per_aircraft):
            start = clock + timedelta(minutes=5 * rng.randrange(200))
            end = start + timedelta(minutes=5 * rng.randint(-2, 600))
            kind = rng.choice(KINDS)
            row = dict.fromkeys(COLUMNS)
            row.update(
                activity_id=f"{tail}-{rng.randrange(per_aircraft * 2):04d}",
                tail=rng.choice([tail, tail, f" {tail} "]),
                activity_kind=kind,
                external_trip_id=rng.choice([None, f"T-{number // 3}"]),
                avinode_trip_id=rng.choice([None, None, f"AT-{number}"]),
                flight_number=rng.choice([None, "", "AB123"]),
                start_airport=rng.choice(AIRPORTS),
                end_airport=rng.choice(AIRPORTS),
                start_time=_time_text(rng, start),
                end_time=_time_text(rng, end),
                pax_count=rng.choice([None, 0, 4, 12]),
                note=rng.choice([None, "", "VIP — caviar", "line\nbreak"]),
                flight_regulation=rng.choice(REGULATIONS),
            )
            if rng.random() < 0.4:
                market_to = start - timedelta(hours=rng.randint(0, 3))
                market_from = market_to - timedelta(hours=rng.randint(1, 200))
                row.update(
                    market_from=_time_text(rng, market_from),
                    market_to=rng.choice([_time_text(rng, market_to), None]),
                    price=rng.choice([None, 12500, 9999.5, "4000"]),
                    currency=rng.choice([None, "USD", ""]),
                    marketing_message=rng.choice([None, "One-way deal"]),
                    verified_by=rng.choice([None, "ops", " "]),
                )
            rows.append(row)
            if rng.random() < 0.1:  # the same times again: the id decides, then source order
                rows.append({**row, "activity_id": rng.choice([row["activity_id"], f"{tail}-0"])})
            if rng.random() < 0.15:
                services.append(
                    {
                        "activity_id": row["activity_id"],
                        "provider_id": f"P{number}",
                        "provider_name": "Signature",
                        "airport": rng.choice(AIRPORTS),
                        "service_type": "FBO",
                        "service_for": "ALL",
                        "data_source": "UNIVERSAL",
                        "note": rng.choice([None, "24h"]),
                    }
                )
            if rng.random() > 0.1:  # now and then the next one starts at the same moment
                clock = end
    rng.shuffle(rows)
    return aircraft, rows, services


def outcome(run: Callable[[], Any]) -> Any:
    try:
        return run()
    except Exception as exc:  # both must fail the same way
        return ("raised", type(exc), str(exc))


def staged(fleet: NormalisedFleet) -> tuple[dict[str, str], str]:
    checks = json.dumps(check_columns_of_normalised(fleet.columns), separators=COMPACT)
    return activity_bodies_text(fleet.aircraft, fleet.columns), checks


def expected_staged(fleet: normalise_rowwise.NormalisedFleet) -> tuple[dict[str, str], str]:
    bodies = {
        tail: json.dumps([activity_body(a) for a in activities], separators=COMPACT)
        for tail, activities in fleet.activities.items()
    }
    return bodies, json.dumps(check_columns(fleet.activities), separators=COMPACT)


def records(fleet: Any) -> Any:
    """Each tail's activity records: the row-by-row normaliser keeps them as it builds them."""
    if isinstance(fleet, normalise_rowwise.NormalisedFleet):
        return fleet.activities
    return activities_of(fleet)


def summary(fleet: Any, staged_by: Callable[[Any], Any]) -> Any:
    return (
        repr(fleet.aircraft),
        # repr: types too (12500.0, not 12500) and NaN prices; times as text (a driver's
        # datetime may carry fold=1, which means nothing in UTC)
        repr({tail: [a.to_dict() for a in acts] for tail, acts in records(fleet).items()}),
        fleet.findings,
        fleet.expired,
        fleet.blocking_tails(),
        staged_by(fleet),
    )


def assert_same(
    company: CompanyConfig,
    aircraft: list[dict[str, Any]],
    rows: list[dict[str, Any]],
    services: list[dict[str, Any]],
) -> None:
    expected = outcome(
        lambda: summary(
            normalise_rowwise.normalise(company, aircraft, rows, services, NOW), expected_staged
        )
    )
    actual = outcome(lambda: summary(normalise(company, aircraft, rows, services, NOW), staged))
    assert actual == expected
    # As the pipeline stages it: columns through JSON (when the values are JSON values).
    try:
        columns_text = json.dumps(columns_from_rows(rows))
        rows_text = json.dumps(rows)
    except TypeError:  # a driver's datetime
        return
    from_json = outcome(
        lambda: summary(
            normalise_columns(company, aircraft, json.loads(columns_text), services, NOW), staged
        )
    )
    expected_json = outcome(
        lambda: summary(
            normalise_rowwise.normalise(company, aircraft, json.loads(rows_text), services, NOW),
            expected_staged,
        )
    )
    assert from_json == expected_json


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("share_services", [False, True])
def test_a_generated_fleet_normalises_as_row_by_row(seed: int, share_services: bool) -> None:
    company = make_company(
        share_services=share_services, activity_types={"PAX": "CharterFlight", "AOG": "Grounded"}
    )
    aircraft, rows, services = generated_fleet(seed)
    fleet = normalise(company, aircraft, rows, services, NOW)
    assert fleet.count > 100 and fleet.expired > 0  # the fleet exercises what it should
    assert {f.code for f in fleet.findings} >= {"REGULATION_UNKNOWN", "AIRCRAFT_NOT_MARKETED"}
    assert_same(company, aircraft, rows, services)


def test_an_empty_extract() -> None:
    assert_same(make_company(), [], [], [])
    assert_same(make_company(), [{"aircraft_id": "A", "tail": "N1", "homebase": "X"}], [], [])


# Values as broken as a source can hold them, next to good ones.
AWARE = st.datetimes(
    min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.sampled_from(ZONES)
)
NAIVE = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31))
SHAPED = st.from_regex(
    r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6})?(Z|[+-]\d\d:\d\d)", fullmatch=True
)
ODD_TIMES = [
    "", " ", "2026-02-30T10:00:00Z", "2026-11-25T09:05:00+00:00 ", " 2026-11-25T09:05:00Z",
    "2026-11-25T24:00:00Z", "2026-11-25T09:05:60Z", "2026-11-25T09:05:00+02:75",
    "2026-11-25 09:05:00+00:00", "2026-11-25T09:05:00+02:00\x00", "2026-11-25t09:05:00Z",
    "0999-12-31T23:00:00-05:00", "9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+05:00",
    "2026-11-25T09:05+01:00", "2026-11-25T09:05:00.1234567+01:00", "20261125T090500Z",
]  # fmt: skip
TIMES = st.one_of(
    AWARE.map(lambda d: d.isoformat()),
    AWARE.map(lambda d: d.isoformat(timespec="milliseconds")),
    AWARE.map(lambda d: d.astimezone(UTC).isoformat().replace("+00:00", "Z")),
    AWARE,
    NAIVE.map(lambda d: d.isoformat()),
    NAIVE,
    SHAPED,
    st.sampled_from(ODD_TIMES),
    st.text(max_size=30),
    st.none(),
    st.integers(),
    st.floats(),
)
TEXTS = st.one_of(st.none(), st.sampled_from(["", "  "]), st.text(max_size=12), st.integers())
NUMBERS = st.one_of(
    st.none(),
    st.integers(-10, 10**6),
    st.floats(),
    st.sampled_from(["4", " 7 ", "x", "4.5", True, 10**400]),
)
ANY_ROW = {
    "activity_id": st.one_of(TEXTS, st.sampled_from(["N650SW-0001", " dup "])),
    "tail": st.one_of(st.sampled_from([*TAILS, " N1PR ", "N999XX"]), TEXTS),
    "activity_kind": st.one_of(st.sampled_from(KINDS), TEXTS),
    "start_airport": st.one_of(st.sampled_from(AIRPORTS), TEXTS),
    "end_airport": st.one_of(st.sampled_from(AIRPORTS), TEXTS),
    "start_time": TIMES,
    "end_time": TIMES,
    "pax_count": NUMBERS,
    "flight_regulation": st.one_of(st.sampled_from(REGULATIONS), TEXTS),
    "market_from": TIMES,
    "market_to": TIMES,
    "price": NUMBERS,
    "verified_by": TEXTS,
    "note": TEXTS,
    "flight_number": TEXTS,
    "external_trip_id": TEXTS,
    "currency": TEXTS,
    "marketing_message": TEXTS,
    "source": TEXTS,
}
GOOD_TIME = AWARE.filter(lambda d: d.year > 1900).map(lambda d: d.isoformat())
GOOD_ROW = st.fixed_dictionaries(
    {
        "activity_id": st.sampled_from(["B-1", "B-2", "N650SW-0003"]),
        "tail": st.sampled_from(TAILS),
        "activity_kind": st.sampled_from(KINDS),
        "start_airport": st.sampled_from(AIRPORTS),
        "end_airport": st.sampled_from(AIRPORTS),
        "start_time": GOOD_TIME,
        "end_time": GOOD_TIME,
        "market_from": st.one_of(st.none(), GOOD_TIME),
        "market_to": st.one_of(st.none(), GOOD_TIME),
        "price": st.sampled_from([None, 100, 99.5]),
    }
)


@st.composite
def broken_rows(draw: st.DrawFn) -> dict[str, Any]:
    """A good row with one to four fields broken (the usual case), or anything at all."""
    if draw(st.booleans()):
        columns = draw(st.lists(st.sampled_from(sorted(ANY_ROW)), min_size=1, max_size=4))
        return {**draw(GOOD_ROW), **{c: draw(ANY_ROW[c]) for c in columns}}
    keys = draw(st.sets(st.sampled_from(sorted(ANY_ROW)), min_size=len(ANY_ROW) - 4))
    return {c: draw(ANY_ROW[c]) for c in sorted(keys)}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    broken=st.lists(st.tuples(st.integers(0, 400), broken_rows()), min_size=1, max_size=6),
    seed=st.integers(0, 3),
    share_services=st.booleans(),
)
def test_broken_rows_are_reported_as_row_by_row(
    broken: list[tuple[int, dict[str, Any]]], seed: int, share_services: bool
) -> None:
    aircraft, rows, services = generated_fleet(seed, per_aircraft=15)
    for position, row in broken:
        rows.insert(position % (len(rows) + 1), row)
    assert_same(make_company(share_services=share_services), aircraft, rows, services)


@settings(max_examples=300, deadline=None)
@given(values=st.lists(TIMES, max_size=20), optional=st.booleans())
def test_a_time_column_reads_each_value_as_parse_timestamp(
    values: list[Any], optional: bool
) -> None:
    column = parse_time_column(values, "start_time", optional=optional)
    for row, value in enumerate(values):
        if optional and (value is None or (isinstance(value, str) and not value.strip())):
            assert not column.given[row] and column.at(row) is None
            assert row not in column.failures
            continue
        assert column.given[row]
        expected = outcome(lambda v=value: to_us(parse_timestamp(v, "start_time")))
        failure = column.failures.get(row)
        actual = column.at(row) if failure is None else ("raised", type(failure), str(failure))
        assert actual == expected, value


def _row(**overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(COLUMNS)
    row.update(
        activity_id="X-1",
        tail="N650SW",
        activity_kind="EMPTY_LEG",
        start_airport="TEB",
        end_airport="KPBI",
        start_time="2026-11-25T09:05:00-05:00",
        end_time="2026-11-25T11:50:00-05:00",
    )
    row.update(overrides)
    return row


OLD = {"start_time": "2026-10-01T09:00:00Z", "end_time": "2026-10-01T10:00:00Z"}
WEEK = {"market_from": "2026-11-10T00:00:00Z", "market_to": "2026-11-25T09:00:00-05:00"}


@pytest.mark.parametrize(
    "overrides",
    [
        {"market_from": "soon", "market_to": "later"},
        {"market_from": "soon", "market_to": "2026-11-25T00:00:00Z"},
        {"market_from": "2026-11-24T00:00:00", "market_to": "later"},
        {"activity_kind": "PAX", "market_from": None, "market_to": "later"},
        {"activity_kind": "PAX", "market_from": " ", "market_to": "2026-11-25T00:00:00Z"},
        {"activity_kind": "PAX", "market_from": "2026-11-24T00:00:00Z", "market_to": "later"},
        {"activity_kind": "PAX", "market_from": "soon", "flight_regulation": "charter-ish"},
        {**WEEK, "price": "x", "flight_regulation": "charter-ish"},
        {**WEEK, "price": "12.5", "verified_by": " "},
        {**WEEK, **OLD, "flight_regulation": "charter-ish"},
        {**WEEK, **OLD, "price": "x"},
        {**OLD, "tail": "N999XX", "flight_regulation": "x"},
        {"tail": "N999XX", "flight_regulation": "charter-ish", "market_from": "soon"},
        {"start_time": "2026-11-25T09:05:00", "pax_count": "x", "market_from": "soon"},
        {"pax_count": "x", "market_from": "soon"},
        {"pax_count": float("nan")},
        {"pax_count": float("inf"), "market_from": "soon"},
        {"pax_count": float("inf"), "start_airport": " "},
        {"start_time": "0001-01-01T00:00:00+05:00"},
        {"start_time": "0001-01-01T00:00:00+05:00", "end_time": "soon"},
        {"end_time": "0001-01-01T00:00:00+05:00", "start_time": "soon"},
        {"price": 10**400, **WEEK},
        {"activity_kind": "TAXI", "start_time": "soon", "tail": None},
        {"activity_kind": None, "tail": " ", "activity_id": ""},
        {"start_time": datetime(2026, 11, 25, 9, 5), "end_time": datetime(2026, 11, 25, 9, 6)},
        {"end_time": "2026-11-25T08:00:00-05:00"},
        {"start_time": "2026-11-25T14:05:00.000001Z", "end_time": "2026-11-25T14:05:00Z"},
    ],
)
def test_the_first_problem_of_a_row_is_the_one_it_reports(overrides: dict[str, Any]) -> None:
    aircraft, rows, services = generated_fleet(1, per_aircraft=5)
    broken = _row(**overrides)
    for company in (make_company(), make_company(share_services=True)):
        assert_same(company, aircraft, [*rows, broken, _row(activity_id="X-2")], services)
        assert_same(company, aircraft, [broken], [])


@pytest.mark.parametrize(
    ("overrides", "column"),
    [
        ({"pax_count": float("inf")}, "pax_count"),
        ({"price": 10**400, **WEEK}, "price"),
        ({"start_time": "0001-01-01T00:00:00+05:00"}, "start_time"),
    ],
)
def test_a_value_python_cannot_represent_holds_its_aircraft_not_the_run(
    overrides: dict[str, Any], column: str
) -> None:
    """Safety rule 6: one aircraft's bad row never stops the company's other aircraft."""
    aircraft = [
        {"aircraft_id": "A1", "tail": "N650SW", "homebase": "KTEB"},
        {"aircraft_id": "A2", "tail": "N77XJ", "homebase": "KTEB"},
    ]
    good = _row(activity_id="OK-1", tail="N77XJ", activity_kind="PAX")
    fleet = normalise(make_company(), aircraft, [_row(**overrides), good], [], NOW)
    (finding,) = [f for f in fleet.findings if f.code == "ROW_INVALID"]
    assert finding.tail == "N650SW" and finding.activity_id == "X-1"
    assert finding.severity == "blocking" and finding.field in (column, "row")
    assert fleet.blocking_tails() == {"N650SW"}
    assert [a.activity_id for a in activities_of(fleet)["N77XJ"]] == ["OK-1"]
