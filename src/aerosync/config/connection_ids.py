"""The type of every Airflow connection id in the companies file (`ConnId`).

An empty id is refused when the file is read, not when a task first looks the connection up: an
empty per-aircraft `aircraft_connections` value would otherwise fail that aircraft's upload at
run time, every run, with Airflow's "conn_id `` isn't defined".
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

# What Airflow accepts as a connection id (letters, digits, `_`, `.`, `-`).
_AIRFLOW_CONN_ID = re.compile(r"^[\w.-]+$")
MAX_CONN_ID_LENGTH = 250


def check_conn_id(value: str) -> str:
    if not value.strip():
        raise ValueError("an empty connection id; name an Airflow connection")
    if len(value) > MAX_CONN_ID_LENGTH or not _AIRFLOW_CONN_ID.fullmatch(value):
        raise ValueError(
            f"{value!r} is not an Airflow connection id (letters, digits, '_', '.' and '-', "
            f"at most {MAX_CONN_ID_LENGTH} characters)"
        )
    return value


ConnId = Annotated[str, AfterValidator(check_conn_id)]
