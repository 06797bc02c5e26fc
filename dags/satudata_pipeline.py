"""
### Satu Data pipeline

Takes what the OPD submitted in the landing folder to published open data:

`discover` the file drops -> `land` each file (content hash, immutable copy; mapped per file) ->
`load` it into `raw` with COPY, rejected rows to quarantine (mapped per file, so one bad file
fails alone) -> `transform`: one `dbt build` (staging, marts) -> `validate`: Great Expectations
suites before publication -> `publish`: the gate decides per dataset, passing ones get a new
version -> `report`: `reports/run_summary.json`. `finish` fails the run when a dataset was
blocked or a file could not be loaded, after everything that could be published was.

Configuration comes from the environment (see `satudata/config.py`): SATUDATA_WAREHOUSE_URL,
SATUDATA_LANDING, SATUDATA_OUT, SATUDATA_HOME. The tasks only call the `satudata` package.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.sdk import Asset, dag, task

RAW = Asset("satudata://warehouse/raw")
MARTS = Asset("satudata://warehouse/marts")
VALIDATED = Asset("satudata://warehouse/validated")
PUBLISHED = Asset("satudata://published/catalog")


def _settings():
    from satudata.config import Settings

    return Settings.from_env()


@dag(
    dag_id="satudata_pipeline",
    schedule="@daily",
    start_date=datetime(2024, 1, 1, tzinfo=UTC),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 2, "retry_delay": timedelta(seconds=10)},
    tags=["satudata", "ingest", "transform", "validate", "publish"],
    doc_md=__doc__,
)
def satudata_pipeline():
    @task
    def start(run_id=None) -> str:
        from satudata import pipeline

        return pipeline.start(_settings(), run_id)

    @task
    def discover() -> list[str]:
        from satudata import pipeline

        return pipeline.discover_files(_settings())

    @task(map_index_template="{{ relpath }}")
    def land(relpath: str, pipeline_run: str) -> dict:
        from satudata import pipeline

        return pipeline.land(_settings(), pipeline_run, relpath)

    @task(map_index_template="{{ landed['relpath'] }}", outlets=[RAW])
    def load(landed: dict) -> dict:
        from satudata import pipeline

        return pipeline.load(_settings(), landed)

    @task(trigger_rule="all_done", outlets=[MARTS])
    def transform(pipeline_run: str) -> dict:
        from satudata import pipeline

        return pipeline.transform(_settings(), pipeline_run)

    @task(outlets=[VALIDATED])
    def validate(pipeline_run: str) -> dict:
        from satudata import pipeline

        return pipeline.validate(_settings(), pipeline_run)

    @task(outlets=[PUBLISHED])
    def publish(pipeline_run: str) -> dict:
        from satudata import pipeline

        return pipeline.gate_and_publish(_settings(), pipeline_run)

    @task(trigger_rule="all_done", retries=0)
    def report(pipeline_run: str) -> dict:
        from satudata import pipeline

        return pipeline.report(_settings(), pipeline_run)

    @task(retries=0)
    def finish(outcome: dict) -> None:
        if outcome["status"] != "success":
            raise RuntimeError(
                f"pipeline finished with status {outcome['status']}; blocked datasets: "
                f"{', '.join(outcome['blocked']) or 'none'} (see reports/run_summary.json)"
            )

    pipeline_run = start()
    landed = land.partial(pipeline_run=pipeline_run).expand(relpath=discover())
    loaded = load.expand(landed=landed)
    built = transform(pipeline_run)
    loaded >> built
    checked = validate(pipeline_run)
    built >> checked
    published = publish(pipeline_run)
    checked >> published
    outcome = report(pipeline_run)
    published >> outcome
    finish(outcome)


satudata_pipeline()
