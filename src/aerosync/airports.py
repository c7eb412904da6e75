"""Airport codes to ICAO, with the `airportsdata` package as the reference.

FMSs write ICAO, IATA or FAA location identifiers; the marketplace wants ICAO. A code that no table
knows is passed on unchanged (the marketplace substitutes the homebase and says so) and flagged.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import airportsdata

# The package's own table, read once in one pass for the three columns used here.
# `airportsdata.load()` reads every row into a dict, once per kind of code: the three loads cost
# about 0.35 s, paid by every task process that normalises or validates (each is a new process).
AIRPORTS_CSV = Path(airportsdata.__file__).with_name("airports.csv")


@cache
def _tables() -> tuple[frozenset[str], dict[str, str], dict[str, str]]:
    """(ICAO codes, IATA -> ICAO, FAA LID -> ICAO), as `airportsdata.load` keys them: a code that
    several rows carry maps to the last of them, and only codes whose row has an ICAO code map."""
    iata_last: dict[str, str] = {}
    lid_last: dict[str, str] = {}
    icao: set[str] = set()
    with AIRPORTS_CSV.open(encoding="utf8", newline="") as f:
        reader = csv.reader(f, quoting=csv.QUOTE_NONNUMERIC)
        header = next(reader)
        at_icao, at_iata, at_lid = (header.index(c) for c in ("icao", "iata", "lid"))
        for row in reader:
            code = row[at_icao]
            icao.add(code)
            iata_last[row[at_iata]] = code
            lid_last[row[at_lid]] = code
    icao.discard("")
    iata = {k: v for k, v in iata_last.items() if k and v}
    lid = {k: v for k, v in lid_last.items() if k and v}
    return frozenset(icao), iata, lid


def known_icao_codes() -> frozenset[str]:
    return _tables()[0]


@cache
def to_icao(code: str) -> tuple[str, bool]:
    """Return (ICAO code, whether it is a known airport) for an ICAO, IATA or FAA code."""
    icao, iata, lid = _tables()
    cleaned = code.strip().upper()
    if cleaned in icao:
        return cleaned, True
    if len(cleaned) == 3 and cleaned in iata:
        return iata[cleaned], True
    if cleaned in lid:
        return lid[cleaned], True
    return cleaned, False
