"""SPARQL endpoint over the sandbox's pyoxigraph store (``/query``), WDQS-flavoured.

Accepts GET ``?query=``, POST with the query in the URL (any Content-Type, including WBI 0.12's
``multipart/form-data`` without boundary), POST form bodies and ``application/sparql-query``.
WDQS default prefixes are predeclared; queries see the union of all graphs; results are
``application/sparql-results+json`` (CSV/TSV/XML on request; Turtle/N-Triples for CONSTRUCT).
Syntax errors answer HTTP 400 with the parser message. ``geof:distance`` (km between two WKT
points) is available. ``POST /admin/load`` (loopback only) loads Turtle/N-Triples/N-Quads.
"""

from __future__ import annotations

import json
import logging
import math
import re
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlsplit

from pyoxigraph import (
    Literal, NamedNode, QueryBoolean, QueryResultsFormat, QuerySolutions, RdfFormat, serialize,
)

from sandbox.graph import LOADED_GRAPH
from sandbox.http_base import LOOPBACK, QuietThreadingHTTPServer
from sandbox.repo import Repository
from sandbox.state import ServerState

log = logging.getLogger(__name__)

GEOF_DISTANCE = "http://www.opengis.net/def/function/geosparql/distance"
_POINT = re.compile(r"Point\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\)")


def _geof_distance(a: Any, b: Any, *units: Any) -> Literal | None:
    """Great-circle distance in km between two ``Point(lon lat)`` literals."""
    pa, pb = _POINT.search(getattr(a, "value", "")), _POINT.search(getattr(b, "value", ""))
    if not pa or not pb:
        return None
    lon1, lat1, lon2, lat2 = map(math.radians, (float(pa.group(1)), float(pa.group(2)),
                                                float(pb.group(1)), float(pb.group(2))))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * \
        math.sin((lon2 - lon1) / 2) ** 2
    km = 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))
    return Literal(repr(km), datatype=NamedNode("http://www.w3.org/2001/XMLSchema#double"))


CUSTOM_FUNCTIONS = {NamedNode(GEOF_DISTANCE): _geof_distance}
_RESULT_FORMATS = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "text/csv": QueryResultsFormat.CSV,
    "text/tab-separated-values": QueryResultsFormat.TSV,
}
_FORMAT_PARAM = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                 "csv": "text/csv", "tsv": "text/tab-separated-values"}
_GRAPH_FORMATS = {"text/turtle": RdfFormat.TURTLE, "application/n-triples": RdfFormat.N_TRIPLES,
                  "application/rdf+xml": RdfFormat.RDF_XML}
_LOAD_FORMATS = {"text/turtle": RdfFormat.TURTLE, "application/x-turtle": RdfFormat.TURTLE,
                 "application/n-triples": RdfFormat.N_TRIPLES, "text/plain": RdfFormat.N_TRIPLES,
                 "application/n-quads": RdfFormat.N_QUADS, "application/trig": RdfFormat.TRIG,
                 "application/rdf+xml": RdfFormat.RDF_XML}


def run_query(repo: Repository, query: str) -> Any:
    """Run a SPARQL query with the WDQS prefixes over the union graph (raises SyntaxError)."""
    return repo.graph.query(query, prefixes=repo.vocab.prefixes(),
                            custom_functions=CUSTOM_FUNCTIONS)


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
    after = sum(1 for _ in repo.graph.store.quads_for_pattern(None, None, None, target))
    return {"loaded": after - before, "graph": target.value}


class SparqlHandler(BaseHTTPRequestHandler):
    """Request handler of the SPARQL port."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "wlkit-sparql/0.1"
    state: ServerState

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        log.debug("%s %s", self.address_string(), format % args)

    def _send(self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None
              ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        self._route()

    def do_POST(self) -> None:  # noqa: N802
        self._route()

    def do_HEAD(self) -> None:  # noqa: N802
        self._route()

    def _route(self) -> None:
        try:
            split = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if split.path.startswith("/admin/"):
                self._admin(split.path[len("/admin/"):], body, split.query)
            elif split.path in ("/query", "/sparql", "/bigdata/namespace/wdq/sparql"):
                self._query(split.query, body)
            elif split.path in ("/", "/health"):
                self._send(200, b'{"service":"wlkit-sparql","query":"/query"}',
                           "application/json")
            else:
                self._send(404, b"not found\n", "text/plain; charset=utf-8")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _admin(self, name: str, body: bytes, query: str) -> None:
        if self.client_address[0] not in LOOPBACK:
            self._send(403, b'{"error":"loopback only"}', "application/json")
            return
        if name == "load" and self.command == "POST":
            graph = parse_qs(query).get("graph", [None])[0]
            try:
                result = load_rdf(self.state.repo, body,
                                  self.headers.get("Content-Type", "text/turtle"), graph)
            except (ValueError, SyntaxError, OSError) as exc:
                self._send(400, json.dumps({"error": str(exc)}).encode(), "application/json")
                return
            self._send(200, json.dumps(result).encode(), "application/json")
        elif name == "unload" and self.command == "POST":
            graph = parse_qs(query).get("graph", [LOADED_GRAPH.value])[0]
            self.state.repo.graph.store.remove_graph(NamedNode(graph)) \
                if self.state.repo.graph.store.contains_named_graph(NamedNode(graph)) else None
            self._send(200, json.dumps({"unloaded": graph}).encode(), "application/json")
        else:
            self._send(404, b'{"error":"unknown admin endpoint"}', "application/json")

    def _query(self, url_query: str, body: bytes) -> None:
        fault = self.state.faults.transport(None, sparql=True)
        if fault and fault[0] == "drop":
            self.close_connection = True
            return
        if fault:
            _, status, retry = fault
            self._send(status, f"HTTP {status} (sandbox fault)\n".encode(), "text/plain",
                       {"Retry-After": retry})
            return
        params = {k: v[-1] for k, v in parse_qs(url_query, keep_blank_values=True).items()}
        ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if self.command == "POST" and "query" not in params and body:
            if ctype == "application/sparql-query":
                params["query"] = body.decode("utf-8")
            elif ctype == "application/x-www-form-urlencoded" or not ctype:
                params.update({k: v[-1] for k, v in
                               parse_qs(body.decode("utf-8"), keep_blank_values=True).items()})
            elif ctype == "application/sparql-update" or "update" in params:
                self._send(403, b"updates are not allowed on this endpoint\n", "text/plain")
                return
        if "update" in params:
            self._send(403, b"updates are not allowed on this endpoint\n", "text/plain")
            return
        query = params.get("query")
        if not query:
            self._send(400, b"missing query parameter\n", "text/plain; charset=utf-8")
            return
        try:
            result = run_query(self.state.repo, query)
        except SyntaxError as exc:
            self._send(400, f"SPARQL syntax error: {exc}\n".encode(), "text/plain; charset=utf-8")
            return
        except (OSError, ValueError, RuntimeError) as exc:
            self._send(500, f"query failed: {exc}\n".encode(), "text/plain; charset=utf-8")
            return
        accept = (self.headers.get("Accept") or "").lower()
        wanted = _FORMAT_PARAM.get(params.get("format", ""), "")
        if isinstance(result, (QuerySolutions, QueryBoolean)):
            media = wanted or next((m for m in _RESULT_FORMATS if m in accept),
                                   "application/sparql-results+json")
            payload = result.serialize(format=_RESULT_FORMATS[media])
            ctype_out = ("application/sparql-results+json" if media == "application/json"
                         else media)
            self._send(200, payload, f"{ctype_out}; charset=utf-8")
        else:
            media = next((m for m in _GRAPH_FORMATS if m in accept), "text/turtle")
            payload = serialize(list(result), format=_GRAPH_FORMATS[media])
            self._send(200, payload, f"{media}; charset=utf-8")


def make_sparql_server(state: ServerState, port: int, host: str = "127.0.0.1"
                       ) -> QuietThreadingHTTPServer:
    """An HTTP server for the SPARQL endpoint bound to ``host:port``."""
    handler = type("BoundSparqlHandler", (SparqlHandler,), {"state": state})
    return QuietThreadingHTTPServer((host, port), handler)
