"""Make Airflow see AeroSync's `apache_airflow_provider` entry point in a child process.

Airflow finds providers through installed distributions' metadata. An AeroSync installed before
the entry point existed (an editable install made from an older checkout) has none: then a
dist-info folder with just that entry point, read from this checkout's pyproject.toml, is written
to a folder the child gets on its PYTHONPATH. With the entry point installed, nothing is added.
"""

from __future__ import annotations

import tomllib
from importlib.metadata import entry_points
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GROUP = "apache_airflow_provider"


def pythonpath_with_provider(folder: Path) -> str:
    """The PYTHONPATH a child needs: this checkout's src, and the shim if the installed metadata
    lacks the entry point."""
    paths = [str(REPO / "src")]
    installed = [ep for ep in entry_points(group=GROUP) if ep.dist and ep.dist.name == "aerosync"]
    if not installed:
        project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
        points = project["entry-points"][GROUP]
        info = folder / f"aerosync-{project['version']}.dist-info"
        info.mkdir(parents=True, exist_ok=True)
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: aerosync\nVersion: {project['version']}\n"
        )
        lines = [f"[{GROUP}]", *(f"{name} = {target}" for name, target in points.items())]
        (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
        paths.append(str(folder))
    return ":".join(paths)
