"""A value that is not UTF-8 in a SQLite FMS: read per value, it holds only its own aircraft."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aerosync.schedule.sources.fms import extract
from aerosync.schedule.sources.fms_text import (
    UNDECODABLE_CODE,
    UndecodableText,
    decode_value,
    undecodable_findings,
)
from tests.schedule.fms_builder import FmsBuilder

pytestmark = pytest.mark.unit
NOW = datetime.now(UTC).replace(second=0, microsecond=0)


def _fleet(tmp_path: Path) -> FmsBuilder:
    fms = FmsBuilder(tmp_path / "fms.sqlite")
    fms.aircraft("N1BS").aircraft("N2BS")
    for tail in ("N1BS", "N2BS"):
        for i in range(2):
            fms.leg(f"{tail}-L{i}", tail, NOW + timedelta(hours=6 * i), note=f"note {i}")
    return fms


def test_decode_value_marks_only_what_is_not_utf8() -> None:
    assert type(decode_value("Zürich".encode())) is str
    bad = decode_value(b"AB\xffC")
    assert isinstance(bad, UndecodableText) and bad == "AB\ufffdC"
    assert bad.detail() == "byte 0xFF at position 3"


def test_one_bad_byte_in_one_note_is_read_per_value(tmp_path: Path) -> None:
    fms = _fleet(tmp_path)
    fms.execute("UPDATE legs SET note = CAST(X'4142FF43' AS TEXT) WHERE leg_id = 'N2BS-L1'")
    raw = extract(fms.engine, "reference", NOW, timeout_seconds=30)
    assert sorted(row["tail"] for row in raw.aircraft) == ["N1BS", "N2BS"]
    rows = {row["activity_id"]: row for row in raw.activities}
    assert len(rows) == 4  # the row keeps its other fields, the other rows are all there
    assert rows["N2BS-L1"]["note"] == "AB\ufffdC" and rows["N2BS-L1"]["tail"] == "N2BS"
    assert rows["N1BS-L0"]["note"] == "note 0"
    # Nothing after the extract meets the marker type.
    assert not any(isinstance(v, UndecodableText) for v in raw.activity_columns["note"])
    [value] = raw.undecodable
    assert (value.query, value.column, value.detail) == (
        "activities",
        "note",
        "byte 0xFF at position 3",
    )
    [finding] = undecodable_findings(
        "skyway_charter", raw.undecodable, {"tail": []}, raw.activity_columns, {}
    )
    assert finding.code == UNDECODABLE_CODE and finding.severity == "blocking"
    assert (finding.tail, finding.activity_id, finding.field) == ("N2BS", "N2BS-L1", "note")
    assert finding.message.startswith(
        "skyway_charter: the note of activity N2BS-L1 of N2BS is not valid UTF-8 text in the FMS"
    )
    assert "AB" not in finding.message  # the text itself (maybe personal data) is not shown


def test_a_clean_fms_reports_nothing_undecodable(tmp_path: Path) -> None:
    raw = extract(_fleet(tmp_path).engine, "reference", NOW)
    assert raw.undecodable == [] and len(raw.activities) == 4


def test_undecodable_aircraft_and_service_values_name_their_aircraft() -> None:
    from aerosync.schedule.sources.fms_text import UndecodableValue

    values = [
        UndecodableValue("aircraft", 0, "homebase", "byte 0xFF at position 1"),
        UndecodableValue("services", 0, "note", "byte 0xC3 at position 4"),
        UndecodableValue("services", 1, "note", "byte 0xC3 at position 4"),
    ]
    findings = undecodable_findings(
        "co",
        values,
        {"tail": ["N9ZZ"]},
        {"activity_id": ["A-1"], "tail": ["N8YY"]},
        {"activity_id": ["A-1", "A-OLD"]},  # A-OLD was not read: its service is never sent
    )
    assert [(f.tail, f.activity_id, f.field) for f in findings] == [
        ("N9ZZ", None, "homebase"),
        ("N8YY", "A-1", "note"),
    ]
    assert findings[0].message.startswith("co: the homebase of aircraft N9ZZ is not valid UTF-8")
    assert "a service of activity A-1 of N8YY" in findings[1].message
