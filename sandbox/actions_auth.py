"""Authentication: ``login`` (bot passwords), ``clientlogin``, ``logout``, tokens, userinfo.

Sessions live in a cookie; the session id changes at every successful login; failed logins are
throttled per user name and client address (MediaWiki's defaults: 5 in 5 minutes).
"""

from __future__ import annotations

from typing import Any

from sandbox.api_request import ApiRequest
from sandbox.state import ANON_TOKEN
from sandbox.wikibase_errors import ApiFailure

#: Token types MediaWiki's ``meta=tokens`` knows (all but login are the session's CSRF token).
TOKEN_TYPES = ("createaccount", "csrf", "deleteglobalaccount", "login", "patrol", "rollback",
               "setglobalaccountstatus", "userrights", "watch")
_THROTTLED = "You have made too many recent login attempts. Please wait 5 minutes before trying again."
_WRONG_PASSWORD = "Incorrect username or password entered. Please try again."
#: What MediaWiki grants the sandbox's groups (``uiprop=rights``).
GROUP_RIGHTS = {
    "*": ["read", "createaccount", "edit", "createpage", "writeapi", "editmyoptions"],
    "user": ["move", "move-subpages", "upload", "reupload", "purge", "sendemail", "applychangetags",
             "editcontentmodel", "minoredit", "item-term", "property-term", "item-merge",
             "item-redirect", "property-create", "createtalk", "changetags"],
    "bot": ["bot", "autoconfirmed", "editsemiprotected", "nominornewtalk", "autopatrol",
            "suppressredirect", "apihighlimits", "writeapi", "skipcaptcha", "noratelimit"],
}


def _check_password(req: ApiRequest, name: str, password: str, bot: bool
                    ) -> dict[str, Any] | None:
    db = req.state.repo.db
    return db.check_bot_password(name, password) if bot else db.check_password(name, password)


def _authenticate(req: ApiRequest, name: str, password: str, bot: bool) -> tuple[Any, str]:
    """``(user, "")`` on success, ``(None, reason)`` on failure (counted for throttling)."""
    account = name.split("@", 1)[0]
    if req.state.login_throttled(account, req.client_ip):
        return None, "throttled"
    user = _check_password(req, name, password, bot)
    if user is None:
        req.state.login_failed(account, req.client_ip)
        return None, "wrongpassword"
    req.sess.log_in(user)  # type: ignore[union-attr]
    req.rotate_session()
    return user, ""


def action_login(req: ApiRequest) -> dict[str, Any]:
    """``action=login`` with ``lgname``/``lgpassword``/``lgtoken`` (bot passwords).

    Without a valid ``lgtoken`` the answer is ``NeedToken``/``WrongToken`` carrying a login
    token bound to the (new) session cookie, as MediaWiki does.
    """
    sess = req.sess or req.start_session()
    token = req.params.get("lgtoken")
    if token != sess.login_token:
        return {"login": {"result": "NeedToken" if token is None else "WrongToken",
                          "token": sess.login_token}}
    user, reason = _authenticate(req, req.params.get("lgname", ""),
                                 req.params.get("lgpassword", ""), bot=True)
    if user is None:
        return {"login": {"result": "Failed",
                          "reason": _THROTTLED if reason == "throttled" else _WRONG_PASSWORD}}
    return {"login": {"result": "Success", "lguserid": user["id"], "lgusername": user["name"]}}


def action_clientlogin(req: ApiRequest) -> dict[str, Any]:
    """``action=clientlogin`` with ``username``/``password``/``logintoken``."""
    sess = req.sess
    if sess is None or req.params.get("logintoken") != sess.login_token:
        raise ApiFailure("badtoken", "Invalid CSRF token.")
    if "loginreturnurl" not in req.params and "logincontinue" not in req.params:
        raise ApiFailure("missingparam", "One of the parameters \"loginreturnurl\" and "
                                         "\"logincontinue\" is required.")
    user, reason = _authenticate(req, req.params.get("username", ""),
                                 req.params.get("password", ""), bot=False)
    if user is None:
        if reason == "throttled":
            return {"clientlogin": {"status": "FAIL", "message": _THROTTLED,
                                    "messagecode": "login-throttled"}}
        return {"clientlogin": {"status": "FAIL", "message": _WRONG_PASSWORD,
                                "messagecode": "wrongpassword"}}
    return {"clientlogin": {"status": "PASS", "username": user["name"]}}


def action_logout(req: ApiRequest) -> dict[str, Any]:
    """``action=logout``: forget the session."""
    if req.sid:
        req.state.drop_session(req.sid)
    return {}


def meta_tokens(req: ApiRequest) -> dict[str, Any]:
    """``meta=tokens`` for every MediaWiki token type (``type=*`` gives all)."""
    types = req.multi("type") or ["csrf"]
    if types == ["*"]:
        types = list(TOKEN_TYPES)
    tokens = {}
    for ttype in types:
        if ttype not in TOKEN_TYPES:
            raise ApiFailure("badvalue", f"Unrecognized value for parameter \"type\": {ttype}.")
        if ttype == "login":
            tokens["logintoken"] = (req.sess or req.start_session()).login_token
        else:
            tokens[ttype + "token"] = req.sess.csrf if (req.sess and req.user) else ANON_TOKEN
    return {"tokens": tokens}


def rights_of(groups: list[str]) -> list[str]:
    """The rights of a user in ``groups`` (plus ``*``), without duplicates."""
    out: list[str] = []
    for group in ["*", *groups]:
        out += [r for r in GROUP_RIGHTS.get(group, []) if r not in out]
    return out


def meta_userinfo(req: ApiRequest) -> dict[str, Any]:
    """``meta=userinfo`` with ``uiprop=groups|rights|blockinfo|hasmsg|editcount``."""
    user = req.user
    info: dict[str, Any] = ({"id": user["id"], "name": user["name"]} if user else
                            {"id": 0, "name": req.client_ip, "anon": ""})
    groups = ["*", *user["groups"]] if user else ["*"]
    props = set(req.multi("uiprop"))
    if "groups" in props:
        info["groups"] = groups
    if "rights" in props:
        info["rights"] = rights_of(groups[1:])
    if "editcount" in props:
        info["editcount"] = 0
    return {"userinfo": info}


def list_allusers(req: ApiRequest, out: dict[str, Any]) -> dict[str, Any]:
    """``list=allusers`` (``auprefix``, ``aufrom``, ``aulimit``, ``auprop=groups|editcount``)."""
    rows = req.state.repo.db.reader.execute("SELECT id, name, groups FROM users ORDER BY name"
                                            ).fetchall()
    prefix, start = req.params.get("auprefix", ""), req.params.get("aufrom", "")
    props = set(req.multi("auprop"))
    users = []
    for uid, name, groups in rows:
        if not name.startswith(prefix) or name < start:
            continue
        entry: dict[str, Any] = {"userid": uid, "name": name}
        if "groups" in props:
            entry["groups"] = ["*", "user", *[g for g in groups.split("|") if g != "user"]]
        if "editcount" in props:
            entry["editcount"] = 0
        users.append(entry)
    return {"allusers": users}


ACTIONS = {"login": action_login, "clientlogin": action_clientlogin, "logout": action_logout}
METAS = {"tokens": meta_tokens, "userinfo": meta_userinfo}
LISTS = {"allusers": list_allusers}
