"""Settings: one typed object, read from the environment in one place and passed down."""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

if TYPE_CHECKING:
    from satudata.extract.connection import Connection

REPO_ROOT = Path(__file__).resolve().parent.parent

# The warehouse roles of the stages (satudata/warehouse/migrations/005_roles.sql; docs/deploy.md, "Warehouse roles")
LOADER = "satudata_loader"  # sources, extract, land, load
TRANSFORMER = "satudata_transformer"  # transform (dbt build), validate
PUBLISHER = "satudata_publisher"  # ppid_approval, publish, report, revert
AUDITOR = "auditor"  # people (migration 002): read-only
_ROLE_OPTION = re.compile(r"\s*-c\s*role=(\S*)")


def with_role(url: str, role: str | None) -> str:
    """The warehouse URL whose sessions act as `role` (libpq option `-c role=...`: SET ROLE at connect,
    for every client of the URL: psycopg, SQLAlchemy/GX; dbt reads it back through DbParams).
    The connecting user must be a member of the role (migration 005 makes it one)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "options"]
    options = _ROLE_OPTION.sub("", dict(parse_qsl(parts.query)).get("options", "")).strip()
    if role:
        options = f"{options} -c role={role}".strip()
    if options:
        query.append(("options", options))
    return parts._replace(query=urlencode(query, quote_via=quote)).geturl()


def load_yaml(text: str) -> Any:
    """yaml.safe_load, with libyaml's parser when PyYAML was built with it (the same values, about ten times
    faster: the project's own YAML, the rule catalogue and export profiles, is read by every loading process)."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


_DBT_VARS: dict[tuple[int, int], dict[str, Any]] = {}  # (mtime_ns, size) of dbt_project.yml -> its vars


def dbt_vars() -> dict[str, Any]:
    """The `vars` of dbt_project.yml: rule parameters shared with the dbt models live there. Parsed once per
    version of the file (its modification time and size), not on every call: `Settings.from_env` reads it,
    and parsing the YAML costs tens of milliseconds, paid per file when a loader asked for settings per file."""
    path = REPO_ROOT / "dbt_project" / "dbt_project.yml"
    try:
        stat = path.stat()
    except FileNotFoundError:
        return {}
    key = (stat.st_mtime_ns, stat.st_size)
    if key not in _DBT_VARS:
        parsed = (load_yaml(path.read_text(encoding="utf-8")) or {}).get("vars") or {}
        _DBT_VARS.clear()
        _DBT_VARS[key] = parsed
    return copy.deepcopy(_DBT_VARS[key])  # a caller may change what it gets


def small_cell_threshold() -> int:
    """dbt var ambang_supresi of dbt_project.yml: the one declaration of the small-cell threshold."""
    return int(dbt_vars()["ambang_supresi"])


def role_of(url: str) -> str | None:
    """The role a URL made by `with_role` acts as, else None."""
    options = dict(parse_qsl(urlsplit(url).query)).get("options", "")
    found = _ROLE_OPTION.search(options)
    return (found.group(1) or None) if found else None


def redact_url(url: str | None) -> str:
    """A URL fit for logs and messages: the password replaced by `***`."""
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    return parts._replace(netloc=f"{parts.username or ''}:***@{netloc}").geturl()


LOADER_PATHS = ("auto", "blocks", "rows")


def loader_from_env(env: Mapping[str, str] | None = None) -> str:
    """SATUDATA_LOADER (see `Settings`), read alone: the loader asks for it per file, without the cost of
    building every setting."""
    value = (os.environ if env is None else env).get("SATUDATA_LOADER")
    path = (value or "").strip().lower() or "auto"
    if path not in LOADER_PATHS:
        raise ValueError(f"SATUDATA_LOADER must be auto, blocks or rows, not {value!r}")
    return path


@dataclass(frozen=True)
class Settings:
    """Everything the pipeline reads from the environment.

    SATUDATA_WAREHOUSE_URL   postgresql://user:pass@host:port/db; unset = embedded PostgreSQL
    SATUDATA_LANDING         file drops (default: the generated sample landing folder)
    SATUDATA_OUT             outputs (default ./out)
    SATUDATA_HOME            local state: embedded PostgreSQL data, Airflow home (default ./.satudata)
    SATUDATA_SAMPLE_SCALE    scale of the generated sample data (default kota)
    SATUDATA_AUTO_APPROVE    true = the PPID sign-off before publishing approves itself (demo, CI; default false)
    SATUDATA_REGISTRY        the source registry (default: <landing>/registry.yaml when present)
    SATUDATA_LOCK_TIMEOUT    seconds a run waits for another run's load or publication (default 1800)
    SATUDATA_PUBLISHERS      the publishers config (default satudata/publish/publishers.yaml; docs/publishers.md)
    SATUDATA_TODAY           the pipeline's clock, an ISO date (default: the real date); tests set it to run
                             the same inputs on two different days
    SATUDATA_LOADER          auto (default): a CSV file of at least blocks.FROM_BYTES that the block path can
                             prove it reads exactly is read in pyarrow blocks (satudata/load/blocks.py), the
                             rest row by row; blocks: every such CSV file in blocks, whatever its size; rows:
                             every file row by row. The same output (tests/integration/test_loader_parity.py)
    SATUDATA_LOAD_PROCESSES  processes loading a `load` task's files side by side (default half the cores,
                             at most 4: 1 on 2 cores),
                             for a task of SATUDATA_LOAD_LANES_FROM files or more (default 200); read by
                             satudata/load/lanes.py when a batch loads
    """

    warehouse_url: str | None = field(repr=False)  # may hold a password: never in a repr, log or message
    landing: Path
    out: Path
    home: Path
    sample_scale: str = "kota"
    # the small-cell threshold of person-based published counts: dbt var ambang_supresi (dbt_project.yml),
    # declared there only and read by the models too; not an environment setting
    small_cell: int = field(default_factory=lambda: small_cell_threshold())
    auto_approve: bool = False
    # the Airflow connection `ckan_default` as plain values, resolved through Airflow by the publish task
    # (UI, AIRFLOW_CONN_CKAN_DEFAULT, a secrets backend); None: no CKAN push. Never read from the environment here.
    ckan_connection: Connection | None = None
    repo_root: Path = REPO_ROOT
    registry: Path | None = None
    lock_timeout: float = 1800.0
    today_override: date | None = None
    loader: str = "blocks"
    publishers_file: Path | None = None
    # one publisher's view of the outputs (published/<kode_pemda>/); None: the root of every publisher
    publisher: str | None = None

    def today(self) -> date:
        """The pipeline's clock (SATUDATA_TODAY, else the real date)."""
        return self.today_override or date.today()

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
            auto_approve=(env.get("SATUDATA_AUTO_APPROVE") or "").strip().lower() in ("1", "true", "yes"),
            registry=Path(env["SATUDATA_REGISTRY"]).resolve() if env.get("SATUDATA_REGISTRY") else None,
            lock_timeout=float(env.get("SATUDATA_LOCK_TIMEOUT") or 1800),
            today_override=date.fromisoformat(env["SATUDATA_TODAY"]) if env.get("SATUDATA_TODAY") else None,
            loader=loader_from_env(env),
            publishers_file=Path(env["SATUDATA_PUBLISHERS"]).resolve() if env.get("SATUDATA_PUBLISHERS") else None,
        )

    @property
    def dbt_dir(self) -> Path:
        return self.repo_root / "dbt_project"

    @property
    def published(self) -> Path:
        """The published outputs: of one publisher (published/<kode_pemda>/) when `publisher` is set."""
        return self.published_root / self.publisher if self.publisher else self.published_root

    @property
    def published_root(self) -> Path:
        return self.out / "published"

    def for_publisher(self, kode_pemda: str) -> Settings:
        return replace(self, publisher=kode_pemda)

    @property
    def reports(self) -> Path:
        return self.out / "reports"

    def as_role(self, role: str) -> Settings:
        """These settings for one stage: its warehouse sessions act as `role` (LOADER, TRANSFORMER, ...)."""
        return replace(self, warehouse_url=with_role(self.warehouse_url, role)) if self.warehouse_url else self

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
    role: str | None = None

    @classmethod
    def from_url(cls, url: str) -> DbParams:
        u = urlsplit(url)
        if not u.hostname:
            raise ValueError(f"warehouse URL must name a host (TCP), got {redact_url(url)!r}")
        return cls(
            host=u.hostname,
            port=u.port or 5432,
            user=unquote(u.username or "postgres"),
            password=unquote(u.password or ""),
            dbname=(u.path or "/postgres").lstrip("/") or "postgres",
            role=role_of(url),
        )

    def dbt_env(self) -> dict[str, str]:
        return {
            "SATUDATA_DB_HOST": self.host,
            "SATUDATA_DB_PORT": str(self.port),
            "SATUDATA_DB_USER": self.user,
            "SATUDATA_DB_PASSWORD": self.password,
            "SATUDATA_DB_NAME": self.dbname,
            "SATUDATA_DB_ROLE": self.role or "",  # dbt: `set role` on every connection (profiles.yml)
        }
