"""Empty-leg marketing offers, column by column: window, clipping, verification and price.

Only rows that carry a marketing time reach the per-row logic below, a few percent of a fleet's
activities; every other row has no offer and nothing to report about one.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aerosync.schedule.normalise.rows import MARKETING, RowReport
from aerosync.schedule.normalise.times import (
    MICROSECOND,
    TimeColumn,
    from_us,
    parse_time_column,
    to_us,
)
from aerosync.schedule.normalise.values import RowError, text

MARKETING_WINDOW = timedelta(days=5)
_WINDOW_US = MARKETING_WINDOW // MICROSECOND


@dataclass
class MarketingColumns:
    """The marketing fields of every row, None where a row has no offer to send."""

    price: list[float | None]
    currency: list[str | None]
    marketing_start: list[int | None]
    marketing_end: list[int | None]
    marketing_verified: list[bool | None]
    marketing_message: list[str | None]

    @classmethod
    def empty(cls, count: int) -> MarketingColumns:
        none: list[Any] = [None] * count
        return cls(*(list(none) for _ in range(6)))

    def by_field(self) -> dict[str, list[Any]]:
        return dict(vars(self))


def read_marketing(
    column: Callable[[str], Sequence[Any]], kinds: Sequence[str | None], report: RowReport
) -> MarketingColumns:
    """Offers of the rows that are activities so far (no error in `report`): sent for empty
    legs, windows over 5 days cut to their last 5 days; an offer on another kind is reported."""
    import numpy as np

    market_from = parse_time_column(column("market_from"), "market_from", optional=True)
    market_to = parse_time_column(column("market_to"), "market_to", optional=True)
    result = MarketingColumns.empty(len(kinds))
    prices, currencies = column("price"), column("currency")
    verifiers, messages = column("verified_by"), column("marketing_message")
    for row in np.flatnonzero(market_from.given | market_to.given).tolist():
        if row in report.errors:
            continue
        if kinds[row] != "EMPTY_LEG":
            _not_an_empty_leg(row, kinds[row], market_from, market_to, report)
            continue
        for times in (market_from, market_to):
            if row in times.failures:
                report.fail(row, times.failures[row])
                break
        else:
            start, end = market_from.at(row), market_to.at(row)
            if start is None or end is None:
                continue
            if end - start > _WINDOW_US:
                start = _clipped(row, start, end, report)
            try:
                price = offer_price(prices[row])
            except Exception as exc:  # the row's error, reported as the row's
                report.fail(row, exc)
                continue
            result.price[row] = price
            result.currency[row] = text(currencies[row])
            result.marketing_start[row] = start
            result.marketing_end[row] = end
            result.marketing_verified[row] = text(verifiers[row]) is not None
            result.marketing_message[row] = text(messages[row])
    return result


def _not_an_empty_leg(
    row: int, kind: str | None, market_from: TimeColumn, market_to: TimeColumn, report: RowReport
) -> None:
    # The first time given decides, as `market_from or market_to` would.
    times = market_from if market_from.given[row] else market_to
    if row in times.failures:
        report.fail(row, times.failures[row])
        return
    report.note(
        row,
        MARKETING,
        "MARKETING_NOT_EMPTY_LEG",
        f"activity {report.ids[row]} is a {kind}, not an empty leg: its marketing offer is not "
        "sent",
        "market_from",
    )


def _clipped(row: int, start: int, end: int, report: RowReport) -> int:
    first, last = from_us(start), from_us(end)
    report.note(
        row,
        MARKETING,
        "MARKETING_WINDOW_CLIPPED",
        f"activity {report.ids[row]}: marketing window {first:%Y-%m-%d %H:%M} to "
        f"{last:%Y-%m-%d %H:%M} UTC is longer than 5 days; sent as its last 5 days",
        "market_from",
    )
    return to_us(last - MARKETING_WINDOW)  # as the datetime arithmetic would, overflow included


def offer_price(value: Any) -> float | None:
    """The offer's price as a number. One that is not finite (an FMS may store Infinity or NaN)
    cannot be written in a `PUT /schedules` body at all: its row is refused here, before any body
    is built, and holds its aircraft."""
    if value is None:
        return None
    try:
        price = float(value)
    except (TypeError, ValueError, OverflowError):
        raise RowError("price", f"price {value!r:.40} is not a number") from None
    if not math.isfinite(price):
        raise RowError("price", f"price {price} is not a finite number")
    return price
