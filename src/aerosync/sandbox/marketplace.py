"""What the local marketplace sandbox holds: accounts, schedules, a request log, fault switches.

It applies the documented rules of `PUT /schedules` (see shared/design/avinode-api.md): token
check, header check, complete replacement, unknown airports replaced by the homebase and reported
as HTTP 200 with errors.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aerosync.airports import known_icao_codes

ACCOUNTS_ENV = "AEROSYNC_SANDBOX_ACCOUNTS"
DEFAULT_ACCOUNT = ("sandbox", "sandbox-auth-token", "sandbox-api-token")
DEFAULT_HOMEBASE = "KTEB"
# The `hold` fault keeps a call unanswered until released, but never longer than this (seconds;
# `hold:<seconds>` sets another bound), so that nothing waits for ever.
HOLD_LIMIT = 120.0
SECRET_HEADERS = ("authorization", "x-avinode-apitoken")
_SENT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?Z$")
_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,6})?)?Z$")


@dataclass
class Answer:
    status: int
    errors: list[dict[str, str]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    def envelope(self) -> dict[str, Any]:
        return {"meta": {"errors": self.errors, "warnings": [], "infos": []}, "data": self.data}


def _error(status: int, code: str, title: str, path: str | None = None) -> Answer:
    item = {"title": title, "code": code}
    if path is not None:
        item["path"] = path
    return Answer(status, [item])


def accounts_from_env() -> list[tuple[str, str, str]]:
    """`name:authtoken:apitoken,name2:...` from AEROSYNC_SANDBOX_ACCOUNTS."""
    raw = os.environ.get(ACCOUNTS_ENV, "")
    found = []
    for item in filter(None, (part.strip() for part in raw.split(","))):
        name, auth, api = item.split(":", 2)
        found.append((name, auth, api))
    return found


class SandboxState:
    def __init__(self, accounts: Sequence[tuple[str, str, str]] | None = None) -> None:
        chosen = list(accounts) if accounts else accounts_from_env() or [DEFAULT_ACCOUNT]
        self._accounts = {auth: (name, api) for name, auth, api in chosen}
        self._lock = threading.Lock()
        self.schedules: dict[tuple[str, str], dict[str, Any]] = {}
        self.log: list[dict[str, Any]] = []
        self.faults: dict[str, str] = {}
        self.homebases: dict[str, str] = {}
        self._released = threading.Condition(self._lock)
        self._releases = 0
        self._holding: dict[str, int] = {}

    def add_account(self, name: str, auth_token: str, api_token: str) -> None:
        """Another Avinode account (a company, or a per-aircraft connection) the sandbox knows."""
        with self._lock:
            self._accounts[auth_token] = (name, api_token)

    def set_homebase(self, tail: str, icao: str) -> None:
        with self._lock:
            self.homebases[tail] = icao

    def set_fault(self, tail: str, fault: str | None) -> None:
        with self._lock:
            if fault is None:
                self.faults.pop(tail, None)
            else:
                self.faults[tail] = fault
            self._released.notify_all()  # a held call whose fault is cleared goes on

    def release(self) -> None:
        """Let every call held by the `hold` fault go on (answered as usual)."""
        with self._lock:
            self._releases += 1
            self._released.notify_all()

    def holding(self, tail: str | None = None) -> int:
        """How many calls (of `tail`, or of all) the `hold` fault keeps unanswered now."""
        with self._lock:
            return sum(n for t, n in self._holding.items() if tail is None or t == tail)

    def hold(self, tail: str, fault: str) -> bool:
        """Keep a call of `tail` unanswered until `release`, its fault cleared, or the bound
        (`hold:<seconds>`, else HOLD_LIMIT) passes; True when released, not timed out."""
        _, _, bound = fault.partition(":")
        deadline = time.monotonic() + (float(bound) if bound else HOLD_LIMIT)
        with self._lock:
            releases = self._releases
            self._holding[tail] = self._holding.get(tail, 0) + 1
            try:
                while self._releases == releases and self.faults.get(tail) == fault:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        return False
                    self._released.wait(left)
                return True
            finally:
                self._holding[tail] -= 1

    def fault(self, tail: str | None) -> str | None:
        with self._lock:
            return self.faults.get(tail) if tail else None

    def reset(self) -> None:
        with self._lock:
            self.schedules.clear()
            self.log.clear()
            self.faults.clear()
            self._releases += 1
            self._released.notify_all()

    def remember(self, entry: dict[str, Any]) -> dict[str, Any]:
        """Log a request (its secret headers masked); returns the logged entry."""
        headers = {
            k: ("***" if k.lower() in SECRET_HEADERS else v) for k, v in entry["headers"].items()
        }
        logged = {**entry, "headers": headers}
        with self._lock:
            self.log.append(logged)
        return logged

    def answered(self, logged: dict[str, Any], status: int | None) -> None:
        """A logged request (held until now) got its answer."""
        with self._lock:
            logged["status"] = status

    def requests(self, tail: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [e for e in self.log if tail is None or e.get("tail") == tail]

    def held(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return {tail: body for (_account, tail), body in sorted(self.schedules.items())}

    def put_schedules(self, headers: Mapping[str, str], body: Any) -> Answer:
        """Check a `PUT /schedules` as the marketplace does and, if it passes, store it."""
        lower = {k.lower(): v for k, v in headers.items()}
        bearer = lower.get("authorization", "")
        account = self._accounts.get(bearer.removeprefix("Bearer ").strip())
        if not bearer.startswith("Bearer ") or account is None:
            return _error(401, "ERR_INPUT_GENERIC_INVALID", "Invalid authorization")
        if lower.get("x-avinode-apitoken") != account[1]:
            return _error(401, "ERR_INPUT_GENERIC_INVALID", "Invalid API token")
        missing = _missing_header(lower)
        if missing is not None:
            return missing
        if not isinstance(body, dict) or not isinstance(body.get("lift"), dict):
            return _error(400, "ERR_INPUT_MISSING", "Missing lift", "lift")
        tail = body["lift"].get("aircraftTail")
        activities = body.get("activities")
        if not tail or not isinstance(activities, list):
            return _error(400, "ERR_INPUT_MISSING", "Missing tail or activities", "lift")
        stored, errors = [], []
        homebase = self.homebases.get(tail, DEFAULT_HOMEBASE)
        for index, activity in enumerate(activities):
            problem = _invalid_activity(activity, index)
            if problem is not None:
                return problem
            copy = dict(activity)
            for key, code, title in (
                ("startAirport", "START_AIRPORT_INVALID", "Invalid start airport"),
                ("endAirport", "END_AIRPORT_INVALID", "Invalid end airport"),
            ):
                if activity[key]["icao"] not in known_icao_codes():
                    errors.append(
                        {"title": title, "code": code, "path": f"activities[{index}].{key}"}
                    )
                    copy[key] = {"icao": homebase}
            stored.append(copy)
        with self._lock:
            self.schedules[(account[0], tail)] = {
                "lift": {"aircraftTail": tail},
                "activities": stored,
                "account": account[0],
                "receivedAt": datetime.now(UTC).isoformat(),
            }
        return Answer(200, errors, {"aircraftTail": tail, "activityCount": len(stored)})


def _missing_header(lower: Mapping[str, str]) -> Answer | None:
    sent = lower.get("x-avinode-senttimestamp")
    if sent is None:
        return _error(400, "ERR_INPUT_MISSING", "Missing header X-Avinode-SentTimestamp")
    if not _SENT.match(sent):
        return _error(
            400, "ERR_INPUT_GENERIC_INVALID", "X-Avinode-SentTimestamp is not ISO 8601 UTC"
        )
    if lower.get("x-avinode-apiversion") != "v1.0":
        return _error(400, "ERR_INPUT_GENERIC_INVALID", "X-Avinode-ApiVersion must be v1.0")
    if not lower.get("x-avinode-product"):
        return _error(400, "ERR_INPUT_MISSING", "Missing header X-Avinode-Product")
    if not lower.get("content-type", "").startswith("application/json"):
        return _error(400, "ERR_INPUT_GENERIC_INVALID", "Content-Type must be application/json")
    return None


def _invalid_activity(activity: Any, index: int) -> Answer | None:
    where = f"activities[{index}]"
    if not isinstance(activity, dict):
        return _error(400, "ERR_INPUT_GENERIC_INVALID", "Activity is not an object", where)
    for key in ("activityId", "activityType"):
        if not isinstance(activity.get(key), str) or not activity[key]:
            return _error(400, "ERR_INPUT_MISSING", f"Missing {key}", f"{where}.{key}")
    if len(activity["activityType"]) > 20:
        return _error(400, "ERR_INPUT_GENERIC_INVALID", "activityType is longer than 20 characters",
                      f"{where}.activityType")  # fmt: skip
    for key in ("startAirport", "endAirport"):
        airport = activity.get(key)
        if not isinstance(airport, dict) or not isinstance(airport.get("icao"), str):
            return _error(400, "ERR_INPUT_MISSING", f"Missing {key}.icao", f"{where}.{key}")
    for key in ("startDateTime", "endDateTime"):
        if not isinstance(activity.get(key), str) or not _TIME.match(activity[key]):
            return _error(400, "ERR_INPUT_GENERIC_INVALID", f"{key} must be UTC like "
                          "2026-11-23T14:05Z", f"{where}.{key}")  # fmt: skip
    return None
