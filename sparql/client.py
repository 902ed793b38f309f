"""The one SPARQL client: ``run(name, target, **params) -> DataFrame``.

Every SPARQL request of the project goes through :func:`run_query` (STYLE §2.7). It owns:

* the User-Agent (from the :class:`~core.settings.Target`), JSON results, GET for short
  queries and POST (form body) for long ones (WDQS and proxies refuse long URLs), sent over a
  kept-alive connection per thread (:mod:`sparql.connections`: a national register's lookups
  are thousands of requests; ``urllib`` opened and closed a connection for each);
* paging: with ``page_size`` the query (which must ``ORDER BY``) is sent as
  ``LIMIT page_size OFFSET k·page_size`` pages, so no single request carries a whole
  100k-item country against WDQS's 60 s limit;
* bounded retries with exponential backoff on 429/502/503/504 and network errors, honouring
  ``Retry-After`` (WDQS throttles per IP + User-Agent and bans clients that ignore it,
  FIELD-NOTES §4.2);
* an optional on-disk cache keyed by ``sha256(query + endpoint)``;
* value conversion: entity IRIs under ``target.entity_prefix`` → ``Q…``/``P…`` ids, other IRIs
  → str, plain and language-tagged literals → str, xsd numbers → numbers, xsd:boolean → bool;
* error mapping: everything raises :class:`~core.errors.QueryError` naming the endpoint.
"""

from __future__ import annotations

import email.utils
import hashlib
import http.client
import json
import logging
import re
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from core.errors import NothingListeningError, QueryError
from core.settings import Target
from core.threads import imap_in_order
from core.urls import percent_encode
from sparql.connections import send
from sparql.render import render

log = logging.getLogger(__name__)

#: Queries whose URL-encoded form is longer than this go by POST.
POST_THRESHOLD = 1800
RETRY_STATUS = frozenset({429, 502, 503, 504})
MAX_RETRIES = 5
MAX_WAIT_S = 120.0
TIMEOUT_S = 120

_INT_TYPES = {f"http://www.w3.org/2001/XMLSchema#{t}" for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "negativeInteger", "nonPositiveInteger", "unsignedInt", "unsignedLong", "unsignedShort")}
_FLOAT_TYPES = {f"http://www.w3.org/2001/XMLSchema#{t}" for t in ("decimal", "double", "float")}
_BOOL_TYPE = "http://www.w3.org/2001/XMLSchema#boolean"
_ENTITY_ID = re.compile(r"^[QPL][1-9]\d*$")
_LIMIT_TAIL = re.compile(r"\b(LIMIT|OFFSET)\s+\d+\s*$", re.IGNORECASE)
#: Requests :func:`run_each` keeps in flight: the endpoint evaluates one query while this
#: process converts the answer of another. WDQS allows 5 parallel queries per client; 2 is polite.
PARALLEL_REQUESTS = 2

ACCEPT = "application/sparql-results+json"
#: Requests slower than this are logged at INFO (the others at DEBUG: a national register's
#: lookups make thousands of requests, and every INFO line also goes to the Prefect API).
SLOW_S = 1.0

# Indirection so tests can observe waits without sleeping (never time.sleep in assertions).
_sleep = time.sleep


def run(
    name: str,
    target: Target,
    *,
    cache_dir: Path | None = None,
    page_size: int | None = None,
    **params: Any,
) -> pd.DataFrame:
    """Render ``sparql/<name>.rq`` with ``params`` and run it on ``target``.

    Args:
        name: Query file stem, e.g. ``"lists_campaign_items"``.
        target: Where to send it (``sparql_url``, ``user_agent``, ``entity_base``).
        cache_dir: When given, results are cached there by sha256(query + endpoint).
        page_size: When given, fetch in ``LIMIT``/``OFFSET`` pages of this size.
        **params: The query's declared parameters (see :func:`sparql.render.render`).

    Returns:
        One row per solution, one column per selected variable.

    Raises:
        QueryError: bad parameters, endpoint errors, retries exhausted.
    """
    text = render(name, entity_base=target.entity_base, **params)
    return run_query(text, target, cache_dir=cache_dir, page_size=page_size, label=name)


def run_each(
    name: str,
    target: Target,
    params: Sequence[Mapping[str, Any]],
    *,
    cache_dir: Path | None = None,
    page_size: int | None = None,
) -> Iterator[pd.DataFrame]:
    """:func:`run` ``sparql/<name>.rq`` once per parameter set, :data:`PARALLEL_REQUESTS` at a time.

    For a query read in parts (batches of entities, groups of regions). Each frame is yielded as
    soon as it and those before it are in, so the caller works on one part while the next are
    evaluated; parts not yet asked for are not asked when the caller stops. Errors are raised as
    :func:`run` raises them.

    Yields:
        One frame per parameter set, in the order of ``params``.
    """
    def one(values: Mapping[str, Any]) -> pd.DataFrame:
        return run(name, target, cache_dir=cache_dir, page_size=page_size, **values)

    return imap_in_order(one, params, PARALLEL_REQUESTS, f"sparql-{name}")


def run_query(
    text: str,
    target: Target,
    *,
    cache_dir: Path | None = None,
    page_size: int | None = None,
    label: str = "query",
) -> pd.DataFrame:
    """Run SPARQL ``text`` on ``target`` and return a DataFrame (see module docstring).

    Args:
        text: Complete SELECT query (prefixes included).
        target: Endpoint, User-Agent and entity base.
        cache_dir: Optional on-disk cache directory.
        page_size: Optional page size; the query must then end with an ORDER BY clause.
        label: Name used in logs and errors.

    Returns:
        The results as a DataFrame.

    Raises:
        QueryError: endpoint errors or bad paging use.
    """
    if page_size is None:
        variables, rows = _fetch(text, target, cache_dir, label)
    else:
        if page_size < 1:
            raise QueryError(f"page_size should be a positive int, got {page_size}")
        if "ORDER BY" not in text.upper() or _LIMIT_TAIL.search(text):
            raise QueryError(f"{label}: paging needs a query ending in ORDER BY without LIMIT/OFFSET")
        variables, rows, offset = [], [], 0
        while True:  # one row more than a page: a full page says whether another one follows,
            # so a result of exactly n pages costs n requests, not n + 1 (each page evaluates
            # the whole query again on the endpoint before it skips OFFSET rows)
            page_vars, page = _fetch(f"{text.rstrip()}\nLIMIT {page_size + 1} OFFSET {offset}",
                                     target, cache_dir, f"{label}[{offset}]")
            variables = variables or page_vars
            rows.extend(page[:page_size])
            if len(page) <= page_size:
                break
            offset += page_size
    return _frame(variables, rows, target.entity_prefix)


def _cache_path(cache_dir: Path, text: str, endpoint: str) -> Path:
    key = hashlib.sha256((text + "\n" + endpoint).encode("utf-8")).hexdigest()
    return cache_dir / f"{key}.json"


def _fetch(text: str, target: Target, cache_dir: Path | None, label: str) -> tuple[list[str], list[dict[str, Any]]]:
    if cache_dir is not None:
        cached = _cache_path(cache_dir, text, target.sparql_url)
        if cached.is_file():
            data = json.loads(cached.read_text(encoding="utf-8"))
            log.debug("%s: cache hit %s", label, cached.name)
            return data["head"]["vars"], data["results"]["bindings"]
    data = _request(text, target, label)
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(cached)
    return data["head"]["vars"], data["results"]["bindings"]


def _retry_after(headers: Any, attempt: int) -> float:
    value = headers.get("Retry-After") if headers is not None else None
    if value:
        value = value.strip()
        if value.isdigit():
            return min(float(value), MAX_WAIT_S)
        when = email.utils.parsedate_to_datetime(value) if value else None
        if when is not None:
            return min(max(when.timestamp() - time.time(), 0.0), MAX_WAIT_S)
    return min(2.0**attempt, MAX_WAIT_S)


def _http_request(text: str, target: Target) -> urllib.request.Request:
    """A GET (short query) or form POST (long one) asking for SPARQL JSON results."""
    params = f"query={percent_encode(text)}&format=json"
    headers = {"User-Agent": target.user_agent, "Accept": ACCEPT}
    if len(text.encode("utf-8")) * 3 > POST_THRESHOLD:  # worst case percent-encoding
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        return urllib.request.Request(target.sparql_url, data=params.encode("ascii"),
                                      headers=headers, method="POST")
    sep = "&" if "?" in target.sparql_url else "?"
    return urllib.request.Request(f"{target.sparql_url}{sep}{params}", headers=headers)


def _request(text: str, target: Target, label: str) -> dict[str, Any]:
    endpoint = target.sparql_url
    request = _http_request(text, target)
    for attempt in range(MAX_RETRIES + 1):
        started = time.monotonic()
        try:
            status, headers, raw = send(request, TIMEOUT_S)  # kept-alive connection per thread
        except (OSError, http.client.HTTPException) as exc:  # URLError, refused, reset, timed out
            if isinstance(getattr(exc, "reason", exc), ConnectionRefusedError):  # nobody there:
                raise NothingListeningError(_refused(endpoint, target.name)) from None  # no retry
            if attempt < MAX_RETRIES:
                wait = min(2.0**attempt, MAX_WAIT_S)
                log.warning("%s: %s unreachable (%s), retrying in %.1f s", label, endpoint, exc, wait)
                _sleep(wait)
                continue
            raise QueryError(f"{label}: {endpoint} unreachable after {MAX_RETRIES + 1} tries: {exc}") from None
        if status >= 400:
            if status in RETRY_STATUS and attempt < MAX_RETRIES:
                wait = _retry_after(headers, attempt)
                log.warning("%s: HTTP %s from %s, retrying in %.1f s", label, status, endpoint, wait)
                _sleep(wait)
                continue
            what = "rejected the query" if status == 400 else "answered"
            body = raw.decode("utf-8", "replace")[:500].strip()
            raise QueryError(f"{label}: {endpoint} {what} HTTP {status}: "
                             f"{_short(body) or http.client.responses.get(status, '')}")
        try:
            data = json.loads(raw)
        except ValueError as exc:
            raise QueryError(f"{label}: {endpoint} did not answer SPARQL JSON: {exc}") from None
        if not isinstance(data, dict) or "results" not in data or "head" not in data:
            raise QueryError(f"{label}: {endpoint} did not answer SPARQL JSON results (is it a SELECT?)")
        spent = time.monotonic() - started  # a batch lookup makes thousands: only slow ones at INFO
        log.log(logging.INFO if spent >= SLOW_S else logging.DEBUG, "%s: %d rows from %s in %.2f s",
                label, len(data["results"]["bindings"]), endpoint, spent)
        return data
    raise QueryError(f"{label}: {endpoint} still throttling after {MAX_RETRIES + 1} tries")  # pragma: no cover


def _refused(endpoint: str, target_name: str) -> str:
    """The message for a refused connection (issue 15: say what to do, at once)."""
    parts = urllib.parse.urlsplit(endpoint)
    return (f"nothing is listening on {parts.hostname}:{parts.port or 80} (SPARQL endpoint of "
            f"target {target_name!r}): run `wlkit services up`, or choose a target with --target")


def _short(exc: Exception | str) -> str:
    msg = str(exc)
    return msg if len(msg) < 500 else msg[:500] + "…"


def _value(cell: dict[str, Any], entity_prefix: str) -> Any:
    kind, value = cell.get("type"), cell["value"]  # "value" is required in SPARQL 1.1 JSON results
    if kind == "uri":
        if value.startswith(entity_prefix):
            local = value[len(entity_prefix):]
            if _ENTITY_ID.match(local):
                return local
        return value
    datatype = cell.get("datatype")
    if datatype in _INT_TYPES:
        return int(value)
    if datatype in _FLOAT_TYPES:
        return float(value)
    if datatype == _BOOL_TYPE:
        return value in ("true", "1")
    return value  # plain, language-tagged, dateTime (kept as text: WDQS years exceed pandas' range), WKT, bnode


def _frame(variables: list[str], bindings: list[dict[str, Any]], entity_prefix: str) -> pd.DataFrame:
    columns: dict[str, list[Any]] = {v: [] for v in variables}
    for row in bindings:
        for v in variables:
            cell = row.get(v)
            columns[v].append(None if cell is None else _value(cell, entity_prefix))
    frame = pd.DataFrame(columns, columns=variables)
    for v in variables:  # numbers with gaps: nullable ints rather than floats
        values = [x for x in columns[v] if x is not None]
        if values and all(isinstance(x, int) and not isinstance(x, bool) for x in values):
            frame[v] = pd.array(columns[v], dtype="Int64")
    return frame


def results_to_frame(data: dict[str, Any], entity_prefix: str) -> pd.DataFrame:
    """Convert a SPARQL JSON results document (as any endpoint answers) to a DataFrame.

    The same conversion :func:`run_query` applies; public so that in-process stores (pyoxigraph
    ``results.serialize(format=QueryResultsFormat.JSON)``) give identical frames.

    Args:
        data: ``{"head": {"vars": …}, "results": {"bindings": …}}``.
        entity_prefix: e.g. ``http://www.wikidata.org/entity/``.

    Returns:
        The DataFrame.
    """
    return _frame(data["head"]["vars"], data["results"]["bindings"], entity_prefix)
