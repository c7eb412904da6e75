"""The fault matrix's control row: with no fault, a company uploads every aircraft once and no
secret appears anywhere. Every other row of the matrix is a fault against this baseline."""

from __future__ import annotations

import pytest

from tests.integration.fault_matrix.support import FaultEnv, FaultSetup

pytestmark = pytest.mark.integration
COMPANY = "fm_baseline"


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
