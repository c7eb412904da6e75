"""The companies file: one entry per operator company (`aerosync.config.companies`), found,
read and validated.

Where it is (`find_config`): `AEROSYNC_CONFIG`, else `aerosync_companies.yaml` beside the DAG file
(or an `aerosync_companies/` folder there), so that it travels with a DAG bundle. Nowhere is no
companies and a problem, never the demo's. It may be a file, or a folder of one file per company
(`aerosync.config.companies_folder`); both are validated by `parse_config`.
Each company is validated on its own so that one broken entry is reported, naming the company and
the field, while every other company's DAG still loads; what loads but looks wrong is a warning
(`aerosync.config.warnings`).

A task needs only its own company (`only`): from a folder it reads that company's file; from a
big file it reads the file's text with the other entries cut out (`companies_slice`), since
reading 10,000 entries cost every task instance 2 s.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from aerosync import __version__
from aerosync.collector import collector_paused
from aerosync.config.companies import CompanyConfig
from aerosync.config.companies_folder import read_folder
from aerosync.config.companies_slice import company_slice
from aerosync.config.data_docs import DataDocs
from aerosync.config.dialects import find_dialects
from aerosync.config.resources import (
    CompaniesFileFolders,
    missing_folders,
    use_companies_file_folders,
)
from aerosync.config.retention import Retention
from aerosync.config.suite_files import team_suite_findings
from aerosync.config.warnings import NO_COMPANIES, company_warnings
from aerosync.config.yaml_text import YAMLError, load_yaml

CONFIG_ENV = "AEROSYNC_CONFIG"
# The companies file beside the DAG file (`dags/aerosync_dags.py`), when AEROSYNC_CONFIG is unset;
# else a companies folder of that name there.
COMPANIES_FILE_NAME = "aerosync_companies.yaml"
COMPANIES_FOLDER_NAME = "aerosync_companies"


class _TopLevel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    product: str | None = None
    # A team's folders of SQL dialects and of expectation suites, relative to this file's folder
    # (`aerosync.config.resources`); searched after the environment's and before the packaged.
    sql_path: str | list[str] = Field(default_factory=list)
    expectations_path: str | list[str] = Field(default_factory=list)
    retention: Retention = Retention()
    # Where each validation's GX Data Docs are kept (`aerosync.config.data_docs`); none: no docs.
    data_docs: DataDocs | None = None
    # Keys every company has unless its entry sets them (a set key replaces the default whole).
    defaults: dict[str, Any] = Field(default_factory=dict)
    companies: list[dict[str, Any]]

    def folders(self, path: Path) -> CompaniesFileFolders:
        def absolute(value: str | list[str]) -> tuple[Path, ...]:
            names = [value] if isinstance(value, str) else value
            base = path if path.is_dir() else path.parent  # a companies folder: its own
            return tuple((base / Path(name).expanduser()).resolve() for name in names)

        return CompaniesFileFolders(
            path, sql=absolute(self.sql_path), expectations=absolute(self.expectations_path)
        )


@dataclass(frozen=True)
class ConfigProblem:
    """A refused company entry (or the whole file), with a message naming what to fix."""

    company: str
    message: str

    def __str__(self) -> str:
        return f"company {self.company!r}: {self.message}"


@dataclass(frozen=True)
class ConfigWarning:
    """Something a loaded company (or the whole file, `*`) probably did not mean; never refused."""

    company: str
    message: str

    def __str__(self) -> str:
        return f"company {self.company!r}: {self.message}"


@dataclass
class LoadedConfig:
    path: Path | None  # None: no companies file was found
    product: str
    companies: list[CompanyConfig] = field(default_factory=list)
    problems: list[ConfigProblem] = field(default_factory=list)
    warnings: list[ConfigWarning] = field(default_factory=list)
    retention: Retention = field(default_factory=Retention)  # the file's `retention:` section
    data_docs: DataDocs | None = None  # the file's `data_docs:` section (None: no Data Docs)

    def data_docs_folder(self) -> Path | None:
        """The absolute folder of the companies' Data Docs sites, or None when not kept."""
        return self.data_docs.folder(self.path) if self.data_docs is not None else None

    def company(self, company_id: str) -> CompanyConfig:
        for company in self.companies:
            if company.id == company_id:
                return company
        raise KeyError(f"no valid company {company_id!r} in {self.path or 'no companies file'}")


def find_config(dag_folder: Path | None = None) -> Path | None:
    """`AEROSYNC_CONFIG` (a file or a folder; even if it names nothing: that is reported, not
    skipped), else `aerosync_companies.yaml` in `dag_folder` (the DAG file's folder) if it is
    there, else an `aerosync_companies/` folder there, else None."""
    configured = os.environ.get(CONFIG_ENV)
    if configured:
        return Path(configured)
    if dag_folder is not None and (dag_folder / COMPANIES_FILE_NAME).is_file():
        return dag_folder / COMPANIES_FILE_NAME
    if dag_folder is not None and (dag_folder / COMPANIES_FOLDER_NAME).is_dir():
        return dag_folder / COMPANIES_FOLDER_NAME
    return None


def where_to_put_config(dag_folder: Path | None = None) -> str:
    """How to give AeroSync its companies file, for a message that says none was found."""
    beside = (
        f"put {COMPANIES_FILE_NAME} (or a folder {COMPANIES_FOLDER_NAME}/ of one file per "
        f"company) in {dag_folder}, beside the DAG file, or "
        if dag_folder
        else ""
    )
    return f"{beside}set {CONFIG_ENV} to your companies file or folder on every Airflow component"


def default_product() -> str:
    return f"AeroSync/{__version__}"


def _describe(error: ValidationError, from_defaults: frozenset[str] = frozenset()) -> str:
    """The errors, each naming its field; `from_defaults`: keys the entry took from `defaults`."""
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "entry"
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key"
        if item["loc"] and item["loc"][0] in from_defaults:
            message += " (from defaults)"
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


def parse_config(data: Any, path: Path, only: str | None = None) -> LoadedConfig:
    """Validate a parsed companies file; bad companies become problems, good ones load.

    With `only`, just that company is validated (a task needs its own company, and a file of a
    thousand companies costs a second to validate in full)."""
    use_companies_file_folders(CompaniesFileFolders())
    try:
        top = _TopLevel.model_validate(data)
    except ValidationError as exc:
        loaded = LoadedConfig(path=path, product=default_product())
        loaded.problems.append(ConfigProblem("*", f"{path}: {_describe(exc)}"))
        return loaded
    use_companies_file_folders(top.folders(path))
    loaded = LoadedConfig(
        path=path,
        product=top.product or default_product(),
        retention=top.retention,
        data_docs=top.data_docs,
    )
    if "id" in top.defaults:
        loaded.problems.append(ConfigProblem("*", f"{path}: defaults.id: each company has its own"))
        return loaded
    _check_team_folders(loaded)
    # Validation context: the dialects found once, not once per company.
    context = {"dialects": find_dialects()}
    ids = [entry.get("id") if isinstance(entry, dict) else None for entry in top.companies]
    duplicated = {cid for cid, n in Counter(ids).items() if cid is not None and n > 1}
    for index, entry in enumerate(top.companies):
        if only is not None and ids[index] != only:
            continue
        label = str(ids[index]) if ids[index] is not None else f"#{index + 1}"
        if ids[index] in duplicated:
            loaded.problems.append(
                ConfigProblem(label, "id: used by more than one company; ids must be unique")
            )
            continue
        from_defaults = None
        if top.defaults and isinstance(entry, dict):
            from_defaults = frozenset(top.defaults.keys() - entry.keys())
            entry = {**top.defaults, **entry}
        try:
            company = CompanyConfig.model_validate(entry, context=context)
        except ValidationError as exc:
            loaded.problems.append(
                ConfigProblem(label, _describe(exc, from_defaults or frozenset()))
            )
            continue
        loaded.companies.append(company)
        loaded.warnings += [ConfigWarning(company.id, w) for w in company_warnings(company)]
    if not top.companies and only is None:
        loaded.warnings.append(ConfigWarning("*", NO_COMPANIES))
    loaded.companies.sort(key=lambda c: c.id)
    return loaded


def _check_team_folders(loaded: LoadedConfig) -> None:
    """A named folder that is not there is a warning; a broken team suite is a problem (every
    company's validation would read it), and companies still load."""
    for folder in missing_folders():
        loaded.warnings.append(ConfigWarning("*", f"folder {folder} does not exist"))
    problems, warnings = team_suite_findings()
    loaded.problems += [ConfigProblem("*", problem) for problem in problems]
    loaded.warnings += [ConfigWarning("*", warning) for warning in warnings]


def _holds_just(data: Any, company_id: str) -> bool:
    """Whether a cut-out companies file reads back as that one company's entry."""
    entries = data.get("companies") if isinstance(data, dict) else None
    if not isinstance(entries, list) or len(entries) != 1:
        return False
    return isinstance(entries[0], dict) and entries[0].get("id") == company_id


def _read_file(config_path: Path, only: str | None) -> LoadedConfig:
    """A companies file; with `only`, its text with the other companies cut out when the cut is
    sure and reads back as exactly that company (else the whole file)."""
    try:
        text = config_path.read_text(encoding="utf-8")
    except OSError as exc:
        return _unreadable(config_path, exc.strerror or str(exc))
    if only is not None:
        cut = company_slice(text, only)
        try:
            data = load_yaml(cut) if cut is not None else None
        except YAMLError:
            data = None  # e.g. an alias to an anchor in another entry: read the whole file
        if _holds_just(data, only):
            return parse_config(data, config_path, only)
    try:
        data = load_yaml(text)
    except YAMLError as exc:
        return _unreadable(config_path, str(exc))
    return parse_config(data, config_path, only)


def _read_folder(folder: Path, only: str | None) -> LoadedConfig:
    """A companies folder: its company files (only `only`'s) and `_defaults.yaml`."""
    content = read_folder(folder, only)
    if content.data is None:
        loaded = LoadedConfig(path=folder, product=default_product())
    else:
        loaded = parse_config(content.data, folder, only)
    loaded.problems += [ConfigProblem(company, message) for company, message in content.problems]
    loaded.warnings += [ConfigWarning(company, message) for company, message in content.warnings]
    return loaded


def _unreadable(config_path: Path, reason: str) -> LoadedConfig:
    loaded = LoadedConfig(path=config_path, product=default_product())
    loaded.problems.append(ConfigProblem("*", f"cannot read {config_path}: {reason}"))
    return loaded


def load_config(
    path: Path | None = None, only: str | None = None, *, dag_folder: Path | None = None
) -> LoadedConfig:
    """Read and validate the companies file or folder at `path`, else the one `find_config`
    finds (only one company's entry with `only`); never raises for bad content or a missing
    file."""
    config_path = path or find_config(dag_folder)
    use_companies_file_folders(CompaniesFileFolders())  # until a file is read that names some
    if config_path is None:
        loaded = LoadedConfig(path=None, product=default_product())
        loaded.problems.append(
            ConfigProblem("*", f"no companies file: {where_to_put_config(dag_folder)}")
        )
        return loaded
    # Thousands of entries: see aerosync.config.yaml_text (the dialects are listed once per file
    # in `parse_config`, the validation context).
    with collector_paused():
        if config_path.is_dir():
            loaded = _read_folder(config_path, only)
        else:
            loaded = _read_file(config_path, only)
    beside = config_path.parent / COMPANIES_FOLDER_NAME
    if only is None and config_path.name == COMPANIES_FILE_NAME and beside.is_dir():
        loaded.warnings.append(
            ConfigWarning("*", f"{beside} is not read: {config_path} beside it is; keep one")
        )
    return loaded
