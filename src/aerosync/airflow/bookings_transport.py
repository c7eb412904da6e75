"""The transports of a company's LMS bookings source, built from Airflow's own tools.

CSV: `airflow.sdk.ObjectStoragePath` over `training.bookings.csv` (a local path, `file://`, or
any store Airflow has a filesystem for, e.g. `s3://aws_lms@bucket/bookings/` where `aws_lms` is
the connection id). REST: the HTTP provider's `HttpHook` on `training.bookings.rest.conn_id`
(host = base URL; login/password for basic auth, or header extras), one GET per page with the
configured timeout and no retry. Both are imported only when a task reads the source.
"""

from __future__ import annotations

from aerosync.config.companies import CompanyConfig
from aerosync.config.training import RestSource
from aerosync.schedule.sources.bookings_rest import (
    LMS_FEED,
    FetchPage,
    PagedFeed,
    SessionPageFetcher,
)
from aerosync.schedule.sources.csv_drop import CsvLocation
from aerosync.schedule.sources.lms import BookingsReader, csv_reader, rest_reader


def object_storage(location: str) -> CsvLocation:
    from airflow.sdk import ObjectStoragePath

    return ObjectStoragePath(location)


def page_fetcher(rest: RestSource, feed: PagedFeed = LMS_FEED) -> FetchPage:
    """The HTTP provider's session over a paged REST source (the LMS's bookings, an AMS)."""
    from airflow.providers.http.hooks.http import HttpHook

    from aerosync.airflow.masking import mask_connection

    secrets = mask_connection(rest.conn_id)  # masked in the logs before the first call
    hook = HttpHook(method="GET", http_conn_id=rest.conn_id)
    # Connection extras that are request options (verify, proxies, ...) apply to the session;
    # the rest are headers, as the provider documents. Nothing here retries.
    session = hook.get_conn(extra_options={"timeout": rest.timeout_seconds})
    return SessionPageFetcher(
        session,
        hook.base_url,
        rest.endpoint,
        rest.page_size,
        rest.timeout_seconds,
        secrets,
        feed=feed,
    )


def bookings_reader(company: CompanyConfig) -> BookingsReader | None:
    """How this company's LMS bookings are read in a task; None when it has no LMS."""
    source = company.training.bookings if company.training is not None else None
    if source is None:
        return None
    if source.csv is not None:
        location = source.csv
        return csv_reader(lambda: object_storage(location), source)
    assert source.rest is not None
    rest = source.rest
    return rest_reader(lambda: page_fetcher(rest), rest.max_pages, rest.deadline_seconds)
