"""A companies folder: one `<id>.yaml` per company and `_defaults.yaml`, read like the file it
stands for; a task reads its own company's file only; `aerosync config check` reads it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from aerosync.config.companies_file import (
    COMPANIES_FILE_NAME,
    COMPANIES_FOLDER_NAME,
    find_config,
    load_config,
)
from tests.config.test_company_slice import _companies
from tests.config.test_config_lookup import GOOD
from tests.test_cli import aerosync

pytestmark = pytest.mark.unit


def _write_folder(folder: Path, companies: list[dict[str, Any]], **top: Any) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if top:
        (folder / "_defaults.yaml").write_text(yaml.safe_dump(top), encoding="utf-8")
    for entry in companies:
        keys = {k: v for k, v in entry.items() if k != "id"}
        (folder / f"{entry['id']}.yaml").write_text(yaml.safe_dump(keys), encoding="utf-8")
    return folder


def test_a_folder_loads_exactly_as_the_file_it_stands_for(tmp_path: Path) -> None:
    companies = _companies(60)
    top = {"product": "AeroSync/test", "defaults": {"owner": "ops_team"}}
    file = tmp_path / "companies.yaml"
    file.write_text(yaml.safe_dump({**top, "companies": companies}), encoding="utf-8")
    folder = _write_folder(tmp_path / "companies", companies, **top)
    from_file, from_folder = load_config(file), load_config(folder)
    assert from_folder.problems == [] and from_folder.path == folder
    assert from_folder.companies == from_file.companies and len(from_folder.companies) == 60
    assert from_folder.product == "AeroSync/test" == from_file.product
    assert {c.owner for c in from_folder.companies} == {"ops_team"}
    assert from_folder.warnings == from_file.warnings
    for company in from_folder.companies[::7]:
        assert load_config(folder, only=company.id).companies == [company]


def test_a_task_reads_only_its_own_companys_file(tmp_path: Path) -> None:
    folder = _write_folder(tmp_path / "companies", _companies(3))
    (folder / "op_0001.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    own = load_config(folder, only="op_0002")
    assert [c.id for c in own.companies] == ["op_0002"] and own.problems == []
    assert own.warnings == []
    # Its company's file gone: no company, and nothing to report from the other files.
    gone = load_config(folder, only="op_0009")
    assert gone.companies == [] and gone.problems == [] and gone.warnings == []
    assert load_config(folder, only="_defaults").companies == []


def test_a_broken_company_file_refuses_that_company_only(tmp_path: Path) -> None:
    folder = _write_folder(tmp_path / "companies", _companies(4))
    (folder / "op_0001.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    (folder / "op_0002.yaml").write_text(
        yaml.safe_dump({**GOOD, "id": "someone_else"}), encoding="utf-8"
    )
    (folder / "op_0003.yaml").write_text("- a list\n", encoding="utf-8")
    no_id = {k: v for k, v in GOOD.items() if k != "id"}
    (folder / "Bad Name.yaml").write_text(yaml.safe_dump(no_id), encoding="utf-8")
    (folder / "stray.yml").write_text("name: x\n", encoding="utf-8")
    (folder / "README.md").write_text("not a company\n", encoding="utf-8")
    loaded = load_config(folder)
    assert [c.id for c in loaded.companies] == ["op_0000"]
    problems = {p.company: p.message for p in loaded.problems}
    assert sorted(problems) == ["Bad Name", "op_0001", "op_0002", "op_0003"]
    assert "cannot read" in problems["op_0001"] and "op_0001.yaml" in problems["op_0001"]
    assert "'someone_else' differs from the file's name op_0002.yaml" in problems["op_0002"]
    assert "the company's keys" in problems["op_0003"]
    assert problems["Bad Name"].startswith("id: String should match pattern")
    (warning,) = [w for w in loaded.warnings if w.company == "*"]
    assert "stray.yml is not read" in warning.message


def test_an_unusable_defaults_file_refuses_the_folder(tmp_path: Path) -> None:
    folder = _write_folder(tmp_path / "companies", _companies(2))
    (folder / "_defaults.yaml").write_text(yaml.safe_dump({"companies": []}), encoding="utf-8")
    loaded = load_config(folder)
    assert loaded.companies == []
    (problem,) = loaded.problems
    assert problem.company == "*" and "one file per company" not in problem.message
    assert "each company is a file of its own" in problem.message
    (folder / "_defaults.yaml").write_text("defaults: {colour: red}\n", encoding="utf-8")
    loaded = load_config(folder, only="op_0001")
    assert loaded.companies == []
    assert loaded.problems[0].message == "colour: unknown key (from defaults)"


def test_an_empty_folder_warns_that_there_are_no_companies(tmp_path: Path) -> None:
    (tmp_path / "companies").mkdir()
    loaded = load_config(tmp_path / "companies")
    assert loaded.companies == [] and loaded.problems == []
    assert [w.company for w in loaded.warnings] == ["*"]


def test_the_folder_beside_the_dag_file_is_found_and_a_file_there_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AEROSYNC_CONFIG", raising=False)
    folder = _write_folder(tmp_path / COMPANIES_FOLDER_NAME, [GOOD])
    assert find_config(tmp_path) == folder
    assert [c.id for c in load_config(dag_folder=tmp_path).companies] == ["skyway_charter"]
    beside = tmp_path / COMPANIES_FILE_NAME
    beside.write_text(yaml.safe_dump({"companies": [{**GOOD, "id": "from_file"}]}))
    assert find_config(tmp_path) == beside
    loaded = load_config(dag_folder=tmp_path)
    assert [c.id for c in loaded.companies] == ["from_file"]
    (warning,) = loaded.warnings
    assert f"{folder} is not read" in warning.message and "keep one" in warning.message


def test_config_check_reads_a_folder(tmp_path: Path) -> None:
    folder = _write_folder(tmp_path / "dags" / COMPANIES_FOLDER_NAME, _companies(3))
    done = aerosync("config", "check", "--file", str(folder))
    assert done.returncode == 0, done.stdout
    lines = done.stdout.splitlines()
    assert lines[0] == f"read     {folder}"
    assert [line.split()[1] for line in lines[1:4]] == ["op_0000:", "op_0001:", "op_0002:"]
    found = aerosync("config", "check", "--dags-folder", str(folder.parent))
    assert found.stdout.startswith(f"read     {folder}")
    (folder / "op_0001.yaml").write_text("schedule: '*/1 * * * *'\n", encoding="utf-8")
    refused = aerosync("config", "check", "--file", str(folder))
    assert refused.returncode == 1
    assert "refused  company 'op_0001': name: Field required" in refused.stdout
