"""The Celery scale test (tests/scale/test_celery.py) runs Airflow with the settings of docker-compose.yml:
the same executor, broker, result backend and worker concurrency variables, each built the same way once
compose's service names are this machine's addresses. The compose file is read here, not copied."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import yaml

from tests.scale import cluster
from tests.unit.test_compose import COMPOSE, interpolate

# What a deployment's .env would hold (any values: they only have to come out the same on both sides)
DOT_ENV = {
    "AIRFLOW_DB_PASSWORD": "rahasia",
    "REDIS_PASSWORD": "redis-secret",
    "AIRFLOW_WORKER_CONCURRENCY": str(cluster.WORKER_CONCURRENCY),
}
REDIS_PORT, PG_PORT = 16379, 15432
# compose service -> (host, port) on this machine
HOSTS = {"redis": ("127.0.0.1", REDIS_PORT), "postgres": ("127.0.0.1", PG_PORT)}
DEFAULT_PORTS = {"redis": 6379, "postgres": 5432}


def on_this_machine(value: str) -> str:
    """A compose URL with its service host (redis, postgres) replaced by this machine's address and port."""
    parts = urlsplit(value)
    if parts.hostname not in HOSTS:
        return value
    assert (parts.port or DEFAULT_PORTS[parts.hostname]) == DEFAULT_PORTS[parts.hostname], value
    host, port = HOSTS[parts.hostname]
    userinfo = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    return parts._replace(netloc=f"{userinfo}{host}:{port}").geturl()


@pytest.fixture(scope="module")
def compose_env() -> dict[str, str]:
    """x-airflow-common's environment as a deployment with DOT_ENV sees it (only what DOT_ENV can resolve)."""
    env = yaml.safe_load(COMPOSE.read_text())["x-airflow-common"]["environment"]
    resolved = {}
    for key, value in env.items():
        try:
            resolved[key] = on_this_machine(interpolate(str(value), DOT_ENV))
        except KeyError:  # a secret the Celery settings do not use (Fernet key, JWT secret, ...)
            continue
    return resolved


@pytest.fixture(scope="module")
def scale_test_env() -> dict[str, str]:
    metadata = cluster.metadata_url(f"postgresql://airflow:rahasia@127.0.0.1:{PG_PORT}/postgres", "airflow")
    return cluster.celery_settings(
        redis_host="127.0.0.1",
        redis_port=REDIS_PORT,
        redis_password=DOT_ENV["REDIS_PASSWORD"],
        metadata_url=metadata,
        concurrency=cluster.WORKER_CONCURRENCY,
    )


def test_the_scale_test_sets_every_celery_setting_compose_sets(compose_env, scale_test_env):
    celery_keys = {k for k in compose_env if k.startswith("AIRFLOW__CELERY__")} | {"AIRFLOW__CORE__EXECUTOR"}
    assert compose_env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert len(celery_keys) >= 4, celery_keys  # broker, result backend, concurrency, executor
    assert set(scale_test_env) == celery_keys


@pytest.mark.parametrize(
    "key",
    [
        "AIRFLOW__CORE__EXECUTOR",
        "AIRFLOW__CELERY__BROKER_URL",
        "AIRFLOW__CELERY__RESULT_BACKEND",
        "AIRFLOW__CELERY__WORKER_CONCURRENCY",
    ],
)
def test_each_celery_setting_is_built_as_compose_builds_it(compose_env, scale_test_env, key):
    assert scale_test_env[key] == compose_env[key]


def test_the_metadata_database_is_reached_with_compose_driver(compose_env):
    compose_conn = compose_env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
    ours = cluster.metadata_url(f"postgresql://airflow:rahasia@127.0.0.1:{PG_PORT}/postgres", "airflow")
    assert ours == compose_conn
    # and the result backend is that same database
    assert urlsplit(compose_env["AIRFLOW__CELERY__RESULT_BACKEND"]).path == urlsplit(compose_conn).path
