"""A task's own company entry, from the companies file its DAG was made from.

The file is `AEROSYNC_CONFIG`, else `aerosync_companies.yaml` beside the DAG file; a task finds that
file through its DAG's `fileloc`, which Airflow sets to the DAG file the worker parsed (in a DAG
bundle, the worker's own copy of it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aerosync.config.companies import CompanyConfig
from aerosync.config.companies_file import LoadedConfig, load_config
from aerosync.config.data_docs import company_site, run_label


def dag_folder_of(context: Any) -> Path | None:
    """The folder of the DAG file of the running task (None when the context has no DAG)."""
    fileloc = getattr(context.get("dag") if context else None, "fileloc", None)
    return Path(fileloc).parent if fileloc else None


def task_config(company_id: str, context: Any) -> LoadedConfig:
    """The companies file as the task's DAG file found it, validating only `company_id`."""
    return load_config(only=company_id, dag_folder=dag_folder_of(context))


def task_company(company_id: str, context: Any) -> CompanyConfig:
    return task_config(company_id, context).company(company_id)


@contextmanager
def data_docs_kept(config: LoadedConfig, company_id: str, context: Any) -> Iterator[None]:
    """Every suite run inside keeps its GX Data Docs in the company's site, when the companies
    file has a `data_docs:` section (`aerosync.quality.data_docs`); else nothing is rendered."""
    from aerosync.quality.data_docs import DocsTarget, keeping_data_docs

    folder = config.data_docs_folder()
    target = None
    if folder is not None and config.data_docs is not None:
        dag_id = str(getattr(context.get("dag"), "dag_id", "") or "")
        target = DocsTarget(
            site=company_site(folder, company_id),
            company=company_id,
            run_label=run_label(dag_id, str(context.get("run_id") or "")),
            keep_runs=config.data_docs.keep_runs,
        )
    with keeping_data_docs(target):
        yield
