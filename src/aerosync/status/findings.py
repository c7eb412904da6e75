"""Findings and marketplace messages as the lines a dispatcher reads: one sentence per problem,
its code (ours, a Great Expectations check's, or the marketplace's) kept for hover.

A status record stores two shapes: our findings (`Finding.to_dict`: code, message, severity,
activity_id, field) and the marketplace's messages (`Message.to_dict`: level, code, title, path,
activity_id). Our sentences are already written for people; the suites' checks are worded by
their `meta.description` in `expectations/`; only the marketplace's codes need words here
(`MARKETPLACE_WORDS`). When the marketplace refuses what our own check already warned about (an
unknown airport of one activity), both become one line (`SAME_PROBLEM`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from aerosync.quality.suites import load_suite_definition

# Codes whose line is routine, not a problem: shown neutral, never in a warning colour.
ROUTINE_CODES = frozenset({"UPLOADED_RECENTLY"})
# Severity of a line, most severe first: blocking findings and marketplace errors are red,
# warnings amber, information and routine lines neutral.
LEVEL_ORDER = ("blocking", "error", "warning", "info", "routine")

_HOMEBASE = "and put the aircraft's homebase in its place"
# The marketplace's codes (design/avinode-api.md), as sentences; `{activity}` is
# " of activity A1" when the message names one, `{title}` the marketplace's own words.
_REFUSED_AIRPORT = "The marketplace did not recognise the {end} airport{{activity}} " + _HOMEBASE
MARKETPLACE_WORDS: dict[str, str] = {
    "START_AIRPORT_INVALID": _REFUSED_AIRPORT.format(end="start"),
    "END_AIRPORT_INVALID": _REFUSED_AIRPORT.format(end="end"),
    "ERR_INPUT_MISSING": "The marketplace refused the schedule: something it requires is missing "
    "({title})",
    "ERR_INPUT_GENERIC_INVALID": "The marketplace refused the request as invalid ({title}); an "
    "invalid API token is reported this way too",
}  # fmt: skip


@dataclass(frozen=True)
class SameProblem:
    """A marketplace code that reports what one of our checks found on the same activity."""

    ours: str
    words: str  # `{activity}`: the activity's id


SAME_PROBLEM: dict[str, SameProblem] = {
    "START_AIRPORT_INVALID": SameProblem(
        "activities.start_airport_known",
        f"Unknown start airport on activity {{activity}}: it is not a known ICAO code, and the "
        f"marketplace refused it too {_HOMEBASE}",
    ),
    "END_AIRPORT_INVALID": SameProblem(
        "activities.end_airport_known",
        f"Unknown end airport on activity {{activity}}: it is not a known ICAO code, and the "
        f"marketplace refused it too {_HOMEBASE}",
    ),
}


@dataclass(frozen=True)
class Line:
    """One problem, in words, with the codes that reported it."""

    words: str
    codes: tuple[str, ...]
    level: str
    activity_id: str | None = None

    @property
    def hover(self) -> str:
        return " + ".join(self.codes)


def check_description(code: str) -> str | None:
    """A suite check's description (`activities.end_airport_known` -> its `meta.description`
    in expectations/activities.json); None for a code that is not a suite's check."""
    suite, _, column = code.partition(".")
    if not column:
        return None
    try:
        definition = load_suite_definition(suite)
    except (OSError, ValueError):
        return None
    for expectation in definition.get("expectations", []):
        kwargs = expectation.get("kwargs") or {}
        if column in (kwargs.get("column"), expectation.get("type")):
            description = (expectation.get("meta") or {}).get("description")
            return str(description) if description else None
    return None


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _level(item: Mapping[str, Any]) -> str:
    if item.get("code") in ROUTINE_CODES:
        return "routine"
    level = str(item.get("severity") or item.get("level") or "warning")
    return level if level in LEVEL_ORDER else "warning"


def _words(item: Mapping[str, Any]) -> str:
    code = str(item.get("code") or "")
    activity = item.get("activity_id")
    if "title" in item and code in MARKETPLACE_WORDS:  # a marketplace message
        of = f" of activity {activity}" if activity else ""
        return MARKETPLACE_WORDS[code].format(activity=of, title=item.get("title") or code)
    text = str(item.get("message") or item.get("title") or "")
    if not text:
        text = check_description(code) or f"Reported as {code}"
    if activity and str(activity) not in text:
        text += f" (activity {activity})"
    return _sentence(text)


def line_of(item: Mapping[str, Any]) -> Line:
    """One stored finding or marketplace message as a line."""
    code = str(item.get("code") or "")
    activity = item.get("activity_id")
    return Line(_words(item), (code,) if code else (), _level(item), activity or None)


def lines(items: Iterable[Mapping[str, Any]]) -> list[Line]:
    """Every problem once: a marketplace refusal of what our own check reported on the same
    activity becomes one line saying both, and a repeated line is shown once."""
    items = list(items)
    ours = {
        (str(i.get("code")), i.get("activity_id"))
        for i in items
        if "title" not in i and i.get("activity_id")
    }
    merged: set[tuple[str, Any]] = set()  # our findings a marketplace message took in
    found: list[Line] = []
    for item in items:
        code = str(item.get("code") or "")
        activity = item.get("activity_id")
        same = SAME_PROBLEM.get(code) if "title" in item else None
        if same is not None and activity and (same.ours, activity) in ours:
            merged.add((same.ours, activity))
            found.append(
                Line(same.words.format(activity=activity), (same.ours, code), "error", activity)
            )
    for item in items:
        if "title" in item and (code := str(item.get("code"))) in SAME_PROBLEM:
            if (SAME_PROBLEM[code].ours, item.get("activity_id")) in merged:
                continue
        elif (str(item.get("code")), item.get("activity_id")) in merged:
            continue
        found.append(line_of(item))
    unique: dict[tuple[str, tuple[str, ...], str | None], Line] = {}
    for line in found:
        unique.setdefault((line.words, line.codes, line.activity_id), line)
    return sorted(unique.values(), key=lambda line: LEVEL_ORDER.index(line.level))
