"""Airflow's metadata database made ready, inside an Airflow process (it imports Airflow).

`python -m satudata.airflow_metadata [AIRFLOW COMMAND ...]`, in the environment of
satudata.airflow_local (AIRFLOW_HOME, the metadata database, SATUDATA_WAREHOUSE_LOAD_SLOTS):

1. `airflow db migrate`, only when the database is not at the head revision of the installed Airflow
   (and of the database managers of its providers): the check of `airflow db check-migrations`
   (airflow.utils.db.check_migrations). A migrated database only gets the default pool and the log
   template Airflow keeps beside the migration (what `db migrate` adds after migrating);
2. the pool `warehouse_load` (the `load` task's) with SATUDATA_WAREHOUSE_LOAD_SLOTS slots, written only
   when missing or different (as `airflow pools set` would);
3. then the Airflow command given, if any (`dags test satudata_pipeline`), in the same process: each
   start of Airflow costs seconds (imports, providers, configuration).

Exit code: PREPARE_FAILED when 1 or 2 failed (the command is not run), else the command's.
"""

from __future__ import annotations

import logging
import os
import sys
import traceback

log = logging.getLogger("satudata.airflow_metadata")

POOL = "warehouse_load"
POOL_DESCRIPTION = "Concurrent loads into the warehouse (docs/deploy.md, Pools)"
PREPARE_FAILED = 3


def pool_slots(env: dict[str, str] | None = None) -> int:
    return int((env or os.environ).get("SATUDATA_WAREHOUSE_LOAD_SLOTS") or 4)


def at_head() -> bool:
    """True when the metadata database is at the head revision(s) of the installed Airflow's migrations
    and every external database manager's (`airflow db check-migrations --migration-wait-timeout 1`)."""
    from airflow.utils import db
    from airflow.utils.providers_configuration_loader import providers_configuration_loaded

    try:
        providers_configuration_loaded(db.check_migrations)(timeout=1)
    except TimeoutError:
        return False
    return True


def migrate_if_needed() -> bool:
    """`airflow db migrate` unless the database is at the head revision. Returns True when it migrated."""
    from airflow.utils import db

    if at_head():
        db.add_default_pool_if_not_exists()
        db.synchronize_log_template()
        print("Airflow's metadata database is at the head revision: no migration (airflow db check-migrations)")
        return False
    _airflow(["db", "migrate"])
    return True


def ensure_pool(name: str = POOL, slots: int | None = None, description: str = POOL_DESCRIPTION) -> bool:
    """The pool with these slots and description (`airflow pools set`), written only when missing or
    different. Returns True when it wrote it."""
    from airflow.models.pool import Pool

    slots = pool_slots() if slots is None else slots
    pool = Pool.get_pool(name)
    if pool is not None and (pool.slots, pool.description, pool.include_deferred) == (slots, description, False):
        print(f"Pool {name} unchanged ({slots} slots)")
        return False
    Pool.create_or_update_pool(name=name, slots=slots, description=description, include_deferred=False)
    print(f"Pool {name} {'created' if pool is None else 'updated'} ({slots} slots)")
    return True


def _airflow(argv: list[str]) -> None:
    """One Airflow CLI command in this process, as the `airflow` executable runs it."""
    from airflow.__main__ import main

    sys.argv = ["airflow", *argv]
    main()


def prepare() -> int:
    """Steps 1 and 2; 0 when done, PREPARE_FAILED (with the traceback on stderr) when not."""
    try:
        from airflow.configuration import write_default_airflow_configuration_if_needed

        write_default_airflow_configuration_if_needed()  # as the `airflow` executable does before a command
        migrate_if_needed()
        ensure_pool()
    except SystemExit as e:  # a CLI command's exit
        if e.code not in (None, 0):
            print(f"airflow db migrate failed (exit {e.code})", file=sys.stderr)
            return PREPARE_FAILED
    except Exception:  # noqa: BLE001 - reported with its traceback, then the exit code says so
        traceback.print_exc()
        return PREPARE_FAILED
    sys.stdout.flush()
    return 0


def main(argv: list[str]) -> int:
    if code := prepare():
        return code
    if argv:
        _airflow(argv)  # its SystemExit (e.g. "DagRun failed") ends the process as the `airflow` executable's
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
