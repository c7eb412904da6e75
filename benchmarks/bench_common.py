"""What every benchmark result records beside its figures: the machine, its load, the code.

benchmarks.md asks for `nproc`, memory, Python and Airflow versions and whether the machine was
otherwise idle; RESULTS.md quotes the commit each figure was measured at. A run from a working
tree with uncommitted changes under `src/` or `dags/` says so (`dirty`), since those change what
was measured.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

import psutil

REPO = Path(__file__).resolve().parents[1]


def _git(*args: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, timeout=30, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip()


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def machine() -> dict[str, Any]:
    """The machine as benchmarks.md asks for it, with its load average right now."""
    load = os.getloadavg()
    return {
        "nproc": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "airflow": _version("apache-airflow"),
        "great_expectations": _version("great-expectations"),
        "pandas": _version("pandas"),
        "load_avg_1_5_15": [round(x, 2) for x in load],
    }


def code() -> dict[str, Any]:
    """The commit measured, and the files under src/ and dags/ that differed from it."""
    dirty = _git("status", "--porcelain", "--", "src", "dags")
    return {
        "commit": _git("rev-parse", "--short=12", "HEAD"),
        "dirty": [line[3:] for line in dirty.splitlines()],
    }


def write_result(result: dict[str, Any], output: Path | None) -> None:
    """Print the result as JSON and, if asked, write it to `output`."""
    text = json.dumps(result, indent=2)
    print(text)
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text + "\n", encoding="utf-8")


_LEAN = """\
from aerosync.sandbox.marketplace import SandboxState
class _Counted(dict):
    def __setitem__(self, key, held):
        super().__setitem__(key, {**held, "activities": len(held["activities"])})
_init, _remember = SandboxState.__init__, SandboxState.remember
def _lean_init(self, *args, **kwargs):
    _init(self, *args, **kwargs)
    self.schedules = _Counted()
SandboxState.__init__ = _lean_init
SandboxState.remember = lambda self, entry: _remember(self, {**entry, "body": None})
"""


@contextmanager
def sandbox_process(
    accounts: list[tuple[str, str, str]], *, nagle: bool = False, lean: bool = False
) -> Iterator[str]:
    """The marketplace sandbox in a process of its own, as the real marketplace is; yields its
    base URL. In the benchmark's process it would share an interpreter lock with the harness's
    process sampler and polling during our runs, and with the floor's client during the floor.

    `nagle` keeps Nagle's algorithm on the sandbox's connections. The sandbox turns it off by
    default: it answers with two writes (headers, then body), and with Nagle on the server and
    the client's delayed ACK every answer waits about 40 ms on loopback (400 PUTs lose 16-18 s
    to it). The real marketplace does not behave so, and a trivial server does not either.

    `lean` keeps neither the bodies in the request log nor the activities of held schedules
    (their count instead); every PUT is still checked in full. A body of 300 activities (81 KB
    of JSON) takes 0.43 MB in the sandbox, so a 500-company x 20-aircraft cycle would hold
    about 4.3 GB there and slow its answers with garbage collection."""
    program = (
        "from aerosync.sandbox import server as sandbox\n"
        f"sandbox._Handler.disable_nagle_algorithm = {not nagle}\n"
        + (_LEAN if lean else "")
        + f"sandbox.serve('127.0.0.1', 0, {accounts!r})\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", program], stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    try:
        assert process.stdout is not None
        banner = process.stdout.readline()  # "Avinode marketplace sandbox on <url> (PUT ...)"
        if " on " not in banner:
            raise RuntimeError(f"the sandbox did not start: {banner!r}")
        yield banner.split(" on ", 1)[1].split(" ", 1)[0]
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
