"""JSON text for the staging store, read and written with msgspec where it gives the values the
standard library would, several times faster; with the standard library where it would not.

Staged JSON was once tens of megabytes per run (a fleet's extract and check columns, both now
handed over in memory), and decoding it with `json` a fifth of the pipeline core's time; what is
staged now (decisions, failed sources, the training sync's rows) still reads several times
faster this way.
"""

from __future__ import annotations

import json
from typing import Any

import msgspec

_DECODER = msgspec.json.Decoder()


def loads(text: str) -> Any:
    """`json.loads(text)`. msgspec refuses what only Python's reader accepts (NaN and Infinity,
    numbers beyond a float's range, lone surrogates); those texts are read by `json`."""
    try:
        return _DECODER.decode(text)
    except msgspec.DecodeError:
        return json.loads(text)


def dumps(value: Any) -> str:
    """Compact JSON of any value `json` can write, including non-finite floats and huge ints
    (a source's raw values may be either; each must reach normalisation as it was)."""
    return json.dumps(value, separators=(",", ":"))
