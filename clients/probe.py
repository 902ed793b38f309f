"""Is a target there, and which version of its data does it hold? Cheap probes run before stages.

* :func:`check_services` — both services of a target answer within seconds (TCP connect, then one
  tiny request each: ``meta=siteinfo`` on the Action API, ``ASK {}`` on SPARQL). A refused
  connection fails at once with what to do ("run `wlkit services up`, or choose a target")
  instead of six retries minutes later.
* :func:`data_version` — a token that changes whenever the target's data changes: the latest
  revision id (``list=recentchanges&rclimit=1``) where the API has it, else the edit count of
  ``meta=siteinfo&siprop=statistics``. Cached lookups are keyed by it, so a seed or an edit on
  the target can never leave a stale lookup in use.
"""

from __future__ import annotations

import json
import logging
import socket
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from core.errors import NothingListeningError, ServiceError
from core.settings import Target

log = logging.getLogger(__name__)

#: Seconds a service has to accept a connection and answer the probe.
PROBE_TIMEOUT_S = 2.0


def _host_port(url: str) -> tuple[str, int]:
    parts = urllib.parse.urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.hostname or "localhost", port


def refused(url: str, timeout: float = PROBE_TIMEOUT_S) -> bool:
    """Whether a connection to ``url``'s host and port is refused (nothing listens there)."""
    try:
        with socket.create_connection(_host_port(url), timeout=timeout):
            return False
    except ConnectionRefusedError:
        return True
    except OSError:
        return False


def nothing_listening(target: Target, url: str, what: str = "Wikibase API",
                      why: str = "connection refused") -> NothingListeningError:
    """The error for a target address nobody listens on, with what to do about it."""
    return _nobody(url, what, target, why)


def _nobody(url: str, what: str, target: Target, why: str) -> NothingListeningError:
    host, port = _host_port(url)
    return NothingListeningError(
        f"nothing is listening on {host}:{port} ({what} of target {target.name!r}: {why}): run "
        "`wlkit services up`, or choose a target with --target (local, testwikidata, wikidata)")


def _connect(url: str, what: str, target: Target, timeout: float) -> None:
    host, port = _host_port(url)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return
    except ConnectionRefusedError:
        raise _nobody(url, what, target, "connection refused") from None
    except TimeoutError:
        raise _nobody(url, what, target, f"no answer within {timeout:g} s") from None
    except OSError as exc:
        raise _nobody(url, what, target, str(exc)) from None


def _get_json(url: str, target: Target, timeout: float, what: str,
              data: bytes | None = None, headers: dict[str, str] | None = None) -> Any:
    req = urllib.request.Request(url, data=data, headers={"User-Agent": target.user_agent,
                                                          **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return json.loads(resp.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        raise ServiceError(f"{what} at {url.split('?')[0]} answered HTTP {exc.code}: is this the "
                           f"right URL for target {target.name!r}?") from None
    except (urllib.error.URLError, TimeoutError) as exc:
        raise _nobody(url, what, target, str(getattr(exc, "reason", exc))) from None
    except (ValueError, UnicodeDecodeError):
        raise ServiceError(f"{what} at {url.split('?')[0]} did not answer JSON: something else "
                           f"is listening there; check the URL of target {target.name!r}") from None


def api_query(target: Target, params: dict[str, str],
              timeout: float = PROBE_TIMEOUT_S) -> dict[str, Any]:
    """One ``action=query`` GET on the target's Action API (``format=json``)."""
    query = urllib.parse.urlencode({"action": "query", "format": "json", **params})
    out = _get_json(f"{target.api_url}?{query}", target, timeout, "Wikibase API")
    if not isinstance(out, dict) or "error" in out:
        err = out.get("error", {}) if isinstance(out, dict) else {}
        raise ServiceError(f"Wikibase API of target {target.name!r} refused {params}: "
                           f"{err.get('info', out)}")
    return out


def check_services(target: Target, timeout: float = PROBE_TIMEOUT_S) -> dict[str, Any]:
    """Check that the target's Action API and SPARQL endpoint answer, within ``timeout`` each.

    Returns:
        ``{"api": sitename, "sparql": True}``.

    Raises:
        ServiceError: naming the address nobody listens on and what to do about it.
    """
    _connect(target.api_url, "Wikibase API", target, timeout)
    _connect(target.sparql_url, "SPARQL endpoint", target, timeout)
    site = api_query(target, {"meta": "siteinfo"}, timeout)
    general = site.get("query", {}).get("general")
    if not general:
        raise ServiceError(f"{target.api_url} answered, but not as a MediaWiki Action API "
                           f"(no siteinfo): check the API URL of target {target.name!r}")
    body = urllib.parse.urlencode({"query": "ASK {}"}).encode()
    ask = _get_json(target.sparql_url, target, timeout, "SPARQL endpoint", data=body,
                    headers={"Accept": "application/sparql-results+json",
                             "Content-Type": "application/x-www-form-urlencoded"})
    if not isinstance(ask, dict) or "boolean" not in ask:
        raise ServiceError(f"{target.sparql_url} answered, but not as a SPARQL endpoint: check "
                           f"the SPARQL URL of target {target.name!r}")
    return {"api": general.get("sitename"), "sparql": True}


def data_version(target: Target, timeout: float = 10.0) -> str:
    """A token that changes whenever the target's data changes.

    The latest revision id from ``list=recentchanges`` (``rev:<id>``); where the API has no
    recent changes, the edit count from ``siteinfo`` statistics (``edits:<n>``).

    Raises:
        ServiceError: the API answers neither.
    """
    try:
        out = api_query(target, {"list": "recentchanges", "rclimit": "1", "rcprop": "ids",
                                 "rctype": "edit|new"}, timeout)
        changes = out.get("query", {}).get("recentchanges") or []
        if changes:
            return f"rev:{changes[0].get('revid')}"
    except ServiceError as exc:
        log.debug("no recentchanges on %s (%s); using siteinfo statistics", target.name, exc)
    stats = api_query(target, {"meta": "siteinfo", "siprop": "statistics"}, timeout)
    edits = stats.get("query", {}).get("statistics", {}).get("edits")
    if edits is None:
        raise ServiceError(f"target {target.name!r} tells neither its latest revision nor its "
                           "edit count; cannot key cached lookups to its data")
    return f"edits:{edits}"


def entity_info(target: Target, ids: list[str], timeout: float = 30.0) -> dict[str, dict[str, Any]]:
    """Whether each id exists on the target, its type and (properties) datatype.

    One ``wbgetentities&props=info|datatype`` per 50 ids: the cheapest existence check the API
    has (no labels, no claims).

    Returns:
        id → ``{"missing": bool, "type": "item"|"property"|None, "datatype": str|None}``.
    """
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), 50):
        chunk = ids[start:start + 50]
        query = urllib.parse.urlencode({"action": "wbgetentities", "format": "json",
                                        "props": "info|datatype", "ids": "|".join(chunk)})
        got = _get_json(f"{target.api_url}?{query}", target, timeout, "Wikibase API")
        if "error" in got and got["error"].get("code") != "no-such-entity":
            raise ServiceError(f"Wikibase API of target {target.name!r}: "
                               f"{got['error'].get('info')}")
        entities = got.get("entities", {})
        if "error" in got:  # one bad id fails the whole batch on Wikibase: ask one by one
            for eid in chunk:
                out.update(entity_info(target, [eid], timeout) if len(chunk) > 1 else
                           {eid: {"missing": True, "type": None, "datatype": None}})
            continue
        for eid in chunk:
            ent = entities.get(eid, {"missing": ""})
            out[eid] = {"missing": "missing" in ent, "type": ent.get("type"),
                        "datatype": ent.get("datatype")}
    return out


def entity_coordinates(target: Target, ids: list[str],
                       timeout: float = 30.0) -> dict[str, tuple[float, float]]:
    """The first P625 (lat, lon) of each entity that has one (``wbgetentities``, 50 ids a call)."""
    out: dict[str, tuple[float, float]] = {}
    for start in range(0, len(ids), 50):
        query = urllib.parse.urlencode({"action": "wbgetentities", "format": "json",
                                        "props": "claims", "ids": "|".join(ids[start:start + 50])})
        got = _get_json(f"{target.api_url}?{query}", target, timeout, "Wikibase API")
        for eid, ent in (got.get("entities") or {}).items():
            for st in (ent.get("claims") or {}).get("P625", []):
                value = (st.get("mainsnak") or {}).get("datavalue", {}).get("value")
                if isinstance(value, dict) and "latitude" in value:
                    out[eid] = (float(value["latitude"]), float(value["longitude"]))
                    break
    return out
