"""The "Schedule uploads" page inside the Airflow UI, registered through the package's
`airflow.plugins` entry point. The sub-app is mounted without authentication by Airflow: every
route here requires an authenticated user."""

from __future__ import annotations

from collections.abc import Collection

from airflow.api_fastapi.core_api.security import requires_authenticated
from airflow.plugins_manager import AirflowPlugin
from fastapi import Depends, FastAPI, Query
from fastapi.responses import HTMLResponse

from aerosync.airflow.connections import aerosync_engine
from aerosync.config.companies import UPLOAD_DAG_PREFIX
from aerosync.status import page as status_page
from aerosync.stores.status import StatusStore

app = FastAPI(title="AeroSync schedule uploads")


@app.get("/status", response_class=HTMLResponse, dependencies=[Depends(requires_authenticated())])
def status(
    company: str | None = Query(default=None),
    outcome: str | None = Query(default=None),
    dag_id: str | None = Query(default=None),
) -> str:
    if dag_id and dag_id.startswith(UPLOAD_DAG_PREFIX):
        company = dag_id.removeprefix(UPLOAD_DAG_PREFIX)
    store = StatusStore(aerosync_engine())
    store.ensure_schema()
    records = store.latest()
    companies = sorted({r.company for r in records})
    return status_page.render(
        records, companies=companies, company=company or None, outcome=outcome or None
    )


# -- the Crew sync page ----------------------------------------------------------------------------


def crew_page(companies: Collection[str] | None = None) -> str:
    """The Crew sync page, of every company or only of `companies` (the ids the user may read,
    once authorisation per company filters them)."""
    from aerosync.crew.sync_status import crew_sync_status
    from aerosync.status import crew_page as rendering

    return rendering.render(crew_sync_status(aerosync_engine(), companies))


@app.get("/crew", response_class=HTMLResponse, dependencies=[Depends(requires_authenticated())])
def crew() -> str:
    return crew_page()


class AeroSyncPlugin(AirflowPlugin):
    name = "aerosync"
    fastapi_apps = [{"app": app, "url_prefix": "/aerosync", "name": "AeroSync schedule uploads"}]
    external_views = [
        {
            "name": "Schedule uploads",
            "href": "/aerosync/status",
            "destination": "nav",
            "url_route": "schedule-uploads",
        },
        {
            "name": "Crew sync",
            "href": "/aerosync/crew",
            "destination": "nav",
            "url_route": "crew-sync",
        },
        {
            "name": "Schedule uploads",
            "href": "/aerosync/status?dag_id={DAG_ID}",
            "destination": "dag",
            "url_route": "schedule-uploads-dag",
        },
    ]
