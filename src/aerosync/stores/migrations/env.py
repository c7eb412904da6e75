"""Alembic's environment for the aerosync database.

Run only through `aerosync.stores.migrate`, on the connection it hands over (already inside its
transaction and holding its lock), with AeroSync's own version table: pointed at Airflow's
metadata database, it never reads or moves Airflow's `alembic_version`.
"""

from alembic import context

from aerosync.stores.schema_version import VERSION_TABLE

context.configure(
    connection=context.config.attributes["connection"],
    version_table=VERSION_TABLE,
    target_metadata=None,
)
with context.begin_transaction():
    context.run_migrations()
