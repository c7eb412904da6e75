"""The "Schedule uploads" page inside the Airflow UI, registered through the package's
`airflow.plugins` entry point.

Airflow mounts the sub-app without authentication: every route here asks for the user
(`GetUserDep`, 401 without a login) and shows or triggers only the companies Airflow's auth
manager lets that user read or trigger (`aerosync.airflow.page_access`). Every answer carries
the security headers of `aerosync.airflow.page_security`.

The DAG tab: Airflow 3.3 shows a plugin's `destination: "dag"` view on *every* DAG (the UI
filters external views by destination only; neither the plugin model nor the UI has a per-DAG
condition), so the route answers a DAG that is not a schedule upload with a neutral note and
no company data.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import requests
from airflow.api_fastapi.core_api.security import GetUserDep
from airflow.configuration import conf
from airflow.plugins_manager import AirflowPlugin
from fastapi import FastAPI, Form, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from aerosync.airflow import upload_now as trigger
from aerosync.airflow.connections import aerosync_engine
from aerosync.airflow.page_access import may_read, may_trigger, readable_companies
from aerosync.airflow.page_security import DATA_DOCS_CSP, SecurityHeaders, posted_from_our_page
from aerosync.config.companies import (
    COMPANY_ID_PATTERN,
    CREW_DAG_PREFIX,
    UPLOAD_DAG_PREFIX,
    CompanyConfig,
)
from aerosync.config.companies_file import load_config
from aerosync.config.data_docs import site_file
from aerosync.status import page as status_page
from aerosync.status.message_page import render_message
from aerosync.status.staleness import freshness_by_company
from aerosync.stores.schema_version import read_state
from aerosync.stores.status import StatusStore

# No /docs nor /openapi.json: they would answer without a login and need inline script.
app = FastAPI(title="AeroSync schedule uploads", docs_url=None, redoc_url=None, openapi_url=None)
app.add_middleware(SecurityHeaders)

# A run id as Airflow's trigger makes it (`manual__<ISO time>`): the only text the status page
# takes from its query string into its notice.
RUN_ID = re.compile(r"^manual__[0-9T:.+\-]{10,40}$")
GUARD = (
    "Aircraft sent in the last 5 minutes will be skipped (the 5-minute guard); every other "
    "marketed aircraft gets its complete schedule."
)


def _message(status_code: int, title: str, text: str) -> HTMLResponse:
    return HTMLResponse(render_message(title, text), status_code=status_code)


def _configured_companies() -> list[CompanyConfig]:
    """The companies file as the DAG file finds it (`AEROSYNC_CONFIG`, else beside the DAG file
    in `[core] dags_folder`), for each company's schedule; none found: no stale flags."""
    folder = conf.get("core", "dags_folder", fallback="")
    return load_config(dag_folder=Path(folder) if folder else None).companies


def _data_docs_folder(company: str | None = None) -> Path | None:
    """The companies file's Data Docs folder (None: no `data_docs:` section). Only `company`'s
    entry is validated (or none): the folder is a top-level setting."""
    folder = conf.get("core", "dags_folder", fallback="")
    loaded = load_config(only=company or "-", dag_folder=Path(folder) if folder else None)
    return loaded.data_docs_folder()


def _with_data_docs(companies: list[str]) -> set[str]:
    """The companies (of those a user may see) whose Data Docs site has an index. The folder is
    read with one company's entry (a big companies file is then cut, not read whole)."""
    folder = _data_docs_folder(companies[0]) if companies else None
    if folder is None:
        return set()
    return {c for c in companies if site_file(folder, c, "index.html") is not None}


def _notice(company: str | None, run_id: str | None, paused: bool) -> str | None:
    if not company or not run_id or not RUN_ID.match(run_id):
        return None
    waiting = (
        f" The DAG {UPLOAD_DAG_PREFIX}{company} is paused: the run waits until it is unpaused."
        if paused
        else ""
    )
    return f"Upload of {company} triggered: run {run_id}. {GUARD}{waiting}"


@app.get("/status", response_class=HTMLResponse)
def status(
    user: GetUserDep,
    company: str | None = Query(default=None),
    outcome: str | None = Query(default=None),
    dag_id: str | None = Query(default=None),
    triggered: str | None = Query(default=None),
    paused: bool = Query(default=False),
) -> HTMLResponse:
    if dag_id:
        if not dag_id.startswith(UPLOAD_DAG_PREFIX):
            return _message(
                200,
                "This DAG is not a schedule upload",
                f"{dag_id} does not upload schedules, so this tab has nothing to show for it. "
                "Airflow shows the Schedule uploads tab on every DAG; it lists aircraft only on "
                f"a company's upload DAG ({UPLOAD_DAG_PREFIX}<company>).",
            )
        company = dag_id.removeprefix(UPLOAD_DAG_PREFIX)
    engine = aerosync_engine()
    state = read_state(engine)  # the page only reads: it never migrates nor creates a table
    behind = state.problem()
    if behind is not None:
        return _message(
            503, "The aerosync database needs a migration", f"{behind[0].upper()}{behind[1:]}."
        )
    records = [] if state.empty else StatusStore(engine).latest()
    visible = readable_companies(user, {r.company for r in records})
    if company and company not in visible and not may_read(user, company):
        return _message(
            403,
            "Not allowed",
            f"You may not see {company}'s uploads: your Airflow role does not let you read its "
            f"DAG {UPLOAD_DAG_PREFIX}{company} (or Airflow has no such DAG).",
        )
    allowed = set(visible)
    shown = [r for r in records if r.company in allowed]
    html = status_page.render(
        shown,
        companies=[company] if dag_id and company else visible,
        company=company or None,
        outcome=outcome or None,
        notice=_notice(company, triggered, paused),
        freshness=freshness_by_company(_configured_companies()),  # stale flags
        ui_root=urlsplit(conf.get("api", "base_url", fallback="") or "/").path.rstrip("/"),
        triggerable=[c for c in visible if may_trigger(user, c)],
        data_docs=_with_data_docs(visible),
    )
    return HTMLResponse(html)


@app.post("/upload-now")
def upload_now(request: Request, user: GetUserDep, company: str = Form(...)) -> Response:
    """Trigger the company's upload DAG as the user, then back to the page (303) saying what
    the run will do."""
    token = trigger.user_token(request)
    by_cookie = token is not None and token == request.cookies.get(trigger.TOKEN_COOKIE)
    if by_cookie and not posted_from_our_page(request, also=trigger.api_root()):
        return _message(
            403,
            "Not allowed",
            "This upload request did not come from the Schedule uploads page, so nothing was "
            "triggered. Open the page in Airflow and press 'upload now' there.",
        )
    if not re.match(COMPANY_ID_PATTERN, company):
        return _message(400, "No such company", "A company id has only a-z, 0-9 and '_'.")
    if token is None or not may_trigger(user, company):
        return _message(
            403,
            "Not allowed",
            f"You may not trigger {company}'s upload: your Airflow role does not let you run "
            f"the DAG {UPLOAD_DAG_PREFIX}{company}. Nothing was triggered.",
        )
    dag_id = UPLOAD_DAG_PREFIX + company
    try:
        result = trigger.trigger_dag(dag_id, token, referer=request.headers.get("referer"))
    except requests.RequestException:
        return _message(
            502,
            "Airflow did not answer",
            f"Airflow's API at {trigger.api_root()} did not answer, so {company}'s upload was "
            "not triggered. Try again; if it persists, check [api] base_url.",
        )
    if result.created:
        query = {"company": company, "triggered": result.run_id or ""}
        if result.paused:
            query["paused"] = "true"
        return RedirectResponse(f"status?{urlencode(query)}", status_code=303)
    refusals = {
        401: ("Please log in again", "Your Airflow login has expired; log in and try again."),
        403: (
            "Not allowed",
            f"You may not trigger {company}'s upload: Airflow refused to run {dag_id} for you.",
        ),
        404: (
            "No upload DAG",
            f"Airflow has no DAG {dag_id}: is {company} in the companies file, and has the DAG "
            "been parsed?",
        ),
    }
    title, text = refusals.get(
        result.status,
        (
            "Not triggered",
            f"Airflow did not trigger {dag_id} (HTTP {result.status}): {result.detail}",
        ),
    )
    return _message(result.status if result.status in refusals else 502, title, text)


# -- the Crew sync page ----------------------------------------------------------------------------


@app.get("/crew", response_class=HTMLResponse)
def crew(user: GetUserDep) -> HTMLResponse:
    """The Crew sync page: only the companies whose crew-sync DAG the user may read."""
    from aerosync.crew.sync_status import crew_sync_companies, crew_sync_status
    from aerosync.status import crew_page as rendering

    engine = aerosync_engine()
    behind = read_state(engine).problem()  # reads only, as the status page
    if behind is not None:
        return _message(
            503, "The aerosync database needs a migration", f"{behind[0].upper()}{behind[1:]}."
        )
    allowed = readable_companies(user, crew_sync_companies(engine), dag_prefix=CREW_DAG_PREFIX)
    return HTMLResponse(
        rendering.render(crew_sync_status(engine, allowed), data_docs=_with_data_docs(allowed))
    )


# -- each company's Great Expectations Data Docs ---------------------------------------------------


@app.get("/data-docs/{company}/{path:path}")
def data_docs(user: GetUserDep, company: str, path: str) -> Response:
    """A file of the company's Data Docs site (`aerosync.quality.data_docs`), for a user who may
    read its upload or its crew-sync DAG: the site holds both flows' validations. Only files
    inside `<location>/<company>/` are served: no `..`, no hidden entry, no link out."""
    if not re.match(COMPANY_ID_PATTERN, company):
        return _message(404, "No such company", "A company id has only a-z, 0-9 and '_'.")
    if not (may_read(user, company) or may_read(user, company, dag_prefix=CREW_DAG_PREFIX)):
        return _message(
            403,
            "Not allowed",
            f"You may not see {company}'s Data Docs: your Airflow role does not let you read "
            f"its DAG {UPLOAD_DAG_PREFIX}{company} or {CREW_DAG_PREFIX}{company}.",
        )
    folder = _data_docs_folder(company)
    if folder is None:
        return _message(
            404,
            "Data Docs are not kept",
            "The companies file has no data_docs: section, so no validation's Data Docs are "
            "kept. Add data_docs: {location: <folder>} to keep them.",
        )
    found = site_file(folder, company, path)
    if found is None:
        return _message(
            404,
            "Not in the Data Docs",
            f"{company}'s Data Docs have no such page (a run's pages go once it is older "
            "than the last keep_runs runs).",
        )
    return FileResponse(found, headers={"Content-Security-Policy": DATA_DOCS_CSP})


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
            # Shown on every DAG (see the module docstring); the route answers only upload DAGs.
            "name": "Schedule uploads",
            "href": "/aerosync/status?dag_id={DAG_ID}",
            "destination": "dag",
            "url_route": "schedule-uploads-dag",
        },
    ]
