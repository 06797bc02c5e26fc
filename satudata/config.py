"""Settings: one typed object, read from the environment in one place and passed down."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Everything the pipeline reads from the environment.

    SATUDATA_WAREHOUSE_URL   postgresql://user:pass@host:port/db; unset = embedded PostgreSQL
    SATUDATA_LANDING         file drops (default: the generated sample landing folder)
    SATUDATA_OUT             outputs (default ./out)
    SATUDATA_HOME            local state: embedded PostgreSQL data, Airflow home (default ./.satudata)
    SATUDATA_SAMPLE_SCALE    scale of the generated sample data (default kota)
    SATUDATA_SMALL_CELL      suppression threshold for person-based counts (default 5)
    SATUDATA_AUTO_APPROVE    true = the PPID sign-off before publishing approves itself (demo, CI; default false)
    AIRFLOW_CONN_CKAN_DEFAULT  the Airflow connection `ckan_default` (JSON or URI): also publish to CKAN
    SATUDATA_REGISTRY        the source registry (default: <landing>/registry.yaml when present)
    """

    warehouse_url: str | None
    landing: Path
    out: Path
    home: Path
    sample_scale: str = "kota"
    small_cell: int = 5
    auto_approve: bool = False
    ckan_connection: str | None = None
    repo_root: Path = REPO_ROOT
    registry: Path | None = None

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        home = Path(env.get("SATUDATA_HOME") or REPO_ROOT / ".satudata").resolve()
        return cls(
            warehouse_url=env.get("SATUDATA_WAREHOUSE_URL") or None,
            landing=Path(env.get("SATUDATA_LANDING") or REPO_ROOT / "sample_data" / "landing").resolve(),
            out=Path(env.get("SATUDATA_OUT") or REPO_ROOT / "out").resolve(),
            home=home,
            sample_scale=env.get("SATUDATA_SAMPLE_SCALE") or "kota",
            small_cell=int(env.get("SATUDATA_SMALL_CELL") or 5),
            auto_approve=(env.get("SATUDATA_AUTO_APPROVE") or "").strip().lower() in ("1", "true", "yes"),
            ckan_connection=env.get("AIRFLOW_CONN_CKAN_DEFAULT") or None,
            registry=Path(env["SATUDATA_REGISTRY"]).resolve() if env.get("SATUDATA_REGISTRY") else None,
        )

    @property
    def dbt_dir(self) -> Path:
        return self.repo_root / "dbt_project"

    @property
    def published(self) -> Path:
        return self.out / "published"

    @property
    def reports(self) -> Path:
        return self.out / "reports"

    def require_url(self) -> str:
        if not self.warehouse_url:
            raise RuntimeError(
                "SATUDATA_WAREHOUSE_URL is not set: start the warehouse with `satudata warehouse start` "
                "or run the pipeline with `satudata run`, which starts the embedded PostgreSQL."
            )
        return self.warehouse_url


@dataclass(frozen=True)
class DbParams:
    host: str
    port: int
    user: str
    password: str
    dbname: str

    @classmethod
    def from_url(cls, url: str) -> DbParams:
        u = urlsplit(url)
        if not u.hostname:
            raise ValueError(f"warehouse URL must name a host (TCP), got {url!r}")
        return cls(
            host=u.hostname,
            port=u.port or 5432,
            user=unquote(u.username or "postgres"),
            password=unquote(u.password or ""),
            dbname=(u.path or "/postgres").lstrip("/") or "postgres",
        )

    def dbt_env(self) -> dict[str, str]:
        return {
            "SATUDATA_DB_HOST": self.host,
            "SATUDATA_DB_PORT": str(self.port),
            "SATUDATA_DB_USER": self.user,
            "SATUDATA_DB_PASSWORD": self.password,
            "SATUDATA_DB_NAME": self.dbname,
        }
