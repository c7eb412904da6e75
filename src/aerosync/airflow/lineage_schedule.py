"""The datasets of the schedule-upload flow, for its OpenLineage events: what `build_schedules`
reads (the FMS tables its dialect's queries read, the LMS bookings, the AMS) and stages in the
aerosync store, and what each `upload` writes (each aircraft's schedule on the marketplace).

Pure: connections come in as `ConnPlace`s (never a secret) and HTTP base URLs, through
`place_of` and `base_of`, so tests give them without Airflow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from openlineage.client.event_v2 import Dataset

from aerosync.airflow.lineage_places import (
    ConnPlace,
    file_dataset,
    http_dataset,
    parser_dialect,
    table_dataset,
    tables_read,
)
from aerosync.config.ams import AMS_QUERY
from aerosync.config.companies import CompanyConfig
from aerosync.config.dialects import DIALECT_FILES, read_sql

PlaceOf = Callable[[str], ConnPlace]
BaseOf = Callable[[str], str]
# The aerosync store's tables each step writes or reads.
STAGING, VALIDATION_RESULTS = "staged_data", "validation_results"


@dataclass
class Lineage:
    """A step's datasets, in the order they are named."""

    inputs: list[Dataset] = field(default_factory=list)
    outputs: list[Dataset] = field(default_factory=list)


def unique(datasets: Iterable[Dataset]) -> list[Dataset]:
    """Each dataset once (the first of the same namespace and name), in order."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for dataset in datasets:
        if (dataset.namespace, dataset.name) not in seen:
            seen.add((dataset.namespace, dataset.name))
            kept.append(dataset)
    return kept


def dialect_tables(place: ConnPlace, dialect: str, files: Iterable[str]) -> list[Dataset]:
    """The tables a dialect's queries (`files`) read, on the database of `place`."""
    found = []
    for name in files:
        for schema, table in tables_read(read_sql(dialect, name), parser_dialect(place)):
            found.append(table_dataset(place, table, schema))
    return unique(found)


def store_table(store: ConnPlace, table: str) -> Dataset:
    return table_dataset(store, table)


def build_inputs(company: CompanyConfig, place_of: PlaceOf, base_of: BaseOf) -> list[Dataset]:
    """The FMS tables of the company's dialect, the LMS bookings and the AMS, when configured."""
    inputs = dialect_tables(place_of(company.fms.conn_id), company.fms.dialect, DIALECT_FILES)
    bookings = company.training.bookings if company.training else None
    if bookings is not None:
        if bookings.csv is not None:
            inputs.append(file_dataset(bookings.csv))
        elif bookings.rest is not None:
            inputs.append(http_dataset(base_of(bookings.rest.conn_id), bookings.rest.endpoint))
    ams = company.ams
    if ams is not None:
        if ams.csv is not None:
            inputs.append(file_dataset(ams.csv))
        elif ams.rest is not None:
            inputs.append(http_dataset(base_of(ams.rest.conn_id), ams.rest.endpoint))
        elif ams.sql is not None:
            place = place_of(ams.sql.conn_id)
            inputs += dialect_tables(place, ams.sql.dialect, (AMS_QUERY,))
    return unique(inputs)


def build_lineage(
    company: CompanyConfig, place_of: PlaceOf, base_of: BaseOf, store: ConnPlace
) -> Lineage:
    """`build_schedules`: its sources in; the staged upload plan (and the validation results
    that say why an aircraft is held) out, in the aerosync store."""
    outputs = [store_table(store, STAGING), store_table(store, VALIDATION_RESULTS)]
    return Lineage(build_inputs(company, place_of, base_of), outputs)


def schedule_dataset(base_url: str, tail: str) -> Dataset:
    """An aircraft's schedule on the marketplace: `https://<host>` + `/schedules/<TAIL>` (under
    the connection's base path, if it has one)."""
    return http_dataset(base_url, f"schedules/{tail}")


def upload_lineage(
    company: CompanyConfig, tails: Iterable[str], base_of: BaseOf, store: ConnPlace
) -> Lineage:
    """`upload`: the staged plan in; the schedule of each tail of its batch out, on the
    marketplace connection that tail is sent through."""
    outputs = [schedule_dataset(base_of(company.connection_for(tail)), tail) for tail in tails]
    return Lineage([store_table(store, STAGING)], unique(outputs))
