"""Authentication actions: ``login`` (bot passwords), ``clientlogin``, ``logout``, tokens, userinfo."""

from __future__ import annotations

import secrets
from typing import Any

from sandbox.api_request import ApiRequest
from sandbox.state import ANON_TOKEN
from sandbox.wikibase_errors import ApiFailure


def action_login(req: ApiRequest) -> dict[str, Any]:
    """``action=login`` with ``lgname``/``lgpassword``/``lgtoken`` (bot passwords)."""
    sess = req.sess
    token = req.params.get("lgtoken")
    if sess is None or token != sess.login_token:
        return {"login": {"result": "NeedToken" if sess is None else "WrongToken",
                          "reason": "Invalid or missing login token.",
                          "token": sess.login_token if sess else ""}}
    user = req.state.repo.db.check_bot_password(req.params.get("lgname", ""),
                                                req.params.get("lgpassword", ""))
    if user is None:
        return {"login": {"result": "Failed", "reason": "Incorrect username or password "
                                                        "entered. Please try again."}}
    sess.user = user
    sess.csrf = secrets.token_hex(16) + ANON_TOKEN
    return {"login": {"result": "Success", "lguserid": user["id"], "lgusername": user["name"]}}


def action_clientlogin(req: ApiRequest) -> dict[str, Any]:
    """``action=clientlogin`` with ``username``/``password``/``logintoken``."""
    sess = req.sess
    if sess is None or req.params.get("logintoken") != sess.login_token:
        raise ApiFailure("badtoken", "Invalid CSRF token.")
    user = req.state.repo.db.check_password(req.params.get("username", ""),
                                            req.params.get("password", ""))
    if user is None:
        return {"clientlogin": {"status": "FAIL", "message": "Incorrect username or "
                                "password entered. Please try again.",
                                "messagecode": "wrongpassword"}}
    sess.user = user
    sess.csrf = secrets.token_hex(16) + ANON_TOKEN
    return {"clientlogin": {"status": "PASS", "username": user["name"]}}


def action_logout(req: ApiRequest) -> dict[str, Any]:
    """``action=logout``: forget the session."""
    if req.sid:
        req.state.drop_session(req.sid)
    return {}


def meta_tokens(req: ApiRequest) -> dict[str, Any]:
    """``meta=tokens``: login and csrf tokens."""
    tokens = {}
    for ttype in req.multi("type") or ["csrf"]:
        if ttype == "login":
            sess = req.sess or req.start_session()
            tokens["logintoken"] = sess.login_token
        elif ttype == "csrf":
            tokens["csrftoken"] = req.sess.csrf if (req.sess and req.user) else ANON_TOKEN
        else:
            raise ApiFailure("badvalue", f"Unrecognized value for parameter \"type\": {ttype}.")
    return {"tokens": tokens}


def meta_userinfo(req: ApiRequest) -> dict[str, Any]:
    """``meta=userinfo`` with ``uiprop=groups``."""
    user = req.user
    info: dict[str, Any] = ({"id": user["id"], "name": user["name"]} if user else
                            {"id": 0, "name": req.client_ip, "anon": ""})
    if "groups" in req.multi("uiprop"):
        info["groups"] = (["*", *user["groups"]] if user else ["*"])
    return {"userinfo": info}


ACTIONS = {"login": action_login, "clientlogin": action_clientlogin, "logout": action_logout}
METAS = {"tokens": meta_tokens, "userinfo": meta_userinfo}
