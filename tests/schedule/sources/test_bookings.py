"""Training bookings from a CSV file drop: folders, single files, staleness, broken rows."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aerosync.schedule.sources.bookings import (
    BookingsUnavailable,
    booking_activity,
    read_csv_bookings,
)

pytestmark = pytest.mark.unit
NOW = datetime.now(UTC)
DAY = timedelta(days=1)
HEADER = "booking_id,tail,airport,start,end,status,course\n"


def write(path: Path, *rows: str, age: timedelta = timedelta(minutes=5)) -> Path:
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    stamp = (NOW - age).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def by_id(rows: list[dict[str, object]]) -> dict[object, dict[str, object]]:
    return {r["activity_id"]: r for r in rows}


def test_a_booking_is_a_canonical_training_row() -> None:
    row = booking_activity(
        {
            "booking_id": 4711,
            "tail": " N650SW ",
            "airport": "TEB",
            "start": "2026-11-26T09:00:00-05:00",
            "end": "2026-11-26T13:00:00-05:00",
            "status": "confirmed",
            "course": "Base training G650",
        }
    )
    assert row["activity_id"] == "LMS-4711"
    assert row["tail"] == "N650SW" and row["activity_kind"] == "TRAINING"
    assert row["start_airport"] == row["end_airport"] == "TEB"
    assert row["start_time"] == "2026-11-26T09:00:00-05:00"
    assert row["note"] == "Base training G650" and row["source"] == "lms"


def test_every_csv_of_a_folder_is_read_and_cancelled_bookings_are_left_out(
    tmp_path: Path,
) -> None:
    write(tmp_path / "a.csv", "B1,N1,KTEB,2026-11-26T09:00Z,2026-11-26T12:00Z,booked,Line check")
    write(
        tmp_path / "b.CSV",
        "B2,N2,KHPN,2026-11-27T09:00+00:00,2026-11-27T12:00+00:00,,Check ride",
        "B3,N2,KHPN,2026-11-28T09:00+00:00,2026-11-28T12:00+00:00,Cancelled,Check ride",
    )
    (tmp_path / "notes.txt").write_text("not a booking", encoding="utf-8")
    (tmp_path / "old").mkdir()
    read = read_csv_bookings(tmp_path, NOW, DAY)
    assert sorted(by_id(read.rows)) == ["LMS-B1", "LMS-B2"]
    assert read.summary() == {"bookings": 2, "cancelled": 1, "files": 2}


def test_a_single_file_is_read(tmp_path: Path) -> None:
    path = write(tmp_path / "bookings.csv", "B1,N1,KTEB,2026-11-26T09:00Z,2026-11-26T12:00Z,,")
    assert [r["activity_id"] for r in read_csv_bookings(path, NOW, DAY).rows] == ["LMS-B1"]


def test_a_newer_file_replaces_a_booking_of_an_older_one(tmp_path: Path) -> None:
    write(
        tmp_path / "1.csv",
        "B1,N1,KTEB,2026-11-26T09:00Z,2026-11-26T12:00Z,booked,Old",
        "B2,N1,KTEB,2026-11-27T09:00Z,2026-11-27T12:00Z,booked,Stays",
        age=timedelta(hours=2),
    )
    write(tmp_path / "2.csv", "B1,N1,KTEB,2026-11-26T10:00Z,2026-11-26T14:00Z,cancelled,New")
    read = read_csv_bookings(tmp_path, NOW, DAY)
    assert sorted(by_id(read.rows)) == ["LMS-B2"] and read.cancelled == 1


def test_a_stale_folder_is_unavailable_naming_the_file(tmp_path: Path) -> None:
    write(tmp_path / "old.csv", "B1,N1,KTEB,2026-11-26T09:00Z,2026-11-26T12:00Z,,", age=2 * DAY)
    with pytest.raises(BookingsUnavailable, match=r"stale.*'old\.csv'.*1440 minutes"):
        read_csv_bookings(tmp_path, NOW, DAY)


@pytest.mark.parametrize(
    ("setup", "words"),
    [
        (lambda p: p.mkdir(), "holds no \\*.csv file"),
        (lambda p: None, "does not exist"),
        (lambda p: p.mkdir() or (p / "x.csv").write_text("id,tail\n1,N1\n"), "lacks the column"),
        (lambda p: p.mkdir() or (p / "x.csv").write_bytes(HEADER.encode() + b"\xff\xfe"), "UTF-8"),
    ],
)
def test_an_unreadable_drop_is_unavailable(tmp_path: Path, setup: object, words: str) -> None:
    location = tmp_path / "drop"
    setup(location)  # type: ignore[operator]
    with pytest.raises(BookingsUnavailable, match=words):
        read_csv_bookings(location, NOW, DAY)


def test_broken_rows_are_passed_on_for_the_normaliser_to_hold_not_dropped(
    tmp_path: Path,
) -> None:
    write(
        tmp_path / "b.csv",
        "B1,,KTEB,2026-11-26T09:00Z,2026-11-26T12:00Z,,",  # no tail
        "B2,N1,KTEB,2026-11-26T09:00,2026-11-26T12:00,,",  # no UTC offset
        "B3,N1,KTEB,tomorrow,2026-11-26T12:00Z,,",  # not a time
        "B4,N1",  # short row
        ",N1,KTEB,2026-11-26T09:00Z,2026-11-26T12:00Z,,",  # no booking id
    )
    rows = read_csv_bookings(tmp_path, NOW, DAY).rows
    assert len(rows) == 5
    assert {r["activity_id"] for r in rows} == {"LMS-B1", "LMS-B2", "LMS-B3", "LMS-B4", None}


@pytest.mark.parametrize("second", ["tail", " Tail "])
def test_a_header_naming_a_column_twice_is_refused_naming_file_and_column(
    tmp_path: Path, second: str
) -> None:
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / "bookings.csv").write_text(
        f"booking_id,tail,airport,start,end,status,course,{second}\n"
        "B1,N1,KTEB,2026-11-26T09:00Z,2026-11-26T12:00Z,,LPC,N2\n",
        encoding="utf-8",
    )
    with pytest.raises(
        BookingsUnavailable,
        match=r"LMS bookings file 'bookings\.csv'.*column 'tail' more than once",
    ):
        read_csv_bookings(drop, NOW, DAY)
