"""Maintenance from an AMS through the real pipeline steps and the sandbox marketplace over HTTP:
a maintenance block is in the PUT body as an occupied `Maintenance` activity with its times, and a
failed, timed-out or stale AMS holds exactly the aircraft it covers while the others upload."""

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
from aerosync.schedule.build import build_schedules
from aerosync.schedule.local_run import MarketplaceAccount, SessionSender, run_company
from aerosync.schedule.sources.ams import AmsReader, local_ams_reader
from aerosync.schedule.stages import Stores
from aerosync.stores.database import sqlite_engine
from tests.conftest import make_company
from tests.schedule.fms_builder import FmsBuilder
from tests.silent_tcp import SilentServer

pytestmark = pytest.mark.integration
AUTH, API = "ams-auth-3141", "ams-api-2718"
HEADER = "event_id,tail_number,kind,airport,starts_at,ends_at,status,note\n"


def minute(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


def local(moment: datetime, offset_hours: int = 1) -> str:
    """A time as an AMS writes it: local, with its UTC offset."""
    shifted = moment + timedelta(hours=offset_hours)
    return shifted.replace(tzinfo=None).isoformat(timespec="seconds") + f"{offset_hours:+03d}:00"


def event(
    event_id: str, tail: str, start: datetime, hours: float = 24, **kw: Any
) -> dict[str, Any]:
    return {
        "event_id": event_id,
        "tail_number": tail,
        "kind": "MAINTENANCE",
        "airport": "KTEB",
        "starts_at": local(start),
        "ends_at": local(start + timedelta(hours=hours)),
        "status": "PLANNED",
        "note": "Phase inspection",
        **kw,
    }


def csv_line(e: dict[str, Any]) -> str:
    return ",".join("" if v is None else str(v) for v in e.values()) + "\n"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(port=0, state=SandboxState(accounts=[("ams", AUTH, API)])) as server:
        yield server


class Fleet:
    """Two aircraft with clean FMS schedules, an aerosync store, the sandbox, one AMS."""

    def __init__(self, tmp: Path, sandbox: SandboxServer) -> None:
        self.tmp = tmp
        self.sandbox = sandbox
        self.base = f"http://127.0.0.1:{sandbox.port}"
        self.now = datetime.now(UTC).replace(second=0, microsecond=0)
        requests.post(f"{self.base}/_sandbox/reset", timeout=5).raise_for_status()
        self.fms = FmsBuilder(tmp / "fms.sqlite")
        for tail in ("N1", "N2"):
            self.fms.aircraft(tail)
            for i in range(3):
                self.fms.leg(f"{tail}-L{i}", tail, self.now + timedelta(hours=8 * i - 12))
        self.store = sqlite_engine(tmp / "aerosync.db")
        self.drop = tmp / "ams"
        self.drop.mkdir()
        self.company: CompanyConfig = make_company()
        self.urls = {"ams_co": self.base}
        self.sender = SessionSender(
            {"avinode_skyway": MarketplaceAccount(sandbox.url, AUTH, API)}, "AeroSync/test"
        )

    def csv_ams(self, *events: dict[str, Any], age: timedelta = timedelta(0), **ams: Any) -> None:
        path = self.drop / "events.csv"
        path.write_text(HEADER + "".join(csv_line(e) for e in events), encoding="utf-8")
        stamp = (datetime.now(UTC) - age).timestamp()
        os.utime(path, (stamp, stamp))
        self.company = make_company(ams={"csv": str(self.drop), **ams})

    def rest_ams(
        self,
        feed: str,
        *events: dict[str, Any],
        tails: tuple[str, ...] = (),
        open_aog_days: int = 7,
        **rest: Any,
    ) -> None:
        """An AMS REST API: the sandbox's paged feed (the LMS bookings' page protocol)."""
        self.sandbox.lms.set_fault(feed, None)
        self.sandbox.lms.load(feed, list(events))
        source = {"conn_id": "ams_co", "endpoint": f"lms/{feed}/bookings", "page_size": 1}
        self.company = make_company(
            ams={"rest": {**source, **rest}, "tails": list(tails), "open_aog_days": open_aog_days}
        )

    @property
    def reader(self) -> AmsReader:
        assert self.company.ams is not None
        return local_ams_reader(self.company.ams, self.urls)

    def run(self) -> dict[str, Any]:
        summary = run_company(
            self.company, self.fms.engine, self.store, self.sender, now=self.now, ams=self.reader
        )
        return {r.tail: r for r in summary.records} | {"problems": summary.problems}

    def sent(self, tail: str) -> list[dict[str, Any]]:
        log = requests.get(f"{self.base}/_sandbox/requests", params={"tail": tail}, timeout=5)
        return [entry["body"] for entry in log.json()]


def reasons(record: Any) -> str:
    return " | ".join(str(r.get("message")) for r in record.reasons)


def test_a_maintenance_block_from_the_ams_is_an_occupied_activity_in_the_put_body(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    fleet = Fleet(tmp_path, sandbox)
    start = fleet.now + timedelta(days=2)
    fleet.csv_ams(
        event("WO-1187", "N1", start, hours=30, note="A-check"),
        event("WO-1188", "N1", start + timedelta(days=3), status="CANCELLED"),
    )
    result = fleet.run()
    assert result["N1"].outcome.value == "uploaded" and result["N2"].outcome.value == "uploaded"
    assert result["problems"] == []
    (body,) = fleet.sent("N1")
    # Merged into the complete schedule in time order, every FMS leg still there; the
    # cancelled block is not sent.
    assert [a["activityId"] for a in body["activities"]] == [
        "N1-L0", "N1-L1", "N1-L2", "AMS-WO-1187",
    ]  # fmt: skip
    # Occupied: a non-flight activity of type Maintenance, no marketing, the AMS's times in UTC.
    assert body["activities"][-1] == {
        "activityId": "AMS-WO-1187",
        "activityType": "Maintenance",
        "startAirport": {"icao": "KTEB"},
        "endAirport": {"icao": "KTEB"},
        "startDateTime": minute(start),
        "endDateTime": minute(start + timedelta(hours=30)),
        "note": "A-check",
    }
    assert result["N1"].activities_sent == 4
    held = requests.get(f"{fleet.base}/_sandbox/schedules/N1", timeout=5).json()
    assert "AMS-WO-1187" in [a["activityId"] for a in held["activities"]]
    assert all(not a["activityId"].startswith("AMS-") for a in fleet.sent("N2")[0]["activities"])


def test_an_aog_from_a_rest_ams_and_an_open_aog_are_occupied(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    fleet = Fleet(tmp_path, sandbox)
    start = fleet.now + timedelta(days=1)
    fleet.rest_ams(
        "ams_ok",
        event("AOG-7", "N1", start, hours=10, kind="AOG", note="Bird strike"),
        event("AOG-8", "n-2", fleet.now + timedelta(hours=13), ends_at=None, kind="AOG",
              status="IN_WORK", note="Hydraulic pump on order"),
        open_aog_days=3,
    )  # fmt: skip
    result = fleet.run()
    assert result["N1"].outcome.value == "uploaded", reasons(result["N1"])
    assert result["N2"].outcome.value == "uploaded", reasons(result["N2"])
    (aog,) = [a for a in fleet.sent("N1")[0]["activities"] if a["activityId"] == "AMS-AOG-7"]
    assert aog["activityType"] == "AOG"
    assert aog["endDateTime"] == minute(start + timedelta(hours=10))
    # The open AOG (written `n-2` by the AMS) is N2's, occupied until the run plus 3 days.
    (open_aog,) = [a for a in fleet.sent("N2")[0]["activities"] if a["activityType"] == "AOG"]
    assert open_aog["activityId"] == "AMS-AOG-8"
    assert open_aog["startDateTime"] == minute(fleet.now + timedelta(hours=13))
    assert open_aog["endDateTime"] == minute(fleet.now + timedelta(days=3))


def test_the_build_log_says_what_the_ams_gave(tmp_path: Path, sandbox: SandboxServer) -> None:
    fleet = Fleet(tmp_path, sandbox)
    start = fleet.now + timedelta(days=2)
    fleet.csv_ams(event("1", "N1", start), event("2", "N2", start, status="CANCELED"))
    lines: list[str] = []
    built = build_schedules(
        fleet.company, lambda: fleet.fms.engine, Stores.on(fleet.store), "r1", fleet.now, 10,
        report=lines.append, read_ams=fleet.reader,
    )  # fmt: skip
    summary = {"events": 1, "cancelled": 1, "open_aog": 0, "refused": 0, "files": 1}
    assert built.summary["extracted"]["ams"] == summary
    assert f"skyway_charter: maintenance and AOG from the AMS: {summary}" in lines


def test_a_rest_ams_answering_500_holds_only_its_aircraft(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    fleet = Fleet(tmp_path, sandbox)
    fleet.rest_ams("ams_down", event("1", "N1", fleet.now + timedelta(days=2)), tails=("N1",))
    sandbox.lms.set_fault("ams_down", "500")
    result = fleet.run()
    assert result["N1"].outcome.value == "held"
    assert result["N2"].outcome.value == "uploaded"
    why = reasons(result["N1"])
    assert "skyway_charter: AMS (REST, connection ams_co, lms/ams_down/bookings) failed" in why
    assert "AMS page 1: HTTP 500" in why and "held: N1" in why
    assert fleet.sent("N1") == [] and len(fleet.sent("N2")) == 1
    assert any("source failed" in p and "AMS" in p for p in result["problems"])


def test_a_stalled_rest_ams_holds_only_its_aircraft_past_its_time(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    fleet = Fleet(tmp_path, sandbox)
    fleet.rest_ams("stalled", tails=("N2",), timeout_seconds=0.5)
    with SilentServer() as silent:
        fleet.urls = {"ams_co": f"http://127.0.0.1:{silent.port}"}
        result = fleet.run()
    assert result["N1"].outcome.value == "uploaded"
    assert result["N2"].outcome.value == "held"
    assert "AMS page 1: no answer within 0.5 s" in reasons(result["N2"])
    assert fleet.sent("N2") == [] and len(fleet.sent("N1")) == 1


def test_an_ams_that_never_sends_its_last_page_stops_at_its_deadline(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    fleet = Fleet(tmp_path, sandbox)
    fleet.rest_ams("forever", tails=("N2",), deadline_seconds=0.5, max_pages=100_000)
    sandbox.lms.set_endless("forever", True)
    try:
        result = fleet.run()
    finally:
        sandbox.lms.set_endless("forever", False)
    assert result["N1"].outcome.value == "uploaded"
    assert result["N2"].outcome.value == "held"
    assert "the AMS had not sent its last page after 0.5 s" in reasons(result["N2"])


def test_a_stale_csv_ams_holds_only_the_aircraft_it_covers(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    fleet = Fleet(tmp_path, sandbox)
    fleet.csv_ams(
        event("1", "N2", fleet.now + timedelta(days=1)),
        age=timedelta(hours=2),
        max_age_minutes=60,
        tails=["N2"],
    )
    result = fleet.run()
    assert result["N1"].outcome.value == "uploaded"
    assert result["N2"].outcome.value == "held"
    why = reasons(result["N2"])
    assert "skyway_charter: AMS (CSV drop) failed" in why and "held: N2" in why
    assert "stale: the newest AMS maintenance file 'events.csv'" in why
    assert "(ams.max_age_minutes)" in why
    assert fleet.sent("N2") == []


def test_a_failed_ams_covering_every_aircraft_holds_them_all(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    fleet = Fleet(tmp_path, sandbox)
    fleet.company = make_company(ams={"csv": str(tmp_path / "nowhere")})
    result = fleet.run()
    assert result["N1"].outcome.value == result["N2"].outcome.value == "held"
    assert "every aircraft of the company" in reasons(result["N1"])
    assert "does not exist (ams.csv)" in reasons(result["N1"])


@pytest.mark.parametrize(
    ("change", "words", "field"),
    [
        ({"starts_at": "2030-01-01T10:00:00"}, "no UTC offset", "start_time"),
        ({"ends_at": "soon"}, "not an ISO 8601 time", "end_time"),
        ({"hours": -2}, "ends before it starts", None),
        ({"hours": 121 * 24}, "longer than is plausible", None),
        ({"airport": ""}, "start_airport is missing", "start_airport"),
        ({"kind": "OWNER_HOLD"}, "kind is 'OWNER_HOLD', not MAINTENANCE or AOG", "kind"),
        ({"kind": "AOG", "status": "CLOSED", "ends_at": ""}, "end_time is missing", "end_time"),
        ({"kind": "MAINTENANCE", "ends_at": ""}, "end_time is missing", "end_time"),
    ],
)
def test_an_unreadable_ams_event_holds_its_aircraft_only(
    tmp_path: Path, sandbox: SandboxServer, change: dict[str, Any], words: str, field: str | None
) -> None:
    fleet = Fleet(tmp_path, sandbox)
    hours = change.pop("hours", 24)
    bad = {**event("BAD", "N2", fleet.now + timedelta(days=2), hours=hours), **change}
    fleet.csv_ams(event("OK", "N1", fleet.now + timedelta(days=1)), bad)
    result = fleet.run()
    assert result["N1"].outcome.value == "uploaded", reasons(result["N1"])
    assert result["N2"].outcome.value == "held"
    (reason,) = [r for r in result["N2"].reasons if r.get("activity_id") == "AMS-BAD"]
    assert words in reason["message"], reason
    if field is not None:
        assert reason["field"] == field, reason
    assert fleet.sent("N2") == []


def test_an_event_without_a_tail_holds_every_aircraft(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    fleet = Fleet(tmp_path, sandbox)
    fleet.csv_ams(event("X1", "", fleet.now + timedelta(days=1)))
    result = fleet.run()
    assert result["N1"].outcome.value == result["N2"].outcome.value == "held"
    assert "AMS-X1" in reasons(result["N1"]) and "tail is missing" in reasons(result["N1"])


def test_an_event_for_an_aircraft_the_ams_does_not_cover_holds_it(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    fleet = Fleet(tmp_path, sandbox)
    fleet.csv_ams(event("7", "N2", fleet.now + timedelta(days=1)), tails=["N1"])
    result = fleet.run()
    assert result["N1"].outcome.value == "uploaded"
    assert result["N2"].outcome.value == "held"
    assert "ams.tails does not list" in reasons(result["N2"])


def test_an_fms_ground_event_and_the_ams_block_are_both_sent_with_a_warning(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    fleet = Fleet(tmp_path, sandbox)
    start = fleet.now + timedelta(days=2)
    fleet.fms.ground("GE-9", "N1", start, 24, note="Phase inspection (FMS)")
    fleet.csv_ams(event("WO-9", "N1", start + timedelta(hours=1), hours=24))
    result = fleet.run()
    assert result["N1"].outcome.value == "uploaded", reasons(result["N1"])
    (body,) = fleet.sent("N1")
    kinds = {a["activityId"]: a["activityType"] for a in body["activities"]}
    assert [i for i, kind in kinds.items() if kind == "Maintenance"] == ["GE-9", "AMS-WO-9"]
    codes = {m.get("code") for m in result["N1"].messages}
    assert "activities.overlaps_previous" in codes, result["N1"].messages


def test_ids_stay_the_same_from_run_to_run(tmp_path: Path, sandbox: SandboxServer) -> None:
    fleet = Fleet(tmp_path, sandbox)
    fleet.csv_ams(event("WO-5", "N1", fleet.now + timedelta(days=2)))
    fleet.run()
    with fleet.store.begin() as conn:
        conn.execute(sa.text("DELETE FROM upload_status"))  # forget the 5-minute guard
    fleet.now += timedelta(minutes=10)
    fleet.run()
    ids = [[a["activityId"] for a in body["activities"]] for body in fleet.sent("N1")]
    assert len(ids) == 2 and ids[0] == ids[1] and ids[0][-1] == "AMS-WO-5"
