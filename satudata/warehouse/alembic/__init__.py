"""Alembic's environment and revisions for the warehouse (run by satudata.warehouse.migrate)."""
