"""A companies folder: one YAML file per company, `<company id>.yaml`, and `_defaults.yaml` for
what the folder's companies share.

For an integrator with thousands of operators a folder is easier to keep than one big file (one
company's change is one file's change in review, and a broken file refuses only its company),
and a task reads just two small files: its company's and `_defaults.yaml`. The folder is turned
into exactly what a companies file holds (the defaults file's top-level keys, and the list of
companies) and validated by the same code (`aerosync.config.companies_file.parse_config`).

- `<id>.yaml` holds one company's keys (`name`, `schedule`, `fms`, ...); its id is the file's
  name, and an `id:` inside, if given, must be the same.
- `_defaults.yaml` (optional) holds the companies file's other top-level keys (`product`,
  `defaults`, ...), never `companies`.
- Other files are not read; a `.yml` file is named in a warning, since it looks meant.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aerosync.config.yaml_text import YAMLError, load_yaml

DEFAULTS_FILE_NAME = "_defaults.yaml"
COMPANY_FILE_SUFFIX = ".yaml"


@dataclass
class FolderContent:
    """The folder as one companies file's data, and what could not be read, per company
    (`*`: the whole folder) as (company, message) pairs."""

    data: dict[str, Any] | None  # None: nothing can load (the defaults file is unusable)
    problems: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)


def _read(path: Path) -> Any:
    """The YAML document of `path`; raises OSError or YAMLError."""
    return load_yaml(path.read_text(encoding="utf-8"))


def _reason(exc: Exception) -> str:
    return exc.strerror or str(exc) if isinstance(exc, OSError) else str(exc)


def _top_level(folder: Path) -> tuple[dict[str, Any] | None, str | None]:
    """The defaults file's keys (empty without one), or None and why it cannot be used."""
    path = folder / DEFAULTS_FILE_NAME
    if not path.is_file():
        return {}, None
    try:
        content = _read(path)
    except (OSError, YAMLError) as exc:
        return None, f"cannot read {path}: {_reason(exc)}"
    if content is None:
        return {}, None
    if not isinstance(content, dict):
        return None, f"{path}: must hold keys such as `product` or `defaults`, not a list or text"
    if "companies" in content:
        return None, (
            f"{path}: companies: not in {DEFAULTS_FILE_NAME}; each company is a file of its "
            f"own in {folder}, named after its id (north_jets.yaml)"
        )
    return content, None


def _company(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """One company file's entry, its id from the file's name; or None and why not."""
    company_id = path.name.removesuffix(COMPANY_FILE_SUFFIX)
    try:
        content = _read(path)
    except (OSError, YAMLError) as exc:
        return None, f"cannot read {path}: {_reason(exc)}"
    if content is None:
        content = {}
    if not isinstance(content, dict):
        return None, f"{path}: must hold the company's keys (name, schedule, fms, ...)"
    named = content.get("id", company_id)
    if named != company_id:
        return None, (
            f"id: {named!r} differs from the file's name {path.name}; a company's file is "
            "named after its id"
        )
    return {**content, "id": company_id}, None


def company_files(folder: Path, only: str | None) -> list[Path]:
    """The company files to read: `only`'s (if it exists) or every `*.yaml` but the defaults."""
    if only is not None:
        own = folder / f"{only}{COMPANY_FILE_SUFFIX}"
        return [own] if own.is_file() and own.name != DEFAULTS_FILE_NAME else []
    return sorted(
        path
        for path in folder.iterdir()
        if path.suffix == COMPANY_FILE_SUFFIX and path.name != DEFAULTS_FILE_NAME and path.is_file()
    )


def read_folder(folder: Path, only: str | None = None) -> FolderContent:
    """The folder's companies (only `only`'s file with `only`) as a companies file's data."""
    try:
        files = company_files(folder, only)
    except OSError as exc:
        return FolderContent(None, [("*", f"cannot read {folder}: {_reason(exc)}")])
    top, refused = _top_level(folder)
    if top is None:
        return FolderContent(None, [("*", refused or "")])
    content = FolderContent({**top, "companies": []})
    assert content.data is not None
    for path in files:
        entry, problem = _company(path)
        if entry is None:
            content.problems.append((path.name.removesuffix(COMPANY_FILE_SUFFIX), problem or ""))
        else:
            content.data["companies"].append(entry)
    if only is None:
        content.warnings += [
            ("*", f"{path.name} is not read: company files in {folder} end in .yaml")
            for path in sorted(folder.glob("*.yml"))
        ]
    return content
