"""``api.php`` dispatch: format, assert, token and lag checks, then the action module.

Action modules register in :data:`ACTIONS` (name → ``function(ApiRequest) -> dict``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sandbox import (
    actions_auth,
    actions_claims,
    actions_entities,
    actions_merge,
    actions_query,
    actions_snaks,
    actions_terms,
)
from sandbox.api_request import ApiRequest
from sandbox.faults import WRITE_ACTIONS
from sandbox.paraminfo import paraminfo_action
from sandbox.state import ANON_TOKEN
from sandbox.wikibase_errors import ApiFailure, message

log = logging.getLogger(__name__)

#: Every action the sandbox answers: name → function(req) returning the JSON answer.
ACTIONS: dict[str, Callable[[ApiRequest], dict[str, Any]]] = {
    **actions_auth.ACTIONS, **actions_query.ACTIONS, **actions_entities.ACTIONS,
    **actions_claims.ACTIONS, **actions_terms.ACTIONS, **actions_snaks.ACTIONS,
    **actions_merge.ACTIONS,
}
#: Modules MediaWiki marks ``mustbeposted`` (every write, and the login modules).
POST_ONLY = WRITE_ACTIONS | {"login", "clientlogin", "logout"}
ACTIONS["paraminfo"] = paraminfo_action(ACTIONS, set(POST_ONLY))
_ASSERT_FAILURES = {
    "user": ("assertuserfailed", "You are no longer logged in, so the action could not be "
                                 "completed."),
    "bot": ("assertbotfailed", "You do not have the \"bot\" right, so the action could not be "
                               "completed."),
    "anon": ("assertanonfailed", "You are no longer logged out, so the action could not be "
                                 "completed."),
}
_THROTTLED = ("As an anti-abuse measure, you are limited from performing this action too many "
              "times in a short space of time, and you have exceeded this limit. Please try "
              "again in a few minutes.")


def _check_assert(req: ApiRequest) -> None:
    assertion = req.params.get("assert")
    if assertion is None:
        return
    if assertion not in _ASSERT_FAILURES:
        raise ApiFailure("badvalue", f"Unrecognized value for parameter \"assert\": "
                                     f"{assertion}.")
    user = req.user
    failed = ((assertion == "user" and user is None)
              or (assertion == "bot" and (user is None or "bot" not in user["groups"]))
              or (assertion == "anon" and user is not None))
    if failed:
        raise ApiFailure(*_ASSERT_FAILURES[assertion])


def _check_posted(req: ApiRequest, action: str) -> None:
    if action in POST_ONLY and req.method != "POST":
        raise ApiFailure("mustbeposted", f"The \"{action}\" module requires a POST request.")


def _check_token(req: ApiRequest, action: str) -> None:
    if action not in WRITE_ACTIONS and action != "logout":
        return
    token = req.require("token")
    expected = req.sess.csrf if (req.sess and req.user) else ANON_TOKEN
    if token != expected:
        raise ApiFailure("badtoken", "Invalid CSRF token.")


def _check_faults(req: ApiRequest, action: str) -> None:
    faults = req.state.faults
    maxlag = faults.take("maxlag", action, has_maxlag="maxlag" in req.params)
    if maxlag:
        lag = int(maxlag.get("lag", 5))
        retry = str(maxlag.get("retry_after", max(lag, 1)))
        raise ApiFailure("maxlag", f"Waiting for 127.0.0.1: {lag} seconds lagged.",
                         extra={"host": "127.0.0.1", "lag": lag, "type": "db"},
                         headers={"Retry-After": retry, "X-Database-Lag": str(lag)})
    if action in WRITE_ACTIONS:
        if req.user is None:
            raise ApiFailure("notloggedin", "You must be logged in to edit the sandbox "
                                            "Wikibase (anonymous editing is disabled).")
        limited = faults.take("ratelimited", action)
        if limited:
            raise ApiFailure(limited.get("code", "ratelimited"), _THROTTLED,
                             [message("actionthrottledtext", [], _THROTTLED)],
                             headers={"Retry-After": str(limited.get("retry_after", 1))})


def dispatch(req: ApiRequest,
             actions: dict[str, Callable[[ApiRequest], dict[str, Any]]] | None = None
             ) -> dict[str, Any]:
    """Run the request's ``action`` after MediaWiki's checks (in MediaWiki's order).

    ``actions`` replaces :data:`ACTIONS` for another port with the same checks (the local
    Commons, :mod:`sandbox.commons.actions`).

    Raises:
        ApiFailure: the error envelope to answer with.
    """
    action = req.params.get("action", "help")
    fmt = req.params.get("format", "json")
    if fmt not in ("json", "jsonfm"):
        raise ApiFailure("badvalue", f"Unrecognized value for parameter \"format\": {fmt}.")
    handler = (ACTIONS if actions is None else actions).get(action)
    if handler is None:
        raise ApiFailure("badvalue", f"Unrecognized value for parameter \"action\": {action}.")
    _check_posted(req, action)
    _check_assert(req)
    _check_token(req, action)
    _check_faults(req, action)
    try:
        out = handler(req)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        # What MediaWiki answers for an exception no module caught (never a closed socket).
        log.exception("action %s failed on unexpected input", action)
        raise ApiFailure(f"internal_api_error_{type(exc).__name__}",
                         f"[sandbox] Exception caught: {exc}"[:500]) from None
    if req.warnings:
        key = "warnings" if req.params.get("formatversion") in ("2", "latest") else "*"
        out = {"warnings": {m: {key: "\n".join(t)} for m, t in req.warnings.items()}, **out}
    return out
