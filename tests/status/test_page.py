"""The Schedule uploads page, rendered from records: what a dispatcher must see on each row
(stale flag, neutral skip beside its last real outcome, words with codes on hover, links into
the Airflow UI) and what the page must not hold (any script)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

import pytest

from aerosync.models import Finding, Outcome
from aerosync.schedule.marketplace import Message
from aerosync.status.page import render
from aerosync.status.staleness import Freshness
from aerosync.stores.database import iso
from aerosync.stores.status_records import RealAttempt, StatusRecord
from tests.conftest import NOW
from tests.status.test_findings import marketplace_error, our_warning

pytestmark = pytest.mark.unit
COMPANY = "skyway"
FRESHNESS = {COMPANY: Freshness(timedelta(minutes=15), timedelta(minutes=30))}
RUN = "run-2"


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: list[str] = field(default_factory=list)


class Page(HTMLParser):
    """The page's elements with their attributes and their own text, in order."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        self.elements.append(element)
        if tag not in ("meta", "input", "br"):
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self._open:
            if self._open.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text.append(data)

    def find(self, tag: str, **attrs: str) -> list[Element]:
        def matches(e: Element) -> bool:
            return e.tag == tag and all(
                v in e.attrs.get("class", "").split()
                if k == "class_"
                else e.attrs.get(k.replace("_", "-")) == v
                for k, v in attrs.items()
            )

        return [e for e in self.elements if matches(e)]

    def row(self, tail: str) -> Element:
        (found,) = self.find("tr", data_tail=tail)
        return found

    def text_of(self, element: Element) -> str:
        return " ".join("".join(element.text).split())


def record(tail: str, outcome: Outcome, **kw: Any) -> StatusRecord:
    kw.setdefault("last_success_at", NOW)
    kw.setdefault("attempted_at", NOW)
    return StatusRecord(COMPANY, tail, RUN, outcome=outcome, **kw)


def failed_at_10_02() -> RealAttempt:
    http_500 = Message("error", "HTTP_500", "the marketplace answered HTTP 500: Injected fault")
    return RealAttempt(
        run_id="run-1",
        outcome="failed",
        http_status=500,
        attempted_at=iso(NOW.replace(hour=10, minute=2)),
        messages=[http_500.to_dict()],
        reasons=[],
        upload_map_index=1,
    )


def skipped_after_a_failure() -> StatusRecord:
    reason = Finding.holding(
        "N5", "UPLOADED_RECENTLY", "N5 was sent to the marketplace at 11:58:00 UTC, less than 5 "
        "minutes ago; it may go again from 12:03:00 UTC",
    )  # fmt: skip
    return record(
        "N5",
        Outcome.SKIPPED,
        reasons=[reason.to_dict()],
        last_real_attempt=failed_at_10_02(),
        next_allowed_at=NOW + timedelta(minutes=3),
        last_success_at=NOW - timedelta(hours=2, minutes=10),
        upload_map_index=0,
    )


def rendered(*records: StatusRecord, **kw: Any) -> Page:
    kw.setdefault("freshness", FRESHNESS)
    return Page(render(list(records), companies=[COMPANY], now=NOW, **kw))


def test_a_stale_aircraft_is_flagged_in_words() -> None:
    old = record("N1", Outcome.FAILED, last_success_at=NOW - timedelta(hours=3), http_status=500)
    page = rendered(old, record("N2", Outcome.UPLOADED))
    assert page.row("N1").attrs["data-stale"] == "true"
    assert page.row("N2").attrs["data-stale"] == "false"
    (flag,) = page.find("span", class_="stale-flag")
    assert page.text_of(flag) == "stale"
    (words,) = page.find("span", class_="stale-words")
    assert page.text_of(words) == "brokers see a schedule 3 h old; expected every 15 min"
    assert "1 stale" in page.text_of(page.find("span", id="summary")[0])


def test_without_the_companies_schedules_no_row_is_flagged() -> None:
    old = record("N1", Outcome.FAILED, last_success_at=NOW - timedelta(days=3))
    page = Page(render([old], companies=[COMPANY], now=NOW))
    assert page.row("N1").attrs["data-stale"] == "false"
    assert not page.find("span", class_="stale-flag")


def test_a_skip_is_neutral_with_the_last_real_outcome_beside_it() -> None:
    page = rendered(skipped_after_a_failure())
    row = page.row("N5")
    assert row.attrs["data-outcome"] == "skipped"
    (badge,) = page.find("span", class_="badge")
    assert badge.attrs["class"] == "badge outcome-skipped"  # grey, not an error colour
    (last,) = page.find("a", class_="last-real")
    assert last.attrs["data-last-outcome"] == "failed"
    assert "outcome-failed" in last.attrs["class"].split()  # in the failure's own red
    assert page.text_of(last) == "last: failed HTTP 500 at 10:02 UTC"
    assert last.attrs["href"] == "/dags/schedule_upload__skyway/runs/run-1/tasks/upload/mapped/1"
    assert last.attrs["target"] == "_top"
    (routine,) = page.find("li", data_code="UPLOADED_RECENTLY")
    assert "routine" in routine.attrs["class"].split()  # the spacing skip is no error
    (failure,) = page.find("li", data_code="HTTP_500")
    assert "error" in failure.attrs["class"].split()
    assert "Injected fault" in page.text_of(failure)


def test_outcome_colours_match_their_meaning() -> None:
    html = render([], companies=[COMPANY], now=NOW)
    colours = {
        name: html.split(f".outcome-{name} {{ background: ")[1].split(";")[0]
        for name in ("failed", "held", "skipped", "not_marketed", "uploaded", "unknown")
    }
    assert colours["failed"] == "#c0392b" and colours["held"] == "#d35400"
    assert colours["uploaded"] == "#1e8449" and colours["unknown"] == "#8e44ad"
    for neutral in ("skipped", "not_marketed"):  # greys: equal red, green and blue, near enough
        red, green, blue = (int(colours[neutral][i : i + 2], 16) for i in (1, 3, 5))
        assert max(red, green, blue) - min(red, green, blue) < 40, neutral
    assert "li.routine { color: #566573; }" in html


def test_an_unknown_airport_is_one_line_with_both_codes_on_hover() -> None:
    uploaded = record(
        "N3",
        Outcome.UPLOADED_WITH_ERRORS,
        http_status=200,
        messages=[marketplace_error("A1"), our_warning("A1")],
    )
    page = rendered(uploaded)
    (line,) = page.find("li", class_="finding")
    assert line.attrs["title"] == "activities.end_airport_known + END_AIRPORT_INVALID"
    assert line.attrs["data-code"] == "activities.end_airport_known END_AIRPORT_INVALID"
    words = page.text_of(line)
    assert words.startswith("Unknown end airport on activity A1")
    assert "activities.end_airport_known" not in words and "END_AIRPORT_INVALID" not in words


def test_rows_link_to_their_run_and_their_task_log_in_the_top_frame() -> None:
    page = rendered(
        record("N1", Outcome.FAILED, upload_map_index=3),
        record("N2", Outcome.HELD),
        ui_root="/airflow",
    )
    run = "/airflow/dags/schedule_upload__skyway/runs/run-2"
    runs = page.find("a", class_="run-link")
    logs = page.find("a", class_="log-link")
    assert [a.attrs["href"] for a in runs] == [run, run]
    assert [a.attrs["href"] for a in logs] == [
        f"{run}/tasks/upload/mapped/3",
        f"{run}/tasks/build_schedules",
    ]
    assert all(a.attrs["target"] == "_top" for a in runs + logs)


def test_as_of_refresh_and_no_script() -> None:
    html = render([record("N1", Outcome.UPLOADED)], companies=[COMPANY], now=NOW)
    page = Page(html)
    (refresh,) = page.find("meta", http_equiv="refresh")
    assert refresh.attrs["content"] == "60"
    (as_of,) = page.find("p", id="as-of")
    assert "As of 2026-11-24 12:00:00 UTC" in page.text_of(as_of)
    assert as_of.attrs["data-as-of"] == "2026-11-24T12:00:00+00:00"
    assert not page.find("script") and "javascript:" not in html.lower()
    assert " on" not in "".join(  # no inline event handler on any element
        f" {k}" for e in page.elements for k in e.attrs if k.startswith("on")
    )


def test_upload_now_is_a_post_form_that_says_what_the_guard_will_skip() -> None:
    sent = record("N1", Outcome.UPLOADED, attempted_at=NOW - timedelta(minutes=2))
    page = rendered(sent, skipped_after_a_failure())
    (form,) = page.find("form", class_="upload-now")
    assert form.attrs["method"] == "post" and form.attrs["action"] == "/aerosync/upload-now"
    (hidden,) = page.find("input", name="company")
    assert hidden.attrs == {"type": "hidden", "name": "company", "value": COMPANY}
    assert (
        "the 5-minute guard will skip aircraft sent in the last 5 minutes "
        "(next allowed at 12:03 UTC)" in page.text_of(form)
    )
    quiet = rendered(record("N1", Outcome.UPLOADED, attempted_at=NOW - timedelta(hours=1)))
    assert "(none was sent in that time)" in quiet.text_of(quiet.find("form")[0])
    assert not rendered(sent, triggerable=[]).find("form", class_="upload-now")


def test_text_from_records_is_escaped() -> None:
    hostile = Message("error", "X<script>", "<img src=x onerror=alert(1)>").to_dict()
    html = render(
        [record("N<b>1", Outcome.FAILED, messages=[hostile])], companies=[COMPANY], now=NOW
    )
    assert "<script>" not in html and "<img" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
