"""The naive design, for comparison only (`bench_end_to_end.py big --naive`); never shipped.

One mapped task per aircraft, each importing Great Expectations and validating its own aircraft,
each doing its own PUT through the HTTP provider. The FMS is read once by a first task and each
aircraft's rows staged apart, so that the comparison measures the granularity, not extra reads.
Each task works record by record (activity_records.py, copied beside this file: the DAG folder
is on the task's import path).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from airflow.sdk import DAG, task

with DAG(
    dag_id="naive_upload",
    schedule=None,
    start_date=datetime(2026, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 0},
    tags=["benchmark"],
) as dag:

    @task
    def split_by_aircraft() -> list[str]:
        from aerosync.airflow.connections import aerosync_engine, engine_for_connection
        from aerosync.config.companies_file import load_config
        from aerosync.schedule.sources.fms import extract
        from aerosync.schedule.stages import Stores

        company = load_config().companies[0]
        raw = extract(engine_for_connection(company.fms.conn_id), "reference", datetime.now(UTC))
        per_tail: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for row in raw.aircraft:
            per_tail[str(row["tail"])] = {"aircraft": [row], "activities": [], "services": []}
        ids: dict[str, str] = {}
        for row in raw.activities:
            per_tail[str(row["tail"])]["activities"].append(row)
            ids[str(row["activity_id"])] = str(row["tail"])
        for row in raw.services:
            per_tail[ids[str(row["activity_id"])]]["services"].append(row)
        Stores.on(aerosync_engine()).staging.put(company.id, "naive", "naive_raw", per_tail)
        return sorted(per_tail)

    @task(map_index_template="{{ tail }}")
    def upload_one(tail: str) -> str:
        import json

        import great_expectations  # noqa: F401  (the naive design pays this in every task)

        from activity_records import activities_of, check_columns, normalise, schedule_body
        from aerosync.airflow.avinode_hook import AvinodeHook
        from aerosync.airflow.connections import aerosync_engine
        from aerosync.config.companies_file import load_config
        from aerosync.schedule.decisions import decide
        from aerosync.schedule.stages import Stores

        loaded = load_config()
        company = loaded.companies[0]
        stores = Stores.on(aerosync_engine())
        rows = stores.staging.get(company.id, "naive", "naive_raw", [tail])[tail]
        now = datetime.now(UTC)
        fleet = normalise(company, rows["aircraft"], rows["activities"], rows["services"], now)
        activities = activities_of(fleet)
        decisions, _ = decide(
            company, [tail], check_columns(activities), [], {}, stores, now, "naive"
        )
        if decisions[tail].held:
            return "held"
        hook = AvinodeHook(avinode_conn_id=company.marketplace_conn_id, timeout=60)
        body = json.dumps(schedule_body(tail, activities[tail])).encode()
        response = hook.put_schedule(hook.open_session(), body, loaded.product)
        return str(response.status_code)

    upload_one.expand(tail=split_by_aircraft())
