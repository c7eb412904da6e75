"""An export as files: its rows as CSV and as a JSON document, byte for byte the same for the
same rows (no time of writing, rows in key order, keys sorted), so a re-run writes the same
files and a regulator's copy can be compared with ours."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aerosync.crew.classification import ExportDeclaration


@dataclass(frozen=True)
class ExportTable:
    """One export's rows, ready to check and write. `about` heads the JSON document (company,
    window or day, the export's name); `stem` names the files (`<stem>.csv`, `<stem>.json`)."""

    declaration: ExportDeclaration
    stem: str
    rows: Sequence[Mapping[str, Any]]
    about: Mapping[str, Any] = field(default_factory=dict)

    @property
    def columns(self) -> list[str]:
        return list(self.declaration.columns)

    @property
    def name(self) -> str:
        return self.declaration.export

    def csv_text(self) -> str:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=self.columns, lineterminator="\n")
        writer.writeheader()
        for row in self.rows:
            writer.writerow({c: "" if row.get(c) is None else row[c] for c in self.columns})
        return buffer.getvalue()

    def json_text(self) -> str:
        document = {
            **self.about,
            "export": self.name,
            "columns": self.columns,
            "rows": [{c: row.get(c) for c in self.columns} for row in self.rows],
        }
        return json.dumps(document, indent=1, sort_keys=True, ensure_ascii=False) + "\n"

    def files(self) -> dict[str, str]:
        """File name -> content."""
        return {f"{self.stem}.csv": self.csv_text(), f"{self.stem}.json": self.json_text()}
