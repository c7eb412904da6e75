"""Small reference-schema FMS databases written row by row, for tests that trip one thing."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from aerosync.config.dialects import read_sql, split_statements


def iso(moment: datetime) -> str:
    return moment.isoformat()


class FmsBuilder:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.engine = sa.create_engine(f"sqlite:///{path}")
        with self.engine.begin() as conn:
            for statement in split_statements(read_sql("reference", "schema.sql")):
                conn.execute(sa.text(statement))

    def _insert(self, table: str, **values: Any) -> None:
        columns = ", ".join(values)
        params = ", ".join(f":{k}" for k in values)
        with self.engine.begin() as conn:
            conn.execute(sa.text(f"INSERT INTO {table} ({columns}) VALUES ({params})"), values)

    def aircraft(self, tail: str, homebase: str = "KTEB", marketed: bool = True) -> FmsBuilder:
        self._insert(
            "aircraft",
            aircraft_id=f"AC-{tail}",
            tail_number=tail,
            homebase=homebase,
            marketed=marketed,
        )
        return self

    def leg(
        self, leg_id: str, tail: str, start: datetime | str, hours: float = 2, **kw: Any
    ) -> FmsBuilder:
        off = start if isinstance(start, str) else iso(start)
        on = kw.pop("on_block", None) or (
            iso(start + timedelta(hours=hours)) if isinstance(start, datetime) else off
        )
        values = {
            "leg_id": leg_id,
            "trip_id": None,
            "aircraft_id": f"AC-{tail}",
            "leg_kind": "PAX",
            "departure_airport": "KTEB",
            "arrival_airport": "KTEB",
            "off_block": off,
            "on_block": on,
            "cancelled": False,
        }
        values.update(kw)
        self._insert("legs", **values)
        return self

    def ground(
        self, event_id: str, tail: str, start: datetime, hours: float, **kw: Any
    ) -> FmsBuilder:
        values = {
            "event_id": event_id,
            "aircraft_id": f"AC-{tail}",
            "kind": "MAINTENANCE",
            "airport": "KTEB",
            "starts_at": iso(start),
            "ends_at": iso(start + timedelta(hours=hours)),
        }
        values.update(kw)
        self._insert("ground_events", **values)
        return self

    def execute(self, sql: str, **params: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(sa.text(sql), params)
