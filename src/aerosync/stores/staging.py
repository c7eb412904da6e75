"""Bulk data handed between tasks goes through the aerosync database, never through XCom.

Rows are keyed by (company, run id, stage, tail) so that a task on any worker can read exactly
what the previous task of the same run wrote. Data of unbounded size (a training CSV of any
length) is staged in numbered parts of bounded size (`put_parts`, `parts`): one row each, under
the key `PART_PREFIX` + number in place of the tail, written and read one part at a time.

Staged values are JSON text, read and written with msgspec where it gives the values the standard
library would, several times faster; with the standard library where it would not. Staged JSON
was once tens of megabytes per run (a fleet's extract and check columns, both now handed over in
memory), and decoding it with `json` a fifth of the pipeline core's time; what is staged now
(decisions, failed sources, the training sync's rows) still reads several times faster this way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
from sqlalchemy import Engine, bindparam, text

from aerosync.stores.database import iso

FLEET = "*"  # the tail key for data that belongs to the whole company, not one aircraft
PART_PREFIX = "#"  # "#000001": a numbered part of a stage (no tail starts with "#")

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


class StagingStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def put(self, company: str, run_id: str, stage: str, by_tail: Mapping[str, Any]) -> None:
        """Replace what this run staged under `stage` with `by_tail` (tail -> JSON value)."""
        texts = {tail: dumps(value) for tail, value in by_tail.items()}
        self.put_text(company, run_id, stage, texts)

    def put_text(self, company: str, run_id: str, stage: str, by_tail: Mapping[str, str]) -> None:
        """`put` for values that are JSON text already."""
        staged_at = iso(datetime.now(UTC))
        rows = [
            {
                "company": company,
                "run_id": run_id,
                "stage": stage,
                "tail": tail,
                "staged_at": staged_at,
                "data": text,
            }
            for tail, text in by_tail.items()
        ]
        key = {"company": company, "run_id": run_id, "stage": stage}
        with self.engine.begin() as conn:
            conn.execute(
                text(
                    "DELETE FROM staged_data WHERE company = :company AND run_id = :run_id "
                    "AND stage = :stage"
                ),
                key,
            )
            if rows:
                conn.execute(
                    text(
                        "INSERT INTO staged_data (company, run_id, stage, tail, staged_at, data) "
                        "VALUES (:company, :run_id, :stage, :tail, :staged_at, :data)"
                    ),
                    rows,
                )

    def get(
        self, company: str, run_id: str, stage: str, tails: Iterable[str] | None = None
    ) -> dict[str, Any]:
        return {
            tail: loads(text) for tail, text in self.get_text(company, run_id, stage, tails).items()
        }

    def get_text(
        self, company: str, run_id: str, stage: str, tails: Iterable[str] | None = None
    ) -> dict[str, str]:
        """What `get` returns, as the JSON text it was staged as."""
        query = (
            "SELECT tail, data FROM staged_data WHERE company = :company AND run_id = :run_id "
            "AND stage = :stage"
        )
        params: dict[str, Any] = {"company": company, "run_id": run_id, "stage": stage}
        statement = text(query)
        if tails is not None:
            statement = text(query + " AND tail IN :tails").bindparams(
                bindparam("tails", expanding=True)
            )
            params["tails"] = list(tails)
            if not params["tails"]:
                return {}
        with self.engine.connect() as conn:
            rows = conn.execute(statement, params).all()
        return {row.tail: row.data for row in rows}

    def clear(self, company: str, run_id: str, stage: str) -> None:
        """Drop what this run staged under `stage` (every part)."""
        with self.engine.begin() as conn:
            conn.execute(
                text(
                    "DELETE FROM staged_data WHERE company = :company AND run_id = :run_id "
                    "AND stage = :stage"
                ),
                {"company": company, "run_id": run_id, "stage": stage},
            )

    def put_parts(self, company: str, run_id: str, stage: str, parts: Iterable[Any]) -> int:
        """Replace what this run staged under `stage` with numbered parts, each written (and
        its JSON text held) on its own as `parts` yields it; returns how many were written."""
        self.clear(company, run_id, stage)
        count = 0
        for count, part in enumerate(parts, start=1):
            self.add_part(company, run_id, stage, count, part)
        return count

    def add_part(self, company: str, run_id: str, stage: str, number: int, part: Any) -> None:
        """Stage part `number` of `stage` (a re-run of the step clears the stage first)."""
        with self.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO staged_data (company, run_id, stage, tail, staged_at, data) "
                    "VALUES (:company, :run_id, :stage, :tail, :staged_at, :data)"
                ),
                {
                    "company": company,
                    "run_id": run_id,
                    "stage": stage,
                    "tail": f"{PART_PREFIX}{number:06d}",
                    "staged_at": iso(datetime.now(UTC)),
                    "data": dumps(part),
                },
            )

    def parts(self, company: str, run_id: str, stage: str) -> Iterator[Any]:
        """The parts of `stage` in order, each read (and decoded) only when asked for."""
        key = {"company": company, "run_id": run_id, "stage": stage}
        with self.engine.connect() as conn:
            numbers = [
                row.tail
                for row in conn.execute(
                    text(
                        "SELECT tail FROM staged_data WHERE company = :company "
                        "AND run_id = :run_id AND stage = :stage ORDER BY tail"
                    ),
                    key,
                )
                if str(row.tail).startswith(PART_PREFIX)
            ]
        for number in numbers:
            found = self.get_text(company, run_id, stage, [number])
            if number in found:
                yield loads(found[number])

    def purge(self, company: str, run_id: str, older_than: timedelta = timedelta(days=2)) -> None:
        """Drop this run's staging and anything a crashed run left behind long ago."""
        cutoff = iso(datetime.now(UTC) - older_than)
        with self.engine.begin() as conn:
            conn.execute(
                text(
                    "DELETE FROM staged_data WHERE company = :company "
                    "AND (run_id = :run_id OR staged_at < :cutoff)"
                ),
                {"company": company, "run_id": run_id, "cutoff": cutoff},
            )
