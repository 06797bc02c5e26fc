"""One alembic revision per SQL file of satudata/warehouse/migrations, in file order, then revisions of their own."""
