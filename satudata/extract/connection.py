"""A connection (credentials) as plain values, what the HTTP / SQL extractors and the CKAN push use, and
SourceError.

Credentials live in Airflow connections, never in the registry. The package does not import Airflow:
the DAG's tasks resolve a connection through Airflow itself (`airflow.sdk.Connection.get`: the UI and
metadata database, `AIRFLOW_CONN_*` variables, a secrets backend) and hand it to the package as the
mapping of `Connection.to_dict()`, which :meth:`Connection.from_dict` takes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


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

    @classmethod
    def from_dict(cls, data: Connection | dict[str, Any], conn_id: str | None = None) -> Connection:
        """The mapping of Airflow's `Connection.to_dict()` (conn_id, conn_type, host, port, login, password,
        schema, extra) as a Connection; a Connection is returned as it is."""
        if isinstance(data, Connection):
            return data
        extra = data.get("extra") or {}
        if isinstance(extra, str):
            extra = json.loads(extra) if extra.strip() else {}
        port = data.get("port")
        return cls(
            conn_id or data.get("conn_id") or "",
            data.get("conn_type"),
            data.get("host"),
            int(port) if port else None,
            data.get("login"),
            data.get("password"),
            data.get("schema"),
            dict(extra),
        )


def require(conn_id: str, connections: dict[str, Connection | dict[str, Any]] | None) -> Connection:
    """The connection a source names, from those the task resolved through Airflow; a clear SourceError
    when Airflow does not know it."""
    found = (connections or {}).get(conn_id)
    if found is None:
        raise SourceError(
            f"koneksi Airflow {conn_id!r} tidak ditemukan (tambahkan di Admin > Connections, "
            f"`airflow connections add`, AIRFLOW_CONN_{conn_id.upper()} atau secrets backend) / "
            f"Airflow connection {conn_id!r} not found"
        )
    return Connection.from_dict(found, conn_id)
