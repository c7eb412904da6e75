"""The airport tables read in one pass are exactly what `airportsdata.load` gives, key for key."""

from __future__ import annotations

import airportsdata
import pytest

from aerosync.airports import _tables, known_icao_codes, to_icao

pytestmark = pytest.mark.unit


def test_tables_match_airportsdata_load() -> None:
    icao, iata, lid = _tables()
    assert icao == frozenset(airportsdata.load("ICAO"))
    assert iata == {c: r["icao"] for c, r in airportsdata.load("IATA").items() if r["icao"]}
    assert lid == {c: r["icao"] for c, r in airportsdata.load("LID").items() if r["icao"]}
    assert "" not in icao and "" not in iata and "" not in lid


def test_codes_to_icao() -> None:
    assert to_icao(" kteb ") == ("KTEB", True)  # ICAO, any case and padding
    assert to_icao("LHR") == ("EGLL", True)  # IATA
    assert to_icao("TEB") == ("KTEB", True)  # IATA, same as the FAA identifier here
    assert to_icao("00AK") == ("00AK", True)  # an FAA identifier that is its own ICAO code
    assert to_icao("ZZZZ") == ("ZZZZ", False)  # unknown: passed on unchanged, flagged
    assert "KJFK" in known_icao_codes()
