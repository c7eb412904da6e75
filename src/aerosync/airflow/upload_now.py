""" "Upload now": a manual run of a company's upload DAG, created through Airflow's public REST API
with the user's own token, so Airflow applies that user's permissions (and records them as the
run's triggering user), not the page's.

The API is called on this Airflow's own address (`[api] base_url`, else the loopback interface
and `[api] port`), never on the address a request names: the token only goes where it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests
from airflow.configuration import conf
from fastapi import Request
from fastapi.security.utils import get_authorization_scheme_param

#: The cookie the Airflow UI keeps its login in (`COOKIE_NAME_JWT_TOKEN`).
TOKEN_COOKIE = "_token"
TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class TriggerResult:
    """Airflow's answer to one trigger: its HTTP status, the new run's id, whether the DAG is
    paused (the run then waits), and Airflow's own words when it refused."""

    status: int
    run_id: str | None = None
    paused: bool | None = None
    detail: str = ""

    @property
    def created(self) -> bool:
        return self.status in (200, 201) and self.run_id is not None


def api_root() -> str:
    """This Airflow's REST API, as `[api] base_url` names it (loopback and port without one)."""
    base = (conf.get("api", "base_url", fallback="") or "").strip()
    if not base:
        base = f"http://127.0.0.1:{conf.getint('api', 'port', fallback=8080)}"
    return base.rstrip("/") + "/api/v2"


def user_token(request: Request) -> str | None:
    """The token the user logged in with: an `Authorization: Bearer` header first (as Airflow's
    `get_user` decides), else the UI's cookie."""
    scheme, credentials = get_authorization_scheme_param(request.headers.get("Authorization"))
    if scheme.lower() == "bearer" and credentials:
        return credentials
    return request.cookies.get(TOKEN_COOKIE) or None


def _detail(answer: requests.Response) -> str:
    try:
        body: Any = answer.json()
    except ValueError:
        return answer.reason or ""
    detail = body.get("detail") if isinstance(body, dict) else None
    return str(detail or answer.reason or "")


def trigger_dag(
    dag_id: str, token: str, *, referer: str | None = None, root: str | None = None
) -> TriggerResult:
    """`POST /dags/{dag_id}/dagRuns` with `logical_date: null` (a manual run now, as the UI's
    Trigger button makes), then `GET /dags/{dag_id}` to tell whether the DAG is paused.

    `referer` (the page's) is passed on: Airflow then records the run as triggered from the UI,
    which it was, rather than by a REST client."""
    base = root or api_root()
    headers = {"Authorization": f"Bearer {token}"}
    if referer:
        headers["Referer"] = referer
    url = f"{base}/dags/{quote(dag_id, safe='')}"
    answer = requests.post(
        f"{url}/dagRuns", json={"logical_date": None}, headers=headers, timeout=TIMEOUT_SECONDS
    )
    if answer.status_code not in (200, 201):
        return TriggerResult(status=answer.status_code, detail=_detail(answer))
    run_id = str(answer.json().get("dag_run_id") or "") or None
    dag = requests.get(url, headers=headers, timeout=TIMEOUT_SECONDS)
    paused = bool(dag.json().get("is_paused")) if dag.ok else None
    return TriggerResult(status=answer.status_code, run_id=run_id, paused=paused)
