"""Issue 16's security findings on the local services, replayed: each must now be refused with
an error, and both ports must still answer afterwards.

The pair under test runs with a 1 s query time limit and a 2 s socket timeout
(``WLKIT_SPARQL_TIMEOUT``, ``WLKIT_SANDBOX_SOCKET_TIMEOUT``) so the slow findings stay quick.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import threading
import time
import urllib.parse
from pathlib import Path

import pytest
from _wdqs_support import http, raw_request

from sandbox.admin_auth import SECRET_FILE, SECRET_HEADER
from sandbox.services import (
    ServicesInfo,
    free_port,
    services_status,
    start_services,
    stop_services,
)


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory):
    """An isolated, seeded pair with short query and socket time limits."""
    data_dir = tmp_path_factory.mktemp("wlkit-security")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("WLKIT_SPARQL_TIMEOUT", "1")
        mp.setenv("WLKIT_SANDBOX_SOCKET_TIMEOUT", "2")
        info = start_services(data_dir, wikibase_port=free_port(), sparql_port=free_port())
    try:
        yield info
    finally:
        stop_services(data_dir)


def assert_up(info: ServicesInfo) -> None:
    """Both ports still answer a normal request."""
    status, _, body = http(f"{info.sparql_url}?query=ASK%7B%7D", timeout=10)
    assert status == 200 and json.loads(body)["boolean"] is True
    status, _, body = http(f"{info.api_url}?action=query&meta=siteinfo&format=json", timeout=10)
    assert status == 200 and "query" in json.loads(body)


def _query_url(info: ServicesInfo, query: str) -> str:
    return info.sparql_url + "?" + urllib.parse.urlencode({"query": query})


def test_deeply_nested_query_is_refused_and_crashes_nothing(services):
    query = "SELECT * WHERE " + "{" * 5000 + "}" * 5000
    url = _query_url(services, query)
    assert len(url) > 20_000
    status, _, body = http(url)
    assert status == 400 and b"nests brackets more than 64 deep" in body
    status, _, body = http(_query_url(services, "SELECT * WHERE { FILTER(" + "(" * 3000 +
                                      "1" + ")" * 3000 + ") }"))
    assert status == 400
    assert_up(services)


@pytest.mark.parametrize("query", [
    "SELECT (" + "+".join(["1"] * 30000) + " AS ?x) {}",  # overflowed the parser's stack
    "SELECT * { " + " UNION ".join(["{ ?a ?b ?c }"] * 30000) + " }",
    "SELECT * { ?a " + "/".join(["wdt:P31"] * 600) + " ?b }",  # minutes of planning
    "SELECT * { ?a ?b ?c " + " ".join(["OPTIONAL { ?a ?b ?c }"] * 600) + " }",
], ids=["30k-plus", "30k-union", "600-step-path", "600-optional"])
def test_queries_that_crash_or_stall_the_planner_fail_alone(services, query):
    started = time.monotonic()
    status, _, body = http(services.sparql_url, data=urllib.parse.urlencode(
        {"query": query}).encode(), headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status in (400, 500) and (b"planning" in body or b"planner" in body), body[:200]
    assert time.monotonic() - started < 10
    assert_up(services)


def test_service_to_any_url_is_refused_and_never_called(services):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    listener.settimeout(1.5)
    port = listener.getsockname()[1]
    admin_reset = f"http://127.0.0.1:{services.wikibase_port}/admin/reset"
    try:
        for target in (f"<http://127.0.0.1:{port}/sparql>", f"<{admin_reset}>",
                       "wikibase:mwapi", f"SILENT <http://127.0.0.1:{port}/x>"):
            status, _, body = http(_query_url(services, f"SELECT * {{ SERVICE {target} "
                                                        "{ ?a ?b ?c } }"))
            assert status == 400, body
            assert target.replace("SILENT ", "") in body.decode()
        with pytest.raises(socket.timeout):
            listener.accept()  # nothing ever connected to the listener
    finally:
        listener.close()
    assert_up(services)


def test_admin_endpoints_need_the_secret_on_both_ports(services):
    secret = services.admin_secret
    assert secret and len(secret) >= 32
    api_admin, sparql_admin = services.admin_url, services.sparql_admin_url
    calls = [(f"{api_admin}/seed", b'{"entities": []}'), (f"{api_admin}/reset", b"{}"),
             (f"{api_admin}/faults", b'{"drop": {"count": 1}}'), (f"{api_admin}/edits", None),
             (f"{api_admin}/stats", None), (f"{sparql_admin}/load", b"<urn:a> <urn:b> <urn:c> ."),
             (f"{sparql_admin}/unload", b"")]
    for url, data in calls:
        for headers in ({}, {SECRET_HEADER: "wrong"}):
            ctype = {"Content-Type": "application/json"} if data is not None else {}
            status, answer_headers, _ = http(url, data=data, headers={**headers, **ctype})
            assert status == 403, url
            assert "Access-Control-Allow-Origin" not in answer_headers
    status, answer_headers, body = http(f"{api_admin}/stats", headers={SECRET_HEADER: secret})
    assert status == 200 and json.loads(body)["properties"] == 27  # the base seed's
    assert "Access-Control-Allow-Origin" not in answer_headers
    status, _, body = http(f"{api_admin}/faults", headers={SECRET_HEADER: secret})
    assert status == 200 and json.loads(body)["faults"] == {}  # the forged ones never landed
    assert_up(services)


@pytest.mark.parametrize("ctype", ["text/plain", "application/x-www-form-urlencoded",
                                   "multipart/form-data; boundary=x", None])
def test_admin_refuses_simple_request_bodies(services, ctype):
    headers = {SECRET_HEADER: services.admin_secret}
    if ctype:
        headers["Content-Type"] = ctype
    for url, data in ((f"{services.admin_url}/faults", b'{"drop": {"count": 1}}'),
                      (f"{services.sparql_admin_url}/load", b"<urn:a> <urn:b> <urn:c> .")):
        status, answer_headers, body = http(url, data=data, headers=headers)
        assert status == 415, (url, body)
        assert "Access-Control-Allow-Origin" not in answer_headers
    status, _, body = http(f"{services.admin_url}/faults", headers=headers)
    assert json.loads(body)["faults"] == {}


def test_query_endpoint_keeps_cors_but_admin_has_none(services):
    status, headers, _ = http(_query_url(services, "ASK {}"))
    assert status == 200 and headers.get("Access-Control-Allow-Origin") == "*"
    status, headers, body = http(f"{services.sparql_admin_url}/load?graph=urn:x-test:cors",
                                 data=b"<urn:a> <urn:b> <urn:c> .",
                                 headers={SECRET_HEADER: services.admin_secret,
                                          "Content-Type": "application/n-triples"})
    assert status == 200 and json.loads(body)["loaded"] == 1
    assert "Access-Control-Allow-Origin" not in headers
    status, headers, _ = http(f"{services.sparql_admin_url}/unload?graph=urn:x-test:cors",
                              data=b"", headers={SECRET_HEADER: services.admin_secret,
                                                 "Content-Type": "application/json"})
    assert status == 200 and "Access-Control-Allow-Origin" not in headers


@pytest.mark.parametrize("host", [b"evil.example", b"evil.example:80", b"127.0.0.1.evil.example",
                                  b"192.168.1.10", b""])
def test_host_header_must_be_loopback_on_both_ports(services, host):
    for port, path in ((services.sparql_port, b"/query?query=ASK%7B%7D"),
                       (services.wikibase_port, b"/w/api.php?action=query&meta=siteinfo")):
        head = b"Host: " + host + b"\r\n" if host else b""
        answer = raw_request(port, b"GET " + path + b" HTTP/1.1\r\n" + head + b"\r\n")
        assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
    for good in (b"localhost", b"127.0.0.1:8181", b"127.5.6.7", b"[::1]:7878"):
        answer = raw_request(services.sparql_port, b"GET /query?query=ASK%7B%7D HTTP/1.1\r\n"
                             b"Host: " + good + b"\r\nConnection: close\r\n\r\n")
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]


@pytest.mark.parametrize("length", [b"abc", b"-5", b"1e3", b" 12x"])
def test_bad_content_length_gets_400_on_both_ports(services, length):
    for port, path in ((services.sparql_port, b"/query"), (services.wikibase_port, b"/w/api.php")):
        answer = raw_request(port, b"POST " + path + b" HTTP/1.1\r\nHost: localhost\r\n"
                             b"Content-Type: application/x-www-form-urlencoded\r\n"
                             b"Content-Length: " + length + b"\r\n\r\naction=query")
        assert answer.startswith(b"HTTP/1.1 400") and b"Content-Length" in answer
    assert_up(services)


def test_oversized_bodies_are_refused_before_reading(services):
    for port, path in ((services.sparql_port, b"/query"), (services.wikibase_port, b"/w/api.php")):
        answer = raw_request(port, b"POST " + path + b" HTTP/1.1\r\nHost: localhost\r\n"
                             b"Content-Type: application/sparql-query\r\n"
                             b"Content-Length: 99999999999\r\n\r\nASK {}")
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert_up(services)


def test_wrong_content_length_does_not_hold_a_thread(services):
    started = time.monotonic()
    sock = socket.create_connection(("127.0.0.1", services.wikibase_port), timeout=15)
    try:
        sock.sendall(b"POST /w/api.php HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                     b"application/x-www-form-urlencoded\r\nContent-Length: 5000\r\n\r\naction=")
        assert_up(services)  # other clients are served meanwhile
        assert sock.recv(1024) == b""  # then the server hangs up on the silent client
    finally:
        sock.close()
    assert 1.5 < time.monotonic() - started < 12


def test_query_time_limit_fails_the_query_alone(services):
    heavy = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    results: list[int] = []

    def run() -> None:
        results.append(http(_query_url(services, heavy), timeout=30)[0])

    threads = [threading.Thread(target=run) for _ in range(2)]
    started = time.monotonic()
    for t in threads:
        t.start()
    assert_up(services)  # answered while the heavy queries run
    for t in threads:
        t.join(30)
    assert results == [500, 500] and time.monotonic() - started < 10
    status, _, body = http(_query_url(services, heavy.replace("SELECT *", "SELECT * ") +
                                      " LIMIT 3"))
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 3
    assert_up(services)


def test_secret_and_database_files_are_private(services):
    data_dir = Path(services.data_dir)
    assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
    for path in [data_dir / SECRET_FILE, *data_dir.glob("*.sqlite*"), data_dir / "services.log"]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for path in (data_dir / "oxigraph").rglob("*"):
        if path.is_file():
            assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
    assert os.environ.get("WLKIT_SPARQL_TIMEOUT") is None  # the test did not leak its settings


def test_status_shows_the_secret_and_reads_stats_with_it(services):
    status = services_status(services.data_dir)
    assert status["admin_secret"] == services.admin_secret
    assert status["admin_secret_file"] == str(Path(services.data_dir) / SECRET_FILE)
    assert status["properties"] == 27  # /admin/stats answered the status' own request


def test_blocking_queries_past_the_limit_free_their_slots(services):
    # COUNT over a three-way product of the whole store: nothing streams before the end, so
    # the store cannot be interrupted. Each client still gets its answer at the limit, and
    # later queries run at once (the endpoint has 4 slots; these overrun at low priority).
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    for _ in range(5):
        started = time.monotonic()
        status, _, body = http(_query_url(services, heavy), timeout=30)
        assert status == 500 and b"TimeoutException" in body
        assert time.monotonic() - started < 4
    started = time.monotonic()
    assert_up(services)
    assert time.monotonic() - started < 5


# --- the local Commons port has the same request guard ---------------------------------------------

def _commons_up(info: ServicesInfo) -> None:
    """The Commons port still answers a normal request."""
    status, _, body = http(f"{info.commons_api_url}?action=query&meta=siteinfo&format=json",
                           timeout=10)
    assert status == 200
    assert json.loads(body)["query"]["general"]["wikiid"] == "commonswiki"


@pytest.mark.parametrize("host", [b"evil.example", b"commons.wikimedia.org", b"10.0.0.7:80", b""])
def test_commons_port_checks_the_host_header(services, host):
    head = b"Host: " + host + b"\r\n" if host else b""
    answer = raw_request(services.commons_port, b"GET /w/api.php?action=query&meta=siteinfo"
                         b"&format=json HTTP/1.1\r\n" + head + b"\r\n")
    assert answer.startswith(b"HTTP/1.1 400") and b"loopback" in answer, answer[:200]
    _commons_up(services)


@pytest.mark.parametrize("length", [b"abc", b"-5", b"1e3"])
def test_commons_port_answers_bad_content_length_with_400(services, length):
    answer = raw_request(services.commons_port, b"POST /w/api.php HTTP/1.1\r\nHost: localhost\r\n"
                         b"Content-Type: application/x-www-form-urlencoded\r\n"
                         b"Content-Length: " + length + b"\r\n\r\naction=query")
    assert answer.startswith(b"HTTP/1.1 400") and b"Content-Length" in answer, answer[:200]
    _commons_up(services)


def test_commons_port_refuses_oversized_bodies_and_silent_clients(services):
    answer = raw_request(services.commons_port, b"POST /w/api.php HTTP/1.1\r\nHost: localhost\r\n"
                         b"Content-Type: application/x-www-form-urlencoded\r\n"
                         b"Content-Length: 99999999999\r\n\r\naction=query")
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", services.commons_port), timeout=15) as sock:
        sock.sendall(b"POST /w/api.php HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                     b"application/x-www-form-urlencoded\r\nContent-Length: 5000\r\n\r\naction=")
        _commons_up(services)  # other clients are served meanwhile
        assert sock.recv(1024) == b""  # then the server hangs up on the silent client
    assert 1.5 < time.monotonic() - started < 12
    _commons_up(services)
