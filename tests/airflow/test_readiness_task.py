"""The readiness DAG's `export_readiness` task: the real task callable in a task context (its
triggering asset events as the crew DAG's `load` writes them), a real companies file, a SQLite
aerosync database holding a generated crew, and a real HTTP server in a thread receiving the
POSTed pages through the HTTP provider's hook."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from airflow.sdk.exceptions import AirflowFailException
from airflow.sdk.execution_time.comms import AssetEventDagRunReferenceResult
from airflow.sdk.execution_time.context import (
    OutletEventAccessors,
    TriggeringAssetEventsAccessor,
    set_current_context,
)
from sqlalchemy import Engine, text

from aerosync.airflow import assets
from aerosync.airflow.readiness_dag import export_readiness
from aerosync.stores.database import sqlite_engine
from aerosync.stores.migrate import ensure_migrated
from tests.conftest import make_company
from tests.crew.readiness.crew_generator import (
    COMPANY,
    DAY,
    WINDOW_END,
    Crew,
    insert_crew,
    place_edge_cases,
)

pytestmark = pytest.mark.airflow
RUN_ID = "asset_triggered__2027-01-14T03:05:00+00:00"
LOGIN, PASSWORD = "ops-feed", "readiness-Secret-42"
PAGE_SIZE = 7


class Receiver(ThreadingHTTPServer):
    """Keeps every POST; answers 200, or on `fail_page` a 500 echoing the request's headers.
    On each request it reads what the aerosync database says about the post at that moment."""

    daemon_threads = True

    def __init__(self, store: Engine) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.store = store
        self.received: list[dict[str, Any]] = []
        self.recorded_then: list[str | None] = []
        self.fail_page: int | None = None


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.server.store.connect() as conn:
            self.server.recorded_then.append(
                conn.execute(
                    text(
                        "SELECT failure FROM training_sync_exports "
                        "WHERE export = 'readiness_post' AND run_id = :r"
                    ),
                    {"r": RUN_ID},
                ).scalar()
            )
        self.server.received.append({"path": self.path, "body": body})
        if body["page"] == self.server.fail_page:
            echoed = f"Authorization: {self.headers['Authorization']}; {dict(self.headers.items())}"
            answer = f"Internal error; request headers: {echoed}".encode()
            self.send_response(500)
        else:
            answer = b'{"ok": true}'
            self.send_response(200)
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Engine]:
    engine = sqlite_engine(tmp_path / "aerosync.db")
    ensure_migrated(engine)
    crew = Crew()
    place_edge_cases(crew)
    insert_crew(engine, crew)
    yield engine
    engine.dispose()


@pytest.fixture
def receiver(store: Engine) -> Iterator[Receiver]:
    server = Receiver(store)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def company(
    tmp_path: Path, store: Engine, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> Path:
    exports = tmp_path / "exports"
    config = tmp_path / "companies.yaml"
    config.write_text(
        f"""
companies:
  - id: {COMPANY}
    name: Acme
    schedule: "*/15 * * * *"
    marketplace_conn_id: avinode_acme
    fms: {{conn_id: fms_acme, dialect: reference}}
    training:
      records:
        qualifications: {{csv: "{tmp_path / "drops"}"}}
        readiness:
          export_to: "{exports}"
          post_to: {{conn_id: readiness_cms, endpoint: api/readiness, page_size: {PAGE_SIZE}}}
          rules:
            qualifications: {{CPT: ["TYPE_RATING:<type_code>", LINE_CHECK, MEDICAL, LPC]}}
""",
        encoding="utf-8",
    )
    monkeypatch.setenv("AEROSYNC_CONFIG", str(config))
    database = store.url.database
    monkeypatch.setenv(
        "AIRFLOW_CONN_AEROSYNC_DB", json.dumps({"conn_type": "sqlite", "host": database})
    )
    host = f"http://127.0.0.1:{receiver.server_address[1]}"
    connection = {"conn_type": "http", "host": host, "login": LOGIN, "password": PASSWORD}
    monkeypatch.setenv("AIRFLOW_CONN_READINESS_CMS", json.dumps(connection))
    return exports


def _load_event(table: str, end: datetime) -> AssetEventDagRunReferenceResult:
    """An asset event as the crew DAG's `load` emits it for one table and window."""
    asset = assets.crew_table_asset(COMPANY, table)
    start = end - timedelta(days=1)
    return AssetEventDagRunReferenceResult(
        asset={"name": asset.name, "uri": asset.uri, "extra": {}},
        extra={"window_start": start.isoformat(), "window_end": end.isoformat(), "inserted": 2},
        source_task_id="load",
        source_dag_id=f"training_sync__{COMPANY}",
        source_run_id=f"backfill__{start.isoformat()}",
        source_map_index=-1,
        source_aliases=[],
        timestamp=end + timedelta(minutes=5),
    )


def _context(*ends: datetime) -> Any:
    """The window ends of the triggering events (default: one window, loaded for two tables)."""
    events = [
        _load_event(table, end)
        for end in ends or [WINDOW_END]
        for table in ("training_qualifications", "training_employee_versions")
    ]
    return {
        "run_id": RUN_ID,
        "data_interval_start": None,
        "data_interval_end": None,
        "triggering_asset_events": TriggeringAssetEventsAccessor.build(events),
        "outlet_events": OutletEventAccessors(),
    }


def _exports(store: Engine) -> dict[str, dict[str, Any]]:
    with store.connect() as conn:
        rows = conn.execute(text("SELECT * FROM training_sync_exports")).mappings()
        return {r["export"]: dict(r) for r in rows}


def test_the_task_writes_csv_and_json_and_posts_every_page_once(
    company: Path, store: Engine, receiver: Receiver
) -> None:
    with set_current_context(_context()):  # type: ignore[arg-type]
        result = export_readiness(COMPANY)
    assert result["windows"] == 1 and result["days"] == [str(DAY)]  # two tables, one window
    summary = result["exports"][0]
    document = json.loads(Path(summary["json"]).read_text())
    assert document["as_of"] == str(DAY) and Path(summary["csv"]).is_file()
    assert summary["listed"] == document["counts"]["listed"] > 0
    rows = document["rows"]
    pages = -(-len(rows) // PAGE_SIZE)
    assert [r["body"]["page"] for r in receiver.received] == list(range(1, pages + 1))
    assert {r["path"] for r in receiver.received} == {"/api/readiness"}
    assert [row for r in receiver.received for row in r["body"]["rows"]] == rows
    assert summary["posted_rows"] == len(rows)
    # each call was recorded before it went out, its outcome unknown until answered
    assert receiver.recorded_then == [
        f"page {n} of {pages} sent, no answer yet: the endpoint may hold it"
        for n in range(1, pages + 1)
    ]
    exports = _exports(store)
    assert exports["readiness_post"]["failure"] is None
    assert exports["readiness_post"]["row_count"] == len(rows)
    assert exports["readiness"]["location"] == summary["csv"]
    with store.connect() as conn:
        logged = conn.execute(text("SELECT COUNT(*) FROM training_readiness")).scalar()
    assert logged == len(rows)  # the first export: every pair is new


def test_a_refused_page_stops_the_post_is_not_retried_and_its_echo_is_redacted(
    company: Path, store: Engine, receiver: Receiver
) -> None:
    receiver.fail_page = 2
    with (
        set_current_context(_context()),  # type: ignore[arg-type]
        pytest.raises(AirflowFailException) as failed,
    ):
        export_readiness(COMPANY)
    assert [r["body"]["page"] for r in receiver.received] == [1, 2]
    message = str(failed.value)
    assert (
        "page 2 of" in message and "HTTP 500" in message and "connection readiness_cms" in message
    )
    record = _exports(store)["readiness_post"]
    assert record["failure"] == message and record["row_count"] == PAGE_SIZE
    token = base64.b64encode(f"{LOGIN}:{PASSWORD}".encode()).decode()
    for said in (message, json.dumps(record)):
        assert PASSWORD not in said and token not in said
    assert "***" in message  # the echoed Authorization header was there, redacted


def test_each_window_end_of_the_events_once_in_date_order_and_its_asset_event(
    company: Path, store: Engine, receiver: Receiver
) -> None:
    """A backfill's loads collapsed into one readiness run: every window end gets its export,
    oldest first, whatever order and repetition the events came in."""
    ends = [WINDOW_END + timedelta(days=n) for n in (1, -1, 0, 1)]
    context = _context(*ends)
    with set_current_context(context):  # type: ignore[arg-type]
        result = export_readiness(COMPANY)
    days = [str(DAY + timedelta(days=n)) for n in (-1, 0, 1)]
    assert result["days"] == days and result["windows"] == 3
    for day in days:
        stem = f"readiness__{COMPANY}__{day.replace('-', '')}"
        assert json.loads((company / f"{stem}.json").read_text())["as_of"] == day
    posted_days = [r["body"]["as_of"] for r in receiver.received if r["body"]["page"] == 1]
    assert posted_days == days  # in date order
    (event,) = context["outlet_events"]._dict.values()
    assert event.key.uri == f"aerosync://{COMPANY}/exports/readiness"
    assert event.extra["days"] == days and event.extra["window_end"] == ends[0].isoformat()
    with store.connect() as conn:
        employees = {r[0] for r in conn.execute(text("SELECT employee_id FROM training_readiness"))}
    assert employees and not any(e in json.dumps(event.extra) for e in employees)


def test_a_manual_run_without_events_exports_the_last_complete_window(
    company: Path, store: Engine, receiver: Receiver
) -> None:
    context = {**_context(), "triggering_asset_events": TriggeringAssetEventsAccessor.build([])}
    with set_current_context(context):  # type: ignore[arg-type]
        result = export_readiness(COMPANY)
    now = datetime.now(UTC)
    last_end = now.replace(hour=3, minute=0, second=0, microsecond=0)
    last_end -= timedelta(days=1) if now < last_end else timedelta(0)
    assert result["days"] == [str((last_end - timedelta(microseconds=1)).date())]


def test_readiness_is_a_dag_of_its_own_and_leaves_the_crew_dag() -> None:
    from aerosync.airflow.crew_dag import build_training_dag
    from aerosync.airflow.readiness_dag import build_readiness_dag

    records = {"hris": {"csv": "/drops/hris"}, "readiness": {"export_to": "/exports"}}
    company = make_company(training={"records": records})
    dag = build_readiness_dag(company)
    assert dag is not None and dag.dag_id == "crew_readiness__skyway_charter"
    task = dag.get_task("export_readiness")
    assert task.retries == 0 and [o.uri for o in task.outlets] == [
        "aerosync://skyway_charter/exports/readiness"
    ]
    crew = build_training_dag(company)
    assert crew is not None and "export_readiness" not in crew.task_ids
    without = make_company(training={"records": {"hris": {"csv": "/h"}}})
    assert build_readiness_dag(without) is None
