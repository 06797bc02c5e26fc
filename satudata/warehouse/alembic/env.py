"""Alembic's environment for the warehouse. `satudata.warehouse.migrate(url)` and `downgrade(url, rev)`
run it on their own connection (`config.attributes["connection"]`), inside their transaction and under
the migration lock: there is no alembic.ini or URL of its own to run it by hand with."""

from alembic import context

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "jalankan migrasi gudang data dengan `satudata.warehouse.migrate(url)` / "
        "run the warehouse migrations through satudata.warehouse.migrate(url), not the alembic command"
    )
# the version table lives with the rest of the warehouse's own bookkeeping (audit.schema_state)
connection.exec_driver_sql("create schema if not exists audit")
context.configure(connection=connection, version_table_schema="audit", transactional_ddl=True)
with context.begin_transaction():
    context.run_migrations()
