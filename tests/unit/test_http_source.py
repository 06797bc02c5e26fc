"""The HTTP extractor against a real HTTP server on 127.0.0.1 (started and stopped here) that misbehaves
on purpose: an incomplete pull is an error, never a short success."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from satudata.extract.connection import Connection, SourceError, require
from satudata.extract.http_source import HttpClient, fetch_records, retry_after
from satudata.extract.registry import HttpLocation
from tests.fake_sources import FakeApi, pegawai_records


@pytest.fixture
def api():
    with FakeApi() as server:
        yield server


def pull(api: FakeApi, path: str, token: str | None = "rahasia", waits: list | None = None, **loc) -> list[dict]:
    location = HttpLocation(api.url(path), **{"per_page": 10, "timeout": 2.0, **loc})
    client = HttpClient(
        token,
        timeout=location.timeout,
        retries=3,
        backoff=0.01,
        sleep=(waits.append if waits is not None else lambda s: None),
    )
    return list(fetch_records(location, token, client))


def test_all_pages_arrive_with_the_bearer_token(api):
    # Given 25 records served 10 per page behind a token
    route = api.route("/pegawai", pegawai_records(25), token="rahasia")

    # When the source is pulled
    records = pull(api, "/pegawai")

    # Then every record arrives once, in order, in three requests that all carried the token
    assert [r["nama"] for r in records] == [f"Pegawai {i}" for i in range(1, 26)]
    assert route.hits == 3 and set(route.auth_seen) == {"Bearer rahasia"}


def test_the_server_may_cap_per_page(api):
    # Given a server that serves at most 7 records a page whatever is asked
    api.route("/p", pegawai_records(20), max_per_page=7)

    # Then its meta.per_page is followed: 3 pages, 20 records
    assert len(pull(api, "/p", per_page=50)) == 20


def test_next_link_pagination(api):
    # Given an API that pages with links.next
    api.route("/n", pegawai_records(23), pagination="next")

    # Then the links are followed to the end
    assert len(pull(api, "/n", pagination="next")) == 23


def test_an_empty_source_is_complete(api):
    api.route("/e", [])
    assert pull(api, "/e") == []


def test_a_short_page_is_an_error(api):
    # Given page 2 of 3 arrives one record short
    api.route("/s", pegawai_records(25), fault="short_page")

    # When pulled, Then the pull fails and says which page was short
    with pytest.raises(SourceError, match=r"halaman 2 dari 3 .* 9 baris, seharusnya 10"):
        pull(api, "/s")


def test_a_short_page_with_next_links_is_an_error(api):
    api.route("/sn", pegawai_records(25), fault="short_page", pagination="next")
    with pytest.raises(SourceError, match="tidak lengkap|incomplete"):
        pull(api, "/sn", pagination="next")


def test_total_changing_during_the_pull_is_an_error(api):
    api.route("/d", pegawai_records(25), fault="total_drift")
    with pytest.raises(SourceError, match="meta.total berubah"):
        pull(api, "/d")


def test_malformed_json_is_an_error(api):
    # Given page 2 is cut in the middle of its JSON
    api.route("/m", pegawai_records(25), fault="malformed")

    # Then the pull fails (and is not retried as if it were a network error)
    with pytest.raises(SourceError, match="JSON yang tidak sah"):
        pull(api, "/m")
    assert api.routes["/m"].hits == 2


def test_answers_that_are_not_the_expected_shape_are_errors(api):
    api.route("/y", [1, 2])  # type: ignore[list-item]
    api.route("/nt", pegawai_records(3), fault="no_total")
    with pytest.raises(SourceError, match="HTTP 404"):
        pull(api, "/none")
    with pytest.raises(SourceError, match="daftar `data`"):
        pull(api, "/y")
    with pytest.raises(SourceError, match="meta.total tidak ada"):
        pull(api, "/nt")


def test_500_then_success_is_retried_with_backoff(api):
    # Given the API fails twice with 500, then answers
    route = api.route("/r", pegawai_records(5), fault="error_then_ok", times=2)
    waits: list[float] = []

    # When pulled
    records = pull(api, "/r", waits=waits)

    # Then the pull succeeds after two retries, waiting longer each time
    assert len(records) == 5 and route.hits == 3
    assert waits == [0.01, 0.02]


def test_429_honours_retry_after(api):
    # Given the API asks to come back in 7 seconds
    api.route("/t", pegawai_records(5), fault="too_many", times=1, retry_after="7")
    waits: list[float] = []

    # Then the client waits what the server asked, then succeeds
    assert len(pull(api, "/t", waits=waits)) == 5
    assert waits == [7.0]


def test_retry_after_as_http_date():
    now = time.time()
    stamp = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(now + 30))
    assert 28 <= retry_after(stamp, now) <= 31
    assert retry_after("soon") is None and retry_after("12") == 12.0


def test_persistent_500_fails_after_the_retries(api):
    route = api.route("/f", pegawai_records(5), fault="always_500")
    with pytest.raises(SourceError, match="HTTP 500 .* setelah 4 percobaan"):
        pull(api, "/f")
    assert route.hits == 4


def test_a_timeout_is_retried_then_fails(api):
    # Given an API that answers only after 1.5 s, and a 0.3 s timeout
    route = api.route("/slow", pegawai_records(5), fault="timeout", delay=1.5)

    # When pulled, Then each attempt times out and the pull fails with a clear reason
    started = time.monotonic()
    with pytest.raises(SourceError, match=r"tidak menjawab dalam 0.3 detik"):
        pull(api, "/slow", timeout=0.3)
    assert route.hits == 4 and time.monotonic() - started < 5


def test_a_wrong_token_is_not_retried(api):
    route = api.route("/a", pegawai_records(5), token="rahasia")
    with pytest.raises(SourceError, match="HTTP 401 .*token ditolak"):
        pull(api, "/a", token="salah")
    assert route.hits == 1


def test_numbers_stay_exact(api):
    api.route("/num", [{"nilai": 0.1}, {"nilai": 1234567.891}])
    assert [r["nilai"] for r in pull(api, "/num")] == [Decimal("0.1"), Decimal("1234567.891")]


def test_a_connection_resolved_by_airflow_is_taken_as_plain_values():
    # Given what Airflow's Connection.to_dict() gives a task (extra as a mapping, or as JSON text)
    http = Connection.from_dict(
        {
            "conn_id": "simpeg_metro",
            "conn_type": "http",
            "host": "simpeg.example",
            "password": "tok",
            "extra": {"token": "tok2"},
        }
    )
    pg = Connection.from_dict(
        {
            "conn_type": "postgres",
            "host": "10.0.0.5",
            "port": 5433,
            "login": "reader",
            "password": "rahasia",
            "schema": "sicantik",
            "extra": '{"sslmode": "require"}',
        },
        "sicantik",
    )
    # Then the values are kept as they are, the token comes from extra first, and no secret is printed
    assert http.token == "tok2" and http.host == "simpeg.example" and http.conn_id == "simpeg_metro"
    assert (pg.conn_type, pg.host, pg.port, pg.login, pg.password, pg.schema) == (
        "postgres",
        "10.0.0.5",
        5433,
        "reader",
        "rahasia",
        "sicantik",
    )
    assert pg.extra == {"sslmode": "require"}
    assert "tok" not in repr(http)
    assert require("sicantik", {"sicantik": pg}) is pg
    # And a source naming a connection Airflow does not know fails saying where to add it
    with pytest.raises(SourceError, match="koneksi Airflow 'nope' tidak ditemukan"):
        require("nope", {"sicantik": pg})
