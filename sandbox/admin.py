"""Loopback-only admin endpoints of the Wikibase port (``/admin/seed``, ``faults``, ``edits``,
``reset``, ``stats``, ``load``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sandbox.admin_auth import SECRET_HEADER, admin_refusal
from sandbox.faults import FaultError
from sandbox.http_base import LOOPBACK, BaseHandler
from sandbox.sparql_endpoint import load_rdf
from sandbox.state import ServerState
from sandbox.wikibase_errors import ApiFailure


def _faults(h: BaseHandler, state: ServerState) -> None:
    if h.command == "POST":
        spec = json.loads(h._body() or b"{}")
        actions = state.faults.set(spec)
        expired = state.expire_sessions() if actions.get("expire_sessions") else None
        h._json({"faults": state.faults.snapshot(), "expired_sessions": expired})
    else:
        h._json({"faults": state.faults.snapshot()})


def _reset(h: BaseHandler, state: ServerState) -> None:
    state.faults.clear()
    state.clear_edits()
    h._json({"reset": True})


def _seed(h: BaseHandler, state: ServerState) -> None:
    doc = json.loads(h._body() or b"{}")
    entities = doc.get("entities", doc) if isinstance(doc, dict) else doc
    if isinstance(entities, dict):
        entities = list(entities.values()) if "id" not in entities else [entities]
    try:
        h._json(state.repo.seed(entities))
    except ApiFailure as failure:
        h._json({"error": {"code": failure.code, "info": failure.info}}, status=400)


def _stats(h: BaseHandler, state: ServerState) -> None:
    h._json({**state.repo.db.count(), "sessions": len(state.sessions),
             "faults": state.faults.snapshot()})


def _load(h: BaseHandler, state: ServerState) -> None:
    graph = parse_qs(urlsplit(h.path).query).get("graph", [None])[0]
    h._json(load_rdf(state.repo, h._body(), h.headers.get("Content-Type", "text/turtle"), graph))


#: (method or None for any, name) → endpoint.
ENDPOINTS: dict[tuple[str | None, str], Callable[[BaseHandler, ServerState], None]] = {
    (None, "faults"): _faults,
    (None, "edits"): lambda h, state: h._json(state.edit_log()),
    ("POST", "reset"): _reset,
    ("POST", "seed"): _seed,
    (None, "stats"): _stats,
    ("POST", "load"): _load,
}


def handle_admin(h: BaseHandler, state: ServerState, name: str) -> None:
    """Answer ``/admin/<name>`` (loopback clients only)."""
    if h.client_address[0] not in LOOPBACK:
        h._json({"error": "admin endpoints are loopback-only"}, status=403)
        return
    refusal = admin_refusal(state.admin_secret, h.headers.get(SECRET_HEADER), h.command,
                            h.headers.get("Content-Type"), bool(h._body()))
    if refusal:
        h._json({"error": refusal[1]}, status=refusal[0])
        return
    endpoint: Any = ENDPOINTS.get((h.command, name)) or ENDPOINTS.get((None, name))
    if endpoint is None:
        h._json({"error": f"unknown admin endpoint {h.command} /admin/{name}"}, status=404)
        return
    try:
        endpoint(h, state)
    except (FaultError, ValueError) as exc:
        h._json({"error": str(exc)}, status=400)
