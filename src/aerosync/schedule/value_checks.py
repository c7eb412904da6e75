"""The value checks: what the body carries as it is and the marketplace may refuse (prices,
currencies, passenger counts, text lengths), computed as numbers beside the activity frame
(`checks.activity_frame`) so that the text itself never enters it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from aerosync.config.companies import Limits
from aerosync.schedule.currencies import iso_4217_codes

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

# Values the body carries as they are, checked as numbers (`value_inputs`), never framed as text.
VALUE_COLUMNS = (
    "price", "currency", "pax_count", "note", "marketing_message", "flight_number",
    "flight_regulations_description", "external_trip_id", "trip_id",
)  # fmt: skip
# Text fields of the body with a length limit (`Limits`): check column -> (field, limit's name).
TEXT_LIMITS = {
    "note_within_limit": ("note", "note_max_chars"),
    "marketing_message_within_limit": ("marketing_message", "marketing_message_max_chars"),
    "flight_number_within_limit": ("flight_number", "flight_number_max_chars"),
    "regulations_description_within_limit": (
        "flight_regulations_description", "regulations_description_max_chars",
    ),
    "activity_id_within_limit": ("activity_id", "id_max_chars"),
    "external_trip_id_within_limit": ("external_trip_id", "id_max_chars"),
    "trip_id_within_limit": ("trip_id", "id_max_chars"),
}  # fmt: skip


def value_inputs(columns: Mapping[str, Sequence[Any]]) -> dict[str, np.ndarray]:
    """What the value checks compare, as numbers: the price (NaN for none) and whether one is
    given, whether a priced offer's currency is ISO 4217, the passenger count, and the length of
    each text field. Most rows have no price, no passenger count, often no note: only the rows
    that hold a value are looked at, and the text itself never enters the frame."""
    import numpy as np

    count = len(columns["activity_id"])
    inputs: dict[str, np.ndarray] = {}
    prices = _objects(columns["price"])
    priced = np.zeros(count, dtype=bool) if prices is None else prices != None  # noqa: E711
    rows = np.flatnonzero(priced)
    inputs["priced"] = priced
    inputs["price"] = np.full(count, np.nan)
    inputs["currency_known"] = np.ones(count, dtype=bool)
    if len(rows) and prices is not None:
        inputs["price"][rows] = prices[rows].astype("float64")
        known = iso_4217_codes()
        currency = columns["currency"]
        inputs["currency_known"][rows] = [currency[row] in known for row in rows.tolist()]
    paxes = _objects(columns["pax_count"])
    inputs["pax_count"] = np.full(count, np.nan)
    if paxes is not None:
        counted = np.flatnonzero(paxes != None)  # noqa: E711
        inputs["pax_count"][counted] = paxes[counted].astype("float64")  # 10**20 too
    for field in {field for field, _ in TEXT_LIMITS.values()}:
        inputs[f"{field}_chars"] = _text_lengths(columns[field], count)
    return inputs


def _objects(values: Sequence[Any]) -> np.ndarray | None:
    """The values as an object array; None when every one is None (a scan in C, no array)."""
    import numpy as np

    if isinstance(values, list) and values.count(None) == len(values):
        return None
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _text_lengths(values: Sequence[Any], count: int) -> np.ndarray:
    """Characters of each text value; 0 where there is none."""
    import numpy as np

    lengths = np.zeros(count, dtype=np.int64)
    array = _objects(values)
    if array is None:
        return lengths
    given = np.flatnonzero(array != None)  # noqa: E711
    texts = array[given]
    try:
        lengths[given] = np.fromiter(map(len, texts), dtype=np.int64, count=len(given))
    except TypeError:  # a value that is not text (a number given as an id): as it is sent
        lengths[given] = [len(str(v)) for v in texts]
    return lengths


def add_value_checks(frame: pd.DataFrame, checks: pd.DataFrame, limits: Limits) -> None:
    """What cannot be sent as it is: prices, currencies, passenger counts and text lengths; a row
    without a value passes."""
    import numpy as np

    priced, price = frame["priced"].to_numpy(), frame["price"].to_numpy()
    finite = np.isfinite(price)
    checks["price_finite"] = ~priced | finite
    checks["price_not_negative"] = ~priced | ~finite | (price >= 0)  # -inf: not finite only
    checks["currency_iso_4217"] = frame["currency_known"].to_numpy()
    pax = frame["pax_count"].to_numpy()
    checks["pax_count_in_range"] = np.isnan(pax) | ((pax >= 0) & (pax <= limits.pax_max))
    for check, (field, limit) in TEXT_LIMITS.items():
        checks[check] = frame[f"{field}_chars"].to_numpy() <= getattr(limits, limit)
