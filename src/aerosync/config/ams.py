"""The optional `ams:` section of a company: its aircraft maintenance system (AMS).

Scheduled maintenance and AOG (aircraft on ground) from the AMS become occupied activities in the
marketplace schedules of the aircraft it covers (docs/ams.md). The AMS is read by every upload
run through exactly one transport: its database (`sql`: an Airflow SQL connection and a dialect
whose `maintenance_events.sql` lies in the SQL search folders), a CSV file drop (`csv`) or a
paginated REST API (`rest`, the page protocol of the LMS bookings).
"""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from aerosync.config.connection_ids import ConnId
from aerosync.config.training import RestSource, tails_named_once

# The one query an AMS dialect holds, and the dialect AeroSync ships (include/sql/ams_reference).
AMS_QUERY = "maintenance_events.sql"
DEFAULT_AMS_DIALECT = "ams_reference"
DEFAULT_AMS_TIMEOUT_SECONDS = 60
# An AOG the AMS has not given an end yet is sent as occupied until this many days after the run.
DEFAULT_OPEN_AOG_DAYS = 7


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AmsDatabase(_Strict):
    """The AMS's own database, read with the dialect's `maintenance_events.sql`."""

    conn_id: ConnId
    dialect: str = Field(default=DEFAULT_AMS_DIALECT, pattern=r"^[A-Za-z0-9_-]+$")
    # Connecting and the query together; past it the AMS has failed (like fms.timeout_seconds).
    timeout_seconds: int = Field(default=DEFAULT_AMS_TIMEOUT_SECONDS, gt=0, le=3600)

    @field_validator("dialect")
    @classmethod
    def _query_found(cls, value: str) -> str:
        from aerosync.config.dialects import sql_path
        from aerosync.config.resources import search_folders

        if sql_path(value, AMS_QUERY) is None:
            searched = "; ".join(str(folder) for folder in search_folders("sql"))
            raise ValueError(
                f"AMS dialect {value!r} has no {AMS_QUERY} in any folder searched ({searched}); "
                f"an AMS dialect is a folder <name>/ holding {AMS_QUERY} (the packaged one is "
                f"{DEFAULT_AMS_DIALECT!r})"
            )
        return value


class AmsSource(_Strict):
    """A company's AMS: one transport, the aircraft it covers, how an open AOG is sent."""

    sql: AmsDatabase | None = None
    csv: str | None = Field(default=None, min_length=1)
    rest: RestSource | None = None
    # A CSV drop whose newest file is older than this is stale: the aircraft it covers are held.
    max_age_minutes: int = Field(default=24 * 60, ge=1)
    # The aircraft the AMS maintains; empty means every marketed aircraft of the company.
    tails: list[str] = Field(default_factory=list)
    open_aog_days: int = Field(default=DEFAULT_OPEN_AOG_DAYS, ge=1, le=120)

    @field_validator("tails")
    @classmethod
    def _tails_named_once(cls, value: list[str]) -> list[str]:
        return tails_named_once(value)

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        given = [name for name in ("sql", "csv", "rest") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one transport: `sql` (an Airflow connection to the AMS database "
                "and its dialect), `csv` (a folder or file drop) or `rest` (a paginated API)"
                + (f"; given: {', '.join(given)}" if given else "")
            )
        if "max_age_minutes" in self.model_fields_set and self.csv is None:
            raise ValueError(
                "max_age_minutes applies to a `csv` drop only (a database or an API answers "
                "with what it holds now); remove it"
            )
        return self

    @property
    def transport(self) -> str:
        """`sql`, `csv` or `rest`."""
        return "sql" if self.sql is not None else "csv" if self.csv is not None else "rest"

    def covers(self, tail: str) -> bool:
        return not self.tails or tail in self.tails

    def connection_ids(self) -> list[str]:
        """The Airflow connections it reads through (none for a CSV drop)."""
        if self.sql is not None:
            return [self.sql.conn_id]
        return [self.rest.conn_id] if self.rest is not None else []
