from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from aerosync.schedule.guards import next_allowed, run_currency, too_soon

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def test_backfill_is_never_current() -> None:
    currency = run_currency("backfill", NOW, NOW)
    assert not currency.current and "backfill" in currency.reason


def test_manual_run_without_logical_date_is_current() -> None:
    assert run_currency("manual", None, NOW).current


def test_on_time_scheduled_run_is_current_and_a_late_one_is_not() -> None:
    assert run_currency("scheduled", NOW - timedelta(seconds=20), NOW).current
    late = run_currency("scheduled", NOW - timedelta(hours=3), NOW)
    assert not late.current and "180 min late" in late.reason


def test_manual_run_with_an_old_logical_date_is_not_current() -> None:
    assert not run_currency("manual", NOW - timedelta(days=2), NOW).current


def test_five_minute_spacing() -> None:
    last = NOW - timedelta(minutes=1)
    assert too_soon(last, NOW)
    assert next_allowed(last) == NOW + timedelta(minutes=4)
    assert not too_soon(NOW - timedelta(minutes=5), NOW)
    assert not too_soon(None, NOW)
