"""Shared fixtures. Services (PostgreSQL, Airflow) must be there in CI: tests fail, not skip."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from aerosync.config.companies import CompanyConfig

# Airflow reads its home at import: tests never touch a developer's own ~/airflow.
os.environ.setdefault("AIRFLOW_HOME", str(Path(tempfile.gettempdir()) / "aerosync-tests-airflow"))

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
POSTGRES_URL = os.environ.get(
    "AEROSYNC_TEST_POSTGRES_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/test"
)
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def require_service(available: bool, what: str) -> None:
    """In CI a missing service is a failure; on a laptop without it, a visible skip."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not reachable")
    pytest.skip(f"{what} is not reachable here")


def make_company(**overrides: Any) -> CompanyConfig:
    data: dict[str, Any] = {
        "id": "skyway_charter",
        "name": "Skyway Charter",
        "schedule": "*/15 * * * *",
        "marketplace_conn_id": "avinode_skyway",
        "fms": {"conn_id": "fms_skyway", "dialect": "reference"},
    }
    data.update(overrides)
    return CompanyConfig.model_validate(data)


@pytest.fixture
def company() -> CompanyConfig:
    return make_company()


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture(autouse=True)
def _forget_companies_file_folders() -> Iterator[None]:
    """The folders a companies file names (`sql_path`, `expectations_path`) are searched by the
    whole process once it is read: a test that reads one must not leave them to the next."""
    from aerosync.config.resources import CompaniesFileFolders, use_companies_file_folders

    yield
    use_companies_file_folders(CompaniesFileFolders())
