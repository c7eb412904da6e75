"""Roster XML read by a real parser: namespaces by URI, encodings from the declaration or a BOM,
malformed files refused naming file and line, and DOCTYPEs (entity bombs, external entities)
refused before anything is expanded. Real XML files on disk, read as the extract reads them."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest

from aerosync.crew.roster_xml import CHUNK_BYTES, RosterXmlError, roster_items, roster_rows

pytestmark = pytest.mark.unit

DUTIES = """
  <crewMember employeeId="E001" base="LSGG">
    <duty type="FLIGHT_DUTY" code="AJ100" start="2026-03-02T05:30:00Z" end="2026-03-02T13:45:00Z"/>
    <duty type="off" start="2026-03-03" end="2026-03-03"/>
  </crewMember>
  <crewMember employeeId="E002">
    <duty type="SBY" start="2026-03-02T04:00:00Z" end="2026-03-02T16:00:00Z" base="LSZH"/>
  </crewMember>
"""
EXPECTED = [
    (
        "roster.xml line 4",
        {
            "employee_id": "E001",
            "starts_at": "2026-03-02T05:30:00Z",
            "ends_at": "2026-03-02T13:45:00Z",
            "duty_type": "FLIGHT_DUTY",
            "duty_code": "AJ100",
            "base": "LSGG",
        },
    ),
    (
        "roster.xml line 5",
        {
            "employee_id": "E001",
            "starts_at": "2026-03-03",
            "ends_at": "2026-03-03",
            "duty_type": "off",
            "base": "LSGG",
        },
    ),
    (
        "roster.xml line 8",
        {
            "employee_id": "E002",
            "starts_at": "2026-03-02T04:00:00Z",
            "ends_at": "2026-03-02T16:00:00Z",
            "duty_type": "SBY",
            "base": "LSZH",
        },
    ),
]


def _roster(body: str = DUTIES, root: str = '<roster xmlns="urn:aerosync:roster:1">') -> str:
    closing = "</" + root[1:].split()[0].rstrip(">") + ">"
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{root}{body}{closing}\n'


def _read(path: Path) -> list[tuple[str, dict[str, str]]]:
    with path.open("rb") as stream:
        return list(roster_rows(stream, path.name))


def _refusal(path: Path) -> str:
    with pytest.raises(RosterXmlError) as refused:
        _read(path)
    return str(refused.value)


def test_duties_carry_their_crew_member_and_their_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "roster.xml"
    path.write_text(_roster(), encoding="utf-8")
    assert _read(path) == EXPECTED


def test_elements_are_matched_by_namespace_uri_whatever_the_prefix(tmp_path: Path) -> None:
    prefixed = _roster().replace("<crewMember", "<cms-x.9:crewMember")
    prefixed = prefixed.replace("</crewMember", "</cms-x.9:crewMember")
    prefixed = prefixed.replace("<duty", "<cms-x.9:duty")
    prefixed = prefixed.replace(
        '<roster xmlns="urn:aerosync:roster:1">',
        '<cms-x.9:roster xmlns:cms-x.9="urn:aerosync:roster:1" xmlns="urn:other:default">',
    ).replace("</roster>", "</cms-x.9:roster>")
    path = tmp_path / "roster.xml"
    path.write_text(prefixed, encoding="utf-8")
    assert _read(path) == EXPECTED
    # The same names in another namespace are not a roster.
    path.write_text(_roster().replace("urn:aerosync:roster:1", "urn:aerosync:roster:2"), "utf-8")
    message = _refusal(path)
    assert message.startswith("roster.xml line 2: the root element is `roster` in namespace")
    assert "urn:aerosync:roster:2" in message


def test_elements_of_other_namespaces_are_skipped_with_what_they_hold(tmp_path: Path) -> None:
    body = DUTIES.replace(
        '<crewMember employeeId="E002">',
        '<crewMember employeeId="E002"><v:note xmlns:v="urn:vendor"><duty xmlns='
        '"urn:aerosync:roster:1" type="OFF" start="2026-03-09" end="2026-03-09"/></v:note>',
    )
    path = tmp_path / "roster.xml"
    path.write_text(_roster(body), encoding="utf-8")
    assert [fields for _, fields in _read(path)] == [fields for _, fields in EXPECTED]


def test_a_roster_element_out_of_place_refuses_the_file(tmp_path: Path) -> None:
    path = tmp_path / "roster.xml"
    path.write_text(_roster(DUTIES.replace('<duty type="SBY"', '<dutty type="SBY"')))
    assert _refusal(path).startswith(
        "roster.xml line 8: the roster namespace has no element `dutty` inside `crewMember`"
    )
    path.write_text(_roster('\n<duty type="OFF" start="2026-03-02" end="2026-03-02"/>\n'))
    assert "line 3: the roster namespace has no element `duty` inside `roster`" in _refusal(path)


@pytest.mark.parametrize(
    ("encoding", "declared"),
    [
        ("iso-8859-1", "ISO-8859-1"),
        ("utf-16", "UTF-16"),
        ("utf-8-sig", "UTF-8"),
        ("cp1252", "windows-1252"),
    ],
)
def test_the_declared_encoding_or_a_byte_order_mark_is_honoured(
    tmp_path: Path, encoding: str, declared: str
) -> None:
    text = _roster(DUTIES.replace('code="AJ100"', 'code="Zürich-Genève"'))
    path = tmp_path / "roster.xml"
    path.write_bytes(text.replace('encoding="UTF-8"', f'encoding="{declared}"').encode(encoding))
    rows = _read(path)
    assert rows[0][1]["duty_code"] == "Zürich-Genève"
    assert [ref for ref, _ in rows] == [ref for ref, _ in EXPECTED]


def test_a_malformed_file_is_refused_naming_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "roster_march.xml"
    path.write_text(
        _roster(DUTIES.replace("</crewMember>\n  <crewMember", "</crew>\n  <crewMember"))
    )
    assert _refusal(path) == (
        "roster_march.xml line 6: mismatched tag (column 5); the file is refused"
    )
    path.write_text(_roster().replace('code="AJ100"', 'code="AJ100" code="AJ101"'))
    assert _refusal(path).startswith("roster_march.xml line 4: duplicate attribute")
    path.write_text(_roster()[:-30])  # cut off mid-file, as a broken transfer leaves it
    assert _refusal(path).startswith("roster_march.xml line 8: unclosed token")
    path.write_bytes(b"")
    assert _refusal(path).startswith("roster_march.xml line 1: no element found")
    path.write_text(_roster().replace("AJ100", "AJ&undeclared;"))
    assert _refusal(path).startswith("roster_march.xml line 4: undefined entity")


def test_a_file_in_no_namespace_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "roster.xml"
    path.write_text(_roster(root="<roster>"))
    assert _refusal(path).startswith(
        "roster.xml line 2: the root element is `roster` in no namespace, not `roster` in "
        "urn:aerosync:roster:1"
    )


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE roster [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<roster xmlns="urn:aerosync:roster:1">
  <crewMember employeeId="E001">
    <duty type="OFF" code="&lol9;" start="2026-03-02" end="2026-03-02"/>
  </crewMember>
</roster>
"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE roster [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<roster xmlns="urn:aerosync:roster:1">
  <crewMember employeeId="&xxe;">
    <duty type="OFF" code="&xxe;" start="2026-03-02" end="2026-03-02"/>
  </crewMember>
</roster>
"""
EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE roster SYSTEM "file:///etc/passwd">
<roster xmlns="urn:aerosync:roster:1"/>
"""


def test_the_billion_laughs_is_refused_at_its_doctype_without_expanding(tmp_path: Path) -> None:
    """Expanded, `&lol9;` is 10^9 "lol"s (3 GB): refused in milliseconds and a few kB."""
    path = tmp_path / "bomb.xml"
    path.write_text(BILLION_LAUGHS)
    tracemalloc.start()
    started = time.perf_counter()
    message = _refusal(path)
    elapsed = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert message == (
        "bomb.xml line 2: a DOCTYPE declaration; a roster has no DTD, and entities are never "
        "expanded (billion laughs, external entities); the file is refused"
    )
    assert elapsed < 0.5 and peak < 2_000_000
    assert "lollol" not in message


@pytest.mark.parametrize("document", [EXTERNAL_ENTITY, EXTERNAL_DTD], ids=["entity", "dtd"])
def test_an_external_entity_is_refused_and_nothing_of_it_is_read(
    tmp_path: Path, document: str
) -> None:
    path = tmp_path / "xxe.xml"
    path.write_text(document)
    message = _refusal(path)
    assert message.startswith("xxe.xml line 2: a DOCTYPE declaration")
    assert "root:" not in message and "/etc/passwd" not in message


class CountingStream:
    """A file-like byte stream that counts what was read from it."""

    def __init__(self, path: Path) -> None:
        self.handle = path.open("rb")
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        self.read_bytes += len(chunk)
        return chunk


def test_a_large_roster_is_read_a_chunk_at_a_time_in_bounded_memory(tmp_path: Path) -> None:
    duty = '<duty type="OFF" start="2026-03-{day:02d}" end="2026-03-{day:02d}"/>'
    path = tmp_path / "big.xml"
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0"?>\n<roster xmlns="urn:aerosync:roster:1">\n')
        for n in range(40_000):
            out.write(f'<crewMember employeeId="E{n:05d}">{duty.format(day=n % 28 + 1)}')
            out.write("</crewMember>\n")
        out.write("</roster>\n")
    size = path.stat().st_size
    assert size > 40 * CHUNK_BYTES
    stream = CountingStream(path)
    rows = roster_rows(stream, "big.xml")  # type: ignore[arg-type]
    first = next(rows)
    assert first[0] == "big.xml line 3" and stream.read_bytes <= CHUNK_BYTES
    tracemalloc.start()
    count = 1 + sum(1 for _ in rows)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    stream.handle.close()
    assert count == 40_000 and stream.read_bytes == size
    assert peak < 5_000_000  # the file is several MB; a chunk's duties at a time are far less


def test_every_file_of_a_folder_is_read_in_turn(tmp_path: Path) -> None:
    (tmp_path / "a.xml").write_text(_roster())
    (tmp_path / "b.xml").write_text(_roster(DUTIES.split('<crewMember employeeId="E002">')[0]))
    with (tmp_path / "a.xml").open("rb") as a, (tmp_path / "b.xml").open("rb") as b:
        refs = [ref for ref, _ in roster_items([("a.xml", a), ("b.xml", b)])]
    assert refs == ["a.xml line 4", "a.xml line 5", "a.xml line 8", "b.xml line 4", "b.xml line 5"]
