# syntax=docker/dockerfile:1
# The Satu Data image: the official Apache Airflow image plus this project's locked dependencies.
# Built by `docker compose build` (see docker-compose.yml and docs/deploy.md); every Airflow
# service (api-server, scheduler, dag-processor, triggerer, Celery workers) runs this one image.
#
# The Airflow version in FROM must equal `apache-airflow==` in requirements.lock, and the Python
# version the lowest the lock supports (requires-python, 3.11): tests/unit/test_compose.py checks both.

# The offline web assets of the reports (CSS/JS/fonts) ship in assets/vendor: no Node.js here.
FROM apache/airflow:3.3.2-python3.11

# Where the project lives in the container. `satudata` finds dbt_project/, expectations/ and
# assets/ next to its own folder (satudata/config.py REPO_ROOT), so the package is installed in
# editable mode from here, and docker-compose.yml mounts dags/, dbt_project/ and expectations/
# over the copies baked in below. landing/ (read-only), out/ and home/ are mounted too.
USER root
RUN install -d -o airflow -g 0 -m 0775 \
        /opt/satudata /opt/satudata/app /opt/satudata/landing /opt/satudata/out /opt/satudata/home
USER airflow

# The locked runtime dependencies (requirements.lock: [project.dependencies] of pyproject.toml; the
# test and lint tools of requirements-dev.lock stay out of the image), in pip's hash-checking mode: every
# file installed is the one the lock names. pip may not up- or downgrade the image's Airflow: the lock
# pins apache-airflow to the version of FROM (tests/unit/test_compose.py checks it), so the install keeps
# it. The image's constraints file (${HOME}/constraints.txt) is not applied: by its own header it is for
# installing Airflow, not the packages installed after it, and the lock already pins every package.
# The Celery executor and the FAB auth manager come with the image (its `celery` and `fab`
# extras); the check at the end of this file fails the build if the lock broke them.
COPY --chown=airflow:0 requirements.lock /opt/satudata/app/requirements.lock
RUN pip install --no-cache-dir --require-hashes -r /opt/satudata/app/requirements.lock

# The project itself, without dependencies (they are all in the lock).
COPY --chown=airflow:0 pyproject.toml /opt/satudata/app/pyproject.toml
COPY --chown=airflow:0 satudata /opt/satudata/app/satudata
RUN pip install --no-cache-dir --no-deps --editable /opt/satudata/app

COPY --chown=airflow:0 dbt_project /opt/satudata/app/dbt_project
COPY --chown=airflow:0 expectations /opt/satudata/app/expectations
COPY --chown=airflow:0 dags /opt/airflow/dags
COPY --chown=airflow:0 assets/package.json /opt/satudata/app/assets/package.json
COPY --chown=airflow:0 assets/vendor /opt/satudata/app/assets/vendor

# No telemetry from dbt, Great Expectations or Cosmos (docker-compose.yml sets them too).
ENV DBT_SEND_ANONYMOUS_USAGE_STATS=false \
    GX_ANALYTICS_ENABLED=False \
    AIRFLOW__COSMOS__ENABLE_TELEMETRY=False

# Fail the build, not the first run, when the lock broke what the deployment needs: the pipeline
# package, GX, the image's Celery executor and FAB auth manager, and `dbt` next to the Python
# that runs the tasks (satudata/transform.py calls it from there).
RUN python -c "import satudata.pipeline, great_expectations" \
    && python -c "import airflow.providers.celery.executors.celery_executor" \
    && python -c "import airflow.providers.fab.auth_manager.fab_auth_manager" \
    && python -c "import pathlib, sys; dbt = pathlib.Path(sys.executable).parent / 'dbt'; assert dbt.is_file(), dbt" \
    && airflow version
