"""The one client of the Wikibase Action API: reads, edits, own contributions, one retry policy.

WikibaseIntegrator 0.12 stays the transport for edits (login, CSRF token, ``wbeditentity``), but
its own retry loop sleeps 60 s on 5xx and never re-logs in (WIKIBASE-API.md §2, §6). So every
call goes through WBI with ``max_retries=1, retry_after=0`` (one HTTP attempt, no WBI sleep), all
URLs and the User-Agent passed explicitly from the :class:`~core.settings.Target` (WBI's global
config is never touched), and a ``requests`` response hook that captures the answer. The failure
is then classified here (:func:`classify`) into a :class:`~core.errors.RetryableError` (with the
wait: Retry-After, maxlag's lag, or exponential backoff) or a final
:class:`~core.errors.UploadError`.

Used by the upload, the resource inventory push, report facts and the contest write-back.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import requests
from wikibaseintegrator import wbi_helpers, wbi_login
from wikibaseintegrator.wbi_exceptions import MaxRetriesReachedException, MWApiError

from clients.probe import nothing_listening, refused
from core.errors import (
    BadTokenError,
    ConfigError,
    EditConflictError,
    MaxlagError,
    RateLimitedError,
    RetryableError,
    UploadError,
    api_error,
)
from core.settings import Target

log = logging.getLogger(__name__)

Json = dict[str, Any]
#: Ids per ``wbgetentities`` call (MediaWiki's limit for non-bots).
READ_CHUNK = 50
#: Longest wait between two attempts, whatever the server asks.
MAX_WAIT = 300.0


@dataclass(frozen=True)
class OwnEdit:
    """One edit of the logged-in account, from ``list=usercontribs`` / ``list=recentchanges``."""

    title: str
    revid: int
    timestamp: str
    comment: str
    new: bool


def identifier_search(prop: str, value: str) -> str:
    """The ``srsearch`` text finding items with ``prop = value``.

    The whole ``P=value`` is always quoted, with ``\\`` and ``"`` backslash-escaped, so values with
    spaces, quotes, slashes, ``|`` or non-ASCII letters are one keyword value (CirrusSearch's
    keyword syntax); leading zeros are kept since the value stays a string.
    """
    escaped = f"{prop}={value}".replace("\\", "\\\\").replace('"', '\\"')
    return f'haswbstatement:"{escaped}"'


def _header_wait(resp: requests.Response | None) -> float | None:
    if resp is None:
        return None
    value = resp.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _classify_response(exc: Exception, resp: requests.Response | None, backoff: float) -> Exception:
    """A failed HTTP exchange (no answer, 5xx, or an error envelope WBI gave up on)."""
    wait = _header_wait(resp)
    if resp is None:  # no answer at all: dropped connection / timeout — it may have been saved
        return RetryableError(UploadError(f"connection failed: {exc}", code="connection"), backoff,
                              ambiguous=True)
    if resp.status_code >= 500:
        error = UploadError(f"HTTP {resp.status_code}", code=f"http-{resp.status_code}")
        return RetryableError(error, wait if wait is not None else backoff,
                              ambiguous=resp.status_code != 503)
    try:
        err = resp.json().get("error", {})
    except ValueError:
        err = {}
    code = err.get("code", "unknown")
    names = [m.get("name") for m in err.get("messages", [])]
    if code == "maxlag":
        lag = float(err.get("lag", 0) or 0)
        error = MaxlagError(f"maxlag: {err.get('info', '')}", code=code, info=err.get("info"))
        return RetryableError(error, wait if wait is not None else max(lag, backoff), ambiguous=False)
    if "actionthrottledtext" in names:  # WBI already slept Retry-After on this path
        return RetryableError(RateLimitedError("rate limited", code="actionthrottledtext"), 0.0,
                              ambiguous=False)
    return RetryableError(UploadError(f"{code}: {err.get('info', '')}", code=code), wait or backoff,
                          ambiguous=False)


def classify(exc: Exception, resp: requests.Response | None, backoff: float) -> Exception:
    """Map what WBI/requests raised (plus the captured response) onto the project's errors.

    Args:
        exc: The exception WBI or requests raised.
        resp: The last HTTP response of the attempt, when there was one.
        backoff: The wait to use when the server does not say (exponential, by attempt).

    Returns:
        A :class:`RetryableError` for transient failures, else the final error to raise.
    """
    wait = _header_wait(resp)
    if isinstance(exc, requests.HTTPError):
        status = exc.response.status_code if exc.response is not None else 0
        if status == 429:
            return RetryableError(RateLimitedError("HTTP 429 too many requests", code="http-429"),
                                  wait if wait is not None else backoff, ambiguous=False)
        return UploadError(f"HTTP {status}: {exc}", code=f"http-{status}")
    if isinstance(exc, MaxRetriesReachedException | requests.RequestException):
        return _classify_response(exc, resp, backoff)
    if isinstance(exc, MWApiError):
        names = getattr(exc, "messages_names", [])
        code = exc.code
        if "edit-conflict" in names or code in ("editconflict", "edit-conflict"):
            return EditConflictError(f"{code}: {exc.info}", code="editconflict", info=exc.info)
        error = api_error(code, exc.info)
        if isinstance(error, RateLimitedError | MaxlagError) or code in (
                "readonly", "internal_api_error_DBQueryError"):
            return RetryableError(error, wait if wait is not None else backoff, ambiguous=False)
        return error
    return exc


class WikibaseClient:
    """Reads and writes against one target through WBI, with the project's retry policy.

    Args:
        target: The target (API URL, User-Agent, account).
        sleep: Injectable sleep (tests pass a recorder).
        max_retries: Retries per read after the first attempt.
        backoff: First backoff in seconds when no Retry-After is given (doubles, capped).
        timeout: HTTP timeout in seconds (WBI has none by default).
        is_bot: Send ``bot=``/``assert=bot`` (the account must be in the bot group).
    """

    def __init__(self, target: Target, *, sleep: Callable[[float], None] = time.sleep,
                 max_retries: int = 5, backoff: float = 5.0, timeout: float = 60.0,
                 is_bot: bool = False) -> None:
        self.target, self.sleep, self.max_retries = target, sleep, max_retries
        self.backoff, self.timeout, self.is_bot = backoff, timeout, is_bot
        self.login: wbi_login.Login | None = None
        self.reads = 0
        self.writes = 0
        self.retries: dict[str, int] = {}

    @property
    def api_url(self) -> str:
        """The target's Action API URL."""
        return self.target.api_url

    @property
    def user_name(self) -> str:
        """The account's user name as edits show it (``User`` for a bot password ``User@bot``)."""
        user, _ = self.target.require_credentials()
        return user.split("@", 1)[0]

    def wait_for(self, attempt: int) -> float:
        """Backoff before retry number ``attempt + 1`` (doubles from ``backoff``, capped)."""
        return min(self.backoff * 2**attempt, MAX_WAIT)

    def count_retry(self, code: str | None) -> None:
        """Count one retry under its error code (for the run summary)."""
        key = code or "unknown"
        self.retries[key] = self.retries.get(key, 0) + 1

    def log_in(self) -> None:
        """Log in with the target's bot password (never logged)."""
        user, password = self.target.require_credentials()
        try:
            self.login = wbi_login.Login(user=user, password=password,
                                         mediawiki_api_url=self.target.api_url,
                                         user_agent=self.target.user_agent)
        except wbi_login.LoginError as exc:
            raise ConfigError(f"login as {user!r} on {self.target.api_url} failed: {exc} "
                              "(check WLKIT_USER / WLKIT_PASSWORD)") from None
        log.info("logged in as %s on %s", user, self.target.api_url)

    def attempt(self, data: Json, *, write: bool, attempt: int = 0, **extra: Any) -> Json:
        """One HTTP attempt through WBI; raises :class:`RetryableError` or a final error."""
        captured: list[requests.Response] = []
        kwargs: Json = {
            "mediawiki_api_url": self.target.api_url, "user_agent": self.target.user_agent,
            "max_retries": 1, "retry_after": 0, "timeout": self.timeout,
            "hooks": {"response": [lambda r, *a, **k: captured.append(r)]},
        }
        try:
            if write:
                if self.login is None:
                    self.log_in()
                return wbi_helpers.edit_entity(data, login=self.login, is_bot=self.is_bot, **extra,
                                               **kwargs)
            return wbi_helpers.mediawiki_api_call_helper(
                data=dict(data), login=self.login, allow_anonymous=True, **kwargs)
        except (MaxRetriesReachedException, requests.RequestException, MWApiError) as exc:
            if not captured and refused(self.target.api_url):  # nobody listens: fail now, not
                raise nothing_listening(self.target, self.target.api_url) from None  # after retries
            raise classify(exc, captured[-1] if captured else None, self.wait_for(attempt)) from None

    def read(self, data: Json) -> Json:
        """A read call, retried on every transient failure (reads are always safe to repeat)."""
        for n in range(self.max_retries + 1):
            self.reads += 1
            try:
                return self.attempt(data, write=False, attempt=n)
            except RetryableError as r:
                self.count_retry(r.code)
                if n == self.max_retries:
                    raise r.error from None
                log.warning("read failed (%s); retrying in %.1f s", r.error, r.wait)
                self.sleep(r.wait)
            except BadTokenError:
                self.log_in()
        raise AssertionError("unreachable")

    def edit(self, data: Json, *, qid: str | None, summary: str, baserevid: int | None,
             attempt: int = 0) -> Json:
        """One ``wbeditentity`` attempt (create when ``qid`` is None); no retry here.

        The caller owns the retry decision for writes: a create must not be resent after an
        ambiguous failure before it has been looked up (see :mod:`modeling.upload`).
        """
        extra: Json = {"summary": summary}
        if qid:
            extra["id"] = qid
            if baserevid:
                extra["baserevid"] = baserevid
        else:
            extra["type"] = "item"
        answer = self.attempt(data, write=True, attempt=attempt, **extra)
        self.writes += 1
        return answer

    def create(self, data: Json, *, summary: str) -> Json:
        """Create one item, retrying only failures that certainly saved nothing.

        For one-off creates whose duplicates are guarded elsewhere (the resource inventory keys
        its ledger by URL). Raises the last error after ``max_retries`` retries, and at once on an
        ambiguous failure (the caller looks the item up before trying again).
        """
        for n in range(self.max_retries + 1):
            try:
                return self.edit(data, qid=None, summary=summary, baserevid=None, attempt=n)
            except RetryableError as r:
                self.count_retry(r.code)
                if r.ambiguous or n == self.max_retries:
                    raise r.error from None
                self.sleep(r.wait)
            except BadTokenError:
                self.log_in()
        raise AssertionError("unreachable")

    def get_entities(self, ids: Sequence[str]) -> dict[str, Json]:
        """Current entities, ≤ 50 ids per ``wbgetentities`` call; missing ones are left out."""
        out: dict[str, Json] = {}
        ids = list(dict.fromkeys(ids))
        for i in range(0, len(ids), READ_CHUNK):
            chunk = ids[i:i + READ_CHUNK]
            answer = self.read({"action": "wbgetentities", "ids": "|".join(chunk)})
            for key, ent in (answer.get("entities") or {}).items():
                if "missing" not in ent:
                    out[key] = ent
        return out

    def property_exists(self, prop: str) -> bool:
        """Whether ``prop`` exists on the target and is a property (``wbgetentities``)."""
        answer = self.read({"action": "wbgetentities", "ids": prop, "props": "info"})
        entity = (answer.get("entities") or {}).get(prop) or {}
        return "missing" not in entity and entity.get("type") == "property"

    def find_by_identifier(self, prop: str, value: str) -> list[str]:
        """Items holding ``prop = value``: search ``haswbstatement``, confirmed by ``wbgetentities``.

        The search index lags behind edits on a real wiki (seconds to minutes): a miss right after
        a write is no evidence that the item does not exist; the upload asks the account's own
        contributions first (:meth:`own_edits_since`). The confirmation read drops stale hits.
        """
        answer = self.read({"action": "query", "list": "search", "srlimit": 50, "srnamespace": 0,
                            "srsearch": identifier_search(prop, value)})
        titles = [h["title"].split(":")[-1] for h in (answer.get("query") or {}).get("search", [])]
        found = []
        for qid, ent in self.get_entities(titles).items():
            for st in (ent.get("claims") or {}).get(prop, []):
                snak = st["mainsnak"]
                if snak.get("snaktype") == "value" and snak["datavalue"]["value"] == value:
                    found.append(ent.get("id", qid))
                    break
        return sorted(set(found))

    def own_edits_since(self, since: str, *, source: str = "usercontribs") -> list[OwnEdit]:
        """Every edit of the logged-in account since ``since`` (ISO 8601 UTC), oldest first.

        Read from the database-backed ``list=usercontribs`` (or ``list=recentchanges`` filtered
        by user): unlike search and SPARQL it shows an edit as soon as it is saved.

        Args:
            since: Earliest timestamp, e.g. ``2026-10-01T12:00:00Z``.
            source: ``usercontribs`` or ``recentchanges``.
        """
        p = "uc" if source == "usercontribs" else "rc"
        query: Json = {"action": "query", "list": source, f"{p}user": self.user_name,
                       f"{p}start": since, f"{p}dir": "newer", f"{p}limit": 500,
                       f"{p}prop": "ids|title|timestamp|comment" + ("|flags" if p == "uc" else "")}
        if p == "rc":
            query["rcprop"] += "|loginfo"
            query["rctype"] = "edit|new"
        out: list[OwnEdit] = []
        while True:
            answer = self.read(query)
            for e in (answer.get("query") or {}).get(source, []):
                new = "new" in e or e.get("type") == "new"
                out.append(OwnEdit(e["title"], int(e["revid"]), e["timestamp"],
                                   e.get("comment", ""), new))
            cont = answer.get("continue")
            if not cont:
                return out
            query = {**query, **cont}


def fetch_entities(target: Target, ids: Sequence[str]) -> dict[str, Json]:
    """Current entities for ``ids`` (anonymous reads, ≤ 50 per call), e.g. for the plan stage."""
    return WikibaseClient(target).get_entities(ids) if ids else {}
