"""The datasets of each step of the crew sync, for its OpenLineage events: each `extract_<source>`
reads its source (HRIS, LMS, LRS, crew management's drops, the FMS's crew on legs through the
dialect's `crew_legs.sql`) into staging; `validate` gates staging (refused rows to the
quarantine); `load` upserts the crew tables, each with its column lineage where the source field
behind a column is known (`aerosync.crew.field_lineage`, the FMS columns by the SQL parser);
the exports write files and HTTP endpoints.

Pure, like `lineage_schedule`: connections come in through `place_of` and `base_of`.
"""

from __future__ import annotations

from openlineage.client.event_v2 import Dataset
from openlineage.client.facet_v2 import column_lineage_dataset as cl

from aerosync.airflow.lineage_places import (
    ConnPlace,
    file_dataset,
    http_dataset,
    parser_dialect,
    table_dataset,
)
from aerosync.airflow.lineage_schedule import (
    STAGING,
    BaseOf,
    Lineage,
    PlaceOf,
    dialect_tables,
    store_table,
    unique,
)
from aerosync.config.companies import CompanyConfig
from aerosync.config.dialects import CREW_LEGS_FILE, read_sql
from aerosync.config.training import RecordsSync
from aerosync.crew.field_lineage import source_fields
from aerosync.crew.tables import BY_SOURCE, configured_sources

QUARANTINE, AUDIT = "training_quarantine", "training_audit"
EXTRACT = "extract_"


def transport_of(records: RecordsSync, source: str) -> tuple[str, str]:
    """(kind, where) of a source: `csv`/`xml` and the drop location, `rest`/`lrs` and the
    connection id, or `fms` for flights."""
    if source == "flights":
        return "fms", ""
    transport = getattr(records, source)
    for kind in ("csv", "xml"):
        location = getattr(transport, kind, None)
        if location:
            return kind, str(location)
    for kind in ("rest", "lrs"):
        remote = getattr(transport, kind, None)
        if remote is not None:
            return kind, remote.conn_id
    raise ValueError(f"source {source!r} has no transport")


def source_datasets(
    company: CompanyConfig, records: RecordsSync, source: str, place_of: PlaceOf, base_of: BaseOf
) -> list[Dataset]:
    """What `extract_<source>` reads."""
    kind, where = transport_of(records, source)
    if kind == "fms":
        fms = place_of(company.fms.conn_id)
        return dialect_tables(fms, company.fms.dialect, (CREW_LEGS_FILE,))
    if kind in ("csv", "xml"):
        return [file_dataset(where)]
    remote = getattr(getattr(records, source), kind)
    return [http_dataset(base_of(remote.conn_id), remote.endpoint)]


def fms_fields(company: CompanyConfig, place: ConnPlace) -> dict[str, list[tuple[Dataset, str]]]:
    """{output column of crew_legs.sql: [(FMS table, its column), ...]} by the SQL parser."""
    import openlineage_sql

    sql = read_sql(company.fms.dialect, CREW_LEGS_FILE)
    meta = openlineage_sql.parse([sql], dialect=parser_dialect(place))
    found: dict[str, list[tuple[Dataset, str]]] = {}
    for lineage in meta.column_lineage:
        for origin in lineage.lineage:
            if origin.origin is None:
                continue
            table = table_dataset(place, origin.origin.name, origin.origin.schema)
            found.setdefault(lineage.descendant.name, []).append((table, origin.name))
    return found


def _field(dataset: Dataset, name: str) -> cl.InputField:
    """A source field a column's value comes from (read, parsed, normalised: DIRECT)."""
    return cl.InputField(
        namespace=dataset.namespace,
        name=dataset.name,
        field=name,
        transformations=[cl.Transformation(type="DIRECT", masking=False)],
    )


def column_lineage(
    company: CompanyConfig, records: RecordsSync, source: str, place_of: PlaceOf, base_of: BaseOf
) -> cl.ColumnLineageDatasetFacet | None:
    """The column lineage of a source's crew table, where the field behind a column is known."""
    spec = BY_SOURCE.get(source)
    if spec is None:
        return None
    fields: dict[str, cl.Fields] = {}
    kind, _ = transport_of(records, source)
    if kind == "fms":
        origins = fms_fields(company, place_of(company.fms.conn_id))
        for column in spec.columns:
            inputs = [_field(t, name) for t, name in origins.get(column, [])]
            if inputs:
                fields[column] = cl.Fields(inputFields=inputs)
    else:
        (dataset,) = source_datasets(company, records, source, place_of, base_of)
        for column, name in source_fields(source, kind).items():
            fields[column] = cl.Fields(inputFields=[_field(dataset, name)])
    return cl.ColumnLineageDatasetFacet(fields=fields) if fields else None


def loaded_tables(records: RecordsSync) -> list[str]:
    """The crew tables the configured sources load (the statements feed enrolments too)."""
    sources = configured_sources(records)
    tables = [BY_SOURCE[s].table for s in sources if s in BY_SOURCE]
    if "statements" in sources and "enrolments" not in sources:
        tables.append(BY_SOURCE["enrolments"].table)
    return tables


def load_outputs(
    company: CompanyConfig,
    records: RecordsSync,
    store: ConnPlace,
    place_of: PlaceOf,
    base_of: BaseOf,
) -> list[Dataset]:
    outputs = []
    for source in configured_sources(records):
        if source not in BY_SOURCE:
            continue
        table = store_table(store, BY_SOURCE[source].table)
        facet = column_lineage(company, records, source, place_of, base_of)
        if facet is not None:
            table.facets = {"columnLineage": facet}
        outputs.append(table)
    tables = {o.name for o in outputs}
    for name in loaded_tables(records):
        table = store_table(store, name)
        if table.name not in tables:
            outputs.append(table)
    return [*outputs, store_table(store, AUDIT)]


def crew_step_lineage(
    task_id: str,
    company: CompanyConfig,
    records: RecordsSync,
    store: ConnPlace,
    place_of: PlaceOf,
    base_of: BaseOf,
) -> Lineage:
    """The datasets of the crew sync's task `task_id`; empty for the steps that move no data
    between systems (`finish`, `alert`)."""
    staging = store_table(store, STAGING)
    crew = [store_table(store, name) for name in loaded_tables(records)]
    if task_id.startswith(EXTRACT):
        source = task_id.removeprefix(EXTRACT)
        return Lineage(source_datasets(company, records, source, place_of, base_of), [staging])
    if task_id == "validate":
        return Lineage([staging], [staging, store_table(store, QUARANTINE)])
    if task_id == "load":
        return Lineage([staging], load_outputs(company, records, store, place_of, base_of))
    if task_id == "export_status" and records.export_to:
        return Lineage(crew, [file_dataset(records.export_to)])
    if task_id == "export_regulatory" and records.regulatory:
        return Lineage(crew, [file_dataset(records.regulatory.export_to)])
    if task_id == "export_readiness" and records.readiness:
        outputs = [file_dataset(records.readiness.export_to)]
        post = records.readiness.post_to
        if post is not None:
            outputs.append(http_dataset(base_of(post.conn_id), post.endpoint))
        return Lineage(crew, outputs)
    if task_id == "post_ebt" and records.post_ebt_to:
        target = records.post_ebt_to
        gradings = store_table(store, BY_SOURCE["ebt_gradings"].table)
        return Lineage([gradings], [http_dataset(base_of(target.conn_id), target.endpoint)])
    if task_id == "retention":
        return Lineage([], unique(crew))
    return Lineage()
