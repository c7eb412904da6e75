"""The fault matrix's control row: with no fault, a company uploads every aircraft once and no
secret appears anywhere. Every other row of the matrix is a fault against this baseline."""

from __future__ import annotations

import sqlite3

import pytest

from tests.e2e.fault_matrix.support import FaultEnv, FaultSetup
from tests.silent_tcp import SilentServer

pytestmark = pytest.mark.integration
COMPANY = "fm_baseline"
HANGING = "fm_hanging_fms"  # a company whose FMS accepts connections and never answers
_SERVERS: list[SilentServer] = []


def fault_setup(setup: FaultSetup) -> None:
    path, tails = setup.demo_fms("fm_baseline_fms")
    setup.sqlite_fms("fm_baseline_fms", path)
    setup.marketplace("avinode_fm_baseline", COMPANY)
    setup.add_company(
        {"id": COMPANY, "name": "Baseline Charter", "schedule": "*/15 * * * *",
         "marketplace_conn_id": "avinode_fm_baseline",
         "fms": {"conn_id": "fm_baseline_fms", "dialect": "reference"}},
        tails,
    )  # fmt: skip
    silent = SilentServer().start()
    _SERVERS.append(silent)  # lives as long as the test session
    setup.add_connection(
        f"{HANGING}_fms",
        {"conn_type": "postgres", "host": "127.0.0.1", "port": silent.port,
         "login": "fms_reader", "password": "fm-hanging-fms-pw-4471", "schema": "fms"},
        "fm-hanging-fms-pw-4471",
    )  # fmt: skip
    setup.marketplace(f"avinode_{HANGING}", HANGING)
    setup.add_company(
        {"id": HANGING, "name": "Hanging FMS Charter", "schedule": "*/15 * * * *",
         "marketplace_conn_id": f"avinode_{HANGING}",
         "fms": {"conn_id": f"{HANGING}_fms", "dialect": "reference", "timeout_seconds": 60}},
        [],
    )  # fmt: skip


def test_without_a_fault_every_aircraft_is_uploaded_once_and_nothing_leaks(
    faults: FaultEnv,
) -> None:
    faults.forget(COMPANY)
    result = faults.upload(COMPANY)
    assert result.state == "success", result.states
    status = faults.status(COMPANY)
    assert sorted(status) == faults.tails(COMPANY)
    for tail in faults.tails(COMPANY):
        assert len(faults.puts(tail)) == 1, tail
        assert status[tail]["outcome"] in ("uploaded", "uploaded_with_errors"), status[tail]
    faults.assert_no_secrets([result], COMPANY)


def test_one_companys_hanging_fms_never_stops_another_company(faults: FaultEnv) -> None:
    """Rule 6: both companies triggered at once; the one whose FMS hangs fails on its own
    deadline (`fms.timeout_seconds: 60`) while the other uploads every aircraft meanwhile."""
    faults.forget(COMPANY)
    runtime = faults.runtime
    dag_ids = [f"schedule_upload__{HANGING}", f"schedule_upload__{COMPANY}"]
    for dag_id in dag_ids:
        runtime.wait_for_dag(dag_id)
    before = {t: len(faults.puts(t)) for t in faults.tails(COMPANY)}
    runs = {dag_id: runtime.trigger(dag_id) for dag_id in dag_ids}
    for dag_id in dag_ids:
        if runtime.dag(dag_id).get("is_paused"):
            runtime.unpause(dag_id)
    healthy = runtime.wait_for_run(dag_ids[1], runs[dag_ids[1]], timeout=300)
    hanging_state = runtime.dag_run(dag_ids[0], runs[dag_ids[0]])["state"]
    assert healthy == "success"
    # Every aircraft of the healthy company went out exactly once more, while the other company
    # was still waiting for its FMS (60 s deadline).
    assert {t: len(faults.puts(t)) for t in faults.tails(COMPANY)} == {
        t: n + 1 for t, n in before.items()
    }
    assert hanging_state == "running", hanging_state
    assert runtime.wait_for_run(dag_ids[0], runs[dag_ids[0]], timeout=300) == "failed"
    status = faults.status(COMPANY)
    assert all(r["outcome"] in ("uploaded", "uploaded_with_errors") for r in status.values())


def test_an_aircraft_that_stops_being_marketed_is_reported_once(faults: FaultEnv) -> None:
    """Rule 7: the marketplace keeps the last schedule of an aircraft the FMS stops marketing,
    so the record says so (once, with an alert-worthy outcome), and nothing is sent for it."""
    faults.forget(COMPANY)
    assert faults.upload(COMPANY).state == "success"
    gone = faults.tails(COMPANY)[0]
    fms = sqlite3.connect(faults.setup.workdir / "fm_baseline_fms.sqlite")
    try:
        with fms:
            fms.execute("UPDATE aircraft SET marketed = 0 WHERE tail_number = ?", (gone,))
        faults.age_attempts(COMPANY, 6)
        puts = len(faults.puts(gone))
        second = faults.upload(COMPANY)
        assert second.state == "success", second.states
        record = faults.status(COMPANY)[gone]
        assert record["outcome"] == "not_marketed", record
        assert record["run_id"] == second.run_id
        message = record["reasons"][0]["message"]
        assert "no longer marketed" in message and "keeps the schedule" in message, message
        assert record["last_success_at"] is not None
        assert len(faults.puts(gone)) == puts
        assert "no longer marketed" in faults.page(COMPANY)
        faults.age_attempts(COMPANY, 6)
        third = faults.upload(COMPANY)
        assert third.state == "success"
        assert gone not in {r["tail"] for r in faults.attempts(COMPANY, third.run_id)}
    finally:
        with fms:
            fms.execute("UPDATE aircraft SET marketed = 1 WHERE tail_number = ?", (gone,))
        fms.close()
