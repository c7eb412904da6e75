"""The crew flow's read of the FMS: the dialect's `crew_legs.sql` through the company's FMS
connection, opened as the schedule upload opens it (`engine_for_connection`: the connection's
common-sql hook, its secrets masked in the task's log, the driver's limits from
`fms.timeout_seconds`). The FMS is only read.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from aerosync.config.companies import CompanyConfig
from aerosync.config.dialects import CREW_LEGS_FILE, read_sql, sql_path
from aerosync.crew.legs_flown import map_leg_crew, query_binds
from aerosync.crew.mapping import Mapped
from aerosync.crew.sources import Window


class FmsReadError(RuntimeError):
    """The FMS could not be read (told apart from the aerosync database's own errors, which
    are SQLAlchemy's too): the driver's first line, never the statement or its parameters."""

    @classmethod
    def of(cls, exc: SQLAlchemyError) -> FmsReadError:
        cause = getattr(exc, "orig", None) or exc
        lines = str(cause).strip().splitlines()
        return cls(f"{type(cause).__name__}: {lines[0] if lines else ''}")


def read_crew_legs(engine: Engine, dialect: str, window: Window) -> Iterator[Mapped]:
    """The dialect's crew on legs with on-block times around `window` (the query selects
    coarsely; `crew.sources.in_window` keeps the window's own), mapped one row at a time."""
    query = text(read_sql(dialect, CREW_LEGS_FILE))
    try:
        with engine.connect() as conn:
            for row in conn.execute(query, query_binds(window)).mappings():
                yield map_leg_crew(dict(row))
    except SQLAlchemyError as exc:
        raise FmsReadError.of(exc) from exc


def crew_on_legs(company: CompanyConfig, window: Window) -> Iterator[Mapped]:
    """`read_crew_legs` over the company's FMS connection, closed once every row was read."""
    from aerosync.airflow.connections import engine_for_connection

    try:
        engine = engine_for_connection(company.fms.conn_id, company.fms.timeout_seconds)
    except SQLAlchemyError as exc:
        raise FmsReadError.of(exc) from exc
    try:
        yield from read_crew_legs(engine, company.fms.dialect, window)
    finally:
        engine.dispose()


def fms_place(company: CompanyConfig) -> str:
    """Where the flights are read from, for an error message (no secret in it)."""
    where = sql_path(company.fms.dialect, CREW_LEGS_FILE)
    return f"FMS connection {company.fms.conn_id}, {where or CREW_LEGS_FILE}"


def fms_secrets(company: CompanyConfig) -> list[str]:
    """The FMS connection's secrets, to redact from an error before it is logged or stored."""
    from aerosync.airflow.masking import mask_connection

    try:
        return mask_connection(company.fms.conn_id)
    except Exception:  # a connection that cannot be read has no secret to redact here
        return []
