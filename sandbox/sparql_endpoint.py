"""SPARQL endpoint over the sandbox's pyoxigraph store (``/query``), WDQS-flavoured.

Accepts GET ``?query=``, POST with the query in the URL (any Content-Type, including WBI 0.12's
``multipart/form-data`` without boundary), POST form bodies and ``application/sparql-query``.
WDQS default prefixes (and ``hint:``) are predeclared; queries see the union of all graphs.
WDQS's label, around, box and sample services run locally (:mod:`sandbox.wdqs_services`); no
other ``SERVICE`` is accepted and the endpoint never sends a request anywhere. Results follow
``Accept`` (q-values honoured): SPARQL JSON by default, XML/CSV/TSV; Turtle, N-Triples,
RDF/XML or JSON-LD for CONSTRUCT/DESCRIBE. Every request passes :mod:`sandbox.http_guard`;
``/admin/load`` and ``/admin/unload`` need the admin secret (:mod:`sandbox.admin_auth`).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pyoxigraph import NamedNode, RdfFormat

from sandbox.admin_auth import SECRET_HEADER, admin_refusal
from sandbox.graph import LOADED_GRAPH
from sandbox.http_base import LOOPBACK, BaseHandler, QuietThreadingHTTPServer
from sandbox.http_guard import MAX_ADMIN_BODY_BYTES, guard_request
from sandbox.repo import Repository
from sandbox.sparql_exec import EndpointBusy, QueryRunner
from sandbox.sparql_lexer import QueryRefused, QueryTimeout
from sandbox.state import ServerState

log = logging.getLogger(__name__)

QUERY_PATHS = ("/query", "/sparql", "/bigdata/namespace/wdq/sparql")
_LOAD_FORMATS = {"text/turtle": RdfFormat.TURTLE, "application/x-turtle": RdfFormat.TURTLE,
                 "application/n-triples": RdfFormat.N_TRIPLES,
                 "application/n-quads": RdfFormat.N_QUADS, "application/trig": RdfFormat.TRIG,
                 "application/rdf+xml": RdfFormat.RDF_XML}
_TEXT = "text/plain; charset=utf-8"
#: Largest body of a query request.
MAX_QUERY_BYTES = 1024 * 1024


def load_rdf(repo: Repository, body: bytes, content_type: str, graph: str | None = None
             ) -> dict[str, Any]:
    """Load RDF text into the store (default: the ``loaded`` graph); returns the triple count."""
    ctype = content_type.split(";")[0].strip().lower() or "text/turtle"
    fmt = _LOAD_FORMATS.get(ctype)
    if fmt is None:
        raise ValueError(f"Content-Type should be one of {', '.join(_LOAD_FORMATS)}, got {ctype}")
    target = NamedNode(graph) if graph else LOADED_GRAPH
    before = sum(1 for _ in repo.graph.store.quads_for_pattern(None, None, None, target))
    if fmt in (RdfFormat.N_QUADS, RdfFormat.TRIG):
        repo.graph.store.load(body, format=fmt)
    else:
        repo.graph.store.load(body, format=fmt, to_graph=target)
    if fmt in (RdfFormat.N_QUADS, RdfFormat.TRIG):
        repo.graph.spatial.invalidate()  # any graphs: rebuilt at the next geographic lookup
    else:
        repo.graph.spatial.refresh_graph(target.value)  # the coordinates just loaded
    after = sum(1 for _ in repo.graph.store.quads_for_pattern(None, None, None, target))
    return {"loaded": after - before, "graph": target.value}


class SparqlHandler(BaseHandler):
    """Request handler of the SPARQL port."""

    server_version = "wlkit-sparql/0.2"
    state: ServerState
    runner: QueryRunner
    admin_secret: str

    def _send(self, status: int, body: bytes, content_type: str,
              headers: dict[str, str] | None = None) -> None:
        extra = dict(headers or {})
        if not urlsplit(self.path).path.startswith("/admin/"):
            extra.setdefault("Access-Control-Allow-Origin", "*")
        super()._send(status, body, content_type, extra)

    def do_GET(self) -> None:
        self._route()

    def do_POST(self) -> None:
        self._route()

    def do_HEAD(self) -> None:
        self._route()

    def _route(self) -> None:
        path = urlsplit(self.path).path
        admin = path.startswith("/admin/")
        body = guard_request(self, MAX_ADMIN_BODY_BYTES if admin else MAX_QUERY_BYTES)
        if body is None:
            return
        try:
            if admin:
                self._admin(path[len("/admin/"):], body)
            elif path in QUERY_PATHS:
                self._query(body)
            elif path in ("/", "/health"):
                self._send(200, b'{"service":"wlkit-sparql","query":"/query"}',
                           "application/json")
            else:
                self._send(404, b"not found\n", _TEXT)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _admin(self, name: str, body: bytes) -> None:
        if self.client_address[0] not in LOOPBACK:
            self._json({"error": "admin endpoints are loopback-only"}, status=403)
            return
        refusal = admin_refusal(self.admin_secret, self.headers.get(SECRET_HEADER),
                                self.command, self.headers.get("Content-Type"), bool(body))
        if refusal:
            self._json({"error": refusal[1]}, status=refusal[0])
            return
        graph = parse_qs(urlsplit(self.path).query).get("graph", [None])[0]
        store = self.state.repo.graph.store
        if name == "load" and self.command == "POST":
            try:
                result = load_rdf(self.state.repo, body,
                                  self.headers.get("Content-Type", "text/turtle"), graph)
            except (ValueError, SyntaxError, OSError) as exc:
                self._json({"error": str(exc)}, status=400)
                return
            self._json(result)
        elif name == "unload" and self.command == "POST":
            node = NamedNode(graph or LOADED_GRAPH.value)
            if store.contains_named_graph(node):
                store.remove_graph(node)
                self.state.repo.graph.spatial.invalidate()
            self._json({"unloaded": node.value})
        else:
            self._json({"error": f"unknown admin endpoint {self.command} /admin/{name}"},
                       status=404)

    def _query_params(self, body: bytes) -> dict[str, str]:
        params = {k: v[-1] for k, v in
                  parse_qs(urlsplit(self.path).query, keep_blank_values=True).items()}
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if self.command == "POST" and "query" not in params and body:
            text = body.decode("utf-8", errors="replace")
            if ctype == "application/sparql-query":
                params["query"] = text
            elif ctype == "application/sparql-update":
                params["update"] = text
            elif ctype == "application/x-www-form-urlencoded" or not ctype:
                params.update({k: v[-1] for k, v in
                               parse_qs(text, keep_blank_values=True).items()})
        return params

    def _query(self, body: bytes) -> None:
        fault = self.state.faults.transport(None, sparql=True)
        if fault and fault[0] == "drop":
            self._drop()
            return
        if fault:
            _, status, retry = fault
            self._send(status, f"HTTP {status} (sandbox fault)\n".encode(), "text/plain",
                       {"Retry-After": retry})
            return
        params = self._query_params(body)
        if "update" in params:
            self._send(403, b"updates are not allowed on this endpoint\n", _TEXT)
            return
        query = params.get("query")
        if not query:
            self._send(400, b"missing query parameter\n", _TEXT)
            return
        try:
            answer = self.runner.answer(query, self.headers.get("Accept"),
                                        params.get("format", ""), params.get("uselang", "en"))
        except QueryRefused as exc:
            self._send(400, f"SPARQL query refused: {exc}\n".encode(), _TEXT)
        except SyntaxError as exc:
            self._send(400, f"SPARQL syntax error: {exc}\n".encode(), _TEXT)
        except QueryTimeout as exc:
            self._send(500, f"java.util.concurrent.TimeoutException: {exc}\n".encode(), _TEXT)
        except EndpointBusy as exc:
            self._send(503, f"{exc}\n".encode(), _TEXT, {"Retry-After": "5"})
        except (OSError, ValueError, RuntimeError) as exc:
            self._send(500, f"query failed: {exc}\n".encode(), _TEXT)
        else:
            self._send(answer.status, answer.body, answer.content_type)


def make_sparql_server(state: ServerState, port: int, host: str = "127.0.0.1", *,
                       admin_secret: str = "", timeout_s: float = 60.0
                       ) -> QuietThreadingHTTPServer:
    """An HTTP server for the SPARQL endpoint bound to ``host:port``.

    Args:
        state: The process's shared state (repository, faults).
        port: Loopback port.
        host: Address to bind.
        admin_secret: The data directory's admin secret (empty: admin endpoints refuse all).
        timeout_s: Time limit of one query in seconds.
    """
    attrs = {"state": state, "runner": QueryRunner(state.repo, timeout_s),
             "admin_secret": admin_secret}
    return QuietThreadingHTTPServer((host, port), type("BoundSparqlHandler", (SparqlHandler,),
                                                       attrs))
