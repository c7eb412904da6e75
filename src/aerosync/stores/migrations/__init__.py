"""The aerosync database's migrations, run by Alembic through `aerosync.stores.migrate`.

`versions/` holds one revision per schema change, `baseline/` the DDL of the first revision (the
schema AeroSync 0.1.0 made), `env.py` the environment Alembic runs them in. A new revision:
`alembic -c <an ini with script_location = src/aerosync/stores/migrations> revision -m "..."`,
or copy the last one; then set `HEAD` in `aerosync.stores.schema_version`.
"""
