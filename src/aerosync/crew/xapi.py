"""xAPI statements in and out (xAPI 1.0.3).

In: a statement from the LRS becomes a flat row with the columns of the LMS's CSV export, so both
transports share one mapping and one quality gate. The employee is the actor's account name; the
course (and module) come from the object's activity IRI (`.../courses/<course>/modules/<module>`,
else its last path segment); the score is `result.score.scaled`, else `raw / max`, else `raw`.
Two columns serve enrolments (`aerosync.crew.enrolments`): `registration` is
`context.registration`, and `progress` (0 to 1) is the cmi5 progress extension
(`result.extensions[CMI5_PROGRESS]`, a percentage 0 to 100) divided by 100, else, for a
`progressed` statement, `result.score.scaled`.

Out: an EBT grading becomes a `scored` statement with the graded competencies under a result
extension. Its id is derived from the grading's content, so posting it again is a no-op at the LRS
and a corrected grading is a new statement.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

XAPI_VERSION = "1.0.3"
SCORED = "http://adlnet.gov/expapi/verbs/scored"
ASSESSMENT = "http://adlnet.gov/expapi/activities/assessment"
COMPETENCIES_EXTENSION = "https://aerosync.dev/xapi/extensions/ebt-competencies"
STATEMENT_NAMESPACE = uuid.UUID("6f1c3a52-4c1e-4d8e-9a51-0c2f2d6f8a10")
CMI5_PROGRESS = "https://w3id.org/xapi/cmi5/result/extensions/progress"


def _last(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def course_and_module(activity_id: str) -> tuple[str | None, str | None]:
    parts = [p for p in urlparse(activity_id).path.split("/") if p] or [activity_id]
    course = module = None
    if "courses" in parts[:-1]:
        course = parts[parts.index("courses") + 1]
    if "modules" in parts[:-1]:
        module = parts[parts.index("modules") + 1]
    return course or _last(activity_id), module


def _score(result: Mapping[str, Any]) -> Any:
    score = result.get("score") or {}
    if score.get("scaled") is not None:
        return score["scaled"]
    if score.get("raw") is not None and score.get("max"):
        return float(score["raw"]) / float(score["max"])
    return score.get("raw")


def _progress(result: Mapping[str, Any], verb: str | None) -> Any:
    """0 to 1 from cmi5's percentage; a value that is not a number is handed on as given, for
    the mapping to refuse by name."""
    extensions = result.get("extensions") or {}
    percent = extensions.get(CMI5_PROGRESS) if isinstance(extensions, Mapping) else None
    if percent is not None:
        number = isinstance(percent, int | float) and not isinstance(percent, bool)
        return percent / 100 if number else percent
    if verb == "progressed":
        return (result.get("score") or {}).get("scaled")
    return None


def statement_row(statement: Mapping[str, Any]) -> dict[str, Any]:
    """The statement as a row of the LMS CSV export's columns (values unread, as given)."""
    actor = statement.get("actor") or {}
    account = actor.get("account") or {}
    activity = (statement.get("object") or {}).get("id") or ""
    course, module = course_and_module(activity) if activity else (None, None)
    result = statement.get("result") or {}
    verb = (statement.get("verb") or {}).get("id") or ""
    success = result.get("success")
    context = statement.get("context") or {}
    return {
        "statement_id": statement.get("id"),
        "employee_id": account.get("name"),
        "course_id": course,
        "module_id": module,
        "verb": _last(verb) if verb else None,
        "success": None if success is None else bool(success),
        "score": _score(result),
        "completed_at": statement.get("timestamp"),
        "stored_at": statement.get("stored"),
        "registration": context.get("registration"),
        "progress": _progress(result, _last(verb) if verb else None),
    }


def grading_statement(
    grading: Mapping[str, Any], company: str, home_page: str, competencies: tuple[str, ...]
) -> dict[str, Any]:
    """The xAPI statement reporting one EBT grading to the LMS."""
    grades = {c.upper(): grading[c] for c in competencies if grading.get(c) is not None}
    content = json.dumps({k: grading.get(k) for k in sorted(grading)}, sort_keys=True, default=str)
    statement_id = uuid.uuid5(STATEMENT_NAMESPACE, f"{company}\n{content}")
    session = str(grading["session_id"])
    statement: dict[str, Any] = {
        "id": str(statement_id),
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": home_page, "name": str(grading["employee_id"])},
        },
        "verb": {"id": SCORED, "display": {"en-US": "scored"}},
        "object": {
            "objectType": "Activity",
            "id": f"{home_page.rstrip('/')}/ebt/sessions/{session}",
            "definition": {"type": ASSESSMENT, "name": {"en-US": f"EBT session {session}"}},
        },
        "result": {"extensions": {COMPETENCIES_EXTENSION: grades}},
        "timestamp": f"{grading['session_date']}T00:00:00Z",
    }
    if grading.get("instructor_id"):
        statement["context"] = {
            "instructor": {
                "objectType": "Agent",
                "account": {"homePage": home_page, "name": str(grading["instructor_id"])},
            }
        }
    return statement
