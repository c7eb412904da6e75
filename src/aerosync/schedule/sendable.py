"""Every staged schedule is one the upload can read and send: checked before it is staged.

The upload reads each aircraft's `PUT /schedules` body (`upload.activity_ids`) before sending it,
and refuses one it cannot read. That refusal is the last line of defence, not a check: a body
that cannot be read is caught here, when normalisation has just written it, as a blocking finding
on the activity that spoils it (naming the field where one can be told), and it is not staged.
Its aircraft is then held by validation, is never sent, and never counts toward the 5-minute
spacing. The known causes are refused earlier still (a price of Infinity by the normaliser); this
is the same reading as the upload's, so whatever else could spoil a body is caught too (text
that is not Unicode, such as a lone surrogate, which no database could stage either).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import msgspec

from aerosync.models import Finding, Severity
from aerosync.schedule.payloads import activity_bodies, schedule_body_text
from aerosync.schedule.upload import activity_ids

UNREADABLE = "BODY_UNREADABLE"


def readable_schedules(
    bodies: Mapping[str, str], columns: Mapping[str, Sequence[Any]]
) -> tuple[dict[str, str], list[Finding]]:
    """The activity bodies (`payloads.activity_bodies_text`) the upload can read, and a
    blocking finding for each activity of the aircraft whose body it could not."""
    readable: dict[str, str] = {}
    findings: list[Finding] = []
    for tail, activities in bodies.items():
        if _readable(tail, activities):
            readable[tail] = activities
        else:
            findings += _unreadable_activities(tail, columns)
    return readable, findings


def _readable(tail: str, activities: str) -> bool:
    try:
        body = schedule_body_text(tail, activities)
        activity_ids(body)
        body.encode()  # what the upload sends
    except (msgspec.MsgspecError, UnicodeEncodeError):
        return False
    return True


def _unreadable_activities(tail: str, columns: Mapping[str, Sequence[Any]]) -> list[Finding]:
    rows = [row for row, value in enumerate(columns["tail"]) if value == tail]
    own = {name: [values[row] for row in rows] for name, values in columns.items()}
    findings = []
    for index, body in enumerate(activity_bodies(own)):
        if _readable(tail, f"[{body}]"):
            continue
        activity_id = own["activity_id"][index]
        field = _spoiling_field(own, index)
        where = f"its {field}" if field else "its body"
        findings.append(
            Finding(
                UNREADABLE,
                f"activity {activity_id} of aircraft {tail}: {where} cannot be written as a "
                "readable PUT /schedules body; the aircraft is held and nothing is sent",
                Severity.BLOCKING,
                tail,
                str(activity_id),
                field,
            )
        )
    if not findings:  # each activity reads on its own: the whole body is still refused
        findings.append(
            Finding(
                UNREADABLE,
                f"the schedule of aircraft {tail} cannot be written as a readable PUT /schedules "
                "body; the aircraft is held and nothing is sent",
                Severity.BLOCKING,
                tail,
            )
        )
    return findings


def _spoiling_field(columns: Mapping[str, Sequence[Any]], row: int) -> str | None:
    """The first field whose value no JSON body can carry: a number that is not finite, or text
    that is not Unicode."""
    for name, values in columns.items():
        value = values[row]
        if isinstance(value, float) and not math.isfinite(value):
            return name
        if isinstance(value, str):
            try:
                value.encode()
            except UnicodeEncodeError:
                return name
    return None
