"""Event messages that start a company's crew sync, and the summary of a burst of them.

The message format (docs/events.md): one JSON object per pub/sub message on the company's
channel, whose `kind` names what changed:

    {"kind": "lms.completion", "employee_id": "E1001", "course_id": "CRM"}
    {"kind": "hris.change", "employee_id": "E1001"}

Only `kind` is read. The rest of a message (ids, names, e-mails, scores: whatever the producer
put in) is never kept: the sync reads the records themselves from their systems, so a summary
of a burst holds the channel, how many messages came and how many of each known kind; a kind
that is not known, or a message that is not such JSON, counts as `other` (an unknown `kind`
string could itself be a person's name, so it is never repeated).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

LMS_COMPLETION, HRIS_CHANGE, OTHER = "lms.completion", "hris.change", "other"
EVENT_KINDS = (LMS_COMPLETION, HRIS_CHANGE)


def event_kind(data: Any) -> str:
    """The known `kind` of one message's data (bytes or text), else `other`."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            return OTHER
    if not isinstance(data, str):
        return OTHER
    try:
        message = json.loads(data)
    except ValueError:
        return OTHER
    kind = message.get("kind") if isinstance(message, dict) else None
    return kind if isinstance(kind, str) and kind in EVENT_KINDS else OTHER


@dataclass(frozen=True)
class EventBurst:
    """Messages collected within one debounce period: what one sync run is started for."""

    channel: str
    count: int
    kinds: dict[str, int]

    @classmethod
    def of(cls, channel: str, kinds: Iterable[str]) -> EventBurst:
        counted = Counter(kinds)
        return cls(channel, sum(counted.values()), dict(sorted(counted.items())))

    def payload(self) -> dict[str, Any]:
        """The trigger event's payload (kept in the asset event's extra and the triggerer's log)."""
        return {"channel": self.channel, "count": self.count, "kinds": self.kinds}
