"""AMS events as activity rows: the kinds, cancellations, open AOG, the CSV drop and the REST
pages (real files, the sandbox's paged feed over HTTP)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from aerosync.sandbox.server import SandboxServer
from aerosync.schedule.sources.ams_events import (
    AMS_FEED,
    AmsUnavailable,
    ams_rows,
    open_until,
    read_csv_events,
    read_rest_events,
)
from aerosync.schedule.sources.bookings_rest import SessionPageFetcher

pytestmark = pytest.mark.unit
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
UNTIL = open_until(NOW, 7)
DAY = timedelta(days=1)
HEADER = "event_id,tail_number,kind,airport,starts_at,ends_at,status,note\n"


def event(event_id: str = "WO-1", **kw: Any) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "tail_number": "OE-GAJ",
        "kind": "MAINTENANCE",
        "airport": "LOWW",
        "starts_at": "2026-12-16T07:00:00+01:00",
        "ends_at": "2026-12-17T07:00:00+01:00",
        "status": "PLANNED",
        "note": "A-check",
        **kw,
    }


def test_an_event_becomes_an_occupied_ground_activity_row() -> None:
    (row,) = ams_rows([event()], UNTIL).rows
    assert row == {
        "activity_id": "AMS-WO-1",
        "tail": "OE-GAJ",
        "activity_kind": "MAINTENANCE",
        "external_trip_id": None,
        "avinode_trip_id": None,
        "flight_number": None,
        "start_airport": "LOWW",
        "end_airport": "LOWW",
        "start_time": "2026-12-16T07:00:00+01:00",
        "end_time": "2026-12-17T07:00:00+01:00",
        "pax_count": None,
        "note": "A-check",
        "flight_regulation": None,
        "market_from": None,
        "market_to": None,
        "price": None,
        "currency": None,
        "marketing_message": None,
        "verified_by": None,
        "source": "ams",
    }


def test_cancelled_events_are_left_out_and_every_other_status_is_sent() -> None:
    read = ams_rows(
        [
            event("1", status="CANCELLED"),
            event("2", status=" canceled "),
            event("3", status="IN_WORK", kind=" aog "),
            event("4", status="CLOSED"),
            event("5", status=None),
            event("6", status="DEFERRED"),
        ],
        UNTIL,
    )
    assert [r["activity_id"] for r in read.rows] == ["AMS-3", "AMS-4", "AMS-5", "AMS-6"]
    assert read.rows[0]["activity_kind"] == "AOG"
    assert read.summary() == {
        "events": 4, "cancelled": 2, "open_aog": 0, "refused": 0, "files": 0,
    }  # fmt: skip


def test_an_open_aog_is_occupied_until_the_configured_days_after_the_run() -> None:
    read = ams_rows(
        [
            event("AOG-1", kind="AOG", ends_at=None, status="IN_WORK"),
            event("AOG-2", kind="AOG", ends_at="  ", status="CLOSED"),
            event("MX-3", ends_at=""),
        ],
        UNTIL,
    )
    open_aog, closed, maintenance = read.rows
    assert open_aog["end_time"] == "2026-12-14T09:00:00+00:00" and read.open_aog == 1
    # A closed AOG or a maintenance event without an end is passed on as it is: the normaliser
    # holds its aircraft ("end_time is missing").
    assert closed["end_time"] == "  " and maintenance["end_time"] == ""


@pytest.mark.parametrize(("kind", "words"), [("OWNER_HOLD", "'OWNER_HOLD'"), (None, "missing")])
def test_an_event_of_another_kind_is_refused_naming_the_field(kind: Any, words: str) -> None:
    read = ams_rows([event("X", kind=kind), event("Y")], UNTIL)
    assert [r["activity_id"] for r in read.rows] == ["AMS-Y"]
    (refused,) = read.refused
    assert (refused.activity_id, refused.tail, refused.field) == ("AMS-X", "OE-GAJ", "kind")
    assert words in refused.why and "not MAINTENANCE or AOG" in refused.why


def write(path: Path, *lines: str, age: timedelta = timedelta(0)) -> Path:
    path.write_text(HEADER + "".join(line + "\n" for line in lines), encoding="utf-8")
    stamp = (NOW - age).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def test_a_csv_drop_is_read_newest_file_winning(tmp_path: Path) -> None:
    write(
        tmp_path / "1.csv",
        "WO-1,OE-GAJ,MAINTENANCE,LOWW,2026-12-16T07:00+01:00,2026-12-17T07:00+01:00,PLANNED,",
        "WO-2,HB-JSZ,AOG,LSZH,2026-12-08T07:00+01:00,,IN_WORK,Bird strike",
        age=timedelta(hours=3),
    )
    write(
        tmp_path / "2.csv",
        "WO-1,OE-GAJ,MAINTENANCE,LOWW,2026-12-16T07:00+01:00,2026-12-17T07:00+01:00,CANCELLED,",
    )
    read = read_csv_events(tmp_path, NOW, DAY, UNTIL)
    assert [r["activity_id"] for r in read.rows] == ["AMS-WO-2"]
    assert read.summary() == {"events": 1, "cancelled": 1, "open_aog": 1, "refused": 0, "files": 2}


@pytest.mark.parametrize(
    ("setup", "words"),
    [
        (lambda p: p.mkdir(), r"the AMS maintenance folder 'drop' holds no \*.csv file"),
        (lambda p: None, r"location 'drop' does not exist \(ams.csv\)"),
        (
            lambda p: p.mkdir() or (p / "x.csv").write_text("event_id,tail_number\n1,N1\n"),
            "AMS maintenance file 'x.csv' lacks the column.*kind, airport, starts_at, ends_at",
        ),
        (
            lambda p: p.mkdir() or (p / "x.csv").write_text(HEADER.strip() + ",KIND\n"),
            "file 'x.csv'.*column 'kind' more than once",
        ),
        (
            lambda p: p.mkdir() or (p / "x.csv").write_bytes(HEADER.encode() + b"\xff\xfe"),
            "an AMS maintenance file is not UTF-8 CSV",
        ),
    ],
)
def test_an_unusable_drop_fails_the_ams(tmp_path: Path, setup: Any, words: str) -> None:
    location = tmp_path / "drop"
    setup(location)
    with pytest.raises(AmsUnavailable, match=words):
        read_csv_events(location, NOW, DAY, UNTIL)


def test_a_stale_drop_fails_the_ams_naming_the_file_and_the_setting(tmp_path: Path) -> None:
    write(tmp_path / "events.csv", age=timedelta(hours=25))
    with pytest.raises(
        AmsUnavailable,
        match=r"stale: the newest AMS maintenance file 'events\.csv' .* more than 1440 minutes "
        r"ago \(ams\.max_age_minutes\)",
    ):
        read_csv_events(tmp_path, NOW, DAY, UNTIL)


@pytest.fixture
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(port=0) as server:
        yield server


def fetcher(server: SandboxServer, feed: str, timeout: float = 5) -> SessionPageFetcher:
    base = f"http://127.0.0.1:{server.port}"
    endpoint = f"lms/{feed}/bookings"  # the sandbox's paged feed: the same page protocol
    return SessionPageFetcher(requests.Session(), base, endpoint, 1, timeout, feed=AMS_FEED)


def test_rest_pages_are_read_whole_and_keep_only_the_event_fields(sandbox: SandboxServer) -> None:
    sandbox.lms.load("ams", [event("1", extra="ignored"), event("2", kind="AOG", ends_at=None)])
    fetch = fetcher(sandbox, "ams")
    read = read_rest_events(fetch, 10, 30, UNTIL)
    assert [r["activity_id"] for r in read.rows] == ["AMS-1", "AMS-2"] and fetch.pages == 2
    assert read.open_aog == 1 and "extra" not in read.rows[0]


def test_a_failing_rest_ams_is_named_as_the_ams(sandbox: SandboxServer) -> None:
    sandbox.lms.load("down", [event("1"), event("2")])
    sandbox.lms.set_fault("down", "500", from_page=2)
    with pytest.raises(AmsUnavailable, match=r"^AMS page 2: HTTP 500"):
        read_rest_events(fetcher(sandbox, "down"), 10, 30, UNTIL)
    sandbox.lms.set_endless("endless", True)
    with pytest.raises(AmsUnavailable, match="the AMS answered more than 5 pages"):
        read_rest_events(fetcher(sandbox, "endless"), 5, 30, UNTIL)
