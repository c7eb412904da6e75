"""The companies file: one entry per operator company (`aerosync.config.companies`), read and
validated.

Each company is validated on its own so that one broken entry is reported, naming the company and
the field, while every other company's DAG still loads.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from aerosync import __version__
from aerosync.config.companies import CompanyConfig
from aerosync.config.resources import data_dir

CONFIG_ENV = "AEROSYNC_CONFIG"


class _TopLevel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    product: str | None = None
    companies: list[dict[str, Any]]


@dataclass(frozen=True)
class ConfigProblem:
    """A refused company entry (or the whole file), with a message naming what to fix."""

    company: str
    message: str

    def __str__(self) -> str:
        return f"company {self.company!r}: {self.message}"


@dataclass
class LoadedConfig:
    path: Path
    product: str
    companies: list[CompanyConfig] = field(default_factory=list)
    problems: list[ConfigProblem] = field(default_factory=list)

    def company(self, company_id: str) -> CompanyConfig:
        for company in self.companies:
            if company.id == company_id:
                return company
        raise KeyError(f"no valid company {company_id!r} in {self.path}")


def default_config_path() -> Path:
    configured = os.environ.get(CONFIG_ENV)
    if configured:
        return Path(configured)
    return data_dir("config") / "companies.yaml"


def default_product() -> str:
    return f"AeroSync/{__version__}"


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "entry"
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = "unknown key"
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


def parse_config(data: Any, path: Path, only: str | None = None) -> LoadedConfig:
    """Validate a parsed companies file; bad companies become problems, good ones load.

    With `only`, just that company is validated (a task needs its own company, and a file of a
    thousand companies costs a second to validate in full)."""
    try:
        top = _TopLevel.model_validate(data)
    except ValidationError as exc:
        loaded = LoadedConfig(path=path, product=default_product())
        loaded.problems.append(ConfigProblem("*", f"{path}: {_describe(exc)}"))
        return loaded
    loaded = LoadedConfig(path=path, product=top.product or default_product())
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
        try:
            loaded.companies.append(CompanyConfig.model_validate(entry))
        except ValidationError as exc:
            loaded.problems.append(ConfigProblem(label, _describe(exc)))
    loaded.companies.sort(key=lambda c: c.id)
    return loaded


# libyaml's loader when PyYAML has it (ten times faster on a file of many companies).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_config(path: Path | None = None, only: str | None = None) -> LoadedConfig:
    """Read and validate the companies file (only one company's entry with `only`); never
    raises for bad content."""
    config_path = path or default_config_path()
    try:
        data = yaml.load(config_path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except (OSError, yaml.YAMLError) as exc:
        loaded = LoadedConfig(path=config_path, product=default_product())
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        loaded.problems.append(ConfigProblem("*", f"cannot read {config_path}: {reason}"))
        return loaded
    return parse_config(data, config_path, only)
