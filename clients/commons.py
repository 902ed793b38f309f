"""The one client of the Commons Action API (the local Commons, or commons.wikimedia.org).

It owns the HTTP session, the User-Agent, ``formatversion=2``, the retry policy (429/5xx and
connection failures retried with Retry-After or exponential backoff, ``maxlag`` on writes), the
continuation protocol (``continue`` echoed back, prop results of one generator batch merged
until ``batchcomplete``), login with a bot password and the CSRF token, and error mapping: reads
fail with :class:`~core.errors.ServiceError`, writes with the :class:`~core.errors.UploadError`
classes of :data:`core.errors.API_ERROR_CLASSES`.
"""

from __future__ import annotations

import email.utils
import json
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

import requests

from core.errors import API_ERROR_CLASSES, ServiceError, UploadError
from core.settings import Target

log = logging.getLogger(__name__)

#: Titles / ids per request: MediaWiki's limit for clients without the apihighlimits right.
BATCH = 50
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_WAIT_S = 120.0
WRITE_ACTIONS = frozenset({"wbeditentity", "edit", "upload"})


class CommonsClient:
    """Reads and writes against one Commons API URL.

    Args:
        api_url: ``…/w/api.php``.
        user_agent: Sent with every request (Wikimedia's User-Agent policy).
        max_retries: Attempts after the first for transient failures.
        backoff: First wait in seconds when the server gives no Retry-After (doubles, capped).
        timeout: Seconds per HTTP request.
        sleep: How to wait (tests pass a recorder; never a real sleep in assertions).
    """

    def __init__(self, api_url: str, user_agent: str, *, max_retries: int = 5,
                 backoff: float = 1.0, timeout: float = 60.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.api_url = api_url
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent
        self.max_retries, self.backoff, self.timeout, self._sleep = max_retries, backoff, timeout, sleep
        self.requests = 0
        self._csrf: str | None = None

    @classmethod
    def for_target(cls, target: Target, **kwargs: Any) -> CommonsClient:
        """The client of a target's ``commons_api_url``.

        Raises:
            ServiceError: the target has no Commons API URL (set WLKIT_COMMONS_API_URL).
        """
        if not target.commons_api_url:
            raise ServiceError(f"target {target.name!r} has no Commons API: set WLKIT_COMMONS_API_URL")
        return cls(target.commons_api_url, target.user_agent, **kwargs)

    # --- one request -----------------------------------------------------------------------

    def _wait(self, resp: requests.Response | None, attempt: int) -> float:
        header = resp.headers.get("Retry-After") if resp is not None else None
        if header:
            try:
                return min(float(header), MAX_WAIT_S)
            except ValueError:
                when = email.utils.parsedate_to_datetime(header)
                return min(max(when.timestamp() - time.time(), 0.0), MAX_WAIT_S)
        return min(self.backoff * 2 ** attempt, MAX_WAIT_S)

    def request(self, params: dict[str, Any], *, post: bool = False) -> dict[str, Any]:
        """One API call (``format=json&formatversion=2``) with the retry policy.

        Raises:
            ServiceError: a read failed (API error, HTTP error, retries exhausted).
            UploadError: a write failed (the class named by its API error code).
        """
        action = params.get("action", "query")
        data = {"format": "json", "formatversion": "2", **params}
        if action in WRITE_ACTIONS:
            data.setdefault("maxlag", "5")
        for attempt in range(self.max_retries + 1):
            resp = None
            try:
                self.requests += 1
                resp = (self.session.post(self.api_url, data=data, timeout=self.timeout) if post
                        else self.session.get(self.api_url, params=data, timeout=self.timeout))
                if resp.status_code not in RETRY_STATUS:
                    resp.raise_for_status()
                    body = resp.json()
                    if body.get("error", {}).get("code") != "maxlag":
                        return self._checked(action, body)
            except (requests.ConnectionError, requests.Timeout) as exc:
                log.info("Commons API %s: %s (attempt %d)", action, exc, attempt + 1)
            except (requests.HTTPError, ValueError) as exc:
                raise ServiceError(f"{self.api_url}: {action} failed: {exc}") from exc
            if attempt < self.max_retries:
                self._sleep(self._wait(resp, attempt))
        raise ServiceError(f"{self.api_url}: {action} failed after {self.max_retries + 1} attempts")

    def _checked(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        err = body.get("error")
        if not err:
            return body
        code, info = err.get("code", "unknown"), err.get("info", "")
        if action in WRITE_ACTIONS or code in ("badtoken", "assertuserfailed"):
            raise API_ERROR_CLASSES.get(code, UploadError)(f"{code}: {info}", code=code, info=info)
        raise ServiceError(f"{self.api_url}: {action} failed: {code}: {info}")

    # --- continuation -----------------------------------------------------------------------

    def query(self, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Every ``query`` part of a query, following ``continue`` to the end.

        For generator queries one item is one generator batch, its pages merged from the
        prop-continued responses (``clcontinue``, ``tlcontinue`` …) until ``batchcomplete``.
        """
        cont: dict[str, Any] = {}
        merged: dict[str, Any] = {}
        while True:
            body = self.request({"action": "query", **params, **cont})
            _merge(merged, body.get("query", {}))
            if body.get("batchcomplete") or "continue" not in body:
                if "pages" in merged:
                    merged["pages"] = list(merged["pages"].values())
                yield merged
                merged = {}
            if "continue" not in body:
                return
            cont = body["continue"]

    # --- account and writes -----------------------------------------------------------------

    def login(self, user: str, password: str) -> None:
        """Log in with a bot password (``User@bot``) and fetch the CSRF token."""
        token = self.request({"action": "query", "meta": "tokens", "type": "login"})
        result = self.request({"action": "login", "lgname": user, "lgpassword": password,
                               "lgtoken": token["query"]["tokens"]["logintoken"]}, post=True)
        if result.get("login", {}).get("result") != "Success":
            raise UploadError(f"login as {user} failed: {result.get('login', {}).get('reason')}",
                              code="login")
        self._csrf = self.request({"action": "query", "meta": "tokens"})["query"]["tokens"]["csrftoken"]

    def get_entities(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        """MediaInfo entities by id (``M<pageid>``), :data:`BATCH` per request."""
        out: dict[str, dict[str, Any]] = {}
        for i in range(0, len(ids), BATCH):
            body = self.request({"action": "wbgetentities", "ids": "|".join(ids[i:i + BATCH])})
            out.update(body.get("entities", {}))
        return out

    def edit_entity(self, entity_id: str, data: dict[str, Any], summary: str,
                    baserevid: int | None = None) -> dict[str, Any]:
        """One ``wbeditentity`` on a MediaInfo (logged in first); returns the saved entity."""
        if self._csrf is None:
            raise UploadError("log in before editing", code="notloggedin")
        params = {"action": "wbeditentity", "id": entity_id, "data": json.dumps(data),
                  "summary": summary, "token": self._csrf, "bot": "1", "assert": "user"}
        if baserevid:
            params["baserevid"] = str(baserevid)
        return self.request(params, post=True)["entity"]


def _merge(into: dict[str, Any], part: dict[str, Any]) -> None:
    """Merge one response's ``query`` into ``into`` (pages by id, lists extended)."""
    for key, value in part.items():
        if key == "pages":
            pages = into.setdefault("pages", {})
            for page in value:
                key_ = page.get("pageid", page.get("title"))
                old = pages.setdefault(key_, {})
                for k, v in page.items():
                    if isinstance(v, list) and isinstance(old.get(k), list):
                        old[k].extend(v)
                    else:
                        old[k] = v
        elif isinstance(value, list):
            into.setdefault(key, []).extend(value)
        else:
            into[key] = value
