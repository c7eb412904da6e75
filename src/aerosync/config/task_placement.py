"""Where a company's tasks run and how they wait their turn: Airflow's `queue`, `pool` and
`priority_weight`, set per company (and per crew sync) in the companies file.

A queue routes tasks to the Celery workers that listen to it (`airflow celery worker --queues`),
for example the only workers that can reach a company's FMS behind its own network; a pool bounds
how many tasks of the companies sharing it run at once (it must exist: `airflow pools set`).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

# A queue name as a worker's comma-separated `--queues` takes it: no commas, no blanks.
QueueName = Annotated[str, Field(pattern=r"^[A-Za-z0-9_.:@-]+$", max_length=200)]
PoolName = Annotated[str, Field(min_length=1, max_length=256)]
PriorityWeight = Annotated[int, Field(ge=1, le=10_000)]


def placement(queue: str | None, pool: str | None, priority_weight: int) -> dict[str, str | int]:
    """Airflow task arguments: `priority_weight`, and `queue` and `pool` when named (else
    Airflow's default queue and `default_pool`)."""
    chosen: dict[str, str | int] = {"priority_weight": priority_weight}
    if queue is not None:
        chosen["queue"] = queue
    if pool is not None:
        chosen["pool"] = pool
    return chosen
