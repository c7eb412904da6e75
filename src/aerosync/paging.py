"""What paginated sources share: a page's rows as a digest, to tell a page repeated by a server
that pages in a loop (new links or page numbers, the same rows) from new rows."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def page_digest(rows: list[Any]) -> str:
    """Two pages with the same rows (in the same order) have the same digest."""
    canonical = json.dumps(rows, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()
