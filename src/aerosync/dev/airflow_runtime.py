"""A real Airflow 3.3 in the background: api-server, scheduler and dag-processor (LocalExecutor).

Used by ``make demo``, the integration tests and the benchmarks. Nothing from Airflow is
imported here: Airflow runs in subprocesses (``python -m airflow ...`` from this interpreter's
environment) and is driven through its REST API (``/api/v2``) with ``requests``.

    env = AirflowEnv(home=tmp / "airflow", dags_folder=tmp / "dags")
    with AirflowRuntime(env) as runtime:          # db migrate + start + health
        result = runtime.run_dag("my_dag", conf={"x": 1})
        assert result.state == "success"

Facts checked on the 2-core machine with apache-airflow 3.3.2 (see the integration test
``tests/integration/test_airflow_runtime.py`` asserts the behaviour; it prints the timings).

Timings (2 cores, tiny DAG of one task feeding a task mapped over 3 items):

* ``migrate()``: ``airflow db migrate`` on a fresh SQLite file or PostgreSQL database 3.7-4 s.
* ``start()``: the three processes up, health green and a token in hand: 8-11 s. ``stop()`` 3 s.
  With a fresh database the whole ``with AirflowRuntime(env)`` entry takes 12-16 s.
* A DAG file present at start is serialized within a second of the health turning green; a
  new file is picked up within ``refresh_interval`` (5 s here).
* Trigger to ``success``: 5-7 s for the first run after start (the first task process pays
  for cold imports: its first task takes 3.5 s), then 2-3 s per run (tasks take 0.1-0.3 s;
  the rest is scheduler loop, queueing and process start).

Login: SimpleAuthManager (the default auth manager) keeps passwords in
``$AIRFLOW_HOME/simple_auth_manager_passwords.json.generated`` (JSON ``{"user": "password"}``)
and generates one only for users missing from the file, so writing ``{"admin": "admin"}``
before the api-server starts gives a known password. ``POST /auth/token`` with JSON
``{"username", "password"}`` answers 201 ``{"access_token": <JWT>}`` (valid 24 h); a wrong
password 401; ``/api/v2`` without ``Authorization: Bearer`` 401. All processes share one
``[api_auth] jwt_secret``: the scheduler signs the tokens tasks present to the api-server's
execution API, so it must be fixed before the processes start.

Scheduled versus manual runs (``catchup=False``, ``schedule="*/15 * * * *"``):

* A manual run of a paused DAG is created ``queued`` and stays queued (the scheduler does
  not look at runs of paused DAGs); it starts as soon as the DAG is unpaused. Backfill runs
  wait for the unpause in the same way.
* A cron string gives a CronTriggerTimetable; with catchup=False it always offers the latest
  cron tick at or before now, so the dag-processor keeps the DAG's ``next_dagrun`` at the
  latest tick before its last parse. Unpausing makes the scheduler create, at once, a run
  ``scheduled__<that tick>`` (run_type scheduled, logical_date the tick, zero-length data
  interval, triggered_by timetable), then one per tick while the DAG stays unpaused.
  Triggering before or after the unpause makes no difference: pause and unpause alone cannot
  give exactly one manual run. With ``max_active_runs=1`` it is worse: the scheduled run has
  the earlier ``run_after``, starts first, and the manual run waits for it.
* ``[scheduler] use_job_schedule = False`` stops the scheduler from creating scheduled (and
  asset-triggered) runs while manual and backfill runs go on as usual: the trigger then
  yields exactly one run. ``AirflowEnv.scheduled_runs`` (default False) controls it.
* ``run_dag`` triggers while the DAG is still paused (a manual run: ``logical_date`` None,
  ``run_type`` manual, ``triggered_by`` rest_api), unpauses, waits, and reports in
  ``RunResult.other_runs`` any run of that DAG that appeared meanwhile. The DAG stays
  unpaused afterwards.
* ``POST /api/v2/backfills`` creates its runs synchronously, one per tick from ``from_date``
  to ``to_date`` both included (run_type backfill, logical_date the tick); the backfill's
  ``completed_at`` is set by a 30-second scheduler timer, well after its runs have finished.

Processes: each component runs in a process group of its own; task processes make their own
groups too (the task supervisor calls ``setpgid``), so ``stop()`` collects the whole process
tree with psutil before signalling, then SIGTERMs the groups, SIGKILLs what is left, and
kills any task process still alive. On Linux a component also gets SIGTERM if the process that
started it dies (``PR_SET_PDEATHSIG``), so even a killed test run leaves nothing running.
Task logs are read through ``GET .../taskInstances/{task}/logs/{try}?map_index=&full_content=``
as JSON events and rendered one line each; the files are under ``<home>/logs``. The scheduler
runs with ``--skip-serve-logs`` (the api-server reads the local files), so several runtimes can
share the machine without a log-server port clash.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import requests

FINAL_RUN_STATES = frozenset({"success", "failed"})
#: Task-instance states after which nothing more happens to it in this run.
FINAL_TI_STATES = frozenset({"success", "failed", "skipped", "upstream_failed", "removed"})
ADMIN_USER = "admin"
PASSWORDS_FILE = "simple_auth_manager_passwords.json.generated"
RUNTIME_LOGS = "logs-runtime"
SIMPLE_AUTH_MANAGER = (
    "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
)


# Every Airflow process imports this at start; only the scheduler preloads
# (aerosync.quality.preload).
LOCAL_SETTINGS = """\
from aerosync.quality.preload import preload_in_scheduler

__all__: list[str] = []  # nothing here overrides Airflow's settings
preload_in_scheduler()
"""


class AirflowRuntimeError(RuntimeError):
    """Airflow did not start, did not answer, or a DAG or run did not show up in time."""


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def _fernet_key() -> str:
    # A Fernet key is 32 random bytes, url-safe base64: no need to import cryptography for it.
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


@dataclass
class AirflowEnv:
    """Where and how one Airflow installation runs: its home, DAGs, port, metadata database.

    ``metadata_url`` None means a SQLite file ``airflow.db`` in ``home``; otherwise any SQLAlchemy
    URL Airflow accepts (``postgresql+psycopg2://postgres@127.0.0.1:5432/airflow_x``).
    ``extra_env`` is added last (connections as ``AIRFLOW_CONN_*``, ``AEROSYNC_CONFIG``, or any
    ``AIRFLOW__SECTION__KEY`` override). The secrets are random per instance, generated once,
    and shared by all the processes: the scheduler signs task JWTs that the api-server checks.
    """

    home: Path
    dags_folder: Path
    api_port: int = field(default_factory=free_port)
    metadata_url: str | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    parallelism: int = 4
    #: False (the default) sets ``[scheduler] use_job_schedule = False``: the scheduler creates
    #: no scheduled (nor asset-triggered) runs, and runs what is triggered or backfilled. That
    #: is the one way to get exactly one run per ``run_dag`` for a DAG with a cron schedule.
    #: True keeps Airflow's own scheduling (see the module docstring for what unpausing does).
    scheduled_runs: bool = False
    #: True writes ``config/airflow_local_settings.py`` preloading the validation stack in the
    #: scheduler (``aerosync.quality.preload``) unless home has its own; False removes ours, so that
    #: task processes import it themselves (the benchmarks' naive design).
    preload: bool = True
    admin_password: str = "admin"
    jwt_secret: str = field(default_factory=_token, repr=False)
    secret_key: str = field(default_factory=_token, repr=False)
    fernet_key: str = field(default_factory=_fernet_key, repr=False)

    def __post_init__(self) -> None:
        self.home = Path(self.home).resolve()
        self.dags_folder = Path(self.dags_folder).resolve()

    @property
    def sql_alchemy_conn(self) -> str:
        return self.metadata_url or f"sqlite:///{self.home / 'airflow.db'}"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def passwords_file(self) -> Path:
        return self.home / PASSWORDS_FILE

    @property
    def runtime_logs(self) -> Path:
        return self.home / RUNTIME_LOGS

    def env(self) -> dict[str, str]:
        """The environment of every Airflow process: this one's, minus inherited Airflow config."""
        inherited = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("AIRFLOW__") and key not in ("AIRFLOW_HOME", "AIRFLOW_CONFIG")
        }
        airflow = {
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(self.dags_folder),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__CORE__PARALLELISM": str(self.parallelism),
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__CORE__FERNET_KEY": self.fernet_key,
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{self.base_url}/execution/",
            "AIRFLOW__CORE__MIN_SERIALIZED_DAG_UPDATE_INTERVAL": "5",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self.sql_alchemy_conn,
            # The API on the loopback interface only, one worker: enough for tests and a demo.
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(self.api_port),
            "AIRFLOW__API__WORKERS": "1",
            "AIRFLOW__API__BASE_URL": self.base_url,
            "AIRFLOW__API__SECRET_KEY": self.secret_key,
            "AIRFLOW__API_AUTH__JWT_SECRET": self.jwt_secret,
            # SimpleAuthManager: user admin with role admin; its password is the one we write
            # into the passwords file before the api-server starts (it only generates missing ones).
            "AIRFLOW__CORE__AUTH_MANAGER": SIMPLE_AUTH_MANAGER,
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{ADMIN_USER}:admin",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "False",
            "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(self.passwords_file),
            # New and changed DAG files are seen within seconds, not minutes.
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "10",
            "AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES": "1",
            "AIRFLOW__DAG_PROCESSOR__PRINT_STATS_INTERVAL": "300",
            # A snappy scheduler loop that still leaves the CPUs to the tasks on 2 cores.
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "2",
            "AIRFLOW__SCHEDULER__JOB_HEARTBEAT_SEC": "2",
            "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.5",
            "AIRFLOW__SCHEDULER__POOL_METRICS_INTERVAL": "30",
            "AIRFLOW__SCHEDULER__PARSING_CLEANUP_INTERVAL": "30",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEALTH_CHECK_THRESHOLD": "30",
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": str(self.scheduled_runs),
            "PYTHONUNBUFFERED": "1",
        }
        return {**inherited, **airflow, **self.extra_env}

    def prepare(self) -> None:
        """Create home, the runtime log folder, the passwords file (admin's known password) and
        the scheduler's preload (`preload`)."""
        self.home.mkdir(parents=True, exist_ok=True)
        local_settings = self.home / "config" / "airflow_local_settings.py"
        ours = local_settings.exists() and local_settings.read_text("utf-8") == LOCAL_SETTINGS
        if self.preload and not local_settings.exists():
            local_settings.parent.mkdir(parents=True, exist_ok=True)
            local_settings.write_text(LOCAL_SETTINGS, encoding="utf-8")
        elif not self.preload and ours:
            local_settings.unlink()
        self.runtime_logs.mkdir(parents=True, exist_ok=True)
        passwords: dict[str, str] = {}
        if self.passwords_file.exists():
            with contextlib.suppress(ValueError):
                passwords = json.loads(self.passwords_file.read_text() or "{}")
        if passwords.get(ADMIN_USER) != self.admin_password:
            passwords[ADMIN_USER] = self.admin_password
            self.passwords_file.write_text(json.dumps(passwords) + "\n")


@dataclass
class RunResult:
    """One DAG run as :meth:`AirflowRuntime.run_dag` saw it."""

    dag_id: str
    run_id: str
    state: str
    task_instances: list[dict[str, Any]]
    #: Seconds from the trigger request to the final state.
    seconds: float
    #: Runs of the same DAG that appeared while this one ran (for instance a scheduled run created
    #: when the DAG was unpaused); each a DAG-run dict of the REST API.
    other_runs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return self.state == "success"

    def states(self) -> dict[str, str | None]:
        """``task_id`` (``task_id[map_index]`` for mapped instances) to state."""
        out: dict[str, str | None] = {}
        for ti in self.task_instances:
            key = ti["task_id"] if ti["map_index"] < 0 else f"{ti['task_id']}[{ti['map_index']}]"
            out[key] = ti["state"]
        return out

    def tasks(self, task_id: str) -> list[dict[str, Any]]:
        return [ti for ti in self.task_instances if ti["task_id"] == task_id]


def _tail(path: Path, lines: int = 40) -> str:
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 64_000))
            text = handle.read().decode(errors="replace")
    except OSError:
        return f"(no {path.name})"
    return "\n".join(text.splitlines()[-lines:])


def _iso(value: datetime | str) -> str:
    return value.isoformat() if isinstance(value, datetime) else value


_LOG_CONTEXT_KEYS = frozenset(
    {"timestamp", "level", "event", "logger", "sources", "error_detail", "ti_id", "dag_id",
     "run_id", "task_id", "map_index", "try_number", "filename", "lineno"}
)  # fmt: skip


def _parent_death_signal() -> Callable[[], None] | None:
    """A ``preexec_fn`` asking Linux to SIGTERM the child when its parent dies (else None)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)  # loaded here: the child only makes the call
        prctl = libc.prctl
    except (OSError, AttributeError):
        return None
    pr_set_pdeathsig = 1

    def preexec() -> None:
        prctl(pr_set_pdeathsig, signal.SIGTERM)

    return preexec


def _as_utc(value: datetime | str) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _in_range(value: str | None, start: datetime | str, end: datetime | str) -> bool:
    if value is None:
        return False
    return _as_utc(start) <= _as_utc(value.replace("Z", "+00:00")) <= _as_utc(end)


def _format_log_entry(entry: Mapping[str, Any]) -> str:
    """One structured log event of the REST API as a line of text (plus a traceback if any)."""
    head = [str(entry.get("timestamp") or "")]
    if entry.get("level"):
        head.append(f"[{entry['level']}]")
    if entry.get("logger"):
        head.append(f"{entry['logger']}:")
    head.append(str(entry.get("event", "")))
    head.extend(f"{k}={v}" for k, v in entry.items() if k not in _LOG_CONTEXT_KEYS)
    lines = [" ".join(part for part in head if part)]
    lines.extend(f"  {source}" for source in entry.get("sources") or [])
    for error in entry.get("error_detail") or []:
        if not isinstance(error, Mapping):
            lines.append(f"  {error}")
            continue
        lines.extend(
            f"  File {frame.get('filename')}, line {frame.get('lineno')}, in {frame.get('name')}"
            for frame in error.get("frames") or []
        )
        lines.append(f"  {error.get('exc_type')}: {error.get('exc_value')}")
    return "\n".join(lines)


class AirflowRuntime:
    """Start, drive and stop one Airflow (api-server, scheduler, dag-processor; LocalExecutor).

    As a context manager it migrates the metadata database, starts the processes and waits for
    health on entry, and stops every process it started on exit. The processes' output goes to
    ``<home>/logs-runtime/<name>.log`` and stays there; task logs are under ``<home>/logs``.
    """

    COMPONENTS = ("api-server", "scheduler", "dag-processor")

    def __init__(
        self, env: AirflowEnv, *, triggerer: bool = False, die_with_parent: bool = True
    ) -> None:
        """``triggerer`` also starts ``airflow triggerer`` (deferrable tasks need it).

        ``die_with_parent`` (Linux): each component gets SIGTERM if the thread that started it
        dies, so a killed test run leaves no Airflow behind. Start from a long-lived thread.
        """
        self.env = env
        self.die_with_parent = die_with_parent
        self.components: tuple[str, ...] = self.COMPONENTS + (("triggerer",) if triggerer else ())
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self._log_handles: list[IO[bytes]] = []
        self._session = requests.Session()
        self._token: str | None = None
        #: Seconds the last ``migrate()`` and ``start()`` took.
        self.migrate_seconds: float | None = None
        self.started_seconds: float | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    def __enter__(self) -> AirflowRuntime:
        try:
            self.migrate()
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return self.env.base_url

    def log_path(self, name: str) -> Path:
        return self.env.runtime_logs / f"{name}.log"

    def airflow_command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "airflow", *args]

    def migrate(self, timeout: float = 600) -> None:
        """``airflow db migrate`` (idempotent); raises with the output's tail when it fails."""
        self.env.prepare()
        began = time.monotonic()
        log = self.log_path("db-migrate")
        with log.open("ab") as out:
            out.write(f"\n=== airflow db migrate {datetime.now().isoformat()}\n".encode())
            out.flush()
            try:
                proc = subprocess.run(
                    self.airflow_command("db", "migrate"),
                    env=self.env.env(),
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    timeout=timeout,
                    check=False,
                )
            except subprocess.TimeoutExpired as exc:
                raise AirflowRuntimeError(
                    f"airflow db migrate took over {timeout} s:\n{_tail(log)}"
                ) from exc
        if proc.returncode != 0:
            raise AirflowRuntimeError(f"airflow db migrate exited {proc.returncode}:\n{_tail(log)}")
        self.migrate_seconds = time.monotonic() - began

    def start(self, timeout: float = 120) -> None:
        """Start the components and wait until the API, scheduler and dag-processor are healthy."""
        if self.processes:
            raise AirflowRuntimeError("this runtime is already started")
        self.env.prepare()
        began = time.monotonic()
        env = self.env.env()
        preexec = _parent_death_signal() if self.die_with_parent else None
        for name in self.components:
            args = {
                "api-server": ("api-server", "--port", str(self.env.api_port)),
                # Task logs are read from the local files: no log server (and no port clash).
                "scheduler": ("scheduler", "--skip-serve-logs"),
                "dag-processor": ("dag-processor",),
                "triggerer": ("triggerer", "--skip-serve-logs"),
            }[name]
            handle = self.log_path(name).open("ab")
            handle.write(f"\n=== airflow {' '.join(args)} {datetime.now().isoformat()}\n".encode())
            handle.flush()
            self._log_handles.append(handle)
            self.processes[name] = subprocess.Popen(
                self.airflow_command(*args),
                env=env,
                cwd=self.env.home,
                stdout=handle,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: stop() signals the whole group
                preexec_fn=preexec,
            )
        try:
            self._wait_healthy(deadline=began + timeout)
            self.token()
        except BaseException:
            self.stop()
            raise
        self.started_seconds = time.monotonic() - began

    def _wait_healthy(self, deadline: float) -> None:
        last: Any = None
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                response = self._session.get(f"{self.base_url}/api/v2/monitor/health", timeout=5)
                last = response.json() if response.ok else response.status_code
            except (requests.RequestException, ValueError) as exc:
                last = repr(exc)
            else:
                if isinstance(last, dict) and self._is_healthy(last):
                    return
            time.sleep(0.5)
        raise AirflowRuntimeError(
            f"Airflow was not healthy in time; last health answer: {last}\n{self.logs_tail()}"
        )

    def _is_healthy(self, health: Mapping[str, Any]) -> bool:
        wanted = ["metadatabase", "scheduler", "dag_processor"]
        if "triggerer" in self.components:
            wanted.append("triggerer")
        return all((health.get(part) or {}).get("status") == "healthy" for part in wanted)

    def health(self) -> dict[str, Any]:
        response = self._session.get(f"{self.base_url}/api/v2/monitor/health", timeout=10)
        response.raise_for_status()
        data: dict[str, Any] = response.json()
        return data

    def check_alive(self) -> None:
        """Raise, with the logs' tails, when a component has exited."""
        for name, proc in self.processes.items():
            code = proc.poll()
            if code is not None:
                raise AirflowRuntimeError(f"airflow {name} exited with {code}\n{self.logs_tail()}")

    def logs_tail(self, lines: int = 30) -> str:
        parts = []
        for name in self.components:
            path = self.log_path(name)
            if path.exists():
                parts.append(f"--- {path} (last {lines} lines) ---\n{_tail(path, lines)}")
        return "\n".join(parts)

    def stop(self, timeout: float = 30) -> None:
        """Terminate every component's process group, then kill whatever is left (no orphans)."""
        try:
            import psutil
        except ImportError:  # pragma: no cover - psutil comes with Airflow
            psutil = None
        procs = list(self.processes.values())
        family: list[Any] = []
        if psutil is not None:
            for proc in procs:
                with contextlib.suppress(psutil.Error):
                    family.extend(psutil.Process(proc.pid).children(recursive=True))
        for proc in procs:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        for proc in procs:
            # The group may still hold workers even when its leader has gone.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
        if psutil is not None:
            # Task processes run in process groups of their own: kill any that survived.
            alive = [p for p in family if p.is_running()]
            for child in alive:
                with contextlib.suppress(psutil.Error):
                    child.kill()
            psutil.wait_procs(alive, timeout=5)
        self.processes.clear()
        for handle in self._log_handles:
            handle.close()
        self._log_handles.clear()
        self._token = None

    # -- REST API ------------------------------------------------------------------------------

    def token(self, refresh: bool = False) -> str:
        """A JWT for the admin user (``POST /auth/token``), cached until refused."""
        if self._token is None or refresh:
            response = self._session.post(
                f"{self.base_url}/auth/token",
                json={"username": ADMIN_USER, "password": self.env.admin_password},
                timeout=30,
            )
            if response.status_code != 201:
                raise AirflowRuntimeError(
                    f"login as {ADMIN_USER} failed: {response.status_code} {response.text[:500]}"
                )
            self._token = str(response.json()["access_token"])
        return self._token

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
                    f"{self.env.dags_folder}).\nImport errors: {errors or 'none'}\n"
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
            "logical_date": None if logical_date is None else _iso(logical_date),
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
            _format_log_entry(entry) if isinstance(entry, Mapping) else str(entry)
            for entry in content
        )

    def run_dag(
        self, dag_id: str, conf: Mapping[str, Any] | None = None, timeout: float = 300
    ) -> RunResult:
        """Trigger one manual run and wait for it; see the module docstring for scheduled runs."""
        dag = self.wait_for_dag(dag_id, timeout=min(timeout, 120))
        before = {run["dag_run_id"] for run in self.dag_runs(dag_id)}
        began = time.monotonic()
        run_id = self.trigger(dag_id, conf)
        if dag.get("is_paused"):
            self.unpause(dag_id)
        state = self.wait_for_run(dag_id, run_id, timeout=timeout)
        seconds = time.monotonic() - began
        others = [
            run
            for run in self.dag_runs(dag_id)
            if run["dag_run_id"] not in before and run["dag_run_id"] != run_id
        ]
        return RunResult(
            dag_id=dag_id,
            run_id=run_id,
            state=state,
            task_instances=self.task_instances(dag_id, run_id),
            seconds=seconds,
            other_runs=others,
        )

    def backfill(
        self,
        dag_id: str,
        from_date: datetime | str,
        to_date: datetime | str,
        *,
        max_active_runs: int = 1,
        reprocess_behavior: str = "none",
        conf: Mapping[str, Any] | None = None,
        timeout: float | None = 600,
    ) -> list[dict[str, Any]]:
        """Backfill through ``POST /backfills``; returns its runs, final unless ``timeout`` None.

        The API creates the backfill's runs at once (queued, ``run_type`` backfill, one per
        cron tick from ``from_date`` to ``to_date`` inclusive); the scheduler runs them only
        while the DAG is unpaused, so this unpauses it (with ``scheduled_runs`` that also brings
        the scheduled run of the latest tick). The backfill's own ``completed_at`` is set by a
        30-second timer of the scheduler: this waits for the runs instead.
        """
        self.wait_for_dag(dag_id)
        known = {r["dag_run_id"] for r in self.dag_runs(dag_id) if r.get("run_type") == "backfill"}
        backfill = self.api(
            "POST",
            "/backfills",
            json={
                "dag_id": dag_id,
                "from_date": _iso(from_date),
                "to_date": _iso(to_date),
                "max_active_runs": max_active_runs,
                "reprocess_behavior": reprocess_behavior,
                "dag_run_conf": dict(conf or {}),
            },
        ).json()
        if self.dag(dag_id).get("is_paused"):
            self.unpause(dag_id)
        deadline = time.monotonic() + (timeout or 0)
        while True:
            runs = [
                r
                for r in self.dag_runs(dag_id)
                if r.get("run_type") == "backfill"
                and (r["dag_run_id"] not in known or reprocess_behavior != "none")
                and _in_range(r.get("logical_date"), from_date, to_date)
            ]
            if timeout is None or all(r["state"] in FINAL_RUN_STATES for r in runs):
                return sorted(runs, key=lambda r: str(r.get("logical_date")))
            if time.monotonic() > deadline:
                break
            self.check_alive()
            time.sleep(1)
        raise AirflowRuntimeError(
            f"backfill {backfill['id']} of {dag_id} not done after {timeout} s\n{self.logs_tail()}"
        )
