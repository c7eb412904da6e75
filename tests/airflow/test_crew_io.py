"""The training sync's transports over real HTTP against the sandbox's LRS and HRIS stubs, and
CSV drops through ObjectStoragePath: both transports of a source give the same rows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import requests

from aerosync.airflow import crew_io as training_io
from aerosync.config.training import LrsSource, RestSource
from aerosync.crew.sources import Window, csv_items, map_rows, map_statements, select
from aerosync.crew.xapi import XAPI_VERSION
from aerosync.demo.crew import (
    COURSE_COLUMNS,
    EMPLOYEE_COLUMNS,
    GRADING_COLUMNS,
    QUALIFICATION_COLUMNS,
    build_training_data,
    write_csv,
)
from aerosync.sandbox.server import SandboxServer

pytestmark = pytest.mark.airflow
FIRST = date(2026, 3, 1)
HEADERS = {"X-Experience-API-Version": XAPI_VERSION}


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxServer]:
    with SandboxServer(port=0) as server:
        base = f"http://127.0.0.1:{server.port}"
        for name, path in (("LRS_TEST", "/xapi"), ("HRIS_TEST", "/hris")):
            conn = {
                "conn_type": "http",
                "host": base + path,
                "login": "lms",
                "password": "lrs-secret-123",
                "extra": {"timeout": 5},
            }
            monkeypatch.setenv(f"AIRFLOW_CONN_{name}", json.dumps(conn))
        yield server


def _base(server: SandboxServer) -> str:
    return f"http://127.0.0.1:{server.port}"


def test_lrs_statements_follow_more_links_within_the_window(sandbox: SandboxServer) -> None:
    data = build_training_data(FIRST, 8)
    requests.post(
        f"{_base(sandbox)}/xapi/statements", json=data.statements, headers=HEADERS, timeout=10
    ).raise_for_status()
    start = datetime(2026, 3, 3, 3, tzinfo=UTC)
    window = Window(start, start + timedelta(days=3))
    got = list(training_io.lrs_statements(LrsSource(conn_id="lrs_test", page_size=2), window))
    expected = [
        s for s in data.statements if start < datetime.fromisoformat(s["stored"]) <= window.end
    ]
    assert sorted(s["id"] for s in got) == sorted(s["id"] for s in expected)
    log = requests.get(f"{_base(sandbox)}/_sandbox/lrs/requests", timeout=10).json()
    gets = [r for r in log if r["method"] == "GET"]
    pages = -(-len(expected) // 2)  # the last one full or not: no request past it
    assert len(gets) == pages > 1 and "more=" in gets[-1]["query"]
    assert "since=2026-03-03T03%3A00%3A00Z" in gets[0]["query"]


def test_lrs_and_csv_statements_map_to_the_same_records(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    data = build_training_data(FIRST, 4)
    requests.post(
        f"{_base(sandbox)}/xapi/statements", json=data.statements, headers=HEADERS, timeout=10
    ).raise_for_status()
    window = Window(datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
    validity = {"CRM": 365}
    over_http = map_statements(
        training_io.lrs_statements(LrsSource(conn_id="lrs_test"), window), validity
    )
    from aerosync.demo.crew import STATEMENT_COLUMNS

    write_csv(tmp_path / "lms" / "completions.csv", STATEMENT_COLUMNS, data.statement_rows())
    from_csv = map_rows(
        "statements", csv_items(training_io.csv_files(str(tmp_path / "lms"))), validity
    )
    assert sorted(str(sorted(m.record.items())) for m in select(over_http, window)) == sorted(
        str(sorted(m.record.items())) for m in select(from_csv, window)
    )
    assert any(m.record["expires_at"] for m in from_csv)


def test_hris_rest_pages_and_csv_give_the_same_employees(
    sandbox: SandboxServer, tmp_path: Path
) -> None:
    employees = build_training_data(FIRST, 8).employees
    requests.post(
        f"{_base(sandbox)}/_sandbox/hris/employees", json=employees, timeout=10
    ).raise_for_status()
    source = RestSource(conn_id="hris_test", endpoint="employees", page_size=3)
    items = list(training_io.rest_items(source))
    assert len(items) == len(employees) and items[0][0] == "employees page 1 item 1"
    log = requests.get(f"{_base(sandbox)}/_sandbox/lrs/requests", timeout=10).json()
    assert len(log) == -(-len(employees) // 3)
    write_csv(tmp_path / "employees.csv", EMPLOYEE_COLUMNS, employees)
    files = training_io.csv_files(str(tmp_path / "employees.csv"))
    over_rest = [m.record for m in map_rows("hris", items, {})]
    from_csv = [m.record for m in map_rows("hris", csv_items(files), {})]
    assert over_rest == from_csv


@pytest.mark.parametrize(
    ("source", "columns", "attribute"),
    [
        ("qualifications", QUALIFICATION_COLUMNS, "qualifications"),
        ("ebt_gradings", GRADING_COLUMNS, "gradings"),
        ("courses", COURSE_COLUMNS, "courses"),
    ],
)
def test_crew_and_ebt_sources_read_the_same_over_rest_and_csv(
    sandbox: SandboxServer, tmp_path: Path, source: str, columns: tuple[str, ...], attribute: str
) -> None:
    rows = getattr(build_training_data(FIRST, 8), attribute)
    requests.post(
        f"{_base(sandbox)}/_sandbox/hris/{source}", json=rows, timeout=10
    ).raise_for_status()
    items = list(
        training_io.rest_items(RestSource(conn_id="hris_test", endpoint=source, page_size=4))
    )
    assert len(items) == len(rows) > 4  # more than one page
    write_csv(tmp_path / f"{source}.csv", columns, rows)
    files = training_io.csv_files(str(tmp_path / f"{source}.csv"))
    over_rest = [(m.record, m.unreadable) for m in map_rows(source, items, {})]
    from_csv = [(m.record, m.unreadable) for m in map_rows(source, csv_items(files), {})]
    assert over_rest == from_csv and any(record for record, _ in over_rest)


def test_enrolments_read_the_same_over_rest_and_csv(sandbox: SandboxServer, tmp_path: Path) -> None:
    rows = [
        {"enrolment_id": f"EN{n}", "employee_id": "E001", "course_id": "CRM",
         "status": "passed" if n == 5 else "in_progress", "progress": 1 if n == 5 else n / 10,
         "registered_at": "2026-03-01T08:00:00Z", "updated_at": "2026-03-02T08:00:00Z",
         "completed_at": "2026-03-02T08:00:00Z" if n == 5 else None}
        for n in range(6)
    ]  # fmt: skip
    requests.post(
        f"{_base(sandbox)}/_sandbox/hris/enrolments", json=rows, timeout=10
    ).raise_for_status()
    source = RestSource(conn_id="hris_test", endpoint="enrolments", page_size=4)
    items = list(training_io.rest_items(source))
    write_csv(tmp_path / "enrolments.csv", tuple(rows[0]), rows)
    files = training_io.csv_files(str(tmp_path / "enrolments.csv"))
    over_rest = [(m.record, m.unreadable) for m in map_rows("enrolments", items, {})]
    from_csv = [(m.record, m.unreadable) for m in map_rows("enrolments", csv_items(files), {})]
    assert over_rest == from_csv and len(over_rest) == 6
    assert over_rest[5][0]["status"] == "passed" and over_rest[1][0]["progress"] == 0.1


def test_posting_statements_twice_stores_them_once(sandbox: SandboxServer) -> None:
    data = build_training_data(FIRST, 3)
    target = LrsSource(conn_id="lrs_test", timeout_seconds=5)
    assert training_io.post_statements(target, data.statements[:3]) == 3
    assert training_io.post_statements(target, data.statements[:3]) == 3
    held = requests.get(f"{_base(sandbox)}/_sandbox/lrs/statements", timeout=10).json()
    assert len(held) == 3
    changed = {**data.statements[0], "verb": {"id": "http://adlnet.gov/expapi/verbs/failed"}}
    with pytest.raises(Exception, match="409"):
        training_io.post_statements(target, [changed])


def test_a_missing_csv_location_is_named(tmp_path: Path) -> None:
    with pytest.raises(training_io.SourceError, match="does not exist"):
        next(training_io.csv_files(str(tmp_path / "nowhere")))


def test_a_csv_is_read_row_by_row_and_a_repeated_column_is_refused(tmp_path: Path) -> None:
    (tmp_path / "drop").mkdir()
    (tmp_path / "drop" / "a.csv").write_bytes(b"\xef\xbb\xbfemployee_id,name\r\nE1,Ana\r\n")
    (tmp_path / "drop" / "b.csv").write_text("employee_id,name,employee_id\nE2,Ben,E3\n")
    files = training_io.csv_files(str(tmp_path / "drop"))
    items = csv_items(files)
    assert next(items) == ("a.csv line 2", {"employee_id": "E1", "name": "Ana"})
    with pytest.raises(ValueError, match=r"file 'b\.csv'.*column 'employee_id' more than once"):
        next(items)


def test_export_is_written_into_a_new_folder(tmp_path: Path) -> None:
    path = training_io.write_text(str(tmp_path / "crew" / "exports"), "x.csv", "a,b\n")
    assert Path(path).read_text() == "a,b\n"
