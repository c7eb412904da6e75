"""Airport codes to ICAO, with the `airportsdata` package as the reference.

FMSs write ICAO, IATA or FAA location identifiers; the marketplace wants ICAO. A code that no table
knows is passed on unchanged (the marketplace substitutes the homebase and says so) and flagged.
"""

from __future__ import annotations

from functools import cache

import airportsdata


@cache
def _tables() -> tuple[frozenset[str], dict[str, str], dict[str, str]]:
    icao = frozenset(airportsdata.load("ICAO"))
    iata = {code: rec["icao"] for code, rec in airportsdata.load("IATA").items() if rec["icao"]}
    lid = {code: rec["icao"] for code, rec in airportsdata.load("LID").items() if rec["icao"]}
    return icao, iata, lid


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
