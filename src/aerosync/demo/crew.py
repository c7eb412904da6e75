"""Demo training data: HRIS, LMS (course catalog, xAPI statements), crew-management
qualifications and roster (`aerosync.demo.roster`), and EBT gradings over a run of days,
deterministic (no randomness), for the demo and the tests.

Day `k` of the data lies in the daily window (03:00 UTC to 03:00 UTC) that starts on `first + k`:
HRIS, qualification and EBT dates are `first + k + 1` (midnight, inside that window), LMS
statements are stored at `first + k` 10:00 UTC. Before those days the crew were hired, rated,
checked and graded (`aerosync.demo.pilot_records`: the records readiness needs on the demo's
day, E003's line check lapsed a few days before it); a run of any window loads those too, as it
loads every qualification and grading dated before its end. Every statement names its enrolment
(`context.registration`); on every third day a pilot registers for the EBT module, progresses and
passes it, and on the days after, another registers for a DG refresher and is part-way through.
The catalog (`CATALOG`) holds the courses of `VALIDITY` and the EBT module. `broken=True` adds rows
the quality gate refuses (a grade of 7, an unknown employee, an expiry before its completion),
each next to good rows.
"""

from __future__ import annotations

import csv
import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from aerosync.crew.tables import COMPETENCIES, SESSION_REPORT
from aerosync.demo import pilot_records as before_the_demo
from aerosync.demo.roster import build_roster, write_roster_xml

HOME_PAGE = "https://hris.example.com"
LMS = "https://lms.example.com"
VALIDITY = {"CRM": 365, "DG": 730, "LPC": 180, "SEP": 365}
EBT_COURSE = "EBT"
# (course_id, title, category, validity_days, ebt_module): the LMS's catalog.
CATALOG = (
    ("CRM", "Crew resource management", "recurrent", VALIDITY["CRM"], False),
    ("DG", "Dangerous goods", "recurrent", VALIDITY["DG"], False),
    # The demo's companies file overrides this with VALIDITY's 180 days.
    ("LPC", "Licence proficiency check briefing", "checking", 365, False),
    ("SEP", "Safety and emergency procedures", "recurrent", VALIDITY["SEP"], False),
    (EBT_COURSE, "EBT module", "ebt", 365, True),
)
COURSE_COLUMNS = ("course_id", "title", "category", "validity_days", "ebt_module", "active")
CMI5_PROGRESS = "https://w3id.org/xapi/cmi5/result/extensions/progress"
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
    "registration",
    "progress",
)
QUALIFICATION_COLUMNS = ("employee_id", "qualification", "issued_on", "expires_on")
GRADING_COLUMNS = (
    "session_id",
    "pilot_id",
    "session_date",
    "instructor_id",
    *(c.upper() for c in COMPETENCIES),
    *SESSION_REPORT,
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
    courses: list[dict[str, Any]] = field(default_factory=list)

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
    registration: str | None = None,
    percent: int | None = None,
) -> dict[str, Any]:
    """A statement of the LMS; its enrolment is `registration`, else one of its own. `percent`:
    a `progressed` statement's cmi5 progress (else its progress is its scaled `score`)."""
    activity = f"{LMS}/courses/{course}" + (f"/modules/{module}" if module else "")
    result: dict[str, Any] = {}
    if verb not in ("registered", "progressed"):
        result = {"completion": True, "success": verb != "failed"}
    if score is not None:
        result["score"] = {"scaled": score}
    if percent is not None:
        result["extensions"] = {CMI5_PROGRESS: percent}
    statement = {
        "id": str(uuid.uuid5(_NS, key)),
        "actor": {"objectType": "Agent", "account": {"homePage": HOME_PAGE, "name": employee}},
        "verb": {"id": VERBS + verb, "display": {"en-US": verb}},
        "object": {"objectType": "Activity", "id": activity},
        "context": {"registration": registration or str(uuid.uuid5(_NS, f"{key}/registration"))},
        "timestamp": when.isoformat().replace("+00:00", "Z"),
        "stored": stored.isoformat().replace("+00:00", "Z"),
    }
    if result:
        statement["result"] = result
    return statement


def _enrolments(k: int, active: list[str], on: datetime, stored: datetime) -> list[dict[str, Any]]:
    """Day `k`'s enrolments: every third day a pilot registers for the EBT module, progresses
    (cmi5 60 %) and passes it; on the days after, another registers for a DG refresher and is
    40 % through (its scaled score)."""
    hour = timedelta(hours=1)
    if k % 3 == 1:
        emp, registration = active[(k + 2) % len(active)], str(uuid.uuid5(_NS, f"{k}/ebt"))
        return [
            _statement(f"{k}/ebt/r", emp, EBT_COURSE, "registered", on - 2 * hour, stored,
                       registration=registration),
            _statement(f"{k}/ebt/p", emp, EBT_COURSE, "progressed", on - hour, stored,
                       registration=registration, percent=60),
            _statement(f"{k}/ebt/c", emp, EBT_COURSE, "passed", on, stored, 0.8,
                       registration=registration),
        ]  # fmt: skip
    if k % 3 == 2:
        emp, registration = active[(k + 1) % len(active)], str(uuid.uuid5(_NS, f"{k}/dg"))
        return [
            _statement(f"{k}/dg/r", emp, "DG", "registered", on - hour, stored,
                       registration=registration),
            _statement(f"{k}/dg/p", emp, "DG", "progressed", on, stored, 0.4,
                       registration=registration),
        ]  # fmt: skip
    return []


def build_training_data(
    first: date, days: int, *, broken: bool = False, broken_on: int = 0
) -> TrainingData:
    from datetime import UTC

    data = TrainingData()
    for emp, name, role, base in CREW:
        if emp == before_the_demo.NEW_HIRE and days <= before_the_demo.NEW_HIRE_DAY:
            continue
        hired = before_the_demo.hired_on(emp, first).isoformat()
        data.employees.append(
            {
                "employee_id": emp,
                "name": name,
                "role": role,
                "base": base,
                "employment_status": "active",
                "hired_on": hired,
                "left_on": "",
                "effective_from": hired,
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
        data.statements.extend(_enrolments(k, active, on, stored))
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
                **before_the_demo.session_report(
                    f"EBT-{k:03d}", pilot, k in before_the_demo.unsat_days(days)
                ),
            }
        )
    data.roster = build_roster(first, days, CREW)
    data.courses = [
        {
            "course_id": course,
            "title": title,
            "category": category,
            "validity_days": validity,
            "ebt_module": "true" if ebt else "false",
            "active": "true",
        }
        for course, title, category, validity, ebt in CATALOG
    ]
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
    data.qualifications += before_the_demo.standing_qualifications(first, days)
    data.gradings += before_the_demo.recurrent_gradings(first)
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
    names = ("hris", "statements", "qualifications", "ebt", "courses", "roster")
    paths = {name: folder / name for name in names}
    write_csv(paths["hris"] / "employees.csv", EMPLOYEE_COLUMNS, data.employees)
    write_csv(paths["statements"] / "completions.csv", STATEMENT_COLUMNS, data.statement_rows())
    write_csv(
        paths["qualifications"] / "qualifications.csv", QUALIFICATION_COLUMNS, data.qualifications
    )
    write_csv(paths["ebt"] / "gradings.csv", GRADING_COLUMNS, data.gradings)
    write_roster_xml(paths["roster"] / "roster.xml", data.roster)
    write_csv(paths["courses"] / "catalog.csv", COURSE_COLUMNS, data.courses)
    (folder / "statements.json").write_text(json.dumps(data.statements, indent=1))
    return paths
