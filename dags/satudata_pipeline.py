"""
### Satu Data pipeline

Takes what the OPD submitted in the landing folder to published open data:

`extract` each HTTP / SQL source of the source registry (mapped per source, so one failing OPD fails
alone) and `discover` the file drops -> `land` each file (content hash, immutable copy) -> `load` it
into `raw` with COPY, rejected rows to quarantine (both mapped per pemda; inside a batch each file
is handled on its own, so one bad file or OPD fails alone) -> `transform`: one `dbt build` (staging,
marts) -> `validate`: Great Expectations suites before publication -> `decide`: the gate and, per
publisher (satudata/publish/publishers.yaml), what publishing would change -> `ppid_approval`
(mapped per publisher): the publisher's PPID picks the ready datasets to publish and gives a reason
for those held back (Human-in-the-loop; only its approvers may answer; SATUDATA_AUTO_APPROVE=true
picks every ready dataset at once, for the demo and CI) -> `publish`: the chosen datasets get a new
version under published/<kode_pemda>/ -> `report`: `reports/run_summary.json`. `finish` fails the run when a dataset was
blocked or a file could not be loaded, after everything that could be published was.

Configuration comes from the environment (see `satudata/config.py`): SATUDATA_WAREHOUSE_URL,
SATUDATA_LANDING, SATUDATA_OUT, SATUDATA_HOME. The tasks only call the `satudata` package.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from airflow.providers.standard.operators.hitl import HITLOperator
from airflow.sdk import Asset, Param, dag, task

RAW = Asset("satudata://warehouse/raw")
MARTS = Asset("satudata://warehouse/marts")
VALIDATED = Asset("satudata://warehouse/validated")
PUBLISHED = Asset("satudata://published/catalog")


def _settings():
    from satudata.config import Settings

    return Settings.from_env()


def _connection(conn_id: str | None) -> dict | None:
    """An Airflow connection from wherever Airflow keeps it (Admin > Connections, `airflow connections add`,
    AIRFLOW_CONN_* variables, a secrets backend), as plain values for the package; None when undefined."""
    from airflow.sdk import Connection
    from airflow.sdk.exceptions import AirflowNotFoundException

    if not conn_id:
        return None
    try:
        return Connection.get(conn_id).to_dict(validate=False)
    except AirflowNotFoundException:
        return None


class PpidDecision(HITLOperator):
    """One publisher's PPID decision (mapped per publisher): which ready datasets to publish, a reason for
    those held back. Only the publisher's approvers may answer; the answer goes to
    audit.publication_approval (satudata/publish/approval.py)."""

    def __init__(self, *, kode_pemda: str, **kwargs):
        super().__init__(**kwargs)
        self.kode_pemda = kode_pemda

    def execute(self, context):
        from satudata.publish import approval

        if self.options == [approval.NOTHING_TO_CHOOSE]:  # nothing ready: nothing to ask
            return self._record(context, approval.auto_response(_settings_auto(), self.options))
        auto = approval.auto_response(_settings(), self.options)  # SATUDATA_AUTO_APPROVE=true: no wait
        return self.execute_complete(context, auto) if auto else super().execute(context)

    def execute_complete(self, context, event):
        result = super().execute_complete(context, event)  # checks the chosen options and the params
        self._record(context, event)
        return result

    def _record(self, context, event):
        from satudata.config import PUBLISHER
        from satudata.publish import approval

        ti = context["ti"]
        url = _settings().as_role(PUBLISHER).require_url()  # the stage's warehouse role (migration 005)
        approval.record(url, ti.xcom_pull(task_ids="start"), event, ti.run_id, self.kode_pemda)
        return {"kode_pemda": self.kode_pemda, "chosen_options": event["chosen_options"]}


def _settings_auto():
    from dataclasses import replace

    return replace(_settings(), auto_approve=True)


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

    @task
    def sources(pipeline_run: str) -> list[str]:
        from satudata import pipeline

        return pipeline.list_sources(_settings(), pipeline_run)

    @task(map_index_template="{{ source_id }}")
    def extract(source_id: str, pipeline_run: str) -> dict:
        from satudata import pipeline

        settings = _settings()
        connection = _connection(pipeline.source_connection(settings, source_id))
        return pipeline.extract(settings, pipeline_run, source_id, connection)

    @task(trigger_rule="all_done")  # a failed source fails alone: the others' files still land
    def extracted(pipeline_run: str) -> list[str]:
        from satudata import pipeline

        return pipeline.extracted_files(_settings(), pipeline_run)

    @task
    def batch(drops: list[str], pulled: list[str]) -> list[list[str]]:
        from satudata import pipeline

        return pipeline.batches(drops + pulled)

    @task(map_index_template="{{ relpaths[0].removeprefix('extracted:').split('/')[0] }}")
    def land(relpaths: list[str], pipeline_run: str) -> list[dict]:
        from satudata import pipeline

        return pipeline.land_batch(_settings(), pipeline_run, relpaths)

    # pool: at most SATUDATA_WAREHOUSE_LOAD_SLOTS loads into the warehouse at once, however many workers
    # (created by `satudata run`, `satudata airflow` and the compose service airflow-init)
    @task(
        map_index_template="{{ landed[0]['relpath'].removeprefix('extracted:').split('/')[0] }}",
        outlets=[RAW],
        pool="warehouse_load",
    )
    def load(landed: list[dict]) -> dict:
        from satudata import pipeline

        return pipeline.load_batch(_settings(), landed)

    @task(trigger_rule="all_done", outlets=[MARTS])
    def transform(pipeline_run: str) -> dict:
        from satudata import pipeline

        return pipeline.transform(_settings(), pipeline_run)

    @task(outlets=[VALIDATED])
    def validate(pipeline_run: str) -> dict:
        from satudata import pipeline

        return pipeline.validate(_settings(), pipeline_run)

    @task
    def decide(pipeline_run: str) -> list[dict]:
        from satudata import pipeline

        return pipeline.decide(_settings(), pipeline_run)

    # all_done: a publisher whose PPID did not answer in time keeps its datasets back ("PPID belum
    # menjawab"); the others publish
    @task(outlets=[PUBLISHED], trigger_rule="all_done")
    def publish(pipeline_run: str) -> dict:
        from satudata import pipeline

        return pipeline.publish(_settings(), pipeline_run, ckan=_connection("ckan_default"))

    @task(trigger_rule="all_done", retries=0)
    def report(pipeline_run: str) -> dict:
        from satudata import pipeline

        return pipeline.report(_settings(), pipeline_run)

    @task(retries=0)
    def finish(outcome: dict) -> None:
        if outcome["status"] != "success":
            raise RuntimeError(
                f"pipeline finished with status {outcome['status']}; blocked datasets: "
                f"{', '.join(outcome['blocked']) or 'none'}; failed sources: "
                f"{', '.join(outcome.get('sources_failed', [])) or 'none'} (see reports/run_summary.json)"
            )

    pipeline_run = start()
    pulls = extract.partial(pipeline_run=pipeline_run).expand(source_id=sources(pipeline_run))
    pulled = extracted(pipeline_run)
    pulls >> pulled
    landed = land.partial(pipeline_run=pipeline_run).expand(relpaths=batch(discover(), pulled))
    loaded = load.expand(landed=landed)
    built = transform(pipeline_run)
    loaded >> built
    checked = validate(pipeline_run)
    built >> checked
    requests = decide(pipeline_run)
    checked >> requests
    ppid = PpidDecision.partial(
        task_id="ppid_approval",
        multiple=True,
        params={
            "alasan_ditunda": Param(
                "",
                type="string",
                title="Alasan menunda",  # approval.HOLD_TITLE, named in the request's body
                description="Wajib bila ada dataset siap terbit yang tidak dipilih: mengapa ditunda.",
            )
        },
        response_timeout=timedelta(days=1),
        map_index_template="{{ task.kode_pemda }}",
    ).expand_kwargs(requests)
    published = publish(pipeline_run)
    ppid >> published
    outcome = report(pipeline_run)
    published >> outcome
    finish(outcome)


satudata_pipeline()
