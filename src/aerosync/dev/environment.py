"""Where and how one Airflow installation runs: its home, ``airflow.cfg`` settings as
``AIRFLOW__*`` variables, the admin's known password and the scheduler's local settings.

Login: SimpleAuthManager (the default auth manager) keeps passwords in
``$AIRFLOW_HOME/simple_auth_manager_passwords.json.generated`` (JSON ``{"user": "password"}``)
and generates one only for users missing from the file, so writing ``{"admin": "admin"}``
before the api-server starts gives a known password (``users`` adds more, each with its role
and teams). All processes share one
``[api_auth] jwt_secret``: the scheduler signs the tokens tasks present to the api-server's
execution API, so it must be fixed before the processes start.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import socket
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

ADMIN_USER = "admin"
PASSWORDS_FILE = "simple_auth_manager_passwords.json.generated"
RUNTIME_LOGS = "logs-runtime"
SIMPLE_AUTH_MANAGER = (
    "airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager"
)


# Every Airflow process imports this at start; only the scheduler and Celery workers preload
# (aerosync.quality.preload).
LOCAL_SETTINGS = """\
from aerosync.quality.preload import preload_for_tasks

__all__: list[str] = []  # nothing here overrides Airflow's settings
preload_for_tasks()
"""


LOCAL_BUNDLE = "airflow.dag_processing.bundles.local.LocalDagBundle"


@dataclass(frozen=True)
class AirflowUser:
    """A SimpleAuthManager user besides admin. A user with ``teams`` reads and runs only the
    DAGs of its teams' bundles and those of no team (``[core] multi_team`` mode)."""

    name: str
    role: Literal["viewer", "user", "op", "admin"]
    password: str
    teams: tuple[str, ...] = ()

    @property
    def entry(self) -> str:
        """Its item of ``[core] simple_auth_manager_users``: ``name:role[:team1|team2]``."""
        teams = f":{'|'.join(self.teams)}" if self.teams else ""
        return f"{self.name}:{self.role}{teams}"


@dataclass(frozen=True)
class DagBundle:
    """A folder of DAG files as a DAG bundle of its own, owned by ``team`` if given (a DAG's
    team is its bundle's: that is how Airflow 3 scopes a DAG to a team)."""

    name: str
    path: Path
    team: str | None = None

    def config(self) -> dict[str, object]:
        """Its item of ``[dag_processor] dag_bundle_config_list``."""
        item: dict[str, object] = {
            "name": self.name,
            "classpath": LOCAL_BUNDLE,
            "kwargs": {"path": str(Path(self.path).resolve())},
        }
        if self.team:
            item["team_name"] = self.team
        return item


#: The environment variable a Celery worker's task processes read their hostname from.
WORKER_HOSTNAME_ENV = "AEROSYNC_WORKER_HOSTNAME"


def worker_hostname() -> str:
    """``[core] hostname_callable`` of a harness Celery worker: its own name, so two workers on
    one machine record different task instance hostnames (the machine's name otherwise)."""
    return os.environ.get(WORKER_HOSTNAME_ENV) or socket.getfqdn()


@dataclass(frozen=True)
class CeleryCluster:
    """The CeleryExecutor instead of the LocalExecutor: a Redis broker, a result backend
    (``db+postgresql://...``), and ``workers``, each an ``airflow celery worker`` with an
    AIRFLOW_HOME of its own (its logs, its ``aerosync.db``: no state shared on disk), listening
    to ``queues`` with ``concurrency`` task slots."""

    broker_url: str
    result_backend: str
    workers: tuple[str, ...] = ("worker_a", "worker_b")
    concurrency: int = 1
    queues: tuple[str, ...] = ("default",)


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
    #: True keeps Airflow's own scheduling (see ``aerosync.dev.runtime`` for what unpausing does).
    scheduled_runs: bool = False
    #: True writes ``config/airflow_local_settings.py`` preloading the validation stack in the
    #: scheduler (``aerosync.quality.preload``) unless home has its own; False removes ours, so that
    #: task processes import it themselves (the benchmarks' naive design).
    preload: bool = True
    admin_password: str = "admin"
    #: More SimpleAuthManager users (admin is always there).
    users: tuple[AirflowUser, ...] = ()
    #: More DAG bundles beside the ``dags_folder`` one; a bundle with a team turns on
    #: ``[core] multi_team`` and ``migrate()`` creates its team (``airflow teams sync``).
    bundles: tuple[DagBundle, ...] = ()
    #: None: the LocalExecutor; else the CeleryExecutor with these broker and workers.
    celery: CeleryCluster | None = None
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
    def teams(self) -> tuple[str, ...]:
        """The teams of the bundles and users: any turns on multi-team mode."""
        named = {b.team for b in self.bundles if b.team} | {t for u in self.users for t in u.teams}
        return tuple(sorted(named))

    def _auth_and_bundles(self) -> dict[str, str]:
        users = ",".join([f"{ADMIN_USER}:admin", *(user.entry for user in self.users)])
        settings = {"AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": users}
        if self.teams:
            settings["AIRFLOW__CORE__MULTI_TEAM"] = "True"
        if self.bundles:
            folder = DagBundle("dags-folder", self.dags_folder).config()
            bundles = [folder, *(bundle.config() for bundle in self.bundles)]
            settings["AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST"] = json.dumps(bundles)
        return settings

    def _executor(self) -> dict[str, str]:
        if self.celery is None:
            return {"AIRFLOW__CORE__EXECUTOR": "LocalExecutor"}
        return {
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CELERY__BROKER_URL": self.celery.broker_url,
            "AIRFLOW__CELERY__RESULT_BACKEND": self.celery.result_backend,
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(self.celery.concurrency),
        }

    def worker_home(self, name: str) -> Path:
        """A Celery worker's own AIRFLOW_HOME, beside (not inside) the scheduler's."""
        return self.home.parent / f"{self.home.name}-{name}"

    def worker_env(self, name: str) -> AirflowEnv:
        """This installation as Celery worker ``name`` sees it: the same configuration and
        secrets, its own home, and task instances that record ``name`` as their hostname."""
        extra = {
            **self.extra_env,
            WORKER_HOSTNAME_ENV: name,
            "AIRFLOW__CORE__HOSTNAME_CALLABLE": "aerosync.dev.environment.worker_hostname",
        }
        return replace(self, home=self.worker_home(name), extra_env=extra)

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
            **self._executor(),
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
            **self._auth_and_bundles(),
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
        wanted = {ADMIN_USER: self.admin_password, **{u.name: u.password for u in self.users}}
        if any(passwords.get(name) != password for name, password in wanted.items()):
            passwords.update(wanted)
            self.passwords_file.write_text(json.dumps(passwords) + "\n")
