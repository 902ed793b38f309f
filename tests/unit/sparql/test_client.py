"""sparql.client against a tiny loopback SPARQL stub backed by pyoxigraph.

The stub answers real SPARQL JSON from an in-process store; it can be told to throttle
(429/503 with Retry-After) or fail first, and records every request it got.
"""

from __future__ import annotations

import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest

import sparql.client as client
from core.errors import QueryError
from core.settings import Target

ROOT = Path(__file__).resolve().parents[3]
TTL = ROOT / "tests/fixtures/rdf/lists_monuments.ttl"
UA = "wikiloves-kit-tests/0.1 (tests@example.org)"


class Stub:
    def __init__(self, keep_alive: bool = False) -> None:
        self.connections = 0  # TCP connections accepted
        self.drop_idle = False  # close each connection after answering, without saying so
        self.store = ox.Store()
        self.store.load(path=str(TTL), format=ox.RdfFormat.TURTLE)
        self.script: list[tuple[int, dict[str, str], bytes]] = []  # responses served before real ones
        self.requests: list[dict] = []
        self.barrier: threading.Barrier | None = None  # when set, requests are answered in pairs
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if keep_alive else "HTTP/1.0"

            def log_message(self, *args):  # keep test output clean
                pass

            def setup(self):
                stub.connections += 1
                super().setup()

            def _answer(self, query: str) -> None:
                stub.requests.append({"method": self.command, "ua": self.headers.get("User-Agent"),
                                      "query": query})
                if stub.barrier is not None:
                    stub.barrier.wait(timeout=10)
                if stub.script:
                    status, headers, body = stub.script.pop(0)
                else:
                    try:
                        body = stub.store.query(query).serialize(format=ox.QueryResultsFormat.JSON)
                        status, headers = 200, {"Content-Type": "application/sparql-results+json"}
                    except SyntaxError as exc:
                        status, headers, body = 400, {"Content-Type": "text/plain"}, str(exc).encode()
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                if stub.drop_idle:
                    self.close_connection = True

            def do_GET(self):
                qs = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                self._answer(qs["query"][0])

            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                self._answer(urllib.parse.parse_qs(raw)["query"][0])

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()
        self.target = Target(name="stub", api_url="http://127.0.0.1:9/w/api.php",
                             sparql_url=f"http://127.0.0.1:{self.server.server_port}/query", user_agent=UA)


@pytest.fixture
def stub():
    s = Stub()
    yield s
    s.server.shutdown()
    s.server.server_close()


@pytest.fixture
def keep_alive_stub():
    s = Stub(keep_alive=True)
    yield s
    s.server.shutdown()
    s.server.server_close()


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    recorded: list[float] = []
    monkeypatch.setattr(client, "_sleep", recorded.append)
    return recorded


WLM = {"idprop": "P1260", "designations": ["Q24284072", "Q24284071", "Q24284073"]}


def test_run_converts_values(stub, waits):
    df = client.run("lists_campaign_items", stub.target, **WLM)
    church = df[df["item"] == "Q991001"].iloc[0]
    assert church["region"] == "Q990001" and church["designation"] == "Q24284072"
    assert church["image"] == "http://commons.wikimedia.org/wiki/Special:FilePath/Gamla%20kyrkan%201.jpg"
    assert church["coord"] == "Point(18.0686 59.3293)" and church["address_lang"] == "sv"
    assert church["designation_start"] == "1998-10-20T00:00:00Z"
    cov = client.run("lists_coverage", stub.target, **WLM)
    assert str(cov["items"].dtype) == "Int64" and cov["items"].sum() == 6
    assert stub.requests[0]["ua"].startswith(UA) and waits == []


def test_retries_honour_retry_after_then_succeed(stub, waits):
    stub.script = [(429, {"Retry-After": "7"}, b"slow down"), (503, {"Retry-After": "2"}, b"busy")]
    df = client.run("lists_labels", stub.target, items=["Q991001"], langs=["sv"])
    assert df["label"].tolist() == ["Gamla kyrkan"]
    assert waits == [7.0, 2.0] and len(stub.requests) == 3


def test_retry_without_header_backs_off_and_is_bounded(stub, waits):
    stub.script = [(429, {}, b"no")] * (client.MAX_RETRIES + 1)
    with pytest.raises(QueryError, match=r"127\.0\.0\.1.*HTTP 429"):
        client.run("lists_labels", stub.target, items=["Q991001"])
    assert waits == [1.0, 2.0, 4.0, 8.0, 16.0] and len(stub.requests) == client.MAX_RETRIES + 1


def test_huge_retry_after_is_capped(stub, waits):
    stub.script = [(429, {"Retry-After": "86400"}, b"")]
    client.run("lists_labels", stub.target, items=["Q991001"])
    assert waits == [client.MAX_WAIT_S]


def test_syntax_and_server_errors_are_query_errors_naming_the_endpoint(stub, waits):
    with pytest.raises(QueryError, match=r"http://127\.0\.0\.1:\d+/query"):
        client.run_query("SELECT WHERE nonsense", stub.target)
    stub.script = [(500, {}, b"java.util.concurrent.TimeoutException")]
    with pytest.raises(QueryError, match="TimeoutException"):
        client.run("lists_labels", stub.target, items=["Q991001"])
    assert waits == []  # neither is retried


def test_nothing_listening_fails_at_once_with_the_fix(waits):
    """A refused connection is not retried: nothing will answer, and the user needs the hint now."""
    target = Target(name="dead", api_url="http://127.0.0.1:9/w/api.php", sparql_url="http://127.0.0.1:9/query")
    with pytest.raises(QueryError, match=r"nothing is listening on 127\.0\.0\.1:9 .*wlkit services up"):
        client.run("lists_labels", target, items=["Q1"])
    assert waits == []


def test_long_queries_go_by_post(stub, waits):
    ids = [f"Q{n}" for n in range(1, 400)] + ["Q991001"]
    df = client.run("lists_labels", stub.target, items=ids, langs=["en"])
    assert df["label"].tolist() == ["Old Church"]
    assert stub.requests[-1]["method"] == "POST"
    client.run("lists_labels", stub.target, items=["Q991001"])
    assert stub.requests[-1]["method"] == "GET"


def test_paging_and_cache(stub, waits, tmp_path):
    df = client.run("lists_campaign_items", stub.target, page_size=2, cache_dir=tmp_path, **WLM)
    assert len(df) == 6 and df["item"].tolist() == sorted(df["item"], key=lambda q: q)
    assert len(stub.requests) == 3  # 2 (+1) + 2 (+1) + 2: no request for an empty last page
    assert [r["query"].rsplit("\n", 1)[-1] for r in stub.requests] == [
        "LIMIT 3 OFFSET 0", "LIMIT 3 OFFSET 2", "LIMIT 3 OFFSET 4"]
    again = client.run("lists_campaign_items", stub.target, page_size=2, cache_dir=tmp_path, **WLM)
    assert len(stub.requests) == 3 and again.equals(df)
    assert len(list(tmp_path.glob("*.json"))) == 3
    odd = client.run("lists_campaign_items", stub.target, page_size=4, **WLM)
    assert odd.equals(df) and len(stub.requests) == 5  # 4 (+1), then the last 2
    with pytest.raises(QueryError, match="ORDER BY"):
        client.run("lists_labels", stub.target, page_size=10, items=["Q1"])


def test_results_to_frame_entity_base():
    data = {"head": {"vars": ["x", "n", "b"]}, "results": {"bindings": [
        {"x": {"type": "uri", "value": "http://wikibase.local/entity/Q5"},
         "n": {"type": "literal", "value": "2.5", "datatype": "http://www.w3.org/2001/XMLSchema#decimal"},
         "b": {"type": "literal", "value": "true", "datatype": "http://www.w3.org/2001/XMLSchema#boolean"}},
        {"x": {"type": "uri", "value": "http://www.wikidata.org/entity/Q5"}}]}}
    df = client.results_to_frame(data, "http://wikibase.local/entity/")
    assert df["x"].tolist() == ["Q5", "http://www.wikidata.org/entity/Q5"]
    assert df["n"].iloc[0] == 2.5 and bool(df["b"].iloc[0]) is True


def test_run_each_keeps_two_requests_in_flight_and_the_order(stub, waits):
    batches = [{"items": [q], "langs": None} for q in ("Q991001", "Q991002", "Q991006", "Q991007")]
    alone = [client.run("lists_labels", stub.target, **b) for b in batches]
    stub.barrier = threading.Barrier(2)  # a request is only answered when another one is waiting too
    together = list(client.run_each("lists_labels", stub.target, batches))
    assert [f.sort_values(["lang", "label"]).to_dict("records") for f in together] == \
        [f.sort_values(["lang", "label"]).to_dict("records") for f in alone]
    assert [set(f["item"]) for f in together] == [{b["items"][0]} for b in batches]
    assert waits == []


def test_requests_share_a_kept_alive_connection(keep_alive_stub, waits):
    """Thousands of lookups to one endpoint: one connection per thread, not one per request."""
    stub = keep_alive_stub
    for _ in range(5):
        assert len(client.run_query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 2", stub.target)) == 2
    long = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3 # " + "x" * 3000  # by POST, same connection
    assert len(client.run_query(long, stub.target)) == 3
    assert stub.connections == 1 and len(stub.requests) == 6 and waits == []


def test_a_connection_the_server_closed_is_replaced_at_once(keep_alive_stub, waits):
    stub = keep_alive_stub
    stub.drop_idle = True  # the server closes every connection after its answer, unannounced
    for _ in range(3):
        assert len(client.run_query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 1", stub.target)) == 1
    assert len(stub.requests) == 3 and stub.connections == 3
    assert waits == []  # no retry, no back-off: just a new connection
