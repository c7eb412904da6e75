"""Where each validation's Great Expectations Data Docs are kept: the companies file's top-level
`data_docs:` section, and the paths inside it.

```yaml
data_docs:
  location: /var/lib/aerosync/data_docs   # or file:///..., or relative to the companies file
  keep_runs: 20                           # the last 20 runs of each company
```

No section, no Data Docs: nothing is rendered and validation costs what it did. With one, every
suite run of a company (both flows) is rendered into a static GX site at `<location>/<company>/`
(`aerosync.quality.data_docs`), which the Airflow UI's pages link to and the plugin serves.

Only a folder the workers and the API server share (a local disk on one machine, a network mount
on many) is accepted: the site is written by GX's filesystem store backend and served from disk.
An object-storage URL (`s3://`, `gs://`, ...) is refused with a message rather than half-working.

`site_file` is the one way from a URL path to a file of a company's site: it refuses traversal,
hidden entries (the site's results store and its lock) and anything that is not a file.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from aerosync.config.companies import COMPANY_ID_PATTERN

DEFAULT_KEEP_RUNS = 20
# What a run label may hold in a file name and a URL: GX puts it in both, percent-encoded.
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class DataDocs(BaseModel):
    """The `data_docs:` section: a folder (a path, or a `file://` URL) and how many runs of each
    company stay in its site."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    location: str = Field(min_length=1)
    keep_runs: int = Field(default=DEFAULT_KEEP_RUNS, ge=1, le=1000)

    @field_validator("location")
    @classmethod
    def _a_folder(cls, value: str) -> str:
        scheme = urlsplit(value).scheme
        # A one-letter scheme is a Windows drive ("C:\\..."), not a URL.
        if scheme not in ("", "file") and len(scheme) > 1:
            raise ValueError(
                f"{value!r}: Data Docs are kept in a folder (a path or a file:// URL) that every "
                f"worker and the API server share; {scheme}:// storage is not supported"
            )
        return value

    def folder(self, companies_file: Path | None = None) -> Path:
        """The location as an absolute folder; a relative one is relative to the companies
        file's folder (as `sql_path` is), so it is the same for every process reading it."""
        parts = urlsplit(self.location)
        raw = unquote(parts.path) if parts.scheme == "file" else self.location
        path = Path(raw).expanduser()
        if not path.is_absolute() and companies_file is not None:
            base = companies_file if companies_file.is_dir() else companies_file.parent
            path = base / path
        return path.resolve()


def company_site(location: Path, company_id: str) -> Path:
    """`<location>/<company_id>/`: one site per company, so companies never share files."""
    if not re.match(COMPANY_ID_PATTERN, company_id):
        raise ValueError(f"company {company_id!r}: not a company id (a-z, 0-9 and '_')")
    return location / company_id


def run_label(dag_id: str, run_id: str) -> str:
    """A run as its Data Docs name it: the DAG and the run (two flows of one company can have
    runs of the same id), in characters that need no quoting in a path or URL."""
    return _UNSAFE.sub("-", f"{dag_id}.{run_id}").strip("-.") or "run"


def site_file(location: Path, company_id: str, relative: str) -> Path | None:
    """The file of `company_id`'s site at URL path `relative`, or None: not a company id, an
    empty, absolute, `..` or hidden (`.`-leading) segment, a link out of the site, not a file."""
    if not re.match(COMPANY_ID_PATTERN, company_id):
        return None
    parts = PurePosixPath(relative).parts
    if not parts or relative.startswith("/") or "\\" in relative:
        return None
    if any(part in ("", "..") or part.startswith(".") for part in parts):
        return None
    site = company_site(location, company_id).resolve()
    candidate = site.joinpath(*parts).resolve()
    if not candidate.is_relative_to(site) or not candidate.is_file():
        return None
    return candidate
