"""The companies file's `data_docs:` section and the paths of a company's Data Docs site."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from aerosync.config.companies_file import load_config
from aerosync.config.data_docs import DataDocs, company_site, run_label, site_file

pytestmark = pytest.mark.unit
COMPANY = """
  - id: acme_air
    name: Acme Air
    schedule: "*/15 * * * *"
    marketplace_conn_id: avinode_acme
    fms: {conn_id: fms_acme, dialect: reference}
"""


def companies_file(folder: Path, top: str = "") -> Path:
    path = folder / "companies.yaml"
    path.write_text(f"{top}companies:{COMPANY}", encoding="utf-8")
    return path


def test_no_section_means_no_data_docs(tmp_path: Path) -> None:
    loaded = load_config(companies_file(tmp_path))
    assert not loaded.problems
    assert loaded.data_docs is None and loaded.data_docs_folder() is None


def test_a_relative_location_is_the_companies_files_folders(tmp_path: Path) -> None:
    path = companies_file(tmp_path, "data_docs: {location: docs, keep_runs: 5}\n")
    loaded = load_config(path, only="acme_air")
    assert not loaded.problems and [c.id for c in loaded.companies] == ["acme_air"]
    assert loaded.data_docs == DataDocs(location="docs", keep_runs=5)
    assert loaded.data_docs_folder() == (tmp_path / "docs").resolve()


def test_a_file_url_and_an_absolute_folder_are_folders(tmp_path: Path) -> None:
    assert DataDocs(location=f"file://{tmp_path}/d").folder() == tmp_path / "d"
    assert DataDocs(location=str(tmp_path / "e")).folder(Path("/elsewhere/c.yaml")) == (
        tmp_path / "e"
    )
    assert DataDocs(location="x").keep_runs == 20


@pytest.mark.parametrize(
    ("section", "words"),
    [
        ("data_docs: {location: s3://bucket/docs}", "s3:// storage is not supported"),
        ("data_docs: {location: /d, keep_runs: 0}", "data_docs.keep_runs"),
        ("data_docs: {location: /d, keep: 3}", "data_docs.keep: unknown key"),
        ("data_docs: {keep_runs: 3}", "data_docs.location"),
    ],
)
def test_a_bad_section_is_refused_naming_the_field(
    tmp_path: Path, section: str, words: str
) -> None:
    loaded = load_config(companies_file(tmp_path, section + "\n"))
    assert loaded.companies == []
    assert words in str(loaded.problems[0])


def test_each_company_has_its_own_site_folder() -> None:
    assert company_site(Path("/d"), "acme_air") == Path("/d/acme_air")
    with pytest.raises(ValueError, match="not a company id"):
        company_site(Path("/d"), "../etc")


def test_a_run_label_needs_no_quoting() -> None:
    label = run_label("upload_schedules__acme", "scheduled__2026-12-07T03:00:00+00:00")
    assert label == "upload_schedules__acme.scheduled__2026-12-07T03-00-00-00-00"
    assert run_label("d", "manual__<script>/../x") == "d.manual__-script-..-x"
    assert run_label("", "..") == "run"
    assert "/" not in run_label("a/b", "c d")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "acme_air" / "validations").mkdir(parents=True)
    (tmp_path / "acme_air" / "index.html").write_text("index")
    (tmp_path / "acme_air" / "validations" / "p.html").write_text("page")
    (tmp_path / "acme_air" / ".results").mkdir()
    (tmp_path / "acme_air" / ".results" / "r.json").write_text("{}")
    (tmp_path / "north_jets").mkdir()
    (tmp_path / "north_jets" / "index.html").write_text("theirs")
    (tmp_path / "secret.txt").write_text("secret")
    os.symlink(tmp_path / "secret.txt", tmp_path / "acme_air" / "link.html")
    return tmp_path


def test_site_file_serves_the_sites_files_only(site: Path) -> None:
    assert site_file(site, "acme_air", "index.html") == (site / "acme_air" / "index.html")
    assert site_file(site, "acme_air", "validations/p.html") is not None
    for refused in (
        "../secret.txt",
        "../north_jets/index.html",
        "validations/../../secret.txt",
        "/etc/passwd",
        ".results/r.json",
        "link.html",  # a link out of the site
        "validations",  # a folder
        "",
        "validations\\..\\..\\secret.txt",
        "missing.html",
    ):
        assert site_file(site, "acme_air", refused) is None, refused
    assert site_file(site, "..", "secret.txt") is None
    assert site_file(site, "ACME", "index.html") is None
