"""Where a dataset lives, named as the OpenLineage naming spec names it: SQL tables by their
connection (`postgres://host:port` + `database.schema.table`), files by their path (`file` +
the absolute path, or a bucket URL's scheme and bucket + the key), HTTP resources by their base
URL (`https://host:port` + the path).

Pure functions over `ConnPlace`, the part of an Airflow connection lineage may show: type, host,
port and database. A connection's login, password and extras never reach it, and a URL's
credentials (`user:secret@`), query and fragment are cut off, so no secret can reach a lineage
event through a name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from openlineage.client.event_v2 import Dataset

# SQL connection types and the scheme of their namespace (the naming spec's, where it has one).
SQL_SCHEMES = {"postgres": "postgres", "postgresql": "postgres", "sqlite": "sqlite"}
DEFAULT_PORTS = {"postgres": 5432}


@dataclass(frozen=True)
class ConnPlace:
    """What lineage needs of a connection: never its login, password or extras."""

    conn_type: str
    host: str = ""
    port: int | None = None
    schema: str = ""  # the database (SQL) or URL scheme (http), as Airflow's field is used


def _without_credentials(netloc: str) -> str:
    return netloc.rsplit("@", 1)[-1]


def url_parts(url: str) -> tuple[str, str]:
    """(`scheme://host:port`, path) of a URL, without credentials, query or fragment."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{_without_credentials(parts.netloc)}", parts.path.rstrip("/")


def http_base(place: ConnPlace) -> str:
    """The base URL of an `http` connection as the HTTP provider's hook builds it."""
    host = place.host.strip()
    base = host if "://" in host else f"{place.schema or 'http'}://{host}"
    return f"{base}:{place.port}" if place.port else base


def http_dataset(base_url: str, endpoint: str) -> Dataset:
    """An HTTP resource: namespace `scheme://host:port`, name the path under it."""
    namespace, path = url_parts(base_url)
    tail = endpoint.strip().strip("/")
    name = f"{path}/{tail}" if tail else path or "/"
    return Dataset(namespace=namespace, name=name.split("?", 1)[0])


def file_dataset(location: str) -> Dataset:
    """A file or folder: a local path is `file` + its absolute path; an object-storage URL
    (`s3://bucket/key`) is `s3://bucket` + `/key`."""
    if "://" in location:
        namespace, path = url_parts(location)
        if namespace.startswith("file://"):
            return Dataset(namespace="file", name=path)
        return Dataset(namespace=namespace, name=path or "/")
    return Dataset(namespace="file", name=str(Path(location).expanduser().resolve()))


def sql_namespace(place: ConnPlace) -> str:
    """`postgres://host:port`; a SQLite database is `sqlite://` + its file's absolute path (the
    naming spec has no SQLite entry: the file is what identifies it)."""
    scheme = SQL_SCHEMES.get(place.conn_type, place.conn_type)
    if scheme == "sqlite":
        path = place.host.removeprefix("sqlite:///").removeprefix("file:")
        return f"sqlite://{Path(path).expanduser().resolve()}" if path else "sqlite://"
    port = place.port or DEFAULT_PORTS.get(scheme)
    host = _without_credentials(place.host)
    return f"{scheme}://{host}:{port}" if port else f"{scheme}://{host}"


def table_dataset(place: ConnPlace, table: str, schema: str | None = None) -> Dataset:
    """A table of a SQL connection: `database.schema.table` in PostgreSQL (schema `public`
    unless the query names one), the table's name in a SQLite file."""
    namespace = sql_namespace(place)
    if namespace.startswith("sqlite://"):
        return Dataset(namespace=namespace, name=table)
    database = place.schema or "postgres"
    return Dataset(namespace=namespace, name=f"{database}.{schema or 'public'}.{table}")


def tables_read(sql: str, dialect: str) -> list[tuple[str | None, str]]:
    """The (schema, table) pairs a query reads, by OpenLineage's own SQL parser, sorted."""
    import openlineage_sql

    meta = openlineage_sql.parse([sql], dialect=dialect)
    return sorted({(t.schema, t.name) for t in meta.in_tables}, key=lambda t: (t[0] or "", t[1]))


def parser_dialect(place: ConnPlace) -> str:
    return "sqlite" if SQL_SCHEMES.get(place.conn_type) == "sqlite" else "postgres"
