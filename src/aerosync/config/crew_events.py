"""`training.records.events`: what starts a company's crew sync between its daily runs.

Two kinds of event, each optional:
- a message on the company's Redis pub/sub channel (`redis_conn_id`, an Airflow `redis`
  connection; `channel`, by default `aerosync.<company id>.crew`), in the format of
  docs/events.md: a JSON object whose `kind` is `lms.completion` or `hris.change`;
- a `_READY` marker file landing in a CSV drop's folder (`ready_markers`), which the sync's
  watcher deletes; the data files beside it are never touched.

Events arriving within `debounce_seconds` of the first one start ONE run: an LMS that posts a
course's twenty completions in a burst costs one sync, not twenty.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from aerosync.config.connection_ids import ConnId

READY_MARKER = "_READY"
DEFAULT_DEBOUNCE_SECONDS = 5.0
# The records sources delivered as file drops (a folder or one file) whose folder may take a marker.
DROP_SOURCES = (
    "hris",
    "statements",
    "qualifications",
    "ebt_gradings",
    "roster",
    "courses",
    "enrolments",
)
_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
# A drop named with one of these endings is one file: its marker lands in the file's folder.
_FILE_ENDINGS = (".csv", ".xml", ".txt", ".gz")


def default_channel(company_id: str) -> str:
    return f"aerosync.{company_id}.crew"


class CrewEvents(BaseModel):
    """Event-driven starts of the crew sync (see the module's docstring)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    redis_conn_id: ConnId | None = None
    # Unset: `aerosync.<company id>.crew`. A channel is one word: no spaces, no glob characters.
    channel: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.:\-]{1,200}$")
    debounce_seconds: float = Field(default=DEFAULT_DEBOUNCE_SECONDS, ge=0, le=300)
    # How often the marker watcher looks for `_READY` (seconds).
    ready_poll_seconds: float = Field(default=5.0, gt=0, le=600)
    ready_markers: bool = False

    @model_validator(mode="after")
    def _starts_something(self) -> Self:
        if self.redis_conn_id is None and not self.ready_markers:
            raise ValueError(
                "events starts nothing: set redis_conn_id (a Redis connection whose channel "
                "carries LMS and HRIS events) or ready_markers: true (or remove events:)"
            )
        if self.channel is not None and self.redis_conn_id is None:
            raise ValueError("channel needs redis_conn_id (the Redis connection to listen on)")
        return self

    def channel_of(self, company_id: str) -> str:
        return self.channel or default_channel(company_id)


def drop_folder(location: str) -> str:
    """The folder of a local file drop: the drop itself, or a single file's folder."""
    path = PurePosixPath(location)
    return str(path.parent if path.suffix.lower() in _FILE_ENDINGS else path)


def drop_locations(records: Any) -> dict[str, str]:
    """The file drops of a `RecordsSync` by source: `csv` (or the roster's `xml`) locations."""
    found = {}
    for source in DROP_SOURCES:
        transport = getattr(records, source, None)
        location = getattr(transport, "csv", None) or getattr(transport, "xml", None)
        if location:
            found[source] = location
    return found


def ready_marker_paths(records: Any) -> list[str]:
    """`<drop folder>/_READY` for each local file drop, sorted, each folder once."""
    folders = {drop_folder(location) for location in drop_locations(records).values()}
    return sorted(str(PurePosixPath(folder) / READY_MARKER) for folder in folders)


def check_ready_markers(records: Any) -> None:
    """`ready_markers: true` needs local file drops: the standard provider's file trigger reads a
    local path, so a drop at a URL (s3://...) cannot take a marker."""
    events = getattr(records, "events", None)
    if events is None or not events.ready_markers:
        return
    drops = drop_locations(records)
    remote = sorted(source for source, location in drops.items() if _URL.match(location))
    if remote:
        raise ValueError(
            f"events.ready_markers: {', '.join(remote)} is a drop at a URL; `_READY` markers are "
            "watched in local folders only (set ready_markers: false, or drop to a local folder)"
        )
    if not drops:
        raise ValueError(
            "events.ready_markers: no source is a file drop (csv or xml) whose folder could "
            "take a `_READY` marker"
        )
