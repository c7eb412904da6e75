"""The transports of a company's AMS, built from Airflow's own tools.

SQL: the engine of the Airflow connection `ams.sql.conn_id` (any connection with a common-sql
hook), its driver bounded by `ams.sql.timeout_seconds` as the FMS's is. CSV:
`airflow.sdk.ObjectStoragePath` over `ams.csv` (a local path, `file://`, or any store Airflow has a
filesystem for, e.g. `s3://aws_ams@bucket/maintenance/`). REST: the HTTP provider's `HttpHook` on
`ams.rest.conn_id`, one GET per page with the configured timeout and no retry. All are imported
only when a task reads the source.
"""

from __future__ import annotations

from aerosync.airflow.bookings_transport import object_storage, page_fetcher
from aerosync.config.companies import CompanyConfig
from aerosync.schedule.sources.ams import AmsReader, csv_reader, rest_reader, sql_reader
from aerosync.schedule.sources.ams_events import AMS_FEED


def ams_reader(company: CompanyConfig) -> AmsReader | None:
    """How this company's AMS is read in a task; None when it has no AMS."""
    source = company.ams
    if source is None:
        return None
    if source.csv is not None:
        location = source.csv
        return csv_reader(lambda: object_storage(location), source)
    if source.sql is not None:
        from aerosync.airflow.connections import engine_for_connection

        database = source.sql
        return sql_reader(
            lambda: engine_for_connection(database.conn_id, database.timeout_seconds), source
        )
    assert source.rest is not None
    rest = source.rest
    return rest_reader(lambda: page_fetcher(rest, AMS_FEED), source)
