"""The plugin serves each company's Data Docs behind Airflow's login: 401 without one, the
site's files with one (to a user who may read the company's DAG), nothing outside the site; the
Schedule uploads and Crew sync pages link the site.

The routes as FastAPI serves them, with a real site GX rendered and a real companies file; the
login and Airflow's auth manager are the real page tests' (tests/status/test_status_page.py):
here the user is given and `may_read` decides per company."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from aerosync.airflow.page_security import DATA_DOCS_CSP, SECURITY_HEADERS
from aerosync.quality.data_docs import DocsTarget, keeping_data_docs
from aerosync.status import crew_page
from aerosync.status import page as status_page

pytestmark = pytest.mark.airflow
COMPANIES = """
data_docs: {location: docs, keep_runs: 2}
companies:
  - id: acme_air
    name: Acme Air
    schedule: "*/15 * * * *"
    marketplace_conn_id: avinode_acme
    fms: {conn_id: fms_acme, dialect: reference}
"""


@pytest.fixture(scope="module")
def location(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A companies file whose Data Docs are in `docs/`, and acme_air's site rendered by GX."""
    import pandas as pd

    from aerosync.quality.suites import validate_frames

    work = tmp_path_factory.mktemp("data_docs_route")
    (work / "companies.yaml").write_text(COMPANIES)
    checks = pd.DataFrame(
        {
            "source_ok": [True],
            "not_emptied": [False],
            "not_shrunk": [True],
            "has_past_activity": [True],
        }
    )
    target = DocsTarget(work / "docs" / "acme_air", "acme_air", "upload.run1", 2)
    with keeping_data_docs(target):
        validate_frames([("aircraft", checks, pd.DataFrame({"tail": ["N1"]}))])
    (work / "docs" / "secret.txt").write_text("not a site's file")
    os.symlink(work / "docs" / "secret.txt", work / "docs" / "acme_air" / "out.html")
    return work


@pytest.fixture
def client(location: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from airflow.api_fastapi.core_api.security import get_user
    from fastapi.testclient import TestClient

    from aerosync.airflow import plugin

    monkeypatch.setenv("AEROSYNC_CONFIG", str(location / "companies.yaml"))
    monkeypatch.setattr(plugin, "may_read", lambda _u, company, **_k: company == "acme_air")
    plugin.app.dependency_overrides[get_user] = lambda: object()
    try:
        yield TestClient(plugin.app)
    finally:
        plugin.app.dependency_overrides.clear()


def test_without_a_login_the_site_answers_401(location: Path) -> None:
    from fastapi.testclient import TestClient

    from aerosync.airflow import plugin

    answer = TestClient(plugin.app).get("/data-docs/acme_air/index.html")
    assert answer.status_code == 401
    assert "validations" not in answer.text
    assert answer.headers["content-security-policy"] == SECURITY_HEADERS["Content-Security-Policy"]


def test_with_a_login_the_index_and_its_validation_page_are_served(client: Any) -> None:
    index = client.get("/data-docs/acme_air/index.html")
    assert index.status_code == 200 and index.headers["content-type"].startswith("text/html")
    assert index.headers["content-security-policy"] == DATA_DOCS_CSP
    assert index.headers["x-frame-options"] == "SAMEORIGIN"
    assert index.headers["cache-control"] == "no-store"
    links = [part.split("'")[0] for part in index.text.split("'_table_row_link_path': '")[1:]]
    assert "expectations/aircraft.html" in links  # the suite's page
    (link,) = [link for link in links if link.startswith("validations/")]
    assert link.startswith("validations/aircraft/upload.run1/")
    page = client.get(f"/data-docs/acme_air/{link}")
    assert page.status_code == 200 and "not_emptied" in page.text
    assert client.get("/data-docs/acme_air/static/styles/data_docs_default_styles.css").is_success
    assert "source_ok" in client.get("/data-docs/acme_air/expectations/aircraft.html").text


@pytest.mark.parametrize(
    "path",
    [
        "/data-docs/acme_air/%2e%2e/secret.txt",
        "/data-docs/acme_air/..%2Fsecret.txt",
        "/data-docs/acme_air/validations/%2e%2e/%2e%2e/secret.txt",
        "/data-docs/acme_air/%2Fetc%2Fpasswd",
        "/data-docs/acme_air/.results/.ge_store_backend_id",
        "/data-docs/acme_air/.suites/aircraft.json",
        "/data-docs/acme_air/out.html",  # a link out of the site
        "/data-docs/acme_air/.lock",
        "/data-docs/acme_air/validations",
    ],
)
def test_nothing_outside_the_site_is_served(client: Any, path: str) -> None:
    answer = client.get(path)
    assert answer.status_code == 404, path
    assert "not a site" not in answer.text
    assert answer.headers["content-security-policy"] == SECURITY_HEADERS["Content-Security-Policy"]


def test_another_companys_site_is_refused(client: Any) -> None:
    assert client.get("/data-docs/north_jets/index.html").status_code == 403
    assert client.get("/data-docs/%2e%2e/secret.txt").status_code in (403, 404)
    assert client.get("/data-docs/ACME/index.html").status_code == 404


def test_the_pages_link_each_companys_data_docs(location: Path, monkeypatch: Any) -> None:
    from aerosync.airflow import plugin

    monkeypatch.setenv("AEROSYNC_CONFIG", str(location / "companies.yaml"))
    with_site = plugin._with_data_docs(["acme_air", "north_jets"])
    assert with_site == {"acme_air"}
    html = status_page.render([], companies=["acme_air", "north_jets"], data_docs=with_site)
    assert "href='data-docs/acme_air/index.html'" in html
    assert "data-docs/north_jets" not in html
    assert "id='data-docs'" not in status_page.render([], companies=["acme_air"])
    from aerosync.stores.training_runs import CrewSyncStatus

    crew = crew_page.render([CrewSyncStatus(company="acme_air")], data_docs=with_site)
    assert "href='data-docs/acme_air/index.html'>Data Docs</a>" in crew
    monkeypatch.setenv("AEROSYNC_CONFIG", str(location / "missing.yaml"))
    assert plugin._with_data_docs(["acme_air"]) == set()
