"""The Airflow side of AeroSync's lineage: the `OperatorLineage` the OpenLineage provider asks
every AeroSync operator for (`get_openlineage_facets_on_complete`), from the pure
`lineage_schedule` and `lineage_crew` with the places of the company's connections.

A connection gives lineage its type, host, port and database (`ConnPlace`), never its login,
password or extras. Called only when the provider is on (a transport configured); then once per
task after it ran, in the task's process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aerosync.airflow.lineage_places import ConnPlace, http_base

if TYPE_CHECKING:
    from airflow.providers.openlineage.extractors import OperatorLineage

    from aerosync.airflow.lineage_schedule import Lineage
    from aerosync.config.companies import CompanyConfig


def conn_place(conn_id: str) -> ConnPlace:
    from airflow.sdk import BaseHook

    conn = BaseHook.get_connection(conn_id)
    return ConnPlace(
        conn_type=str(conn.conn_type or ""),
        host=str(conn.host or ""),
        port=conn.port,
        schema=str(conn.schema or ""),
    )


def http_base_of(conn_id: str) -> str:
    """The base URL of an `http` connection, as the HTTP provider's hook builds it."""
    return http_base(conn_place(conn_id))


def marketplace_base_of(conn_id: str) -> str:
    """The base URL of a marketplace connection, as the upload reaches it (https by default)."""
    from aerosync.schedule.marketplace_url import marketplace_base_url

    place = conn_place(conn_id)
    return marketplace_base_url(conn_id, place.host, place.schema, place.port)


def store_place() -> ConnPlace:
    """The aerosync database: its connection, else the SQLite file in AIRFLOW_HOME."""
    from airflow.sdk.exceptions import AirflowNotFoundException

    from aerosync.airflow.connections import aerosync_db_conn_id, default_aerosync_db_path

    try:
        return conn_place(aerosync_db_conn_id())
    except AirflowNotFoundException:
        return ConnPlace(conn_type="sqlite", host=str(default_aerosync_db_path()))


def company_of(company_id: str, dag: Any) -> CompanyConfig:
    """The company's entry, from the companies file the task's DAG was made from."""
    from aerosync.airflow.task_config import task_company

    return task_company(company_id, {"dag": dag})


def operator_lineage(lineage: Lineage) -> OperatorLineage:
    from airflow.providers.openlineage.extractors import OperatorLineage

    return OperatorLineage(inputs=list(lineage.inputs), outputs=list(lineage.outputs))


def build_facets(company_id: str, dag: Any) -> OperatorLineage:
    from aerosync.airflow.lineage_schedule import build_lineage

    company = company_of(company_id, dag)
    return operator_lineage(build_lineage(company, conn_place, http_base_of, store_place()))


def upload_facets(company_id: str, dag: Any, tails: list[str]) -> OperatorLineage:
    from aerosync.airflow.lineage_schedule import upload_lineage

    company = company_of(company_id, dag)
    return operator_lineage(upload_lineage(company, tails, marketplace_base_of, store_place()))


def crew_facets(task_id: str, company_id: str, dag: Any) -> OperatorLineage:
    from aerosync.airflow.lineage_crew import crew_step_lineage

    company = company_of(company_id, dag)
    records = company.training.records if company.training else None
    if records is None:
        return operator_lineage_empty()
    lineage = crew_step_lineage(task_id, company, records, store_place(), conn_place, http_base_of)
    return operator_lineage(lineage)


def operator_lineage_empty() -> OperatorLineage:
    from airflow.providers.openlineage.extractors import OperatorLineage

    return OperatorLineage()
