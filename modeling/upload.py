"""Upload item plans with an UNMODIFIED WikibaseIntegrator 0.12: one ``wbeditentity`` per item.

This is the only module that configures or calls WikibaseIntegrator (STYLE §2.5). WBI's own
retry loop sleeps 60 s on 5xx/connection errors and ≥ 5 s on maxlag and never re-logs in
(WIKIBASE-API.md §2, §6), so every call goes through WBI with ``max_retries=1, retry_after=0``
(one HTTP attempt, no WBI sleep) and a ``requests`` response hook that captures the answer; the
failure is then classified here and *our* policy applies: Retry-After honoured, exponential
backoff otherwise, new login on ``badtoken``/``assertuserfailed``, re-read + re-diff on edit
conflicts, and a duplicate guard after any failure whose outcome is unknown (a dropped
connection may have saved the edit).

Crash safety: the ledger row is written ``pending`` before each write and ``done`` right after
the API answers; a ``pending``/``failed`` create is resolved by looking the identifier up on the
wiki (``haswbstatement`` search, then ``wbgetentities``) before anything new is created.
"""

from __future__ import annotations

import logging
import os
import secrets
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import requests
from wikibaseintegrator import wbi_helpers, wbi_login
from wikibaseintegrator.wbi_config import config as wbi_config
from wikibaseintegrator.wbi_exceptions import MaxRetriesReachedException, MWApiError

from modeling.campaign import Campaign
from modeling.diff import diff_entity
from core.errors import (
    BadTokenError,
    ConfigError,
    EditConflictError,
    MaxlagError,
    RateLimitedError,
    UploadError,
    api_error,
)
from modeling.items import SINGLE_VALUE, Plan
from modeling.licence import licence_gate
from modeling.ledger import Ledger
from core.settings import Target

log = logging.getLogger(__name__)

Json = dict[str, Any]
#: Ids per ``wbgetentities`` call (MediaWiki's limit for non-bots).
READ_CHUNK = 50
#: Test hook: exit the process (status 9) right after the n-th successful write, BEFORE the
#: ledger records it: the crash window the ledger must survive.
CRASH_AFTER_WRITES_ENV = "WLKIT_CRASH_AFTER_WRITES"


def configure_wbi(target: Target) -> None:
    """Point WBI's global config at ``target`` (called once per run, here only)."""
    wbi_config["MEDIAWIKI_API_URL"] = target.api_url
    wbi_config["SPARQL_ENDPOINT_URL"] = target.sparql_url
    wbi_config["WIKIBASE_URL"] = target.entity_base
    wbi_config["USER_AGENT"] = target.user_agent


# --- one API attempt, classified -----------------------------------------------------------


class _Retry(Exception):
    """A transient failure: wait ``wait`` seconds and try again (``ambiguous``: may have saved)."""

    def __init__(self, error: UploadError, wait: float, *, ambiguous: bool) -> None:
        super().__init__(str(error))
        self.error, self.wait, self.ambiguous = error, wait, ambiguous


def _header_wait(resp: requests.Response | None) -> float | None:
    if resp is None:
        return None
    value = resp.headers.get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _classify(exc: Exception, resp: requests.Response | None, backoff: float) -> Exception:
    """Map what WBI/requests raised (plus the captured response) onto our errors."""
    wait = _header_wait(resp)
    if isinstance(exc, MaxRetriesReachedException | requests.RequestException) and not (
        isinstance(exc, requests.HTTPError)
    ):
        if resp is None:  # no answer at all: dropped connection / timeout
            return _Retry(UploadError(f"connection failed: {exc}", code="connection"), backoff, ambiguous=True)
        if resp.status_code >= 500:
            return _Retry(UploadError(f"HTTP {resp.status_code}", code=f"http-{resp.status_code}"),
                          wait if wait is not None else backoff, ambiguous=resp.status_code != 503)
        try:
            err = resp.json().get("error", {})
        except ValueError:
            err = {}
        code = err.get("code", "unknown")
        names = [m.get("name") for m in err.get("messages", [])]
        if code == "maxlag":
            lag = float(err.get("lag", 0) or 0)
            return _Retry(MaxlagError(f"maxlag: {err.get('info', '')}", code=code, info=err.get("info")),
                          wait if wait is not None else max(lag, backoff), ambiguous=False)
        if "actionthrottledtext" in names:  # WBI already slept Retry-After on this path
            return _Retry(RateLimitedError("rate limited", code="actionthrottledtext"), 0.0, ambiguous=False)
        return _Retry(UploadError(f"{code}: {err.get('info', '')}", code=code), wait or backoff, ambiguous=False)
    if isinstance(exc, requests.HTTPError):
        status = exc.response.status_code if exc.response is not None else 0
        if status == 429:
            return _Retry(RateLimitedError("HTTP 429 too many requests", code="http-429"),
                          wait if wait is not None else backoff, ambiguous=False)
        return UploadError(f"HTTP {status}: {exc}", code=f"http-{status}")
    if isinstance(exc, MWApiError):
        names = getattr(exc, "messages_names", [])
        code = exc.code
        if "edit-conflict" in names or code in ("editconflict", "edit-conflict"):
            return EditConflictError(f"{code}: {exc.info}", code="editconflict", info=exc.info)
        error = api_error(code, exc.info)
        if isinstance(error, RateLimitedError | MaxlagError):
            return _Retry(error, wait if wait is not None else backoff, ambiguous=False)
        if code in ("readonly", "internal_api_error_DBQueryError"):
            return _Retry(error, wait if wait is not None else backoff, ambiguous=False)
        return error
    return exc


class WikibaseClient:
    """Reads and writes against one target through WBI, with our retry policy.

    Args:
        target: The target.
        sleep: Injectable sleep (tests pass a recorder).
        max_retries: Retries per call after the first attempt.
        backoff: First backoff in seconds when no Retry-After is given (doubles, capped).
        timeout: HTTP timeout in seconds (WBI has none by default).
        is_bot: Send ``bot=``/``assert=bot`` (the account must be in the bot group).
    """

    def __init__(self, target: Target, *, sleep: Callable[[float], None] = time.sleep,
                 max_retries: int = 5, backoff: float = 5.0, timeout: float = 60.0,
                 is_bot: bool = False) -> None:
        configure_wbi(target)
        self.target, self.sleep, self.max_retries = target, sleep, max_retries
        self.backoff, self.timeout, self.is_bot = backoff, timeout, is_bot
        self.login: wbi_login.Login | None = None
        self.reads = 0
        self.writes = 0
        self.retries: dict[str, int] = {}

    def _wait(self, attempt: int) -> float:
        return min(self.backoff * 2**attempt, 300.0)

    def _count_retry(self, code: str | None) -> None:
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
        """One HTTP attempt through WBI; raises ``_Retry`` or a final error."""
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
                return wbi_helpers.edit_entity(data, login=self.login, is_bot=self.is_bot, **extra, **kwargs)
            return wbi_helpers.mediawiki_api_call_helper(
                data=dict(data), login=self.login, allow_anonymous=True, **kwargs)
        except (MaxRetriesReachedException, requests.RequestException, MWApiError) as exc:
            raise _classify(exc, captured[-1] if captured else None, self._wait(attempt)) from None

    def read(self, data: Json) -> Json:
        """A read call, retried on every transient failure (reads are always safe to repeat)."""
        for n in range(self.max_retries + 1):
            self.reads += 1
            try:
                return self.attempt(data, write=False, attempt=n)
            except _Retry as r:
                self._count_retry(r.error.code)
                if n == self.max_retries:
                    raise r.error from None
                log.warning("read failed (%s); retrying in %.1f s", r.error, r.wait)
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

    def find_by_identifier(self, prop: str, value: str) -> list[str]:
        """Items holding ``prop = value``: search ``haswbstatement``, confirmed by ``wbgetentities``.

        The search index can lag behind fresh edits on a real wiki (FIELD-NOTES §1.4.7); the
        confirmation read guards against stale hits, the ledger against the missed ones.
        """
        term = f"{prop}={value}"
        if any(c.isspace() for c in term):  # CirrusSearch needs quotes only around spaces
            term = f'"{term}"'
        answer = self.read({"action": "query", "list": "search", "srlimit": 50, "srnamespace": 0,
                            "srsearch": f"haswbstatement:{term}"})
        titles = [h["title"].split(":")[-1] for h in (answer.get("query") or {}).get("search", [])]
        found = []
        for qid, ent in self.get_entities(titles).items():
            for st in (ent.get("claims") or {}).get(prop, []):
                snak = st["mainsnak"]
                if snak.get("snaktype") == "value" and snak["datavalue"]["value"] == value:
                    found.append(ent.get("id", qid))
                    break
        return sorted(set(found))

    def edit(self, data: Json, *, qid: str | None, summary: str, baserevid: int | None,
             attempt: int = 0) -> Json:
        """One ``wbeditentity`` attempt (create when ``qid`` is None)."""
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


# --- the upload ----------------------------------------------------------------------------


@dataclass
class UploadSummary:
    """What an upload run did (``04_upload/summary.json``)."""

    campaign: str
    batch: str
    dry_run: bool
    plans: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    held: int = 0
    failed: int = 0
    skipped_done: int = 0
    recovered: int = 0
    writes: int = 0
    reads: int = 0
    elapsed_s: float = 0.0
    items_per_s: float = 0.0
    retries: dict[str, int] = field(default_factory=dict)
    failures: list[Json] = field(default_factory=list)
    held_back: list[Json] = field(default_factory=list)
    items: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> Json:
        """A JSON-ready dict."""
        return asdict(self)


def new_batch_id() -> str:
    """A fresh EditGroups-style batch id (12 hex characters)."""
    return secrets.token_hex(6)


def edit_summary(campaign: Campaign, plan: Plan, batch: str, intent: str) -> str:
    """The edit summary, carrying the batch id as an EditGroups link."""
    what = "create" if intent == "create" else "add"
    return (f"wikiloves-kit {campaign.id}: {what} {campaign.mapping.identifier.property} "
            f"{plan.identifier or plan.source_id} ([[:toollabs:editgroups/b/wlkit/{batch}|details]])")


@contextmanager
def _progress(total: int, show: bool | None) -> Iterator[Callable[[], None]]:
    if show is None:
        show = sys.stderr.isatty()
    if not show:
        yield lambda: None
        return
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeRemainingColumn)

    class _Rate(TextColumn):
        def render(self, task: Any) -> Any:  # items/s
            from rich.text import Text
            speed = task.finished_speed or task.speed
            return Text(f"{speed:.1f} items/s" if speed else "– items/s")

    with Progress(TextColumn("upload"), BarColumn(), MofNCompleteColumn(), _Rate(""),
                  TimeRemainingColumn(), transient=False) as bar:
        task = bar.add_task("upload", total=total)
        yield lambda: bar.advance(task)


class _Run:
    def __init__(self, plans: list[Plan], campaign: Campaign, client: WikibaseClient,
                 ledger: Ledger, summary: UploadSummary, sleep: Callable[[float], None],
                 max_retries: int) -> None:
        self.plans, self.campaign, self.client, self.ledger = plans, campaign, client, ledger
        self.summary, self.sleep, self.max_retries = summary, sleep, max_retries
        self.single = SINGLE_VALUE | {campaign.mapping.identifier.property}
        crash = os.environ.get(CRASH_AFTER_WRITES_ENV)
        self.crash_after = int(crash) if crash else None

    def resync(self, plan: Plan, qid: str) -> tuple[Json, int | None]:
        live = self.client.get_entities([qid]).get(qid)
        if live is None:
            raise UploadError(f"{qid} does not exist (any more) on the target", code="missing")
        result = diff_entity(plan.desired, live, single_value=self.single)
        return result.data, live.get("lastrevid")

    def lookup(self, plan: Plan) -> str | None:
        if not plan.identifier:
            return None
        found = self.client.find_by_identifier(self.campaign.mapping.identifier.property, plan.identifier)
        if len(found) > 1:
            raise UploadError(f"identifier {plan.identifier!r} is on several items: {', '.join(found)}",
                              code="duplicate")
        return found[0] if found else None

    def one(self, plan: Plan) -> None:
        s, cid, sid = self.summary, self.campaign.id, plan.source_id
        if plan.action == "held":
            s.held += 1
            s.held_back.append({"source_id": sid, "reasons": [c["message"] for c in plan.failed_checks]})
            return
        fp = plan.fingerprint()
        row = self.ledger.get(cid, sid)
        if row and row.status == "done" and row.fingerprint == fp:
            s.skipped_done += 1
            if row.qid:
                s.items[sid] = row.qid
            return
        qid = plan.qid or (row.qid if row else None)
        data, base = plan.data, plan.base_revid
        recovering = bool(row and row.status != "done" and row.intent == "create" and not row.qid)
        try:
            if qid is None and recovering:
                qid = self.lookup(plan)  # the crash window: did the last run create it?
                if qid:
                    s.recovered += 1
            if qid and qid != plan.qid:
                data, base = self.resync(plan, qid)
            if qid and not data:
                self.ledger.done(cid, sid, qid=qid, revid=base, batch=s.batch, fingerprint=fp,
                                 intent="unchanged")
                s.unchanged += not recovering  # a recovered create counts under ``recovered``
                s.items[sid] = qid
                return
            self.write(plan, qid, data, base, fp)
        except UploadError as exc:
            self.fail(plan, exc, fp)

    def write(self, plan: Plan, qid: str | None, data: Json, base: int | None, fp: str) -> None:
        s, cid, sid = self.summary, self.campaign.id, plan.source_id
        intent = "create" if qid is None else "update"
        resync = False
        last: UploadError | None = None
        for attempt in range(self.max_retries + 1):
            if resync:
                if qid is None:
                    qid = self.lookup(plan)
                if qid is not None:
                    data, base = self.resync(plan, qid)
                    if not data:  # the earlier attempt was saved after all (or nothing left to do)
                        self.ledger.done(cid, sid, qid=qid, revid=base, batch=s.batch,
                                         fingerprint=fp, intent=intent)
                        s.created += intent == "create"
                        s.updated += intent == "update"
                        s.items[sid] = qid
                        return
                resync = False
            self.ledger.pending(cid, sid, intent=intent, qid=qid, batch=s.batch, fingerprint=fp)
            try:
                answer = self.client.edit(data, qid=qid, summary=edit_summary(self.campaign, plan, s.batch, intent),
                                          baserevid=base, attempt=attempt)
            except _Retry as r:
                last = r.error
                self.client._count_retry(r.error.code)
                resync = r.ambiguous
                log.warning("%s: %s; retry %d in %.1f s", sid, r.error, attempt + 1, r.wait)
                self.sleep(r.wait)
                continue
            except EditConflictError as exc:
                last = exc
                self.client._count_retry(exc.code)
                resync = True
                continue
            except BadTokenError as exc:
                last = exc
                self.client._count_retry(exc.code)
                self.client.log_in()
                continue
            if self.crash_after is not None and self.client.writes >= self.crash_after:
                os._exit(9)  # test hook: die between the API's answer and the ledger write
            entity = answer.get("entity") or {}
            new_qid = entity.get("id") or qid
            self.ledger.done(cid, sid, qid=new_qid, revid=entity.get("lastrevid"), batch=s.batch,
                             fingerprint=fp, intent=intent)
            s.created += intent == "create"
            s.updated += intent == "update"
            s.items[sid] = new_qid
            return
        raise UploadError(f"gave up after {self.max_retries + 1} attempts: {last}",
                          code=last.code if last else None)

    def fail(self, plan: Plan, exc: UploadError, fp: str) -> None:
        log.error("%s failed: %s", plan.source_id, exc)
        self.summary.failed += 1
        self.summary.failures.append({"source_id": plan.source_id, "code": exc.code, "error": str(exc)})
        self.ledger.failed(self.campaign.id, plan.source_id, batch=self.summary.batch, error=str(exc),
                           fingerprint=fp)


def upload(
    plans: list[Plan],
    campaign: Campaign,
    target: Target,
    *,
    ledger_path: str | Path,
    batch: str | None = None,
    dry_run: bool = False,
    max_retries: int = 5,
    sleep: Callable[[float], None] = time.sleep,
    backoff: float = 5.0,
    progress: bool | None = None,
    report_dir: str | Path | None = None,
    is_bot: bool = False,
) -> UploadSummary:
    """Write the plans to the target: one ``wbeditentity`` per new or changed item.

    Args:
        plans: Item plans (``03_plan/plans.jsonl``).
        campaign: The campaign (licence gate, identifier property, summaries).
        target: Where to write.
        ledger_path: ``04_upload/ledger.sqlite``.
        batch: Batch id for the edit summaries (default: a new one).
        dry_run: Write ``dry_run.md``/``dry_run.html`` into ``report_dir`` and change nothing
            (no login, no writes, no ledger).
        max_retries: Retries per record after the first attempt.
        sleep: Injectable sleep.
        backoff: First backoff (s) when the server gives no Retry-After.
        progress: Show a rich progress bar (default: only on a terminal).
        report_dir: Where the dry-run report goes (default: the ledger's folder).
        is_bot: Flag edits as bot edits (the account needs the bot flag).

    Returns:
        The :class:`UploadSummary`.

    Raises:
        LicenceError: real upload of data whose licence is not CC0 / public domain.
        ConfigError: missing credentials or a failed login.
    """
    batch = batch or new_batch_id()
    summary = UploadSummary(campaign=campaign.id, batch=batch, dry_run=dry_run, plans=len(plans))
    started = time.monotonic()
    if dry_run:
        from modeling.dryrun import build_report, write_report

        report = build_report(plans, campaign, target, batch)
        write_report(report, Path(report_dir) if report_dir else Path(ledger_path).parent)
        counts = report["counts"]
        summary.created, summary.updated = counts["create"], counts["update"]
        summary.unchanged, summary.held = counts["unchanged"], counts["held"]
        return summary
    licence_gate(campaign)
    client = WikibaseClient(target, sleep=sleep, max_retries=max_retries, backoff=backoff, is_bot=is_bot)
    with Ledger(ledger_path) as ledger, _progress(len(plans), progress) as tick:
        run = _Run(plans, campaign, client, ledger, summary, sleep, max_retries)
        for plan in plans:
            if plan.action == "unchanged":
                summary.unchanged += 1
            else:
                run.one(plan)
            tick()
    summary.writes, summary.reads, summary.retries = client.writes, client.reads, client.retries
    summary.elapsed_s = round(time.monotonic() - started, 3)
    done = summary.created + summary.updated + summary.unchanged
    summary.items_per_s = round(done / summary.elapsed_s, 2) if summary.elapsed_s else 0.0
    log.info("upload %s: %d created, %d updated, %d unchanged, %d held, %d failed", batch,
             summary.created, summary.updated, summary.unchanged, summary.held, summary.failed)
    return summary


def fetch_entities(target: Target, ids: Sequence[str]) -> dict[str, Json]:
    """Current entities for ``ids`` (anonymous reads, ≤ 50 per call) for the plan stage."""
    return WikibaseClient(target).get_entities(ids) if ids else {}
