"""Wikibase-compatible Action API (``/w/api.php``) for the sandbox, plus admin endpoints.

Implements what WikibaseIntegrator 0.12 and the project use (WIKIBASE-API.md §2–4): GET+POST
form-encoded, formatversion 1 conventions, HTTP 200 with an error envelope for API errors;
``query`` (meta=tokens/userinfo/siteinfo, list=search with ``haswbstatement:``), ``login``,
``clientlogin``, ``logout``, ``wbgetentities``, ``wbeditentity``, ``wbsearchentities``,
``wbremoveclaims``; ``/wiki/Special:EntityData/Q1.{json,ttl,nt}``; and loopback-only admin
endpoints (``/admin/seed``, ``/admin/faults``, ``/admin/edits``, ``/admin/reset``,
``/admin/stats``, ``/admin/load``).
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sandbox.entity import ENTITY_ID_RE, content_of, with_urls
from sandbox.faults import WRITE_ACTIONS, FaultError, Faults
from sandbox.rdf import entity_triples, to_ntriples, to_turtle
from sandbox.repo import Repository
from sandbox.store import now_iso
from sandbox.wikibase_errors import ApiFailure, edit_conflict, message

log = logging.getLogger(__name__)

SESSION_COOKIE = "wlkitsession"
ANON_TOKEN = "+\\"
LOOPBACK = ("127.0.0.1", "::1", "::ffff:127.0.0.1")
DEFAULT_PROPS = ("info", "sitelinks", "aliases", "labels", "descriptions", "claims", "datatype")


class Session:
    """A login session (bound CSRF token)."""

    def __init__(self) -> None:
        self.user: dict[str, Any] | None = None
        self.csrf = secrets.token_hex(16) + ANON_TOKEN
        self.login_token = secrets.token_hex(16) + ANON_TOKEN


class ServerState:
    """Everything shared by the request handlers of one process."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self.faults = Faults()
        self.sessions: dict[str, Session] = {}
        self.sessions_lock = threading.Lock()
        self.edits: list[dict[str, Any]] = []
        self.edits_lock = threading.Lock()

    def expire_sessions(self) -> int:
        """Forget every session (clients then fail assert/badtoken)."""
        with self.sessions_lock:
            n = len(self.sessions)
            self.sessions.clear()
            return n

    def record_edit(self, entry: dict[str, Any]) -> None:
        """Append to the wbeditentity log."""
        with self.edits_lock:
            self.edits.append(entry)

    def edit_log(self) -> dict[str, Any]:
        """``{"count": calls, "saved": ok calls, "ids": ids of ok calls, "edits": [...]}``."""
        with self.edits_lock:
            edits = list(self.edits)
        ok = [e for e in edits if e["ok"]]
        return {"count": len(edits), "saved": len(ok), "ids": [e["id"] for e in ok],
                "edits": edits}


class DroppedConnection(Exception):
    """Raised to close the socket without answering."""


def _flag(params: dict[str, str], name: str) -> bool:
    return name in params  # MediaWiki: presence = true


def _split(value: str | None) -> list[str]:
    return [v for v in (value or "").split("|") if v != ""]


class ApiHandler(BaseHTTPRequestHandler):
    """Request handler of the Wikibase port."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "wlkit-sandbox/0.1"
    state: ServerState  # set on the subclass by make_api_server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s %s", self.address_string(), format % args)

    # --- plumbing -----------------------------------------------------------------------------

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: bytes, content_type: str,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, payload: Any, status: int = 200, headers: dict[str, str] | None = None
              ) -> None:
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        self._send(status, body, "application/json; charset=utf-8", headers)

    def _drop(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _params(self) -> dict[str, str]:
        split = urlsplit(self.path)
        params = {k: v[-1] for k, v in parse_qs(split.query, keep_blank_values=True).items()}
        if self.command == "POST":
            body = self._body()
            ctype = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
            if ctype == "application/x-www-form-urlencoded" or (not ctype and body):
                text = body.decode("utf-8", errors="replace")
                params.update({k: v[-1] for k, v in
                               parse_qs(text, keep_blank_values=True).items()})
            elif ctype == "multipart/form-data" and body:
                params.update(_parse_multipart(self.headers.get("Content-Type", ""), body))
        return params

    def _session(self) -> tuple[str | None, Session | None]:
        cookie = self.headers.get("Cookie") or ""
        m = re.search(rf"(?:^|;\s*){SESSION_COOKIE}=([0-9a-f]+)", cookie)
        if not m:
            return None, None
        with self.state.sessions_lock:
            return m.group(1), self.state.sessions.get(m.group(1))

    def _new_session(self) -> tuple[str, Session]:
        sid = secrets.token_hex(16)
        sess = Session()
        with self.state.sessions_lock:
            self.state.sessions[sid] = sess
        return sid, sess

    # --- routing ------------------------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        self._route()

    def do_POST(self) -> None:  # noqa: N802 - stdlib name
        self._route()

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib name
        self._route()

    def _route(self) -> None:
        path = urlsplit(self.path).path
        try:
            if path in ("/w/api.php", "/api.php"):
                self._api()
            elif path.startswith("/admin/"):
                self._admin(path[len("/admin/"):])
            elif path.startswith(("/wiki/Special:EntityData/", "/entity/")):
                self._entity_data(path.rsplit("/", 1)[1])
            elif path in ("/", "/health"):
                self._json({"service": "wlkit-sandbox", "api": "/w/api.php"})
            else:
                self._send(404, b"not found\n", "text/plain; charset=utf-8")
        except DroppedConnection:
            self._drop()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    # --- api.php ------------------------------------------------------------------------------

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
        extra_headers: dict[str, str] = {}
        sid, sess = self._session()
        try:
            result = self._dispatch(action, params, sid, sess, extra_headers)
        except ApiFailure as failure:
            extra_headers.update(failure.headers)
            self._json(failure.envelope(), headers={**extra_headers,
                                                    "MediaWiki-API-Error": failure.code})
            return
        self._json(result, headers=extra_headers)

    def _dispatch(self, action: str, params: dict[str, str], sid: str | None,
                  sess: Session | None, headers: dict[str, str]) -> dict[str, Any]:
        fmt = params.get("format", "json")
        if fmt not in ("json", "jsonfm"):
            raise ApiFailure("badvalue", f"Unrecognized value for parameter \"format\": {fmt}.")
        user = sess.user if sess else None
        # asserts first (MediaWiki checks them before the module and the token)
        assertion = params.get("assert")
        if assertion is not None:
            if assertion == "user" and user is None:
                raise ApiFailure("assertuserfailed", "You are no longer logged in, so the "
                                                     "action could not be completed.")
            if assertion == "bot" and (user is None or "bot" not in user["groups"]):
                raise ApiFailure("assertbotfailed", "You do not have the \"bot\" right, so the "
                                                    "action could not be completed.")
            if assertion == "anon" and user is not None:
                raise ApiFailure("assertanonfailed", "You are no longer logged out, so the "
                                                     "action could not be completed.")
            if assertion not in ("user", "bot", "anon"):
                raise ApiFailure("badvalue", f"Unrecognized value for parameter \"assert\": "
                                             f"{assertion}.")
        if action in WRITE_ACTIONS or action == "logout":
            token = params.get("token")
            if token is None:
                raise ApiFailure("missingparam", "The \"token\" parameter must be set.")
            expected = sess.csrf if (sess and user) else ANON_TOKEN
            if token != expected:
                raise ApiFailure("badtoken", "Invalid CSRF token.")
        maxlag = self.state.faults.take("maxlag", action, has_maxlag="maxlag" in params)
        if maxlag:
            lag = int(maxlag.get("lag", 5))
            retry = str(maxlag.get("retry_after", max(lag, 1)))
            raise ApiFailure("maxlag", f"Waiting for 127.0.0.1: {lag} seconds lagged.",
                             extra={"host": "127.0.0.1", "lag": lag, "type": "db"},
                             headers={"Retry-After": retry, "X-Database-Lag": str(lag)})
        if action in WRITE_ACTIONS:
            if user is None:
                raise ApiFailure("notloggedin", "You must be logged in to edit the sandbox "
                                                "Wikibase (anonymous editing is disabled).")
            limited = self.state.faults.take("ratelimited", action)
            if limited:
                retry = str(limited.get("retry_after", 1))
                text = ("As an anti-abuse measure, you are limited from performing this action "
                        "too many times in a short space of time, and you have exceeded this "
                        "limit. Please try again in a few minutes.")
                raise ApiFailure(limited.get("code", "ratelimited"), text,
                                 [message("actionthrottledtext", [], text)],
                                 headers={"Retry-After": retry})
        handler = getattr(self, "_action_" + action.replace("-", "_"), None)
        if handler is None:
            raise ApiFailure("badvalue", f"Unrecognized value for parameter \"action\": "
                                         f"{action}.")
        return handler(params, sid, sess, headers)

    # --- actions ------------------------------------------------------------------------------

    def _action_query(self, params: dict[str, str], sid: str | None, sess: Session | None,
                      headers: dict[str, str]) -> dict[str, Any]:
        out: dict[str, Any] = {"batchcomplete": ""}
        query: dict[str, Any] = {}
        metas = _split(params.get("meta"))
        for meta in metas:
            if meta == "tokens":
                tokens = {}
                for ttype in _split(params.get("type") or "csrf"):
                    if ttype == "login":
                        if sess is None:
                            sid, sess = self._new_session()
                            headers["Set-Cookie"] = f"{SESSION_COOKIE}={sid}; Path=/; HttpOnly"
                        tokens["logintoken"] = sess.login_token
                    elif ttype == "csrf":
                        tokens["csrftoken"] = sess.csrf if (sess and sess.user) else ANON_TOKEN
                    else:
                        raise ApiFailure("badvalue", f"Unrecognized value for parameter "
                                                     f"\"type\": {ttype}.")
                query["tokens"] = tokens
            elif meta == "userinfo":
                user = sess.user if sess else None
                info: dict[str, Any] = ({"id": user["id"], "name": user["name"]} if user else
                                        {"id": 0, "name": self.client_address[0], "anon": ""})
                if "groups" in _split(params.get("uiprop")):
                    info["groups"] = (["*", *user["groups"]] if user else ["*"])
                query["userinfo"] = info
            elif meta == "siteinfo":
                host = self.headers.get("Host", "127.0.0.1")
                query["general"] = {
                    "mainpage": "Main Page", "base": f"http://{host}/wiki/Main_Page",
                    "sitename": "wlkit sandbox", "generator": "MediaWiki 1.43 (wlkit sandbox)",
                    "wikiid": "wlkitsandbox", "lang": "en", "server": f"http://{host}",
                    "servername": host.split(":")[0], "scriptpath": "/w",
                    "articlepath": "/wiki/$1", "time": now_iso(),
                    "wikibase-conceptbaseuri": self.state.repo.vocab.entity,
                }
            else:
                raise ApiFailure("badvalue", f"Unrecognized value for parameter \"meta\": {meta}.")
        for lst in _split(params.get("list")):
            if lst != "search":
                raise ApiFailure("badvalue", f"Unrecognized value for parameter \"list\": {lst}.")
            query.update(self._search(params, out))
        if query:
            out["query"] = query
        return out

    def _search(self, params: dict[str, str], out: dict[str, Any]) -> dict[str, Any]:
        db = self.state.repo.db
        text = params.get("srsearch")
        if text is None:
            raise ApiFailure("missingparam", "The \"srsearch\" parameter must be set.")
        limit = min(int(params.get("srlimit", 10) or 10), 500)
        offset = int(params.get("sroffset", 0) or 0)
        namespaces = {int(n) for n in _split(params.get("srnamespace") or "0")}
        result: set[str] | None = None
        for token in text.split():
            neg = token.startswith("-")
            tok = token[1:] if neg else token
            if tok.lower().startswith("haswbstatement:"):
                matched: set[str] = set()
                for alt in tok.split(":", 1)[1].split("|"):
                    prop, _, value = alt.partition("=")
                    matched |= db.haswbstatement(prop, value if _ else None)
            else:
                matched = db.label_search(tok.strip('"'))
            if neg:
                base = result if result is not None else set(db.all_ids())
                result = base - matched
            else:
                result = matched if result is None else result & matched
        ids = sorted(result or set(), key=lambda e: (e[0], int(e[1:])))
        ids = [e for e in ids if (0 if e[0] == "Q" else 120) in namespaces]
        page = ids[offset:offset + limit]
        infos = db.pageinfo(page)
        hits = []
        for eid in page:
            pageid, revid, modified, size = infos[eid]
            ns = 0 if eid[0] == "Q" else 120
            hits.append({"ns": ns, "title": eid if ns == 0 else f"Property:{eid}",
                         "pageid": pageid, "size": size, "wordcount": 0, "snippet": "",
                         "timestamp": modified})
        if offset + limit < len(ids):
            out["continue"] = {"sroffset": offset + limit, "continue": "-||"}
        return {"searchinfo": {"totalhits": len(ids)}, "search": hits}

    def _action_login(self, params: dict[str, str], sid: str | None, sess: Session | None,
                      headers: dict[str, str]) -> dict[str, Any]:
        token = params.get("lgtoken")
        if sess is None or token != sess.login_token:
            return {"login": {"result": "NeedToken" if sess is None else "WrongToken",
                              "reason": "Invalid or missing login token.",
                              "token": sess.login_token if sess else ""}}
        user = self.state.repo.db.check_bot_password(params.get("lgname", ""),
                                                     params.get("lgpassword", ""))
        if user is None:
            return {"login": {"result": "Failed", "reason": "Incorrect username or password "
                                                            "entered. Please try again."}}
        sess.user = user
        sess.csrf = secrets.token_hex(16) + ANON_TOKEN
        return {"login": {"result": "Success", "lguserid": user["id"],
                          "lgusername": user["name"]}}

    def _action_clientlogin(self, params: dict[str, str], sid: str | None,
                            sess: Session | None, headers: dict[str, str]) -> dict[str, Any]:
        if sess is None or params.get("logintoken") != sess.login_token:
            raise ApiFailure("badtoken", "Invalid CSRF token.")
        user = self.state.repo.db.check_password(params.get("username", ""),
                                                 params.get("password", ""))
        if user is None:
            return {"clientlogin": {"status": "FAIL", "message": "Incorrect username or "
                                    "password entered. Please try again.",
                                    "messagecode": "wrongpassword"}}
        sess.user = user
        sess.csrf = secrets.token_hex(16) + ANON_TOKEN
        return {"clientlogin": {"status": "PASS", "username": user["name"]}}

    def _action_logout(self, params: dict[str, str], sid: str | None, sess: Session | None,
                       headers: dict[str, str]) -> dict[str, Any]:
        if sid:
            with self.state.sessions_lock:
                self.state.sessions.pop(sid, None)
        return {}

    def _action_wbgetentities(self, params: dict[str, str], sid: str | None,
                              sess: Session | None, headers: dict[str, str]) -> dict[str, Any]:
        repo = self.state.repo
        ids = _split(params.get("ids"))
        titles = _split(params.get("titles"))
        sites = _split(params.get("sites"))
        user = sess.user if sess else None
        limit = 500 if user and "bot" in user["groups"] else 50
        if len(ids) > limit or len(titles) > limit:
            raise ApiFailure("toomanyvalues", f"Too many values supplied for parameter "
                                              f"\"{'ids' if len(ids) > limit else 'titles'}\". "
                                              f"The limit is {limit}.",
                             extra={"limit": limit, "lowlimit": 50, "highlimit": 500})
        if titles:
            if len(sites) != 1:
                raise ApiFailure("param-missing", "Either provide the item \"ids\" or pairs of "
                                                  "\"sites\" and \"titles\" for corresponding "
                                                  "pages")
            for title in titles:
                row = repo.db.reader.execute(
                    "SELECT entity FROM terms WHERE kind='sitelink' AND lang=? AND value=?",
                    (sites[0], title.replace("_", " "))).fetchone()
                ids.append(row[0] if row else "")
        if not ids:
            raise ApiFailure("param-missing", "Either provide the item \"ids\" or pairs of "
                                              "\"sites\" and \"titles\" for corresponding pages")
        props = set(_split(params.get("props"))) if "props" in params else set(DEFAULT_PROPS)
        languages = set(_split(params.get("languages"))) or None
        entities: dict[str, Any] = {}
        for n, raw_id in enumerate(ids):
            eid = raw_id.strip()
            if titles and eid == "":
                entities[str(-1 - n)] = {"site": sites[0], "title": titles[n], "missing": ""}
                continue
            norm = eid.upper()
            if not ENTITY_ID_RE.match(norm) or norm[0] == "L":
                raise ApiFailure("no-such-entity", f"Could not find an entity with the ID "
                                                   f"\"{eid}\".", extra={"id": eid})
            ent = repo.get(norm)
            if ent is None:
                entities[eid] = {"id": norm, "missing": ""}
                continue
            entities[eid] = _project(ent, props, languages)
        return {"entities": entities, "success": 1}

    def _action_wbeditentity(self, params: dict[str, str], sid: str | None,
                             sess: Session | None, headers: dict[str, str]) -> dict[str, Any]:
        assert sess is not None and sess.user is not None
        entry: dict[str, Any] = {"id": params.get("id"), "new": params.get("new"), "ok": False,
                                 "user": sess.user["name"], "summary": params.get("summary"),
                                 "tags": params.get("tags"), "bot": _flag(params, "bot"),
                                 "at": now_iso()}
        try:
            if self.state.faults.take("editconflict", "wbeditentity"):
                raise edit_conflict()
            if "data" not in params:
                raise ApiFailure("missingparam", "The \"data\" parameter must be set.")
            try:
                data = json.loads(params["data"])
            except ValueError as exc:
                raise ApiFailure("invalid-json", f"Could not parse data: {exc}") from None
            if "new" in params and ("id" in params or "site" in params):
                raise ApiFailure("param-illegal", "Either provide the item \"id\" or \"new\", "
                                                  "not both.")
            if "new" not in params and "id" not in params:
                if "site" in params and "title" in params:
                    row = self.state.repo.db.reader.execute(
                        "SELECT entity FROM terms WHERE kind='sitelink' AND lang=? AND value=?",
                        (params["site"], params["title"])).fetchone()
                    if row is None:
                        raise ApiFailure("no-such-entity-link", "No entity found matching site "
                                                                "link")
                    params["id"] = row[0]
                else:
                    raise ApiFailure("no-such-entity", "Either provide the item \"id\" or "
                                                       "\"new\".")
            baserevid = params.get("baserevid")
            entity, nochange = self.state.repo.edit(
                data if isinstance(data, dict) else {"_": data},
                entity_id=(params.get("id") or "").upper() or None,
                new=params.get("new"),
                clear=_flag(params, "clear"),
                baserevid=int(baserevid) if baserevid not in (None, "") else None,
                user=sess.user["name"], summary=params.get("summary"), tags=params.get("tags"),
            )
        except ApiFailure as failure:
            entry["error"] = failure.code
            self.state.record_edit(entry)
            raise
        entry.update(ok=True, id=entity["id"], revid=entity["lastrevid"], nochange=nochange)
        self.state.record_edit(entry)
        result: dict[str, Any] = {"entity": entity, "success": 1}
        if nochange:
            result["entity"]["nochange"] = ""
        return result

    def _action_wbremoveclaims(self, params: dict[str, str], sid: str | None,
                               sess: Session | None, headers: dict[str, str]) -> dict[str, Any]:
        assert sess is not None and sess.user is not None
        guids = _split(params.get("claim"))
        if not guids:
            raise ApiFailure("missingparam", "The \"claim\" parameter must be set.")
        owners = {g.split("$", 1)[0].upper() for g in guids}
        if len(owners) != 1:
            raise ApiFailure("invalid-guid", "All claims must belong to the same entity")
        baserevid = params.get("baserevid")
        entity, _ = self.state.repo.edit(
            {"claims": [{"id": g, "remove": ""} for g in guids]}, entity_id=owners.pop(),
            baserevid=int(baserevid) if baserevid else None, user=sess.user["name"],
            summary=params.get("summary"), tags=params.get("tags"))
        return {"pageinfo": {"lastrevid": entity["lastrevid"]}, "success": 1, "claims": guids}

    def _action_wbsearchentities(self, params: dict[str, str], sid: str | None,
                                 sess: Session | None, headers: dict[str, str]
                                 ) -> dict[str, Any]:
        search = params.get("search")
        if search is None:
            raise ApiFailure("missingparam", "The \"search\" parameter must be set.")
        language = params.get("language")
        if language is None:
            raise ApiFailure("missingparam", "The \"language\" parameter must be set.")
        etype = params.get("type", "item")
        limit = max(1, min(int(params.get("limit", 7) or 7), 50))
        offset = int(params.get("continue", 0) or 0)
        strict = _flag(params, "strict_language")
        repo = self.state.repo
        host = self.headers.get("Host", "127.0.0.1")
        hits: list[dict[str, Any]] = []
        norm = search.strip().upper()
        seen: set[str] = set()
        if ENTITY_ID_RE.match(norm) and norm[0] == ("Q" if etype == "item" else "P") and \
                repo.db.exists(norm) and offset == 0:
            seen.add(norm)
            hits.append(self._search_hit(norm, language, {"type": "entityId", "text": norm},
                                         host))
        rows = repo.db.search_terms(search.strip(), language if strict else None, etype,
                                    limit + 1, offset) if search.strip() else []
        for eid, kind, lang, value in rows:
            if eid in seen:
                continue
            seen.add(eid)
            hits.append(self._search_hit(eid, language, {"type": kind, "language": lang,
                                                         "text": value}, host))
        out: dict[str, Any] = {"searchinfo": {"search": search}, "search": hits[:limit]}
        if len(hits) > limit and offset + limit < 50:
            out["search-continue"] = offset + limit
        out["success"] = 1
        return out

    def _search_hit(self, eid: str, language: str, match: dict[str, Any], host: str
                    ) -> dict[str, Any]:
        ent = self.state.repo.get(eid) or {}
        label = (ent.get("labels", {}).get(language) or next(iter(ent.get("labels", {})
                                                                   .values()), None))
        desc = ent.get("descriptions", {}).get(language)
        hit: dict[str, Any] = {
            "id": eid, "title": ent.get("title", eid), "pageid": ent.get("pageid"),
            "repository": "local", "url": f"//{host}/wiki/{ent.get('title', eid)}",
            "concepturi": self.state.repo.vocab.entity + eid,
            "label": label["value"] if label else eid,
            "match": match,
        }
        if label:
            hit["display"] = {"label": {"value": label["value"], "language": label["language"]}}
        if desc:
            hit["description"] = desc["value"]
            hit.setdefault("display", {})["description"] = {"value": desc["value"],
                                                            "language": desc["language"]}
        aliases = [a["value"] for a in ent.get("aliases", {}).get(language, [])]
        if aliases:
            hit["aliases"] = aliases
        if ent.get("type") == "property":
            hit["datatype"] = ent.get("datatype")
        return hit

    # --- Special:EntityData -------------------------------------------------------------------

    def _entity_data(self, name: str) -> None:
        eid, _, ext = name.partition(".")
        eid = eid.upper()
        ent = self.state.repo.get(eid) if ENTITY_ID_RE.match(eid) else None
        if ent is None:
            self._send(404, f"No entity with ID {eid}\n".encode(), "text/plain; charset=utf-8")
            return
        ext = ext or "json"
        if ext == "json":
            full = with_urls(content_of(ent))
            for key in ("pageid", "ns", "title", "lastrevid", "modified"):
                full[key] = ent[key]
            self._json({"entities": {eid: full}})
            return
        repo = self.state.repo
        triples = entity_triples(ent, repo.vocab, repo.db.property_type, form="dump")
        if ext == "ttl":
            self._send(200, to_turtle(triples, repo.vocab), "text/turtle; charset=utf-8")
        elif ext == "nt":
            self._send(200, to_ntriples(triples), "application/n-triples; charset=utf-8")
        else:
            self._send(415, f"unsupported format {ext}\n".encode(), "text/plain; charset=utf-8")

    # --- admin --------------------------------------------------------------------------------

    def _admin(self, name: str) -> None:
        if self.client_address[0] not in LOOPBACK:
            self._json({"error": "admin endpoints are loopback-only"}, status=403)
            return
        state = self.state
        try:
            if name == "faults":
                if self.command == "POST":
                    spec = json.loads(self._body() or b"{}")
                    actions = state.faults.set(spec)
                    expired = state.expire_sessions() if actions.get("expire_sessions") else None
                    self._json({"faults": state.faults.snapshot(), "expired_sessions": expired})
                else:
                    self._json({"faults": state.faults.snapshot()})
            elif name == "edits":
                self._json(state.edit_log())
            elif name == "reset" and self.command == "POST":
                state.faults.clear()
                with state.edits_lock:
                    state.edits.clear()
                self._json({"reset": True})
            elif name == "seed" and self.command == "POST":
                doc = json.loads(self._body() or b"{}")
                entities = doc.get("entities", doc) if isinstance(doc, dict) else doc
                if isinstance(entities, dict):
                    entities = list(entities.values()) if "id" not in entities else [entities]
                try:
                    self._json(state.repo.seed(entities))
                except ApiFailure as failure:
                    self._json({"error": {"code": failure.code, "info": failure.info}},
                               status=400)
            elif name == "stats":
                self._json({**state.repo.db.count(), "sessions": len(state.sessions),
                            "faults": state.faults.snapshot()})
            elif name == "load" and self.command == "POST":
                from sandbox.sparql_endpoint import load_rdf

                self._json(load_rdf(state.repo, self._body(),
                                    self.headers.get("Content-Type", "text/turtle"),
                                    parse_qs(urlsplit(self.path).query).get("graph", [None])[0]))
            else:
                self._json({"error": f"unknown admin endpoint {self.command} /admin/{name}"},
                           status=404)
        except (FaultError, ValueError) as exc:
            self._json({"error": str(exc)}, status=400)


def _parse_multipart(content_type: str, body: bytes) -> dict[str, str]:
    m = re.search(r"boundary=\"?([^\";]+)\"?", content_type)
    if not m:
        return {}
    out = {}
    for part in body.split(b"--" + m.group(1).encode()):
        head, _, value = part.partition(b"\r\n\r\n")
        nm = re.search(rb'name="([^"]+)"', head)
        if nm:
            out[nm.group(1).decode()] = value.rstrip(b"\r\n").decode("utf-8", errors="replace")
    return out


def _project(ent: dict[str, Any], props: set[str], languages: set[str] | None) -> dict[str, Any]:
    """wbgetentities record for ``props`` and ``languages``."""
    out: dict[str, Any] = {}
    if "info" in props:
        for key in ("pageid", "ns", "title", "lastrevid", "modified"):
            out[key] = ent[key]
    out["type"] = ent["type"]
    out["id"] = ent["id"]
    if "datatype" in props and ent["type"] == "property":
        out["datatype"] = ent["datatype"]
    for key in ("labels", "descriptions", "aliases"):
        if key in props:
            terms = ent.get(key, {})
            out[key] = {k: v for k, v in terms.items() if languages is None or k in languages}
    if "claims" in props:
        out["claims"] = ent.get("claims", {})
    if ent["type"] == "item" and ("sitelinks" in props or "sitelinks/urls" in props):
        out["sitelinks"] = (with_urls(ent)["sitelinks"] if "sitelinks/urls" in props
                            else ent.get("sitelinks", {}))
    return out


class QuietThreadingHTTPServer(ThreadingHTTPServer):
    """Threading server that does not print tracebacks of clients hanging up."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("connection error from %s", client_address, exc_info=True)


def make_api_server(state: ServerState, port: int, host: str = "127.0.0.1"
                    ) -> QuietThreadingHTTPServer:
    """An HTTP server for the Action API bound to ``host:port``."""
    handler = type("BoundApiHandler", (ApiHandler,), {"state": state})
    return QuietThreadingHTTPServer((host, port), handler)
