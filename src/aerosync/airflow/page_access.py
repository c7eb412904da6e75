"""Who may see and trigger which company on AeroSync's pages: Airflow's auth manager decides.

A company is visible to a user who may read its DAG (`is_authorized_dag`, method GET) and
triggerable by one who may create runs of it (method POST, access entity RUN), exactly as
Airflow's own DAG and DAG-run routes ask (`airflow.api_fastapi.core_api.security
.requires_access_dag`). With `[core] multi_team` a DAG belongs to the team of its DAG bundle,
so the team is looked up and passed in `DagDetails`, as Airflow does; any auth manager (simple,
FAB, Keycloak, a custom one) then applies its own rules.

Both pages use these functions: the schedule-upload page with `UPLOAD_DAG_PREFIX` (the
default), the crew-sync page with `CREW_DAG_PREFIX`.
"""

from __future__ import annotations

from collections.abc import Iterable

from airflow.api_fastapi.app import get_auth_manager
from airflow.api_fastapi.auth.managers.models.base_user import BaseUser
from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity, DagDetails
from airflow.models.dag import DagModel
from airflow.utils.session import create_session
from sqlalchemy import select

from aerosync.config.companies import UPLOAD_DAG_PREFIX


def known_dags(dag_ids: Iterable[str]) -> dict[str, str | None]:
    """The DAGs among `dag_ids` that Airflow knows (stale ones included), each with its team
    (None when its bundle has no team). Not cached: a bundle moved to another team counts at
    once, unlike `DagModel.get_team_name`'s 30-second cache."""
    wanted = sorted(set(dag_ids))
    if not wanted:
        return {}
    with create_session() as session:
        found = session.scalars(select(DagModel.dag_id).where(DagModel.dag_id.in_(wanted))).all()
    teams = DagModel.get_dag_id_to_team_name_mapping(list(found))
    return {dag_id: teams.get(dag_id) for dag_id in found}


def readable_companies(
    user: BaseUser, company_ids: Iterable[str], *, dag_prefix: str = UPLOAD_DAG_PREFIX
) -> list[str]:
    """The companies (sorted) whose DAG `dag_prefix + id` the user may read.

    A company whose DAG Airflow does not know is never shown: with no DAG there is no team to
    check, and a team-less DAG is readable by every team, so showing it would leak one
    tenant's aircraft to another."""
    companies = sorted(set(company_ids))
    dags = known_dags(dag_prefix + company for company in companies)
    auth = get_auth_manager()
    return [
        company
        for company in companies
        if (dag_id := dag_prefix + company) in dags
        and auth.is_authorized_dag(
            method="GET", details=DagDetails(id=dag_id, team_name=dags[dag_id]), user=user
        )
    ]


def may_read(user: BaseUser, company: str, *, dag_prefix: str = UPLOAD_DAG_PREFIX) -> bool:
    """Whether the user may read the company's DAG (see `readable_companies`)."""
    return readable_companies(user, [company], dag_prefix=dag_prefix) == [company]


def may_trigger(user: BaseUser, company: str, *, dag_prefix: str = UPLOAD_DAG_PREFIX) -> bool:
    """Whether the user may create a run of the company's DAG, as `POST /api/v2/dags/{dag_id}/
    dagRuns` asks. A DAG Airflow does not know is judged without a team: triggering it can
    only meet Airflow's 404, which the caller reports as such."""
    dag_id = dag_prefix + company
    team = known_dags([dag_id]).get(dag_id)
    return get_auth_manager().is_authorized_dag(
        method="POST",
        access_entity=DagAccessEntity.RUN,
        details=DagDetails(id=dag_id, team_name=team),
        user=user,
    )
