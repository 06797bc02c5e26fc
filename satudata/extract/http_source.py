"""Pull an HTTP API source (SIPD / SIMPEG-like JSON, paginated, bearer token) completely, or fail.

The shape expected (`pagination: page`, the default)::

    GET <url>?<params>&page=1&per_page=100        Authorization: Bearer <token>
    {"data": [{...}, ...], "meta": {"page": 1, "per_page": 100, "total": 1234}}

Pages 1 .. ceil(total / per_page) are fetched (`meta.per_page` wins when the server caps it).
`pagination: next` follows `links.next` (or `meta.next`, or top-level `next`) until it is null;
`meta.total`, when given, is then checked too. Each record is a flat JSON object; a registry
`fields` entry maps a canonical column to another field name (`a.b` reaches into nested objects).

A pull is all or nothing. These are errors (SourceError), never a short success:
- a page shorter than `per_page` before the last one, fewer or more records than `meta.total`,
  `meta.total` changing between pages, a page number that is not the one asked for;
- a body that is not JSON, or has no `data` list of objects;
- an HTTP error, or no answer within `timeout` seconds, after the retries.
429 and 5xx answers, timeouts and dropped connections are retried with exponential backoff
(0.5 s, 1 s, 2 s, ... capped at `max_wait`), honouring `Retry-After` (seconds or an HTTP date).
A redirect to another host is refused, so the token is only ever sent where the registry says.
"""

from __future__ import annotations

import json
import logging
import math
import socket
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from http.client import HTTPException
from typing import Any
from urllib.error import HTTPError, URLError
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit
from urllib.request import HTTPRedirectHandler, Request, build_opener

from satudata.extract.connection import SourceError
from satudata.extract.registry import HttpLocation

log = logging.getLogger(__name__)

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_BODY = 256 * 1024 * 1024  # one page larger than this is refused
MAX_PAGES = 100_000


class _SameHostRedirect(HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).netloc != urlsplit(req.full_url).netloc:
            raise SourceError(
                f"API mengalihkan ke host lain ({urlsplit(newurl).netloc}), ditolak / "
                f"the API redirected to another host ({urlsplit(newurl).netloc}): refused"
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


_opener = build_opener(_SameHostRedirect)


def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def with_query(url: str, params: dict[str, Any]) -> str:
    parts = urlsplit(url)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *((k, str(v)) for k, v in params.items())]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _describe(url: str) -> str:
    """The URL without its query (which may carry identifiers), for messages."""
    return urlunsplit(urlsplit(url)._replace(query=""))


class HttpClient:
    """GET JSON with timeouts and retries. `sleep` is injectable so tests do not wait."""

    def __init__(
        self,
        token: str | None,
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 0.5,
        max_wait: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.token, self.timeout, self.retries = token, timeout, retries
        self.backoff, self.max_wait, self.sleep = backoff, max_wait, sleep
        self.requests = 0

    def get_json(self, url: str) -> Any:
        headers = {"Accept": "application/json", "User-Agent": "satudata-extract/1"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            wait = min(self.backoff * 2**attempt, self.max_wait)
            self.requests += 1
            try:
                with _opener.open(Request(url, headers=headers), timeout=self.timeout) as resp:
                    raw = resp.read(MAX_BODY + 1)
            except HTTPError as e:
                e.close()
                if e.code in RETRY_STATUS and not last:
                    wait = min(retry_after(e.headers.get("Retry-After")) or wait, self.max_wait)
                    log.warning("%s: HTTP %s, retrying in %.1f s", _describe(url), e.code, wait)
                    self.sleep(wait)
                    continue
                hint = " (token ditolak / token refused)" if e.code in (401, 403) else ""
                raise SourceError(
                    f"API menjawab HTTP {e.code}{hint} untuk {_describe(url)} setelah "
                    f"{attempt + 1} percobaan / the API answered HTTP {e.code}{hint} after "
                    f"{attempt + 1} attempt(s)"
                ) from None
            except (TimeoutError, URLError, OSError, HTTPException) as e:
                timed_out = isinstance(e, TimeoutError | socket.timeout) or "timed out" in str(e)
                if not last:
                    log.warning("%s: %s, retrying in %.1f s", _describe(url), e, wait)
                    self.sleep(wait)
                    continue
                if timed_out:
                    raise SourceError(
                        f"API tidak menjawab dalam {self.timeout:g} detik ({_describe(url)}, "
                        f"{attempt + 1} percobaan) / the API did not answer within "
                        f"{self.timeout:g} s ({attempt + 1} attempts)"
                    ) from None
                raise SourceError(
                    f"API tidak dapat dihubungi ({_describe(url)}): {e} / the API cannot be "
                    f"reached ({attempt + 1} attempts)"
                ) from None
            if len(raw) > MAX_BODY:
                raise SourceError(
                    f"halaman lebih dari {MAX_BODY >> 20} MiB / a page is larger than "
                    f"{MAX_BODY >> 20} MiB ({_describe(url)})"
                )
            try:
                return json.loads(raw, parse_float=Decimal)
            except ValueError as e:
                raise SourceError(
                    f"API mengirim JSON yang tidak sah ({_describe(url)}): {e} / the API sent malformed JSON"
                ) from None
        raise AssertionError("unreachable")  # pragma: no cover


def _records(body: Any, url: str, where: str) -> list[dict]:
    data = body.get("data") if isinstance(body, dict) else None
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise SourceError(
            f"{where}: jawaban API tidak berisi daftar `data` berupa objek ({_describe(url)}) / "
            f"the answer has no `data` list of objects"
        )
    return data


def _int(meta: dict, key: str) -> int | None:
    value = meta.get(key)
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal) and value == int(value) and value >= 0:
        return int(value)
    return None


def _short(where_id: str, where_en: str, got: int, expected: int) -> SourceError:
    return SourceError(
        f"{where_id} hanya berisi {got} baris, seharusnya {expected}: penarikan tidak lengkap / "
        f"{where_en} has {got} records where {expected} were due: incomplete pull"
    )


def _pages_by_number(client: HttpClient, loc: HttpLocation) -> Iterator[dict]:
    base = with_query(loc.url, dict(loc.params))
    per_page, total, seen, page = loc.per_page, None, 0, 1
    while True:
        url = with_query(base, {"page": page, "per_page": loc.per_page})
        body = client.get_json(url)
        data = _records(body, url, f"halaman {page} / page {page}")
        meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
        page_total = _int(meta, "total")
        if page_total is None:
            raise SourceError(
                f"halaman {page}: meta.total tidak ada, kelengkapan tidak dapat diperiksa / page "
                f"{page}: no meta.total, completeness cannot be checked ({_describe(url)})"
            )
        if total is None:
            total, per_page = page_total, _int(meta, "per_page") or loc.per_page
        elif page_total != total:
            raise SourceError(
                f"meta.total berubah dari {total} menjadi {page_total} selama penarikan / "
                f"meta.total changed from {total} to {page_total} during the pull"
            )
        if meta.get("page") is not None and _int(meta, "page") != page:
            raise SourceError(
                f"diminta halaman {page}, API mengirim halaman {meta.get('page')} / asked for page "
                f"{page}, got page {meta.get('page')}"
            )
        last_page = max(1, math.ceil(total / per_page)) if per_page else 1
        due = per_page if page < last_page else total - per_page * (last_page - 1)
        if len(data) < due:
            raise _short(f"halaman {page} dari {last_page}", f"page {page} of {last_page}", len(data), due)
        if len(data) > due:
            raise SourceError(
                f"halaman {page} berisi {len(data)} baris, lebih dari {due} / page {page} has "
                f"{len(data)} records, more than {due}"
            )
        yield from data
        seen += len(data)
        if page >= last_page:
            break
        page += 1
    if seen != total:  # pragma: no cover - guarded per page above
        raise _short("penarikan ini", "the pull", seen, total)


def _next_link(body: dict) -> str | None:
    for holder in (body.get("links"), body.get("meta"), body):
        if isinstance(holder, dict) and isinstance(holder.get("next"), str) and holder["next"]:
            return holder["next"]
    return None


def _pages_by_link(client: HttpClient, loc: HttpLocation) -> Iterator[dict]:
    url: str | None = with_query(loc.url, {**dict(loc.params), "per_page": loc.per_page})
    origin = urlsplit(loc.url).netloc
    total = None
    seen = page = 0
    visited: set[str] = set()
    pending_short: int | None = None
    while url:
        page += 1
        if url in visited or page > MAX_PAGES:
            raise SourceError(f"links.next berputar ke {_describe(url)} / links.next loops")
        visited.add(url)
        body = client.get_json(url)
        data = _records(body, url, f"halaman {page} / page {page}")
        meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
        page_total, per_page = _int(meta, "total"), _int(meta, "per_page")
        if total is not None and page_total is not None and page_total != total:
            raise SourceError(
                f"meta.total berubah dari {total} menjadi {page_total} selama penarikan / "
                f"meta.total changed from {total} to {page_total} during the pull"
            )
        total = total if total is not None else page_total
        if pending_short is not None:  # the previous page was short, yet another page followed
            raise _short(f"halaman {page - 1}", f"page {page - 1}", pending_short, per_page or loc.per_page)
        if per_page and len(data) < per_page:
            pending_short = len(data)
        yield from data
        seen += len(data)
        nxt = _next_link(body)
        url = urljoin(url, nxt) if nxt else None
        if url and urlsplit(url).netloc != origin:
            raise SourceError(
                f"links.next menunjuk host lain ({urlsplit(url).netloc}), ditolak / links.next "
                "points to another host: refused"
            )
    if total is not None and seen != total:
        raise _short("penarikan ini", "the pull", seen, total)


def field_value(record: dict, path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def fetch_records(loc: HttpLocation, token: str | None, client: HttpClient | None = None) -> Iterator[dict]:
    """Every record of the source, page by page; raises SourceError as soon as the pull is known to be
    incomplete (the caller discards what it wrote)."""
    client = client or HttpClient(token, timeout=loc.timeout)
    started = datetime.now(UTC)
    pages = _pages_by_number if loc.pagination == "page" else _pages_by_link
    count = 0
    for record in pages(client, loc):
        count += 1
        yield record
    log.info(
        "%s: %d records in %d requests (%.1f s)",
        _describe(loc.url),
        count,
        client.requests,
        (datetime.now(UTC) - started).total_seconds(),
    )
