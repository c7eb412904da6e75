"""The plan of a run's upload: which aircraft go, in which batches (one mapped upload task each)."""

from __future__ import annotations

import math

from aerosync.config.companies import CompanyConfig
from aerosync.models import Batch
from aerosync.schedule.stages import Stores, staged_decisions


def plan_batches(tails: list[str], batch_size: int) -> list[Batch]:
    """Groups of aircraft for the mapped upload task, each with a readable label."""
    if not tails:
        return []
    count = math.ceil(len(tails) / batch_size)
    size = math.ceil(len(tails) / count)
    batches = []
    for index in range(count):
        group = tails[index * size : (index + 1) * size]
        label = (
            group[0] if len(group) == 1 else f"{group[0]} to {group[-1]} ({len(group)} aircraft)"
        )
        batches.append(Batch(index, tuple(group), label))
    return batches


def step_plan(company: CompanyConfig, stores: Stores, run_id: str, batch_size: int) -> list[Batch]:
    """The upload batches: every aircraft whose schedule may be sent (validated, not held).

    Each one's complete `PUT /schedules` body is its activity bodies as normalisation staged them
    (ACTIVITIES, one JSON array per aircraft, written once) inside the aircraft's envelope
    (`schedule_body_text`), assembled by the upload as it sends: copying a big fleet's bodies
    into a second stage here cost a third of the pipeline core's database writes."""
    decisions = staged_decisions(stores, company.id, run_id)
    sendable = sorted(t for t, d in decisions.items() if not d.held)
    return plan_batches(sendable, batch_size)
