"""The crew DAG with `training.records.events`: scheduled on its daily windows OR the company's
crew-events asset (watched on Redis and at `_READY` markers), still one run at a time; and the
window an event-started run reads."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest
from airflow.providers.common.messaging.triggers.msg_queue import MessageQueueTrigger
from airflow.providers.standard.triggers.file import FileDeleteTrigger
from airflow.sdk import AssetOrTimeSchedule, CronDataIntervalTimetable
from airflow.serialization.serialized_objects import DagSerialization
from airflow.utils.types import DagRunType

from aerosync.airflow.crew_dag import build_training_dag
from aerosync.airflow.crew_events import CrewEventsTrigger
from aerosync.airflow.crew_tasks import window_of
from aerosync.crew.sources import Window
from tests.conftest import make_company

pytestmark = pytest.mark.airflow


def _company(events: dict[str, Any] | None) -> Any:
    records: dict[str, Any] = {
        "hris": {"csv": "/drops/hris"},
        "qualifications": {"csv": "/drops/quals/q.csv"},
    }
    if events is not None:
        records["events"] = events
    return make_company(id="ev_co", training={"records": records})


def test_events_schedule_the_dag_on_time_or_the_asset() -> None:
    events = {"redis_conn_id": "redis_ev", "ready_markers": True, "debounce_seconds": 3}
    dag = build_training_dag(_company(events))
    assert dag is not None and dag.max_active_runs == 1
    schedule = dag.timetable
    assert isinstance(schedule, AssetOrTimeSchedule)
    assert isinstance(schedule.timetable, CronDataIntervalTimetable)
    asset = schedule.asset_condition
    assert asset.uri == "aerosync://ev_co/crew/events"  # type: ignore[attr-defined]
    triggers = [w.trigger for w in asset.watchers]  # type: ignore[attr-defined]
    # Built through common.messaging's MessageQueueTrigger, which hands over to AeroSync's
    # registered queue provider for the scheme `aerosync+redis` (provider_info's `queues`).
    queues = [t for t in triggers if isinstance(t, MessageQueueTrigger)]
    assert [t.scheme for t in queues] == ["aerosync+redis"]
    redis = [t.trigger for t in queues]
    assert all(isinstance(t, CrewEventsTrigger) for t in redis)
    markers = sorted(t.filepath for t in triggers if isinstance(t, FileDeleteTrigger))
    assert [(t.channel, t.debounce_seconds) for t in redis] == [("aerosync.ev_co.crew", 3)]
    assert markers == ["/drops/hris/_READY", "/drops/quals/_READY"]
    serialized = DagSerialization.to_dict(dag)["dag"]["timetable"]
    assert "aerosync.airflow.crew_events.CrewEventsTrigger" in str(serialized)


def test_without_events_the_daily_timetable_alone() -> None:
    dag = build_training_dag(_company(None))
    assert dag is not None and isinstance(dag.timetable, CronDataIntervalTimetable)


def test_an_event_started_run_reads_the_current_window_to_its_event() -> None:
    event = datetime(2026, 12, 7, 12, 34, 56, tzinfo=UTC)
    run = SimpleNamespace(run_type=DagRunType.ASSET_TRIGGERED, run_after=event)
    context = {"dag_run": run, "data_interval_start": None, "data_interval_end": None}
    assert window_of(context) == Window(datetime(2026, 12, 7, 3, 0, tzinfo=UTC), event)
    scheduled = {
        "dag_run": SimpleNamespace(run_type=DagRunType.SCHEDULED, run_after=event),
        "data_interval_start": datetime(2026, 12, 6, 3, 0, tzinfo=UTC),
        "data_interval_end": datetime(2026, 12, 7, 3, 0, tzinfo=UTC),
    }
    assert window_of(scheduled) == Window(
        datetime(2026, 12, 6, 3, 0, tzinfo=UTC), datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
    )
