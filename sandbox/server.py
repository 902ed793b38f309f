"""Wikibase-compatible Action API port (``/w/api.php``) of the sandbox, plus admin endpoints.

Routing only: ``/w/api.php`` goes through :func:`sandbox.api_dispatch.dispatch` to the action
modules (``actions_*``), ``/wiki/Special:EntityData/`` to :mod:`sandbox.entity_data`, ``/admin/``
to :mod:`sandbox.admin`. GET+POST form-encoded, formatversion 1 conventions, HTTP 200 with an
error envelope for API errors (WIKIBASE-API.md §2–4).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from sandbox.admin import handle_admin
from sandbox.api_dispatch import dispatch
from sandbox.api_request import SESSION_COOKIE, ApiRequest
from sandbox.entity_data import entity_document
from sandbox.http_base import LOOPBACK, BaseHandler, DroppedConnection, QuietThreadingHTTPServer
from sandbox.http_guard import MAX_ADMIN_BODY_BYTES, MAX_BODY_BYTES, guard_request
from sandbox.state import ServerState, Session
from sandbox.wikibase_errors import ApiFailure

__all__ = ["LOOPBACK", "ApiHandler", "QuietThreadingHTTPServer", "ServerState", "Session",
           "make_api_server"]

_SESSION_RE = re.compile(rf"(?:^|;\s*){SESSION_COOKIE}=([0-9a-f]+)")


class ApiHandler(BaseHandler):
    """Request handler of the Wikibase port."""

    state: ServerState  # set on the subclass by make_api_server
    service_name = "wlkit-sandbox"

    # The port's own parts; the local Commons (sandbox.commons.server) overrides these three.
    def _dispatch(self, req: ApiRequest) -> dict[str, Any]:
        return dispatch(req)

    def _admin(self, name: str) -> None:
        handle_admin(self, self.state, name)

    def _entity_data(self, name: str) -> None:
        self._send(*entity_document(self.state.repo, name, self.state.redirects.target))

    def do_GET(self) -> None:
        self._route()

    def do_POST(self) -> None:
        self._route()

    def do_HEAD(self) -> None:
        self._route()

    def _route(self) -> None:
        path = urlsplit(self.path).path
        self.body_bytes = guard_request(
            self, MAX_ADMIN_BODY_BYTES if path.startswith("/admin/") else MAX_BODY_BYTES)
        if self.body_bytes is None:
            return
        try:
            if path in ("/w/api.php", "/api.php"):
                self._api()
            elif path.startswith("/admin/"):
                self._admin(path[len("/admin/"):])
            elif path.startswith(("/wiki/Special:EntityData/", "/entity/")):
                self._entity_data(path.rsplit("/", 1)[1])
            elif path in ("/", "/health"):
                self._json({"service": self.service_name, "api": "/w/api.php"})
            else:
                self._send(404, b"not found\n", "text/plain; charset=utf-8")
        except DroppedConnection:
            self._drop()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _request(self, params: dict[str, str]) -> ApiRequest:
        m = _SESSION_RE.search(self.headers.get("Cookie") or "")
        sid = m.group(1) if m else None
        sess = self.state.session(sid) if sid else None
        return ApiRequest(self.state, params, sid, sess,
                          host=self.headers.get("Host", "127.0.0.1"),
                          client_ip=self.client_address[0], method=self.command)

    def _api(self) -> None:
        params = self._params()
        action = params.get("action", "help")
        fault = self.state.faults.transport(action, has_maxlag="maxlag" in params)
        if fault and fault[0] == "drop":
            raise DroppedConnection
        if fault:
            _, status, retry = fault
            self._send(status, f"HTTP {status} (sandbox fault)\n".encode(),
                       "text/plain; charset=utf-8", {"Retry-After": retry})
            return
        req = self._request(params)
        try:
            result = self._dispatch(req)
        except ApiFailure as failure:
            headers = {**req.headers, **failure.headers, "MediaWiki-API-Error": failure.code}
            self._json(failure.envelope(), headers=headers)
            return
        self._json(result, headers=req.headers)


def make_api_server(state: ServerState, port: int, host: str = "127.0.0.1"
                    ) -> QuietThreadingHTTPServer:
    """An HTTP server for the Action API bound to ``host:port``."""
    handler = type("BoundApiHandler", (ApiHandler,), {"state": state})
    return QuietThreadingHTTPServer((host, port), handler)
