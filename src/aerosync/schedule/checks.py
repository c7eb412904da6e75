"""The frames Great Expectations checks: one row per activity, one row per aircraft.

Each check that needs reference data, arithmetic or a comparison between rows is computed here in
pandas, as a boolean or numeric column; the suites in `expectations/` then say which values are
acceptable and how severe a failure is. GX hashes the whole frame it validates, so only these
check columns go to GX; identity columns (tail, activity id) stay beside it, joined by index.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from aerosync.airports import known_icao_codes
from aerosync.config.companies import Limits
from aerosync.schedule.normalise.fields import HISTORY_WINDOW
from aerosync.schedule.normalise.regulations import AVINODE_REGULATIONS
from aerosync.schedule.normalise.times import epoch_seconds
from aerosync.schedule.value_checks import VALUE_COLUMNS, add_value_checks, value_inputs

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

FRAME_COLUMNS = (
    "tail", "activity_id", "kind", "activity_type", "start_airport", "end_airport",
    "start", "end", "marketing_start", "marketing_end", "flight_regulations", *VALUE_COLUMNS,
)  # fmt: skip
TIME_COLUMNS = ("start", "end", "marketing_start", "marketing_end")
# Longest plausible block time per kind, in minutes: flights up to 20 h, ground events 120 days.
MAX_MINUTES = {"PAX": 1200, "FERRY": 1200, "EMPTY_LEG": 1200, "OPTION": 1200, "TRAINING": 24 * 60}
MAX_GROUND_MINUTES = 120 * 24 * 60


def check_columns_of_normalised(activities: Mapping[str, Sequence[Any]]) -> dict[str, list[Any]]:
    """What validation reads, one list per column of `FRAME_COLUMNS`, from the normalised
    activity columns (`NormalisedFleet.columns`: one list per `ACTIVITY_FIELDS` name, times as
    epoch microseconds, grouped by sorted tail in start order): handed over by normalisation so
    that validation builds its frame from columns (a million row dicts cost seconds to turn into
    columns; a million-long list costs nothing). Times become epoch seconds."""
    return {
        key: epoch_seconds(activities[key]) if key in TIME_COLUMNS else list(activities[key])
        for key in FRAME_COLUMNS
    }


def activity_frame(columns: Mapping[str, Sequence[Any]]) -> pd.DataFrame:
    """One row per activity from `check_columns_of_normalised`' lists, in the order given.

    The row-to-row checks rely on the rows being grouped by aircraft in start order, and restore
    that order if not. Text stays in plain object columns: pandas' string dtype costs a conversion
    per column and slower hashing, and these columns are only factorised and compared.
    """
    import numpy as np
    import pandas as pd

    data: dict[str, Any] = {}
    for key in FRAME_COLUMNS:
        if key in VALUE_COLUMNS:  # compared as numbers: see `value_inputs`
            continue
        values = columns[key]
        if key in TIME_COLUMNS:
            seconds = np.array(values, dtype="float64")  # None becomes NaN, then NaT
            data[key] = pd.Series(pd.to_datetime(seconds, unit="s", utc=True))
        else:
            array = np.empty(len(values), dtype=object)
            array[:] = values
            data[key] = pd.Series(array, dtype=object, copy=False)
    frame = pd.DataFrame(data, copy=False)
    for name, array in value_inputs(columns).items():
        frame[name] = array
    frame["has_marketing"] = frame["marketing_start"].notna()
    return frame


def activity_checks(
    frame: pd.DataFrame, now: datetime, limits: Limits | None = None
) -> pd.DataFrame:
    """Boolean and numeric columns, one per thing the activities suite checks; `limits` (the
    company's, or the defaults) bound passenger counts, text lengths and the horizon."""
    import numpy as np
    import pandas as pd

    limits = limits or Limits()
    known = known_icao_codes()
    checks = pd.DataFrame(index=frame.index)
    # Text columns repeat few distinct values: work on their codes, not on a million strings.
    tail = _Coded(frame["tail"])
    kind = _Coded(frame["kind"])
    activity_type = _Coded(frame["activity_type"])
    regulation = _Coded(frame["flight_regulations"])
    airports = _Coded(pd.concat([frame["start_airport"], frame["end_airport"]], ignore_index=True))
    start_airport = airports.codes[: len(frame)]
    end_airport = airports.codes[len(frame) :]
    ids = frame["activity_id"]
    checks["activity_id_present"] = ids.notna() & (ids != "")
    checks["tail_present"] = tail.present()
    checks["activity_type_present"] = activity_type.present()
    checks["start_airport_present"] = airports.present()[: len(frame)]
    checks["end_airport_present"] = airports.present()[len(frame) :]
    checks["times_present"] = frame["start"].notna() & frame["end"].notna()
    checks["times_utc"] = checks["times_present"]  # to_datetime(utc=True) refuses naive times
    checks["activity_type_length"] = activity_type.lookup(lambda v: len(v), 0)
    is_known = airports.lookup(lambda v: v in known, False)
    checks["start_airport_known"] = is_known[: len(frame)]
    checks["end_airport_known"] = is_known[len(frame) :]
    minutes = ((frame["end"] - frame["start"]).dt.total_seconds() / 60).to_numpy()
    checks["end_after_start"] = minutes > 0
    limit = kind.lookup(lambda v: MAX_MINUTES.get(v, MAX_GROUND_MINUTES), MAX_GROUND_MINUTES)
    checks["duration_plausible"] = minutes <= limit
    empty_leg = kind.lookup(lambda v: v == "EMPTY_LEG", False)
    checks["marketing_on_empty_leg"] = ~frame["has_marketing"].to_numpy() | empty_leg
    checks["marketing_window_hours"] = _hours_between(
        frame["marketing_start"], frame["marketing_end"]
    )
    checks["regulation_valid"] = regulation.lookup(lambda v: v in AVINODE_REGULATIONS, True)
    checks["within_history"] = frame["end"] >= pd.Timestamp(now - HISTORY_WINDOW)
    horizon = pd.Timestamp(now + timedelta(days=limits.horizon_days))
    checks["start_within_horizon"] = ~(frame["start"] > horizon).to_numpy()  # NaT: failed above
    add_value_checks(frame, checks, limits)

    # Row-to-row checks within each aircraft, in start order (already so when staged).
    order = np.arange(len(frame))
    start_ns, end_ns = frame["start"].array.asi8, frame["end"].array.asi8  # NaT: failed above
    if not _in_schedule_order(tail.codes, start_ns):
        order = np.lexsort((end_ns, start_ns, tail.codes))
    t, s_ap, e_ap = tail.codes[order], start_airport[order], end_airport[order]
    start, end = start_ns[order], end_ns[order]
    same_tail = np.zeros(len(frame), dtype=bool)
    same_tail[1:] = t[1:] == t[:-1]
    overlap = np.zeros(len(frame), dtype=bool)
    overlap[1:] = same_tail[1:] & (start[1:] < end[:-1])
    continuous = np.ones(len(frame), dtype=bool)
    continuous[1:] = ~same_tail[1:] | (s_ap[1:] == e_ap[:-1])
    checks["overlaps_previous"] = _unorder(overlap, order)
    checks["continuous_with_previous"] = _unorder(continuous, order)
    # Ids repeat rarely: one hash pass tells whether any does; only then compare (tail, id) pairs.
    unique = pd.Series(True, index=frame.index)
    if not ids.is_unique:
        repeated = ids.duplicated(keep=False)
        candidates = frame.loc[repeated, ["tail", "activity_id"]]
        unique.loc[candidates.index] = ~candidates.duplicated(keep=False)
    checks["activity_id_unique"] = unique
    return checks.astype({c: np.bool_ for c in checks.columns if checks[c].dtype == object})


def _hours_between(start: pd.Series, end: pd.Series) -> np.ndarray:
    """end - start in hours, NaN where either is missing (mostly missing: NaT arithmetic in
    pandas costs far more than this on integers)."""
    import numpy as np

    start_at, end_at = start.astype("datetime64[us, UTC]"), end.astype("datetime64[us, UTC]")
    missing = (start_at.isna() | end_at.isna()).to_numpy()
    micros = end_at.array.asi8 - start_at.array.asi8
    hours = micros.astype("float64") / 3_600_000_000
    hours[missing] = np.nan
    return hours


class _Coded:
    """A text column as integer codes over its distinct values (-1 for missing)."""

    def __init__(self, values: pd.Series) -> None:
        import pandas as pd

        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        self.codes = codes
        self.uniques = [str(u) for u in uniques]

    def lookup(self, func: Callable[[str], Any], missing: Any) -> np.ndarray:
        """func applied to each distinct value, spread back over the rows."""
        import numpy as np

        table = np.array([func(u) for u in self.uniques] + [missing])
        return table[self.codes]  # code -1 picks the trailing `missing`

    def present(self) -> np.ndarray:
        return self.lookup(lambda v: v.strip() != "", False)


def _in_schedule_order(tail_codes: np.ndarray, start: np.ndarray) -> bool:
    """True when rows are grouped by tail and each tail's rows ascend by start."""
    import numpy as np

    if len(tail_codes) < 2:
        return True
    changes = tail_codes[1:] != tail_codes[:-1]
    if int(changes.sum()) + 1 != len(np.unique(tail_codes)):
        return False
    return bool(np.all(changes | (start[1:] >= start[:-1])))


def _unorder(values: np.ndarray, order: np.ndarray) -> np.ndarray:
    import numpy as np

    result = np.empty_like(values)
    result[order] = values
    return result


def aircraft_checks(
    frame: pd.DataFrame,
    tails: Sequence[str],
    now: datetime,
    previous_counts: Mapping[str, int],
    failed_sources: Mapping[str, str],
    shrink_threshold: float,
    min_for_shrink: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One row per marketed aircraft: history, source health, emptying and shrinking."""
    import pandas as pd

    ids = pd.DataFrame({"tail": list(tails)})
    counts = frame.groupby("tail").size() if len(frame) else pd.Series(dtype="int64")
    past = frame.loc[frame["end"] <= pd.Timestamp(now), "tail"].unique() if len(frame) else []
    current = ids["tail"].map(counts).fillna(0).astype("int64")
    previous = ids["tail"].map(dict(previous_counts)).fillna(0).astype("int64")
    checks = pd.DataFrame(index=ids.index)
    checks["activity_count"] = current
    checks["previous_count"] = previous
    checks["has_past_activity"] = ids["tail"].isin(set(past))
    checks["source_ok"] = ~ids["tail"].isin(set(failed_sources))
    checks["not_emptied"] = (current > 0) | (previous == 0)
    ratio = current / previous.where(previous > 0)
    small = previous < min_for_shrink
    checks["not_shrunk"] = small | (ratio >= shrink_threshold)
    return checks, ids
