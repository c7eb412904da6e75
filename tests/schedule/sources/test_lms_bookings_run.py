"""Training bookings through the real pipeline steps, the sandbox's LMS stub and its marketplace
over HTTP: a booking is uploaded as an occupied `Training` activity, and a failed or stale LMS
holds exactly the aircraft it covers while the others upload."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from aerosync.config.companies import CompanyConfig
from aerosync.sandbox.server import SandboxServer, SandboxState
from aerosync.schedule.decisions import step_validate
from aerosync.schedule.extract import step_extract, step_normalise
from aerosync.schedule.local_run import MarketplaceAccount, SessionSender, run_company
from aerosync.schedule.sources.lms import BookingsReader, local_bookings_reader
from aerosync.schedule.stages import Stores
from aerosync.stores.database import sqlite_engine
from tests.conftest import make_company
from tests.schedule.fms_builder import FmsBuilder

pytestmark = pytest.mark.integration
AUTH, API = "lms-auth-5120", "lms-api-6631"
NOW = datetime.now(UTC).replace(second=0, microsecond=0)
HEADER = "booking_id,tail,airport,start,end,status,course\n"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(port=0, state=SandboxState(accounts=[("lms", AUTH, API)])) as server:
        yield server


def local(moment: datetime, offset_hours: int = -5) -> str:
    """A time as an LMS writes it: local, with its UTC offset."""
    shifted = moment + timedelta(hours=offset_hours)
    text = shifted.replace(tzinfo=None).isoformat(timespec="seconds")
    return text + ("Z" if offset_hours == 0 else f"{offset_hours:+03d}:00")


def booking(
    booking_id: str, tail: str, start: datetime, hours: float = 4, **kw: Any
) -> dict[str, Any]:
    return {
        "booking_id": booking_id,
        "tail": tail,
        "airport": "TEB",
        "start": local(start),
        "end": local(start + timedelta(hours=hours)),
        "status": "confirmed",
        "course": "Base training G650",
        **kw,
    }


class Fleet:
    """Two aircraft with clean FMS schedules, an aerosync store, the sandbox, one LMS."""

    def __init__(self, tmp: Path, sandbox: SandboxServer, feed: str, **bookings: Any) -> None:
        self.tmp = tmp
        self.sandbox = sandbox
        self.feed = feed
        self.base = f"http://127.0.0.1:{sandbox.port}"
        requests.post(f"{self.base}/_sandbox/reset", timeout=5).raise_for_status()
        self.fms = FmsBuilder(tmp / "fms.sqlite")
        for tail in ("N1", "N2"):
            self.fms.aircraft(tail)
            for i in range(3):
                self.fms.leg(f"{tail}-L{i}", tail, NOW + timedelta(hours=8 * i - 12))
        self.store = sqlite_engine(tmp / "aerosync.db")
        source = {"rest": {"conn_id": "lms_co", "endpoint": f"lms/{feed}/bookings", "page_size": 2}}
        self.company: CompanyConfig = make_company(training={"bookings": {**source, **bookings}})
        self.sender = SessionSender(
            {"avinode_skyway": MarketplaceAccount(sandbox.url, AUTH, API)}, "AeroSync/test"
        )

    def load(self, *bookings: dict[str, Any]) -> None:
        url = f"{self.base}/_sandbox/lms/{self.feed}/bookings"
        requests.post(url, json={"bookings": list(bookings)}, timeout=5).raise_for_status()

    def fault(self, fault: str | None) -> None:
        url = f"{self.base}/_sandbox/lms/{self.feed}/fault"
        requests.post(url, json={"fault": fault}, timeout=5).raise_for_status()

    @property
    def reader(self) -> BookingsReader:
        assert self.company.training is not None and self.company.training.bookings is not None
        return local_bookings_reader(self.company.training.bookings, {"lms_co": self.base})

    def run(self, reader: BookingsReader | None = None) -> dict[str, Any]:
        summary = run_company(
            self.company, self.fms.engine, self.store, self.sender, bookings=reader or self.reader
        )
        return {r.tail: r for r in summary.records} | {"problems": summary.problems}

    def reset_history(self) -> None:
        """Forget earlier attempts (the 5-minute guard) and what the sandbox saw."""
        with self.store.begin() as conn:
            conn.execute(sa.text("DELETE FROM upload_status"))
        requests.post(f"{self.base}/_sandbox/reset", timeout=5).raise_for_status()

    def sent(self, tail: str) -> list[dict[str, Any]]:
        log = requests.get(f"{self.base}/_sandbox/requests", params={"tail": tail}, timeout=5)
        return [entry["body"] for entry in log.json()]


def reasons(record: Any) -> str:
    return " | ".join(str(r.get("message")) for r in record.reasons)


def test_a_booking_is_uploaded_as_an_occupied_training_activity(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    fleet = Fleet(tmp_path, sandbox, "ok", tails=["N1"])
    start = NOW + timedelta(days=2)
    fleet.load(
        booking("4711", "N1", start),
        booking("4712", "N1", start + timedelta(days=1), status="cancelled"),
        booking("4713", "N1", start + timedelta(days=2), course="Line check"),
    )
    result = fleet.run()
    assert result["N1"].outcome.value == "uploaded" and result["N2"].outcome.value == "uploaded"
    assert result["problems"] == []
    ((body,),) = [fleet.sent("N1")]
    training = [a for a in body["activities"] if a["activityType"] == "Training"]
    assert training == [
        {
            "activityId": "LMS-4711",
            "activityType": "Training",
            "startAirport": {"icao": "KTEB"},
            "endAirport": {"icao": "KTEB"},
            "startDateTime": start.strftime("%Y-%m-%dT%H:%MZ"),
            "endDateTime": (start + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%MZ"),
            "note": "Base training G650",
        },
        {
            "activityId": "LMS-4713",
            "activityType": "Training",
            "startAirport": {"icao": "KTEB"},
            "endAirport": {"icao": "KTEB"},
            "startDateTime": (start + timedelta(days=2)).strftime("%Y-%m-%dT%H:%MZ"),
            "endDateTime": (start + timedelta(days=2, hours=4)).strftime("%Y-%m-%dT%H:%MZ"),
            "note": "Line check",
        },
    ]
    # Merged into the complete schedule, in time order, with every FMS leg still there.
    assert [a["activityId"] for a in body["activities"]] == [
        "N1-L0", "N1-L1", "N1-L2", "LMS-4711", "LMS-4713",
    ]  # fmt: skip
    assert result["N1"].activities_sent == 5
    held = requests.get(f"{fleet.base}/_sandbox/schedules/N1", timeout=5).json()
    assert [a["activityType"] for a in held["activities"]].count("Training") == 2
    assert all(a["activityType"] != "Training" for a in fleet.sent("N2")[0]["activities"])


def test_bookings_from_a_csv_drop_are_uploaded(tmp_path: Path, sandbox: SandboxServer) -> None:
    drop = tmp_path / "lms"
    drop.mkdir()
    start = NOW + timedelta(days=1)
    (drop / "bookings.csv").write_text(
        HEADER + f"B9,N2,KTEB,{local(start, 0)},{local(start + timedelta(hours=3), 0)},,Check\n",
        encoding="utf-8",
    )
    fleet = Fleet(tmp_path, sandbox, "unused")
    fleet.company = make_company(training={"bookings": {"csv": f"file://{drop}"}})
    result = fleet.run()
    assert result["N2"].outcome.value == "uploaded"
    (body,) = fleet.sent("N2")
    (training,) = [a for a in body["activities"] if a["activityType"] == "Training"]
    assert training["activityId"] == "LMS-B9" and training["note"] == "Check"


def test_a_failed_lms_holds_exactly_the_aircraft_it_covers(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    fleet = Fleet(tmp_path, sandbox, "down", tails=["N1"])
    fleet.load(booking("1", "N1", NOW + timedelta(days=2)))
    fleet.fault("500")
    result = fleet.run()
    assert result["N1"].outcome.value == "held"
    assert result["N2"].outcome.value == "uploaded"
    why = reasons(result["N1"])
    assert "skyway_charter" in why and "LMS bookings (REST, connection lms_co" in why
    assert "HTTP 500" in why
    assert fleet.sent("N1") == [] and len(fleet.sent("N2")) == 1
    assert any("source failed" in p and "HTTP 500" in p for p in result["problems"])


def test_a_stale_csv_drop_covering_every_aircraft_holds_them_all(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    drop = tmp_path / "lms"
    drop.mkdir()
    old = drop / "bookings.csv"
    old.write_text(HEADER, encoding="utf-8")
    stamp = (NOW - timedelta(hours=3)).timestamp()
    os.utime(old, (stamp, stamp))
    fleet = Fleet(tmp_path, sandbox, "unused")
    fleet.company = make_company(training={"bookings": {"csv": str(drop), "max_age_minutes": 60}})
    result = fleet.run()
    assert result["N1"].outcome.value == result["N2"].outcome.value == "held"
    assert "stale" in reasons(result["N1"]) and "'bookings.csv'" in reasons(result["N1"])
    assert fleet.sent("N1") == [] and fleet.sent("N2") == []


def test_no_transport_given_holds_the_covered_aircraft(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    fleet = Fleet(tmp_path, sandbox, "none", tails=["N2"])
    summary = run_company(fleet.company, fleet.fms.engine, fleet.store, fleet.sender)
    outcomes = {r.tail: r.outcome.value for r in summary.records}
    assert outcomes == {"N1": "uploaded", "N2": "held"}


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"start": "2026-12-01T10:00:00"}, "no UTC offset"),
        ({"end": "soon"}, "not an ISO 8601 time"),
        ({"airport": ""}, "start_airport is missing"),
        ({"booking_id": ""}, "activity_id is missing"),
        ({"hours": 30}, "longer than is plausible"),
    ],
)
def test_an_unreadable_booking_holds_its_aircraft_only(
    tmp_path: Path, sandbox: SandboxServer, change: dict[str, Any], words: str
) -> None:
    fleet = Fleet(tmp_path, sandbox, "broken")
    hours = change.pop("hours", 4)
    fleet.load(booking("OK", "N1", NOW + timedelta(days=1)), {
        **booking("BAD", "N2", NOW + timedelta(days=2), hours=hours), **change
    })  # fmt: skip
    result = fleet.run()
    assert result["N1"].outcome.value == "uploaded"
    assert result["N2"].outcome.value == "held"
    assert words in reasons(result["N2"]), reasons(result["N2"])
    assert fleet.sent("N2") == []


def test_a_booking_without_a_tail_holds_every_aircraft(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    fleet = Fleet(tmp_path, sandbox, "notail")
    fleet.load(booking("X1", "", NOW + timedelta(days=1)))
    result = fleet.run()
    assert result["N1"].outcome.value == result["N2"].outcome.value == "held"
    assert "LMS-X1" in reasons(result["N1"]) and "tail is missing" in reasons(result["N1"])


def test_a_booking_for_an_aircraft_the_lms_does_not_cover_holds_it(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    fleet = Fleet(tmp_path, sandbox, "uncovered", tails=["N1"])
    fleet.load(booking("7", "N2", NOW + timedelta(days=1)))
    result = fleet.run()
    assert result["N1"].outcome.value == "uploaded"
    assert result["N2"].outcome.value == "held"
    assert "training.bookings.tails does not list" in reasons(result["N2"])


def test_a_booking_for_an_aircraft_that_is_not_marketed_is_reported(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    fleet = Fleet(tmp_path, sandbox, "unmarketed")
    fleet.load(booking("8", "N999", NOW + timedelta(days=1)))
    stores = Stores.on(fleet.store)
    extracted = step_extract(
        fleet.company, lambda: fleet.fms.engine, stores, "r1", NOW, fleet.reader
    )
    assert extracted.summary["training_bookings"] == {
        "bookings": 1,
        "cancelled": 0,
        "files": 0,
        "not_marketed": ["N999"],
    }
    normalised = step_normalise(fleet.company, stores, "r1", NOW, extracted)
    (finding,) = [f for f in normalised.findings if f.activity_id == "LMS-8"]
    assert finding.code == "AIRCRAFT_NOT_MARKETED" and finding.tail == "N999"
    # N999 has no status record to carry it: the validate step's summary names it instead.
    validated = step_validate(fleet.company, stores, "r1", NOW, normalised)
    assert "N999" not in validated.held
    assert validated.outside_fleet == 1
    (message,) = validated.outside_fleet_findings
    assert "LMS-8" in message and "N999" in message


def test_a_tail_written_differently_is_the_fms_aircraft(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    fleet = Fleet(tmp_path, sandbox, "spelling", tails=["n-1"])
    fleet.load(booking("S1", " n1 ", NOW + timedelta(days=1)))
    result = fleet.run()
    assert result["N1"].outcome.value == "uploaded", reasons(result["N1"])
    (body,) = fleet.sent("N1")
    assert [a["activityId"] for a in body["activities"]][-1] == "LMS-S1"
    fleet.fault("500")
    fleet.reset_history()
    result = fleet.run()
    assert result["N1"].outcome.value == "held" and result["N2"].outcome.value == "uploaded"
