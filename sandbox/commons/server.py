"""The local Commons' HTTP port: ``/w/api.php``, ``Special:EntityData/M1.json``, admin.

Admin endpoints (loopback only): ``POST /admin/load`` takes JSON lines of ``user`` and ``file``
records (see :mod:`sandbox.commons.store`), ``GET /admin/stats`` counts files, users, MediaInfo
and category links, ``GET /admin/edits`` lists the wbeditentity calls.
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from sandbox.admin_auth import SECRET_HEADER, admin_refusal
from sandbox.commons import mediainfo
from sandbox.commons.actions import CommonsState, dispatch
from sandbox.commons.store import CommonsStore
from sandbox.http_base import LOOPBACK, DroppedConnection, QuietThreadingHTTPServer
from sandbox.http_guard import MAX_ADMIN_BODY_BYTES, MAX_BODY_BYTES, guard_request
from sandbox.repo import Repository
from sandbox.server import ApiHandler
from sandbox.wikibase_errors import ApiFailure


class CommonsHandler(ApiHandler):
    """Request handler of the Commons port (the Wikibase handler's plumbing, Commons' actions)."""

    server_version = "wlkit-commons/0.1"
    state: CommonsState  # set on the subclass by make_commons_server

    def _route(self) -> None:
        path = urlsplit(self.path).path
        self.body_bytes = guard_request(  # the Wikibase port's Host / Content-Length guards
            self, MAX_ADMIN_BODY_BYTES if path.startswith("/admin/") else MAX_BODY_BYTES)
        if self.body_bytes is None:
            return
        try:
            if path in ("/w/api.php", "/api.php"):
                self._api_call()
            elif path.startswith("/admin/"):
                self._admin(path[len("/admin/"):])
            elif path.startswith("/wiki/Special:EntityData/"):
                self._entity_data(path.rsplit("/", 1)[1])
            elif path in ("/", "/health"):
                self._json({"service": "wlkit-commons", "api": "/w/api.php"})
            else:
                self._send(404, b"not found\n", "text/plain; charset=utf-8")
        except DroppedConnection:
            self._drop()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _api_call(self) -> None:
        params = self._params()
        fault = self.state.faults.transport(params.get("action", "help"),
                                            has_maxlag="maxlag" in params)
        if fault and fault[0] == "drop":
            raise DroppedConnection
        if fault:
            self._send(fault[1], f"HTTP {fault[1]} (sandbox fault)\n".encode(),
                       "text/plain; charset=utf-8", {"Retry-After": fault[2]})
            return
        req = self._request(params)
        try:
            result = dispatch(req)
        except ApiFailure as failure:
            headers = {**req.headers, **failure.headers, "MediaWiki-API-Error": failure.code}
            self._json(failure.envelope(), headers=headers)
            return
        self._json(result, headers=req.headers)

    def _entity_data(self, name: str) -> None:
        eid, _, ext = name.partition(".")
        try:
            ent = self.state.commons.mediainfo(mediainfo.pageid_of(eid))
        except ApiFailure:
            ent = None
        if ent is None or ext not in ("", "json"):
            self._send(404, f"No entity with ID {eid}\n".encode(), "text/plain; charset=utf-8")
            return
        self._json({"entities": {eid.upper(): mediainfo.public(ent)}})

    def _admin(self, name: str) -> None:
        if self.client_address[0] not in LOOPBACK:
            self._json({"error": "admin endpoints are loopback-only"}, status=403)
            return
        refusal = admin_refusal(self.state.admin_secret, self.headers.get(SECRET_HEADER),
                                self.command, self.headers.get("Content-Type"), bool(self._body()))
        if refusal:
            self._json({"error": refusal[1]}, status=refusal[0])
            return
        if name == "load" and self.command == "POST":
            try:
                lines = self._body().decode("utf-8").splitlines()
                records = [json.loads(ln) for ln in lines
                           if ln.strip() and not ln.lstrip().startswith("#")]
                self._json(self.state.commons.load(records))
            except (ValueError, KeyError, TypeError) as exc:
                self._json({"error": f"cannot load: {exc}"}, status=400)
        elif name == "stats":
            self._json(self.state.commons.count())
        elif name == "edits":
            self._json(self.state.edit_log())
        else:
            self._json({"error": f"unknown admin endpoint {self.command} /admin/{name}"},
                       status=404)


def make_commons_server(repo: Repository, commons: CommonsStore, port: int,
                        host: str = "127.0.0.1", *, admin_secret: str = ""
                        ) -> QuietThreadingHTTPServer:
    """An HTTP server for the Commons API on ``host:port`` (accounts from ``repo``; admin
    requests must send ``admin_secret``, the data directory's, in ``X-Wlkit-Admin-Secret``)."""
    state = CommonsState(repo, commons)
    state.admin_secret = admin_secret
    handler = type("BoundCommonsHandler", (CommonsHandler,), {"state": state})
    return QuietThreadingHTTPServer((host, port), handler)
