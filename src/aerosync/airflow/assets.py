"""The one place that names AeroSync's Airflow assets: what each flow writes, per company.

Every asset has a stable name and URI (other DAGs, teams and lineage tools refer to them, so a
rename breaks them: add, never rename). The scheme is `aerosync`: Airflow 3.3 reserves only
`airflow`, lower-cases the scheme, drops a trailing slash and a fragment, sorts a query, and has
no normaliser for `aerosync`, so these URIs are stored as written. Company ids are lower-case
(`[a-z0-9_]+`), so each URI has one spelling.

Name `aerosync.<company>.<what>`, URI `aerosync://<company>/<path>`, written by:

- `marketplace_schedules`, `marketplace/schedules`: the uploaded schedules of the company's
  aircraft (upload DAG, `record_status`);
- `crew.<table>`, `crew/<table>`: one crew table loaded (crew DAG, `load`);
- `export.training_status`, `exports/training_status`: the training-status CSV (crew DAG,
  `export_status`);
- `export.ebt_results`, `exports/ebt_results`: EBT results posted to the LMS (crew DAG, `post_ebt`);
- `export.readiness`, `exports/readiness`: crew readiness (readiness DAG, `export_readiness`);
- `export.regulatory.<kind>`, `exports/regulatory/<kind>`: a regulatory export (its task).

One asset is read, not written: `crew_events`, `crew/events`, updated by its watchers (Redis
pub/sub, `_READY` markers: `aerosync.airflow.crew_events`); the crew DAG runs on it too.

`<table>` is the crew table's own name (`training_employee_versions`, `training_records`,
`training_enrolments`, `training_qualifications`, `training_ebt_gradings`, `training_leg_crew`
(flights flown), `training_roster`, `training_courses`).

An asset event's `extra` carries the window and counts only (`window_extra`, `counts_extra`):
never an employee id, a name, a tail's data or a path that could hold a secret.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from airflow.sdk import Asset, AssetWatcher

from aerosync.crew.tables import BY_SOURCE, SOURCE_ORDER, SPECS

if TYPE_CHECKING:
    from airflow.sdk.definitions.asset import BaseAsset

    from aerosync.config.training import RecordsSync
    from aerosync.crew.sources import Window

SCHEME = "aerosync"
# Asset groups (the Assets view of the UI filters by them).
MARKETPLACE_GROUP, CREW_GROUP, EXPORT_GROUP, EVENTS_GROUP = (
    "aerosync_marketplace",
    "aerosync_crew",
    "aerosync_export",
    "aerosync_events",
)
CREW_TABLES = frozenset(spec.table for spec in SPECS)
# The sources whose tables the readiness export reads (`aerosync.crew.readiness.queries`):
# employees, training records, qualifications, EBT gradings, flights flown, and the course
# catalog (which courses are EBT modules). Not the roster: no readiness rule reads a duty.
READINESS_INPUT_SOURCES = (
    "hris",
    "statements",
    "qualifications",
    "ebt_gradings",
    "flights",
    "courses",
)
_KIND = re.compile(r"^[a-z0-9_]+$")


def _asset(company_id: str, name: str, path: str, group: str) -> Asset:
    return Asset(
        name=f"aerosync.{company_id}.{name}", uri=f"{SCHEME}://{company_id}/{path}", group=group
    )


def events_asset(company_id: str, watchers: list[AssetWatcher]) -> Asset:
    """What starts the company's crew sync between its daily runs (`crew_events`): its
    watchers' triggers (Redis pub/sub, `_READY` markers) update it; nothing else does."""
    return Asset(
        name=f"aerosync.{company_id}.crew_events",
        uri=f"{SCHEME}://{company_id}/crew/events",
        group=EVENTS_GROUP,
        watchers=watchers,
    )


def schedules_asset(company_id: str) -> Asset:
    """The schedules of the company's marketed aircraft as the marketplace holds them."""
    return _asset(company_id, "marketplace_schedules", "marketplace/schedules", MARKETPLACE_GROUP)


def crew_table_asset(company_id: str, table: str) -> Asset:
    """One crew table of the aerosync database, as loaded for the company."""
    if table not in CREW_TABLES:
        raise ValueError(f"{table!r} is not a crew table; known: {', '.join(sorted(CREW_TABLES))}")
    return _asset(company_id, f"crew.{table}", f"crew/{table}", CREW_GROUP)


def loaded_tables(sources: Iterable[str]) -> dict[str, str]:
    """Source to table of every table `load` writes for these configured sources, in load
    order: statements feed the enrolments too. The rule of `aerosync.crew.lms_flow.gated_sources`
    (a test holds them equal), not imported: that module pulls the store's SQL in at parse time."""
    wanted = set(sources)
    wanted |= {"enrolments"} if "statements" in wanted else set()
    return {s: BY_SOURCE[s].table for s in SOURCE_ORDER if s in wanted}


def load_assets(company_id: str, sources: Iterable[str]) -> list[Asset]:
    """The outlets of the crew DAG's `load`: one asset per table it writes."""
    return [crew_table_asset(company_id, t) for t in loaded_tables(sources).values()]


def training_status_asset(company_id: str) -> Asset:
    return _asset(company_id, "export.training_status", "exports/training_status", EXPORT_GROUP)


def ebt_results_asset(company_id: str) -> Asset:
    """The EBT gradings posted to the LMS's LRS as xAPI statements."""
    return _asset(company_id, "export.ebt_results", "exports/ebt_results", EXPORT_GROUP)


def readiness_asset(company_id: str) -> Asset:
    return _asset(company_id, "export.readiness", "exports/readiness", EXPORT_GROUP)


def regulatory_export_asset(company_id: str, kind: str) -> Asset:
    """A regulatory export of the company; `kind` names it in lower case (for instance `faa_prd`,
    `easa_training_record`, `expiring`), and once chosen must not change."""
    if not _KIND.fullmatch(kind):
        raise ValueError(f"regulatory export kind {kind!r}: lower-case letters, digits and _ only")
    return _asset(
        company_id, f"export.regulatory.{kind}", f"exports/regulatory/{kind}", EXPORT_GROUP
    )


#: The regulatory exports `export_regulatory` writes, each its own asset.
REGULATORY_KINDS = ("faa_prd", "easa_training_record", "expiring")


def regulatory_export_assets(company_id: str) -> list[Asset]:
    """The assets `export_regulatory` updates: one per regulatory export."""
    return [regulatory_export_asset(company_id, kind) for kind in REGULATORY_KINDS]


def readiness_input_sources(records: RecordsSync, sources: Iterable[str]) -> list[str]:
    """The configured sources whose loads readiness reads; with none of them configured, every
    loaded one: readiness as of a later day differs even when nothing new arrived (a currency
    lapses, a rating expires), so each load of a new window still asks for it."""
    loaded = list(loaded_tables(sources))
    wanted = [s for s in loaded if s in READINESS_INPUT_SOURCES]
    return wanted or loaded


def readiness_schedule(company_id: str, records: RecordsSync, sources: Iterable[str]) -> BaseAsset:
    """Any load of a table readiness reads (`|`): one crew-sync run loads them together, and the
    readiness DAG computes once per window end of the events it consumed."""
    assets = [
        crew_table_asset(company_id, BY_SOURCE[s].table)
        for s in readiness_input_sources(records, sources)
    ]
    condition: BaseAsset = assets[0]
    for asset in assets[1:]:
        condition = condition | asset
    return condition


# -- what an event says ------------------------------------------------------------------------

WINDOW_START, WINDOW_END = "window_start", "window_end"


def window_extra(window: Window) -> dict[str, str]:
    """The window an event is about, as ISO 8601 UTC text (what the readiness DAG reads back)."""
    return {WINDOW_START: window.start.isoformat(), WINDOW_END: window.end.isoformat()}


def counts_extra(counts: Mapping[str, Any]) -> dict[str, int]:
    """Only the integer counts of a summary (never a value that could name a person)."""
    return {
        str(k): int(v) for k, v in counts.items() if isinstance(v, int) and not isinstance(v, bool)
    }
