"""Currency codes a price may carry: ISO 4217, from the `pycountry` package's table."""

from __future__ import annotations

from functools import cache

# ISO 4217 codes that name no money a seat can be priced in: "no currency" and "for testing".
NOT_MONEY = frozenset({"XXX", "XTS"})


@cache
def iso_4217_codes() -> frozenset[str]:
    """The alphabetic codes of ISO 4217 (upper case, as the standard writes them)."""
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.currencies) - NOT_MONEY
