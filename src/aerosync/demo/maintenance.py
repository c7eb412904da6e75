"""The demo AMS: Alpine Jets' aircraft maintenance system drops its plan as a CSV file.

One maintenance block on one aircraft, in a gap of the demo FMS schedule (see
`aerosync.demo.plans`: OE-GAJ rests at Vienna after its Milan trip), in the airport's local time
with its UTC offset, as an AMS export writes it. The upload sends it as an occupied `Maintenance`
activity with the id `AMS-<event id>`.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from aerosync.demo.rows import local_iso
from aerosync.schedule.sources.ams_events import EVENT_FIELDS

# (company, event id, tail, kind, airport, zone, day, UTC hour, hours, status, note)
_PLAN = (
    ("alpine_jets", "WO-2026-1187", "OE-GAJ", "MAINTENANCE", "LOWW", "Europe/Vienna", 9, 6, 24,
     "PLANNED", "A-check and cabin refurbishment"),
)  # fmt: skip
DROP_FILE = "maintenance_events.csv"


def demo_events(now: datetime, company: str = "alpine_jets") -> list[dict[str, Any]]:
    """The demo company's maintenance events as of `now`, as its AMS exports them."""
    base = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    events = []
    for owner, event_id, tail, kind, airport, zone, day, hour, hours, status, note in _PLAN:
        if owner != company:
            continue
        start = base + timedelta(days=day, hours=hour)
        events.append(
            {
                "event_id": event_id,
                "tail_number": tail,
                "kind": kind,
                "airport": airport,
                "starts_at": local_iso(start, zone),
                "ends_at": local_iso(start + timedelta(hours=hours), zone),
                "status": status,
                "note": note,
            }
        )
    return events


def write_drop(folder: Path, events: list[dict[str, Any]]) -> Path:
    """The AMS's CSV export in `folder` (written anew)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / DROP_FILE
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=EVENT_FIELDS)
        writer.writeheader()
        writer.writerows(events)
    return path


def prepare_ams(workdir: Path, config_path: Path, now: datetime) -> dict[str, str]:
    """Each demo company's AMS drop in the workdir, and a companies file pointing at it."""
    raw: dict[str, Any] = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    for entry in raw["companies"]:
        ams = entry.get("ams")
        if not ams or "csv" not in ams:
            continue
        folder = workdir / "ams" / entry["id"]
        write_drop(folder, demo_events(now, entry["id"]))
        ams["csv"] = str(folder)
    derived = workdir / "companies.yaml"
    derived.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return {"AEROSYNC_CONFIG": str(derived)}
