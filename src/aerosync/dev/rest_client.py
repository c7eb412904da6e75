"""The REST client of one Airflow (``/api/v2`` with ``requests``): log in, look at DAGs, pause
and unpause, trigger, wait for runs, read task instances, task logs and XCom.

``POST /auth/token`` with JSON ``{"username", "password"}`` answers 201 ``{"access_token": <JWT>}``
(valid 24 h); a wrong password 401; ``/api/v2`` without ``Authorization: Bearer`` 401. Task logs
are read through ``GET .../taskInstances/{task}/logs/{try}?map_index=&full_content=`` as JSON
events and rendered one line each.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import requests

from aerosync.dev.environment import ADMIN_USER, AirflowRuntimeError
from aerosync.dev.runs import FINAL_RUN_STATES, api_date, log_entry_text


class AirflowClient:
    """Talks to one Airflow's REST API as its admin user.

    ``check_alive`` and ``logs_tail`` are what the waits call between polls and put into their
    errors; here they do nothing, :class:`aerosync.dev.runtime.AirflowRuntime` gives them the
    processes it started.
    """

    def __init__(self, base_url: str, password: str, dags_folder: Path) -> None:
        self.base_url = base_url
        self._password = password
        self._dags_folder = dags_folder
        self._session = requests.Session()
        self._token: str | None = None

    def check_alive(self) -> None:
        """Raise when the Airflow behind the API is known to be gone."""

    def logs_tail(self, lines: int = 30) -> str:
        """The end of the Airflow processes' logs, for error messages."""
        return ""

    def health(self) -> dict[str, Any]:
        response = self._session.get(f"{self.base_url}/api/v2/monitor/health", timeout=10)
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    def token(self, refresh: bool = False) -> str:
        """A JWT for the admin user (``POST /auth/token``), cached until refused."""
        if self._token is None or refresh:
            self._token = self.login(ADMIN_USER, self._password)
        return self._token

    def login(self, username: str, password: str) -> str:
        """A JWT for any user (``POST /auth/token``), as the UI's login page gets it."""
        response = self._session.post(
            f"{self.base_url}/auth/token",
            json={"username": username, "password": password},
            timeout=30,
        )
        if response.status_code != 201:
            raise AirflowRuntimeError(
                f"login as {username} failed: {response.status_code} {response.text[:500]}"
            )
        return str(response.json()["access_token"])

    def api(
        self, method: str, path: str, *, check: bool = True, timeout: float = 60, **kw: Any
    ) -> requests.Response:
        """A request to ``/api/v2<path>`` with the bearer token; raises on 4xx/5xx if ``check``."""
        if not path.startswith("/api/"):
            path = "/api/v2" + (path if path.startswith("/") else "/" + path)
        url = self.base_url + path
        headers = dict(kw.pop("headers", None) or {})
        for attempt in range(2):
            headers["Authorization"] = f"Bearer {self.token(refresh=attempt > 0)}"
            response = self._session.request(method, url, headers=headers, timeout=timeout, **kw)
            if response.status_code != 401:
                break
        if check and not response.ok:
            raise AirflowRuntimeError(
                f"{method} {path} answered {response.status_code}: {response.text[:2000]}"
            )
        return response

    def get(self, path: str, **kw: Any) -> Any:
        return self.api("GET", path, **kw).json()

    def _paged(self, path: str, key: str, **params: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        while True:
            page = self.get(path, params={**params, "limit": 100, "offset": len(items)})
            items.extend(page[key])
            if not page[key] or len(items) >= page.get("total_entries", 0):
                return items

    def import_errors(self) -> list[dict[str, Any]]:
        return self._paged("/importErrors", "import_errors")

    def wait_for_dag(self, dag_id: str, timeout: float = 120) -> dict[str, Any]:
        """Wait until the dag-processor has serialized ``dag_id``; returns the DAG's details."""
        deadline = time.monotonic() + timeout
        while True:
            self.check_alive()
            response = self.api("GET", f"/dags/{dag_id}", check=False)
            if response.status_code == 200:
                dag: dict[str, Any] = response.json()
                if not dag.get("is_stale"):
                    return dag
            elif response.status_code != 404:
                raise AirflowRuntimeError(
                    f"GET /dags/{dag_id}: {response.status_code} {response.text[:500]}"
                )
            if time.monotonic() > deadline:
                errors = "\n".join(
                    f"{e.get('filename')}:\n{e.get('stack_trace')}" for e in self.import_errors()
                )
                raise AirflowRuntimeError(
                    f"DAG {dag_id!r} did not appear within {timeout} s (dags folder "
                    f"{self._dags_folder}).\nImport errors: {errors or 'none'}\n"
                    f"{self.logs_tail()}"
                )
            time.sleep(1)

    def dag(self, dag_id: str) -> dict[str, Any]:
        data: dict[str, Any] = self.get(f"/dags/{dag_id}")
        return data

    def set_paused(self, dag_id: str, paused: bool) -> None:
        self.api(
            "PATCH", f"/dags/{dag_id}", params={"update_mask": "is_paused"},
            json={"is_paused": paused},
        )  # fmt: skip

    def unpause(self, dag_id: str) -> None:
        self.set_paused(dag_id, False)

    def pause(self, dag_id: str) -> None:
        self.set_paused(dag_id, True)

    def trigger(
        self,
        dag_id: str,
        conf: Mapping[str, Any] | None = None,
        logical_date: datetime | str | None = None,
        *,
        run_id: str | None = None,
    ) -> str:
        """A manual run (``logical_date`` None unless given, like a UI trigger); returns run_id."""
        body: dict[str, Any] = {
            "logical_date": None if logical_date is None else api_date(logical_date),
            "conf": dict(conf or {}),
        }
        if run_id is not None:
            body["dag_run_id"] = run_id
        data = self.api("POST", f"/dags/{dag_id}/dagRuns", json=body).json()
        return str(data["dag_run_id"])

    def dag_run(self, dag_id: str, run_id: str) -> dict[str, Any]:
        data: dict[str, Any] = self.get(f"/dags/{dag_id}/dagRuns/{run_id}")
        return data

    def dag_runs(self, dag_id: str) -> list[dict[str, Any]]:
        return self._paged(f"/dags/{dag_id}/dagRuns", "dag_runs", order_by="id")

    def wait_for_run(
        self, dag_id: str, run_id: str, timeout: float = 300, poll: float = 1.0
    ) -> str:
        """Poll until the run is ``success`` or ``failed``; returns that state."""
        deadline = time.monotonic() + timeout
        state = None
        while time.monotonic() < deadline:
            state = self.dag_run(dag_id, run_id)["state"]
            if state in FINAL_RUN_STATES:
                return str(state)
            self.check_alive()
            time.sleep(poll)
        tis = ", ".join(
            f"{ti['task_id']}[{ti['map_index']}]={ti['state']}"
            for ti in self.task_instances(dag_id, run_id)
        )
        raise AirflowRuntimeError(
            f"run {dag_id}/{run_id} still {state} after {timeout} s; tasks: {tis or 'none'}\n"
            f"{self.logs_tail()}"
        )

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        """Every task instance of the run, mapped ones included (one per map_index)."""
        tis = self._paged(f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances", "task_instances")
        return sorted(tis, key=lambda ti: (ti["task_id"], ti["map_index"]))

    def task_log(
        self, dag_id: str, run_id: str, task_id: str, map_index: int = -1, try_number: int = 1
    ) -> str:
        """The text of a task instance's log, one line per log event."""
        data = self.get(
            f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances/{task_id}/logs/{try_number}",
            params={"map_index": map_index, "full_content": "true"},
            headers={"Accept": "application/json"},
        )
        content = data.get("content") or []
        if isinstance(content, str):
            return content
        return "\n".join(
            log_entry_text(entry) if isinstance(entry, Mapping) else str(entry) for entry in content
        )

    def xcom_values(self, dag_id: str) -> list[Any]:
        """Every XCom value of every run of a DAG."""
        listing = self.api(
            "GET", f"/dags/{dag_id}/dagRuns/~/taskInstances/~/xcomEntries", params={"limit": 1000}
        ).json()
        values = []
        for entry in listing["xcom_entries"]:
            path = (
                f"/dags/{dag_id}/dagRuns/{entry['run_id']}/taskInstances/{entry['task_id']}"
                f"/xcomEntries/{entry['key']}"
            )
            values.append(self.api("GET", path, params={"map_index": entry["map_index"]}).json())
        return values
