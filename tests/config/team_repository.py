"""A team's own repository, as the README's install section lays it out: its DAG file (written by
`aerosync init-dags`), its companies file beside it naming the team's folders, a new dialect
`acme_fms` for an FMS whose tables have other names, and a changed suite (an unknown start
airport, a packaged `warning`, made `blocking`)."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from aerosync.cli import main as aerosync_main
from aerosync.config.resources import data_dir

# The reference FMS's tables, as the ACME FMS names them.
ACME_TABLES = {
    "aircraft": "acme_fleet",
    "trips": "acme_bookings",
    "legs": "acme_sectors",
    "empty_leg_offers": "acme_offers",
    "ground_events": "acme_downtime",
    "leg_services": "acme_sector_services",
}
# The expectation the team's suite changes, and the words of its finding.
MADE_BLOCKING = "start_airport_known"
MADE_BLOCKING_WORDS = "Start airport is not a known ICAO code"


@dataclass(frozen=True)
class TeamRepository:
    root: Path

    @property
    def dags(self) -> Path:
        return self.root / "dags"

    @property
    def companies_file(self) -> Path:
        return self.dags / "aerosync_companies.yaml"


def acme_sql(reference: str) -> str:
    """A reference query rewritten for the ACME FMS's table names."""
    for table, acme in ACME_TABLES.items():
        reference = re.sub(rf"(FROM|JOIN)\s+{table}\b", rf"\1 {acme}", reference)
    return reference


def rename_to_acme(fms: Path) -> None:
    """Turn a reference-schema SQLite FMS into the ACME FMS (same rows, other table names)."""
    with sqlite3.connect(fms) as conn:
        for table, acme in ACME_TABLES.items():
            conn.execute(f"ALTER TABLE {table} RENAME TO {acme}")


def team_repository(root: Path, companies: list[dict[str, Any]]) -> TeamRepository:
    """Lay the repository out under `root`, companies file included (with `sql_path` and
    `expectations_path` relative to it)."""
    repo = TeamRepository(root)
    repo.dags.mkdir(parents=True)
    assert aerosync_main(["init-dags", str(repo.dags)]) == 0
    dialect = root / "sql" / "acme_fms"
    dialect.mkdir(parents=True)
    packaged = data_dir("sql") / "reference"
    for name in ("aircraft.sql", "activities.sql", "services.sql"):
        (dialect / name).write_text(acme_sql((packaged / name).read_text("utf-8")), "utf-8")
    suites = root / "expectations"
    suites.mkdir()
    suite = json.loads((data_dir("expectations") / "activities.json").read_text("utf-8"))
    for expectation in suite["expectations"]:
        if expectation["kwargs"].get("column") == MADE_BLOCKING:
            expectation["severity"] = "critical"
    (suites / "activities.json").write_text(json.dumps(suite, indent=2), "utf-8")
    document = {
        "sql_path": "../sql",
        "expectations_path": "../expectations",
        "companies": companies,
    }
    repo.companies_file.write_text(yaml.safe_dump(document, sort_keys=False), "utf-8")
    return repo
