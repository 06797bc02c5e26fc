"""What the HTTP and SQL extractors share: the connection (credentials) of a source, and SourceError.

Credentials live in Airflow connections, never in the registry. The package does not import
Airflow: it reads `AIRFLOW_CONN_<CONN_ID>` from the environment, which is also how Airflow hands
connections to tasks (secrets backends included), in either of Airflow's two forms:

    AIRFLOW_CONN_SIMPEG_METRO='{"conn_type": "http", "host": "simpeg.example.go.id", "password": "<token>"}'
    AIRFLOW_CONN_SICANTIK_METRO='postgres://reader:secret@10.0.0.5:5432/sicantik'
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit


class SourceError(Exception):
    """A source could not be extracted completely. `reason` (Bahasa Indonesia / English) is what the
    per-source status shows; nothing of the source is landed."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Connection:
    conn_id: str
    conn_type: str | None = None
    host: str | None = None
    port: int | None = None
    login: str | None = None
    password: str | None = field(default=None, repr=False)
    schema: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def token(self) -> str | None:
        """A bearer token: `extra.token` if given, else the password."""
        return self.extra.get("token") or self.password


def connection_from_env(conn_id: str, env: dict[str, str] | None = None) -> Connection:
    """The Airflow connection `conn_id` from `AIRFLOW_CONN_<CONN_ID>` (JSON or URI)."""
    var = f"AIRFLOW_CONN_{conn_id.upper()}"
    value = (os.environ if env is None else env).get(var)
    if not value:
        raise SourceError(
            f"koneksi {conn_id!r} tidak ditemukan ({var} tidak diisi) / "
            f"connection {conn_id!r} not found ({var} is not set)"
        )
    if value.lstrip().startswith("{"):
        try:
            data = json.loads(value)
            extra = data.get("extra") or {}
            extra = json.loads(extra) if isinstance(extra, str) else dict(extra)
            port = data.get("port")
            return Connection(
                conn_id,
                data.get("conn_type"),
                data.get("host"),
                int(port) if port else None,
                data.get("login"),
                data.get("password"),
                data.get("schema"),
                extra,
            )
        except (ValueError, TypeError, AttributeError) as e:
            raise SourceError(
                f"{var} bukan JSON koneksi Airflow yang sah / is not a valid Airflow connection "
                f"JSON: {type(e).__name__}"
            ) from None
    try:
        u = urlsplit(value)
        port = u.port
    except ValueError:
        raise SourceError(f"{var} bukan URI koneksi Airflow yang sah / is not a valid Airflow connection URI") from None
    extra = dict(parse_qsl(u.query))
    if "__extra__" in extra:
        extra = json.loads(extra["__extra__"])
    return Connection(
        conn_id,
        u.scheme.replace("-", "_") or None,
        unquote(u.hostname or "") or None,
        port,
        unquote(u.username) if u.username else None,
        unquote(u.password) if u.password else None,
        unquote(u.path.lstrip("/")) or None,
        extra,
    )
