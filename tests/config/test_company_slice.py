"""A task reads only its own company's entry of a big companies file (`companies_slice`): it must
come out exactly as the whole file's parse makes it, in every layout a person or a YAML library
writes, and the scan must give up (the whole file is read) wherever it could be fooled."""

from __future__ import annotations

import gc
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from aerosync.collector import collector_paused
from aerosync.config.companies_file import load_config
from aerosync.config.companies_slice import company_slice
from tests.config.test_config_lookup import GOOD

pytestmark = pytest.mark.unit
REPO = Path(__file__).resolve().parents[2]


def _company(index: int, rng: random.Random) -> dict[str, Any]:
    """A company with a varied set of the optional sections, as integrators write them."""
    cid = f"op_{index:04d}"
    entry: dict[str, Any] = {
        **GOOD,
        "id": cid,
        "name": f'Operator {index} O\'Brien & Sons: "Jets"' if index % 7 == 0 else f"Op {index}",
        "marketplace_conn_id": f"avinode_{cid}",
        "fms": {"conn_id": f"fms_{cid}", "dialect": "reference", "timeout_seconds": 60 + index},
    }
    if rng.random() < 0.3:
        entry["aircraft_connections"] = {f"N{index}A": f"avinode_{cid}_b", f"N{index}B": "x_y"}
    if rng.random() < 0.3:
        entry["guards"] = {"shrink_threshold": 0.4, "min_activities_for_shrink_check": 3}
    if rng.random() < 0.3:
        entry["alerts"] = {"email": [f"ops{index}@example.com"], "webhook_conn_id": "slack"}
    if rng.random() < 0.2:
        entry["activity_types"] = {"PAX": "CharterFlight"}
    if rng.random() < 0.2:
        entry["training"] = {"bookings": {"csv": f"/data/{cid}", "tails": [f"N{index}A"]}}
    if rng.random() < 0.3:
        entry["schedule"] = "10m"
    return entry


def _companies(count: int, seed: int = 17) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [_company(index, rng) for index in range(count)]


def _hand_written(companies: list[dict[str, Any]]) -> str:
    """Indented list, `- id:` first, comments and blank lines between entries, flow maps."""
    lines = ["# Our operators", "product: AeroSync/test", "", "companies:"]
    for entry in companies:
        lines.append(f"  # --- {entry['name']} ---")
        body = yaml.safe_dump(
            {k: v for k, v in entry.items() if k != "id"}, sort_keys=False, width=200
        )
        lines.append(f"  - id: {entry['id']}   # the DAG is schedule_upload__{entry['id']}")
        lines += [f"    {line}" for line in body.splitlines()]
        lines.append("")
    return "\n".join(lines) + "\n"


LAYOUTS = {
    # What yaml.safe_dump writes: the list at column 0, keys sorted (`id` not first).
    "safe_dump": lambda cs: yaml.safe_dump({"product": "AeroSync/test", "companies": cs}),
    "hand_written": _hand_written,
    # Flow maps inside entries, and a top-level key after the list.
    "defaults_after_the_list": lambda cs: (
        yaml.safe_dump({"companies": cs}, default_flow_style=None, width=400)
        + "defaults:\n  owner: ops_team\n"
    ),
    # An apostrophe inside plain values (not a quote: nothing to give up for).
    "plain_apostrophes": lambda cs: _hand_written(cs).replace("name: Op ", "name: O'Brien Op "),
    # Ids quoted both ways.
    "quoted_ids": lambda cs: (
        _hand_written(cs)
        .replace("- id: op_0001", '- id: "op_0001"')
        .replace("- id: op_0002", "- id: 'op_0002'")
    ),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_company_alone_is_exactly_the_whole_files(tmp_path: Path, layout: str) -> None:
    companies = _companies(120)
    path = tmp_path / "companies.yaml"
    text = LAYOUTS[layout](companies)
    path.write_text(text, encoding="utf-8")
    whole = load_config(path)
    assert whole.problems == [] and len(whole.companies) == 120
    for company in whole.companies:
        assert company_slice(text, company.id) is not None, company.id  # the fast path is taken
        own = load_config(path, only=company.id)
        assert own.companies == [company] and own.problems == [], company.id
        assert own.product == whole.product
        assert own.warnings == [w for w in whole.warnings if w.company == company.id]


def test_the_demo_file_is_read_company_by_company() -> None:
    path = REPO / "include" / "config" / "companies.yaml"
    text = path.read_text(encoding="utf-8")
    whole = load_config(path)
    for company in whole.companies:
        assert company_slice(text, company.id) is not None
        assert load_config(path, only=company.id).companies == [company]


def test_defaults_apply_unless_a_company_sets_the_key(tmp_path: Path) -> None:
    path = tmp_path / "companies.yaml"
    own_guards = {**GOOD, "id": "own_guards", "guards": {"min_activities_for_shrink_check": 9}}
    path.write_text(
        yaml.safe_dump(
            {
                "defaults": {"owner": "ops_team", "guards": {"shrink_threshold": 0.3}},
                "companies": [GOOD, own_guards],
            }
        ),
        encoding="utf-8",
    )
    for only in (None, "skyway_charter"):
        skyway = load_config(path, only=only).company("skyway_charter")
        assert skyway.owner == "ops_team" and skyway.guards.shrink_threshold == 0.3
    mine = load_config(path, only="own_guards").company("own_guards")
    assert mine.owner == "ops_team"
    # A key a company sets replaces the default whole: its guards are its own, not merged.
    assert mine.guards.min_activities_for_shrink_check == 9 and mine.guards.shrink_threshold == 0.5


def test_a_wrong_default_names_the_field_and_says_it_came_from_defaults(tmp_path: Path) -> None:
    path = tmp_path / "companies.yaml"
    fixed = {**GOOD, "id": "sets_its_own", "upload_batch_size": 50}
    body = {"defaults": {"upload_batch_size": 5000}, "companies": [GOOD, fixed]}
    path.write_text(yaml.safe_dump(body), encoding="utf-8")
    loaded = load_config(path)
    assert [c.id for c in loaded.companies] == ["sets_its_own"]
    (problem,) = loaded.problems
    assert problem.company == "skyway_charter"
    assert "upload_batch_size" in problem.message and "(from defaults)" in problem.message
    body["defaults"] = {"id": "everyone"}
    path.write_text(yaml.safe_dump(body), encoding="utf-8")
    (problem,) = load_config(path).problems
    assert problem.company == "*" and "defaults.id" in problem.message


def _entry(cid: str, extra: str = "") -> str:
    return (
        f"  - id: {cid}\n    name: {cid}\n    schedule: '10m'\n    marketplace_conn_id: m_{cid}\n"
        f"    fms: {{conn_id: f_{cid}}}\n{extra}"
    )


@pytest.mark.parametrize(
    "text",
    [
        # A quoted value over several lines, holding what looks like an entry.
        "companies:\n" + _entry("a", '    owner: "x\n  - id: b\n    y"\n') + _entry("c"),
        # A flow list over several lines.
        "companies:\n" + _entry("a", "    activity_types: {PAX: Charter,\n      FERRY: F}\n"),
        # The id is not readable by the scan (a tag), or an entry has none.
        "companies:\n" + _entry("a").replace("id: a", "id: !!str a") + _entry("b"),
        "companies:\n" + _entry("a") + "  - name: no id\n",
        # A flow list of entries; tabs; Windows line ends.
        "companies: [{id: a, name: a, schedule: 10m, marketplace_conn_id: m, fms: {conn_id: f}}]\n",
        "companies:\n" + _entry("a").replace("    name:", "\tname:"),
        ("companies:\n" + _entry("a")).replace("\n", "\r\n"),
    ],
    ids=["quoted", "flow", "tagged_id", "no_id", "flow_list", "tab", "crlf"],
)
def test_the_scan_gives_up_where_it_could_be_fooled(tmp_path: Path, text: str) -> None:
    assert company_slice(text, "a") is None
    path = tmp_path / "companies.yaml"
    path.write_text(text, encoding="utf-8", newline="")
    try:
        whole = load_config(path)
    except Exception as exc:  # pragma: no cover - load_config never raises
        raise AssertionError(exc) from exc
    # The task's parse then reads the whole file: the same answer either way.
    own = load_config(path, only="a")
    assert own.companies == [c for c in whole.companies if c.id == "a"]
    assert own.problems == [p for p in whole.problems if p.company in ("a", "*")]


def test_an_alias_to_another_entry_falls_back_to_the_whole_file(tmp_path: Path) -> None:
    text = (
        "companies:\n"
        + _entry("a", "    guards: &shared {shrink_threshold: 0.25}\n")
        + _entry("b", "    guards: *shared\n")
    )
    assert company_slice(text, "b") is not None  # cut, but the alias does not read alone
    path = tmp_path / "companies.yaml"
    path.write_text(text, encoding="utf-8")
    assert load_config(path, only="b").company("b").guards.shrink_threshold == 0.25


def test_a_duplicate_id_is_reported_to_the_task_too(tmp_path: Path) -> None:
    text = "companies:\n" + _entry("a") + _entry("b") + _entry("a")
    assert company_slice(text, "a") is None and company_slice(text, "b") is not None
    path = tmp_path / "companies.yaml"
    path.write_text(text, encoding="utf-8")
    own = load_config(path, only="a")
    assert own.companies == [] and [p.company for p in own.problems] == ["a", "a"]
    assert "more than one company" in own.problems[0].message
    assert [c.id for c in load_config(path, only="b").companies] == ["b"]


def test_a_broken_entry_is_reported_with_its_id_and_the_others_load(tmp_path: Path) -> None:
    companies = _companies(40)
    companies[13]["schedule"] = "*/1 * * * *"
    companies[27]["fms"] = {"conn_id": "f", "colour": "red"}
    path = tmp_path / "companies.yaml"
    path.write_text(_hand_written(companies), encoding="utf-8")
    whole = load_config(path)
    assert len(whole.companies) == 38
    assert {p.company: p.message.split(":")[0] for p in whole.problems} == {
        "op_0013": "schedule",
        "op_0027": "fms.colour",
    }
    own = load_config(path, only="op_0013")
    assert own.companies == [] and own.problems == [whole.problems[0]]
    assert "5 minutes" in str(own.problems[0]) and "op_0013" in str(own.problems[0])
    assert [c.id for c in load_config(path, only="op_0014").companies] == ["op_0014"]


def test_a_yaml_error_refuses_the_whole_file_but_a_task_still_reads_its_entry(
    tmp_path: Path,
) -> None:
    """The folder's parse refuses a file that does not read (no company's DAG then exists);
    a task already running for another company reads only its own, intact entry, unless the
    scan cannot be sure where entries end (then the task too finds the file refused)."""
    path = tmp_path / "companies.yaml"
    path.write_text("companies:\n" + _entry("a") + _entry("b", "    owner: x: y\n"))
    (problem,) = load_config(path).problems
    assert problem.company == "*" and "cannot read" in problem.message
    assert [c.id for c in load_config(path, only="a").companies] == ["a"]
    path.write_text("companies:\n" + _entry("a") + _entry("b", "    owner: [unclosed\n"))
    assert load_config(path, only="a").companies == []
    assert "cannot read" in load_config(path, only="a").problems[0].message


def test_the_collector_is_paused_and_restored() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("restored on an error too")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()
