"""Each finding is a sentence with its code on hover; a problem the marketplace reports again is
one line saying both."""

from __future__ import annotations

from typing import Any

import pytest

from aerosync.models import Finding, Severity
from aerosync.quality.suites import load_suite_definition
from aerosync.schedule.marketplace import Message
from aerosync.status.findings import check_description, line_of, lines

pytestmark = pytest.mark.unit
END_AIRPORT_DESCRIPTION = (
    "End airport is not a known ICAO code; the marketplace will substitute the aircraft's homebase"
)


def our_warning(activity: str = "A1", column: str = "end_airport_known") -> dict[str, Any]:
    """What validation stores (`ValidationReport.findings`) for an unknown airport."""
    description = check_description(f"activities.{column}")
    return Finding(
        f"activities.{column}",
        f"{description} (activity {activity})",
        Severity.WARNING,
        tail="N1",
        activity_id=activity,
        field=column,
    ).to_dict()


def marketplace_error(activity: str = "A1", end: str = "end", index: int = 1) -> dict[str, Any]:
    """What `interpret_response` stores for the marketplace's 200-with-errors."""
    code = f"{end.upper()}_AIRPORT_INVALID"
    path = f"activities[{index}].{end}Airport"
    return Message("error", code, f"Invalid {end} airport", path, activity).to_dict()


def test_a_check_is_worded_by_its_suite_description_not_duplicated_here() -> None:
    suite = load_suite_definition("activities")
    described = {
        e["kwargs"]["column"]: e["meta"]["description"]
        for e in suite["expectations"]
        if "column" in e["kwargs"]
    }
    assert check_description("activities.end_airport_known") == described["end_airport_known"]
    assert check_description("activities.end_airport_known") == END_AIRPORT_DESCRIPTION
    assert check_description("activities.no_such_column") is None
    assert check_description("NOT_A_CHECK") is None
    # a finding stored without its words still reads as the suite's sentence
    bare = {"code": "activities.end_after_start", "message": "", "severity": "blocking"}
    assert line_of(bare).words.startswith("Activity ends before it starts")


def test_the_code_goes_to_hover_and_the_words_are_a_sentence() -> None:
    (line,) = lines([our_warning()])
    assert line.codes == ("activities.end_airport_known",) and line.hover == line.codes[0]
    assert line.words == f"{END_AIRPORT_DESCRIPTION} (activity A1)"
    assert line.level == "warning"
    (refused,) = lines([marketplace_error("A7", "start", 0)])
    assert refused.words == (
        "The marketplace did not recognise the start airport of activity A7 and put the "
        "aircraft's homebase in its place"
    )
    assert refused.codes == ("START_AIRPORT_INVALID",) and refused.level == "error"
    token = Message("error", "ERR_INPUT_GENERIC_INVALID", "Invalid API token").to_dict()
    assert "refused the request as invalid (Invalid API token)" in line_of(token).words
    http = Message("error", "HTTP_500", "the marketplace answered HTTP 500: boom").to_dict()
    assert line_of(http).words == "The marketplace answered HTTP 500: boom"


def test_an_unknown_airport_our_check_and_the_marketplace_both_report_is_one_line() -> None:
    found = lines([marketplace_error("A1"), our_warning("A1")])
    assert len(found) == 1
    (line,) = found
    assert line.words.startswith("Unknown end airport on activity A1: it is not a known ICAO")
    assert "the marketplace refused it too" in line.words
    assert line.codes == ("activities.end_airport_known", "END_AIRPORT_INVALID")
    assert line.hover == "activities.end_airport_known + END_AIRPORT_INVALID"
    assert line.level == "error"


def test_only_the_same_activity_and_the_same_airport_merge() -> None:
    found = lines(
        [
            marketplace_error("A1", "end"),
            our_warning("A2", "end_airport_known"),  # another activity
            our_warning("A1", "start_airport_known"),  # another field
        ]
    )
    assert len(found) == 3
    assert not any("refused it too" in line.words for line in found)


def test_a_repeated_line_shows_once_and_problems_come_before_routine() -> None:
    skip = Finding.holding("N1", "UPLOADED_RECENTLY", "N1 was sent at 11:58 UTC").to_dict()
    blocking = Finding.holding("N1", "PAYLOAD_MISSING", "no schedule was built").to_dict()
    found = lines([skip, our_warning(), our_warning(), blocking])
    assert [line.level for line in found] == ["blocking", "warning", "routine"]
