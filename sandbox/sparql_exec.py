"""Running one SPARQL request: rewrite, evaluate under a time limit, negotiate the answer format.

Each query is read by the lexer first (:mod:`sandbox.sparql_lexer`: nesting limit, no outbound
``SERVICE``), then evaluated in its own thread while the request thread waits at most the time
limit (60 s by default, like WDQS). At most :attr:`QueryRunner.max_running` queries evaluate at
once. JSON results are streamed row by row and stop at the deadline; a blocking operator
(``ORDER BY``, ``GROUP BY``, aggregates) cannot be interrupted inside the store, so the client
gets its timeout answer on time, the slot is freed, and the thread finishes in the background
at the lowest CPU priority (at most :attr:`QueryRunner.max_overrunning` such threads; beyond
that new queries get HTTP 503 until some end).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

from pyoxigraph import (
    BlankNode,
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    serialize,
)

from core.errors import QueryError
from sandbox.repo import Repository
from sandbox.sparql_lexer import QueryRefused, QueryTimeout
from sandbox.sparql_vet import QueryVetter, run_on_big_stack
from sandbox.wdqs_functions import custom_functions
from sandbox.wdqs_services import HINT, rewrite_query

DEFAULT_TIMEOUT_S = 60.0
RESULT_TYPES = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "application/xml": QueryResultsFormat.XML,
    "text/csv": QueryResultsFormat.CSV,
    "text/tab-separated-values": QueryResultsFormat.TSV,
}
GRAPH_TYPES = {"text/turtle": RdfFormat.TURTLE, "application/n-triples": RdfFormat.N_TRIPLES,
               "application/rdf+xml": RdfFormat.RDF_XML, "application/n-quads": RdfFormat.N_QUADS}
if hasattr(RdfFormat, "JSON_LD"):  # pyoxigraph ≥ 0.5
    GRAPH_TYPES["application/ld+json"] = RdfFormat.JSON_LD
FORMAT_PARAM = {"json": "application/sparql-results+json",
                "xml": "application/sparql-results+xml", "csv": "text/csv",
                "tsv": "text/tab-separated-values"}
_LANG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")


class EndpointBusy(QueryError):
    """Every evaluation slot stayed taken for the whole time limit."""


def negotiate(accept: str | None, offered: list[str], default: str) -> str:
    """The offered media type the ``Accept`` header prefers (q-values honoured).

    Returns ``default`` without an Accept header, for ``*/*``, and when nothing offered is
    acceptable (HTTP lets a server ignore Accept rather than fail; WDQS does too).
    """
    if not accept or not accept.strip():
        return default
    best: tuple[float, int, str] | None = None
    for order, item in enumerate(accept.split(",")):
        media, *params = [p.strip().lower() for p in item.split(";")]
        q = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        if q <= 0:
            continue
        if media in ("*/*", "application/*", "text/*"):
            prefix = media.split("/")[0]
            match = default if media == "*/*" or default.startswith(prefix) else next(
                (o for o in offered if o.startswith(prefix + "/")), None)
        else:
            match = media if media in offered else None
        if match and (best is None or (q, -order) > (best[0], best[1])):
            best = (q, -order, match)
    return best[2] if best else default


@dataclass
class Answer:
    """An HTTP answer of the query endpoint."""

    status: int
    body: bytes
    content_type: str


class QueryRunner:
    """Evaluates queries against one repository with a time limit and bounded concurrency."""

    def __init__(self, repo: Repository, timeout_s: float = DEFAULT_TIMEOUT_S,
                 max_running: int = 4) -> None:
        self.repo, self.timeout_s, self.max_running = repo, timeout_s, max_running
        self.prefixes = {**repo.vocab.prefixes(), "hint": HINT}
        self.functions = custom_functions(repo.graph.store)
        self._slots = threading.BoundedSemaphore(max_running)
        self.vetter = QueryVetter(self.prefixes, size=max_running)
        #: Evaluations past their time limit that cannot be interrupted (see module doc).
        self.overrunning = 0
        self.max_overrunning = 2 * max_running
        self._lock = threading.Lock()

    def answer(self, query: str, accept: str | None, format_param: str = "",
               uselang: str = "en") -> Answer:
        """Evaluate ``query`` and serialise its result as the client asked.

        Raises:
            QueryRefused: the query cannot run here (HTTP 400).
            SyntaxError: the store's parser refused it (HTTP 400).
            QueryTimeout: past the time limit (HTTP 500, as WDQS answers).
            EndpointBusy: no evaluation slot freed within the time limit (HTTP 503).
        """
        if not _LANG.fullmatch(uselang):
            raise QueryRefused(f"uselang should be a language code, got {uselang!r}")
        self.repo.graph.apply_due()  # the spatial index answers as of the swaps applied now
        rewritten = rewrite_query(query, self.prefixes, uselang, spatial=self.repo.graph.spatial)
        if self.overrunning >= self.max_overrunning:
            raise EndpointBusy(f"{self.overrunning} queries that ran past the time limit are "
                               "still finishing; try again later")
        spent = self.vetter.vet(rewritten, self.timeout_s)
        deadline = time.monotonic() + self.timeout_s - spent
        if not self._slots.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise EndpointBusy(f"{self.max_running} queries are running; try again later")
        return self._run(lambda: self._evaluate(rewritten, accept, format_param, deadline),
                         deadline)

    def _run(self, evaluate: Any, deadline: float) -> Answer:
        """Run ``evaluate`` on its own thread (holding a slot) and wait until ``deadline``.

        Past the deadline the client gets :class:`QueryTimeout` and the slot is freed; the
        thread, if still inside the store, goes on at the lowest CPU priority and counts as
        overrunning until it ends.
        """
        outcome: dict[str, Any] = {}
        done = threading.Event()

        def work() -> None:
            outcome["tid"] = threading.get_native_id()
            try:
                outcome["answer"] = evaluate()
            except BaseException as exc:
                outcome["error"] = exc
            finally:
                with self._lock:
                    outcome["finished"] = True
                    if outcome.get("overrun"):
                        self.overrunning -= 1
                    else:
                        self._slots.release()
                done.set()

        run_on_big_stack(work)
        if not done.wait(max(0.0, deadline - time.monotonic())):
            with self._lock:
                if not outcome.get("finished"):
                    outcome["overrun"] = True
                    self.overrunning += 1
                    self._slots.release()
                    with contextlib.suppress(OSError, KeyError):
                        os.setpriority(os.PRIO_PROCESS, outcome["tid"], 19)
            raise QueryTimeout(f"query timed out after {self.timeout_s:g} s")
        if "error" in outcome:
            raise outcome["error"]
        return outcome["answer"]

    def _evaluate(self, query: str, accept: str | None, format_param: str, deadline: float
                  ) -> Answer:
        result = self.repo.graph.query(query, prefixes=self.prefixes,
                                       custom_functions=self.functions)
        if isinstance(result, (QuerySolutions, QueryBoolean)):
            media = FORMAT_PARAM.get(format_param) or negotiate(
                accept, list(RESULT_TYPES), "application/sparql-results+json")
            ctype = {"application/json": "application/sparql-results+json",
                     "application/xml": "application/sparql-results+xml"}.get(media, media)
            if isinstance(result, QuerySolutions) and RESULT_TYPES[media] is QueryResultsFormat.JSON:
                return Answer(200, _json_rows(result, deadline, self.timeout_s),
                              f"{ctype}; charset=utf-8")
            return Answer(200, result.serialize(format=RESULT_TYPES[media]) or b"",
                          f"{ctype}; charset=utf-8")
        media = negotiate(accept, list(GRAPH_TYPES), "text/turtle")
        triples = []
        for triple in result:
            triples.append(triple)
            if len(triples) % 1000 == 0 and time.monotonic() > deadline:
                raise QueryTimeout(f"query timed out after {self.timeout_s:g} s")
        fmt = GRAPH_TYPES[media]
        text = (serialize(triples, format=fmt, prefixes=self.prefixes) if fmt is RdfFormat.TURTLE
                else serialize(triples, format=fmt))
        return Answer(200, text or b"", f"{media}; charset=utf-8")


def _term_json(term: Any) -> dict[str, str]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


def _json_rows(solutions: QuerySolutions, deadline: float, limit_s: float) -> bytes:
    """SPARQL JSON results, built row by row so a runaway query stops at the deadline."""
    names = [v.value for v in solutions.variables]
    rows = []
    for n, solution in enumerate(solutions, start=1):
        rows.append({name: _term_json(solution[name]) for name in names
                     if solution[name] is not None})
        if n % 500 == 0 and time.monotonic() > deadline:
            raise QueryTimeout(f"query timed out after {limit_s:g} s")
    doc = {"head": {"vars": names}, "results": {"bindings": rows}}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
