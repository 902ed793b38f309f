"""The local Commons' HTTP port: ``/w/api.php``, ``Special:EntityData/M1.json``, admin.

Admin endpoints (loopback only): ``POST /admin/load`` takes JSON lines of ``user`` and ``file``
records (see :mod:`sandbox.commons.store`), ``GET /admin/stats`` counts files, users, MediaInfo
and category links, ``GET /admin/edits`` lists the wbeditentity calls.
"""

from __future__ import annotations

import json
from typing import Any

from sandbox.admin_auth import SECRET_HEADER, admin_refusal
from sandbox.api_request import ApiRequest
from sandbox.commons import mediainfo
from sandbox.commons.actions import CommonsState, dispatch
from sandbox.commons.store import CommonsStore
from sandbox.http_base import LOOPBACK, QuietThreadingHTTPServer
from sandbox.repo import Repository
from sandbox.server import ApiHandler
from sandbox.wikibase_errors import ApiFailure


class CommonsHandler(ApiHandler):
    """Request handler of the Commons port (the Wikibase handler's plumbing, Commons' actions).

    Routing is inherited from :class:`~sandbox.server.ApiHandler`, so every request first passes
    :func:`sandbox.http_guard.guard_request` as on the Wikibase and SPARQL ports: loopback
    ``Host`` only, a numeric ``Content-Length`` within the limit, and the socket timeout.
    """

    server_version = "wlkit-commons/0.1"
    state: CommonsState  # set on the subclass by make_commons_server
    service_name = "wlkit-commons"

    def _dispatch(self, req: ApiRequest) -> dict[str, Any]:
        return dispatch(req)

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
