"""Demo training data: HRIS, LMS (xAPI statements), crew-management qualifications and roster
(`aerosync.demo.roster`), and EBT gradings over a run of days, deterministic (no randomness),
for the demo and the tests.

Day `k` of the data lies in the daily window (03:00 UTC to 03:00 UTC) that starts on `first + k`:
HRIS, qualification and EBT dates are `first + k + 1` (midnight, inside that window), LMS
statements are stored at `first + k` 10:00 UTC. `broken=True` adds rows the quality gate refuses
(a grade of 7, an unknown employee, an expiry before its completion), each next to good rows.
"""

from __future__ import annotations

import csv
import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from aerosync.crew.tables import COMPETENCIES
from aerosync.demo.roster import build_roster, write_roster_xml

HOME_PAGE = "https://hris.example.com"
LMS = "https://lms.example.com"
VALIDITY = {"CRM": 365, "DG": 730, "LPC": 180, "SEP": 365}
VERBS = "http://adlnet.gov/expapi/verbs/"
EMPLOYEE_COLUMNS = (
    "employee_id",
    "name",
    "role",
    "base",
    "employment_status",
    "hired_on",
    "left_on",
    "effective_from",
)
STATEMENT_COLUMNS = (
    "statement_id",
    "employee_id",
    "course_id",
    "module_id",
    "verb",
    "success",
    "score",
    "completed_at",
    "stored_at",
)
QUALIFICATION_COLUMNS = ("employee_id", "qualification", "issued_on", "expires_on")
GRADING_COLUMNS = (
    "session_id",
    "pilot_id",
    "session_date",
    "instructor_id",
    *(c.upper() for c in COMPETENCIES),
)
CREW = (
    ("E001", "Ana Lima", "CPT", "LSGG"),
    ("E002", "Ben Okafor", "FO", "LSGG"),
    ("E003", "Chloe Martin", "CPT", "LSZH"),
    ("E004", "Dev Patel", "FO", "LSZH"),
    ("E005", "Eva Novak", "FO", "LSGG"),  # hired on day 5
    ("E006", "Finn Berg", "CPT", "LSZH"),  # leaves on day 6
)
_NS = uuid.UUID("2b7e1c0a-8f0d-4c55-9b1e-5d0f7a4c9e21")


@dataclass
class TrainingData:
    employees: list[dict[str, Any]] = field(default_factory=list)
    statements: list[dict[str, Any]] = field(default_factory=list)  # xAPI
    qualifications: list[dict[str, Any]] = field(default_factory=list)
    gradings: list[dict[str, Any]] = field(default_factory=list)
    roster: list[dict[str, Any]] = field(default_factory=list)  # duties

    def statement_rows(self) -> list[dict[str, Any]]:
        """The statements as the LMS's CSV export writes them."""
        from aerosync.crew.xapi import statement_row

        return [statement_row(s) for s in self.statements]


def _statement(
    key: str,
    employee: str,
    course: str,
    verb: str,
    when: datetime,
    stored: datetime,
    score: float | None = None,
    module: str | None = None,
) -> dict[str, Any]:
    activity = f"{LMS}/courses/{course}" + (f"/modules/{module}" if module else "")
    result: dict[str, Any] = {"completion": True, "success": verb != "failed"}
    if score is not None:
        result["score"] = {"scaled": score}
    return {
        "id": str(uuid.uuid5(_NS, key)),
        "actor": {"objectType": "Agent", "account": {"homePage": HOME_PAGE, "name": employee}},
        "verb": {"id": VERBS + verb, "display": {"en-US": verb}},
        "object": {"objectType": "Activity", "id": activity},
        "result": result,
        "timestamp": when.isoformat().replace("+00:00", "Z"),
        "stored": stored.isoformat().replace("+00:00", "Z"),
    }


def build_training_data(
    first: date, days: int, *, broken: bool = False, broken_on: int = 0
) -> TrainingData:
    from datetime import UTC

    data = TrainingData()
    day1 = (first + timedelta(days=1)).isoformat()
    for index, (emp, name, role, base) in enumerate(CREW):
        hired_day = 5 if emp == "E005" else 0
        if hired_day >= days:
            continue
        hired = (first + timedelta(days=hired_day + 1)).isoformat()
        data.employees.append(
            {
                "employee_id": emp,
                "name": name,
                "role": role,
                "base": base,
                "employment_status": "active",
                "hired_on": hired,
                "left_on": "",
                "effective_from": hired if hired_day else day1,
            }
        )
        if emp == "E004" and days > 3:  # promoted on day 3: a second version
            data.employees.append(
                {
                    **data.employees[-1],
                    "role": "CPT",
                    "effective_from": (first + timedelta(days=4)).isoformat(),
                }
            )
        if emp == "E006" and days > 6:  # leaves on day 6
            left = (first + timedelta(days=7)).isoformat()
            data.employees.append(
                {
                    **data.employees[-1],
                    "employment_status": "terminated",
                    "left_on": left,
                    "effective_from": left,
                }
            )
        del index
    courses = ("CRM", "DG", "LPC", "SEP")
    for k in range(days):
        on = datetime.combine(first + timedelta(days=k), time(9, 0), tzinfo=UTC)
        stored = on + timedelta(hours=1)
        session_date = (first + timedelta(days=k + 1)).isoformat()
        active = [c[0] for c in CREW if not (c[0] == "E005" and k < 5)]
        for j, emp in enumerate(active):
            if (j + k) % 3:
                continue
            course = courses[(j + k) % len(courses)]
            verb = "failed" if (j * 7 + k) % 11 == 0 else "passed"
            score = round(0.55 + ((j * 13 + k * 7) % 45) / 100, 2)
            data.statements.append(
                _statement(f"{k}/{emp}", emp, course, verb, on, stored, score, None)
            )
        data.statements.append(  # a module completed, and a launch that is no record
            _statement(
                f"{k}/m",
                active[k % len(active)],
                "CRM",
                "completed",
                on,
                stored,
                None,
                f"M{k % 4 + 1}",
            )
        )
        data.statements.append(_statement(f"{k}/l", active[0], "DG", "launched", on, stored))
        emp = active[k % len(active)]
        data.qualifications.append(
            {
                "employee_id": emp,
                "qualification": "LPC",
                "issued_on": session_date,
                "expires_on": (first + timedelta(days=k + 1 + 365)).isoformat(),
            }
        )
        pilot = active[(k + 1) % len(active)]
        grades = {c.upper(): str(1 + (k + i + len(pilot)) % 5) for i, c in enumerate(COMPETENCIES)}
        data.gradings.append(
            {
                "session_id": f"EBT-{k:03d}",
                "pilot_id": pilot,
                "session_date": session_date,
                "instructor_id": "E003",
                **grades,
            }
        )
    data.roster = build_roster(first, days, CREW)
    if broken and days:  # next to the good rows of day `broken_on`
        on = datetime.combine(first + timedelta(days=broken_on), time(9, 0), tzinfo=UTC)
        stored = on + timedelta(hours=1)
        grading = data.gradings[broken_on]
        data.gradings.append(
            {**grading, "pilot_id": "E004" if grading["pilot_id"] != "E004" else "E001", "APK": "7"}
        )
        data.statements.append(
            _statement("broken/unknown", "E999", "CRM", "passed", on, stored, 0.9)
        )
        qual = {**data.qualifications[broken_on], "qualification": "OPC"}
        qual["expires_on"] = (first - timedelta(days=30)).isoformat()
        data.qualifications.append(qual)
    return data


def write_csv(path: Path, columns: tuple[str, ...], rows: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: "" if row.get(c) is None else row.get(c) for c in columns})


def write_drops(folder: Path, data: TrainingData) -> dict[str, Path]:
    """CSV exports of every source in `folder/<source>/` (the roster as roster XML); returns the
    folder of each source."""
    names = ("hris", "statements", "qualifications", "ebt", "roster")
    paths = {name: folder / name for name in names}
    write_csv(paths["hris"] / "employees.csv", EMPLOYEE_COLUMNS, data.employees)
    write_csv(paths["statements"] / "completions.csv", STATEMENT_COLUMNS, data.statement_rows())
    write_csv(
        paths["qualifications"] / "qualifications.csv", QUALIFICATION_COLUMNS, data.qualifications
    )
    write_csv(paths["ebt"] / "gradings.csv", GRADING_COLUMNS, data.gradings)
    write_roster_xml(paths["roster"] / "roster.xml", data.roster)
    (folder / "statements.json").write_text(json.dumps(data.statements, indent=1))
    return paths
