"""An aircraft's status records as the aerosync database holds them: one per aircraft per
attempt (`StatusRecord`), the last real attempt a skip carries (`RealAttempt`), and their rows.

Records hold no secrets: messages come from the marketplace's envelope or from our own wording,
never from a raw exception or a request.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from aerosync.models import Outcome
from aerosync.stores.database import iso, parse_iso


@dataclass(frozen=True)
class RealAttempt:
    """An aircraft's last real attempt (not a skip, not a call still in flight), as a skip
    carries it so that it never hides a failure or an unknown outcome (safety rule 7)."""

    run_id: str
    outcome: str
    http_status: int | None
    attempted_at: str  # `iso` text, as stored
    messages: list[dict[str, Any]]
    reasons: list[dict[str, Any]]
    upload_map_index: int | None = None  # see `StatusRecord.upload_map_index`

    def to_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "upload_map_index": self.upload_map_index,
            "outcome": self.outcome,
            "http_status": self.http_status,
            "attempted_at": self.attempted_at,
            "messages": self.messages,
            "reasons": self.reasons,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RealAttempt:
        return cls(
            run_id=str(data["run_id"]),
            outcome=str(data["outcome"]),
            http_status=data.get("http_status"),
            attempted_at=str(data["attempted_at"]),
            messages=list(data.get("messages") or []),
            reasons=list(data.get("reasons") or []),
            upload_map_index=data.get("upload_map_index"),
        )


@dataclass
class StatusRecord:
    company: str
    tail: str
    run_id: str
    attempted_at: datetime
    outcome: Outcome
    http_status: int | None = None
    activities_sent: int = 0
    messages: list[dict[str, Any]] = field(default_factory=list)
    reasons: list[dict[str, Any]] = field(default_factory=list)
    last_success_at: datetime | None = None
    next_allowed_at: datetime | None = None
    connection_id: str | None = None
    validation_id: str | None = None
    attempt_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    # A skip's record carries the aircraft's last real attempt (`real_attempt`), so that a skip
    # never hides a failure or an unknown outcome (safety rule 7).
    last_real_attempt: RealAttempt | None = None
    # The map index of the upload task instance (one per batch) that wrote this record, so that
    # the page links to that instance's log; None when another task wrote it (a hold is written
    # by `record_status`) or no Airflow task did (a local run).
    upload_map_index: int | None = None

    def real_attempt(self) -> RealAttempt:
        """What this record says about the aircraft, as a skip shows it."""
        return RealAttempt(
            run_id=self.run_id,
            outcome=str(self.outcome),
            http_status=self.http_status,
            attempted_at=iso(self.attempted_at),
            messages=self.messages,
            reasons=self.reasons,
            upload_map_index=self.upload_map_index,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "company": self.company,
            "tail": self.tail,
            "run_id": self.run_id,
            "outcome": str(self.outcome),
            "http_status": self.http_status,
            "attempted_at": iso(self.attempted_at),
            "last_success_at": iso(self.last_success_at) if self.last_success_at else None,
            "next_allowed_at": iso(self.next_allowed_at) if self.next_allowed_at else None,
            "activities_sent": self.activities_sent,
            "messages": self.messages,
            "reasons": self.reasons,
            "connection_id": self.connection_id,
            "validation_id": self.validation_id,
            "upload_map_index": self.upload_map_index,
            "last_real_attempt": (
                self.last_real_attempt.to_json() if self.last_real_attempt else None
            ),
        }


def record_of_row(row: Any) -> StatusRecord:
    """A row of `upload_status` as its record."""
    m = row._mapping
    return StatusRecord(
        attempt_id=m["attempt_id"],
        company=m["company"],
        tail=m["tail"],
        run_id=m["run_id"],
        attempted_at=datetime.fromisoformat(m["attempted_at"]),
        outcome=Outcome(m["outcome"]),
        http_status=m["http_status"],
        activities_sent=m["activities_sent"],
        messages=json.loads(m["messages"]),
        reasons=json.loads(m["reasons"]),
        last_success_at=parse_iso(m["last_success_at"]),
        next_allowed_at=parse_iso(m["next_allowed_at"]),
        connection_id=m["connection_id"],
        validation_id=m["validation_id"],
        last_real_attempt=(
            RealAttempt.from_json(json.loads(m["last_real_attempt"]))
            if m["last_real_attempt"]
            else None
        ),
        upload_map_index=m.get("upload_map_index"),
    )


def row_params(r: StatusRecord) -> dict[str, Any]:
    """A record as the bound parameters of its `upload_status` row (every column)."""
    return {
        "attempt_id": r.attempt_id,
        "company": r.company,
        "tail": r.tail,
        "run_id": r.run_id,
        "attempted_at": iso(r.attempted_at),
        "outcome": r.outcome.value,
        "http_status": r.http_status,
        "activities_sent": r.activities_sent,
        "messages": json.dumps(r.messages),
        "reasons": json.dumps(r.reasons),
        "last_success_at": iso(r.last_success_at) if r.last_success_at else None,
        "next_allowed_at": iso(r.next_allowed_at) if r.next_allowed_at else None,
        "connection_id": r.connection_id,
        "validation_id": r.validation_id,
        "upload_map_index": r.upload_map_index,
        "last_real_attempt": (
            json.dumps(r.last_real_attempt.to_json()) if r.last_real_attempt else None
        ),
    }
