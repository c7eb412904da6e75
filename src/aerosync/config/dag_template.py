"""`aerosync init-dags`: this version's DAG file template, written into a DAG folder."""

from __future__ import annotations

from pathlib import Path

from aerosync import __version__
from aerosync.cli_conventions import UsageError
from aerosync.config.companies_file import COMPANIES_FILE_NAME, CONFIG_ENV

DAG_FILE_NAME = "aerosync_dags.py"


def write_dag_file(folder: Path, *, force: bool = False) -> int:
    """Write the DAG file template (the installed package's own) into a DAG folder: once, or
    again when it changed with an upgrade; a file edited by hand is kept unless --force."""
    from aerosync.config.resources import data_dir

    template = (data_dir("dags") / DAG_FILE_NAME).read_text(encoding="utf-8")
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder; create your DAG folder first")
    target = folder / DAG_FILE_NAME
    if target.is_file():
        if target.read_text(encoding="utf-8") == template:
            print(f"unchanged {target} (already the template of aerosync {__version__})")
            return 0
        if not force:
            raise UsageError(
                f"{target} exists and differs from the template of aerosync {__version__}; "
                "pass --force to replace it"
            )
    target.write_text(template, encoding="utf-8")
    print(f"wrote     {target} (aerosync {__version__})")
    beside = folder / COMPANIES_FILE_NAME
    if not beside.is_file():
        print(f"next:     write {beside} (or set ${CONFIG_ENV}), then: aerosync config check "
              f"--dags-folder {folder}")  # fmt: skip
    return 0
