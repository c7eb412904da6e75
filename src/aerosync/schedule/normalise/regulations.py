"""Flight regulations as FMSs write them, normalised to the marketplace's values."""

from __future__ import annotations

import re
from functools import lru_cache

AVINODE_REGULATIONS = frozenset(
    {
        "PART_135", "PART_125", "PART_121", "PART_91", "PART_91K",
        "PART_CAT", "PART_NCO", "PART_NCC", "SUBPART_604", "SUBPART_704",
    }
)  # fmt: skip

_ALIASES = {
    "CAT": "PART_CAT",
    "EUOPSCAT": "PART_CAT",
    "EUOPS": "PART_CAT",
    "EASACAT": "PART_CAT",
    "NCO": "PART_NCO",
    "NCC": "PART_NCC",
    "604": "SUBPART_604",
    "704": "SUBPART_704",
    "CARS604": "SUBPART_604",
    "CARS704": "SUBPART_704",
}


@lru_cache(maxsize=4096)  # an FMS writes few distinct spellings, on many legs
def normalise_regulation(text: str) -> str | None:
    """`135`, `Part 91K`, `FAR 135`, `EU-OPS CAT` -> Avinode's value; None if not recognised."""
    squeezed = re.sub(r"[^A-Z0-9]", "", text.upper())
    for prefix in ("FAR", "PART", "SUBPART", "14CFR"):
        squeezed = squeezed.removeprefix(prefix)
    if squeezed in _ALIASES:
        return _ALIASES[squeezed]
    for candidate in (f"PART_{squeezed}", f"SUBPART_{squeezed}"):
        if candidate in AVINODE_REGULATIONS:
            return candidate
    return None
