"""Process control of one Airflow: ``airflow db migrate``, then api-server, scheduler,
dag-processor (and triggerer) as subprocesses of this interpreter, their output in log files, and
their stopping with everything they started.

Each component runs in a process group of its own; task processes make their own groups too
(the task supervisor calls ``setpgid``), so ``stop()`` collects the whole process tree with
psutil before signalling, then SIGTERMs the groups, SIGKILLs what is left, and kills any task
process still alive. On Linux a component also gets SIGTERM if the process that started it dies
(``PR_SET_PDEATHSIG``), so even a killed test run leaves nothing running. The scheduler runs with
``--skip-serve-logs`` (the api-server reads the local files), so several runtimes can share the
machine without a log-server port clash.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import IO, Any

from aerosync.dev.environment import AirflowEnv, AirflowRuntimeError


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


class AirflowProcesses:
    """The Airflow components of one :class:`AirflowEnv` as processes: migrate, start, watch, stop.

    The processes' output goes to ``<home>/logs-runtime/<name>.log`` and stays there.
    """

    COMPONENTS = ("api-server", "scheduler", "dag-processor")

    def __init__(
        self, env: AirflowEnv, *, triggerer: bool = False, die_with_parent: bool = True
    ) -> None:
        self.env = env
        self.die_with_parent = die_with_parent
        self.components: tuple[str, ...] = self.COMPONENTS + (("triggerer",) if triggerer else ())
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self._log_handles: list[IO[bytes]] = []
        self.log_paths: dict[str, Path] = {}
        #: Seconds the last ``migrate()`` took.
        self.migrate_seconds: float | None = None

    def log_path(self, name: str) -> Path:
        """Where the output of component or worker ``name`` goes (a worker's, in its own home)."""
        return self.log_paths.get(name, self.env.runtime_logs / f"{name}.log")

    def airflow_command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "airflow", *args]

    def migrate(self, timeout: float = 600) -> None:
        """``airflow db migrate`` (idempotent), then ``airflow teams sync`` when a DAG bundle has
        a team (its team must exist before the dag-processor registers the bundle); raises with
        the output's tail when either fails."""
        self.env.prepare()
        began = time.monotonic()
        self._cli(("db", "migrate"), timeout)
        if any(bundle.team for bundle in self.env.bundles):
            self._cli(("teams", "sync"), timeout)
        self.migrate_seconds = time.monotonic() - began

    def _cli(self, args: tuple[str, ...], timeout: float) -> None:
        log = self.log_path("db-migrate")
        command = " ".join(args)
        with log.open("ab") as out:
            out.write(f"\n=== airflow {command} {datetime.now().isoformat()}\n".encode())
            out.flush()
            try:
                proc = subprocess.run(
                    self.airflow_command(*args),
                    env=self.env.env(),
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    timeout=timeout,
                    check=False,
                )
            except subprocess.TimeoutExpired as exc:
                raise AirflowRuntimeError(
                    f"airflow {command} took over {timeout} s:\n{_tail(log)}"
                ) from exc
        if proc.returncode != 0:
            raise AirflowRuntimeError(f"airflow {command} exited {proc.returncode}:\n{_tail(log)}")

    def launch(self) -> None:
        """Start every component, and the Celery workers of ``env.celery`` (without waiting for
        them); see ``AirflowRuntime.start``."""
        if self.processes:
            raise AirflowRuntimeError("this runtime is already started")
        self.env.prepare()
        for name in self.components:
            args = {
                "api-server": ("api-server", "--port", str(self.env.api_port)),
                # Task logs are read from the local files: no log server (and no port clash).
                "scheduler": ("scheduler", "--skip-serve-logs"),
                "dag-processor": ("dag-processor",),
                "triggerer": ("triggerer", "--skip-serve-logs"),
            }[name]
            self._spawn(name, args, self.env)
        for worker in self.workers:
            env = self.env.worker_env(worker)
            env.prepare()
            self._spawn(worker, self._worker_args(worker), env)

    @property
    def workers(self) -> tuple[str, ...]:
        return self.env.celery.workers if self.env.celery is not None else ()

    def _worker_args(self, worker: str) -> tuple[str, ...]:
        # Each worker's task logs stay in its own home: no log server (two would share a port).
        celery = self.env.celery
        assert celery is not None
        return (
            "celery", "worker", "--celery-hostname", worker, "--concurrency",
            str(celery.concurrency), "--queues", ",".join(celery.queues), "--skip-serve-logs",
        )  # fmt: skip

    def _spawn(self, name: str, args: tuple[str, ...], env: AirflowEnv) -> None:
        self.log_paths[name] = env.runtime_logs / f"{name}.log"
        handle = self.log_paths[name].open("ab")
        handle.write(f"\n=== airflow {' '.join(args)} {datetime.now().isoformat()}\n".encode())
        handle.flush()
        self._log_handles.append(handle)
        self.processes[name] = subprocess.Popen(
            self.airflow_command(*args),
            env=env.env(),
            cwd=env.home,
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stop() signals the whole group
            preexec_fn=_parent_death_signal() if self.die_with_parent else None,
        )

    def workers_ready(self) -> bool:
        """Whether every Celery worker has said it is ready (Celery's ``<name> ready.``)."""
        return all(f"@{w} ready." in _tail(self.log_path(w), 400) for w in self.workers)

    def check_alive(self) -> None:
        """Raise, with the logs' tails, when a component has exited."""
        for name, proc in self.processes.items():
            code = proc.poll()
            if code is not None:
                raise AirflowRuntimeError(f"airflow {name} exited with {code}\n{self.logs_tail()}")

    def logs_tail(self, lines: int = 30) -> str:
        parts = []
        for name in (*self.components, *self.workers):
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
