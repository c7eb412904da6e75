"""Each run's validation results, kept so the UI and the CLI can say why an aircraft was held."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Engine, text

from aerosync.quality.suites import ValidationReport
from aerosync.stores.database import iso


def save_report(
    engine: Engine,
    validation_id: str,
    company: str,
    run_id: str,
    validated_at: datetime,
    report: ValidationReport,
) -> None:
    rows = [
        {
            "validation_id": validation_id,
            "company": company,
            "run_id": run_id,
            "validated_at": iso(validated_at),
            "suite": o.suite,
            "expectation": f"{o.expectation}({o.column})" if o.column else o.expectation,
            "column_name": o.column,
            "severity": str(o.severity),
            "success": o.success,
            "element_count": o.element_count,
            "unexpected_count": o.unexpected_count,
            "failing": json.dumps(o.failing),
        }
        for o in report.outcomes
    ]
    if not rows:
        return
    columns = list(rows[0])
    with engine.begin() as conn:
        conn.execute(
            text(
                f"INSERT INTO validation_results ({', '.join(columns)}) "
                f"VALUES ({', '.join(':' + c for c in columns)})"
            ),
            rows,
        )
