"""Upload item plans: one ``wbeditentity`` per new or changed item, exactly one item per record.

The Wikibase client (:class:`clients.wikibase.WikibaseClient`, built by the flow and passed in)
makes one HTTP attempt per call and classifies failures; the retry decisions are made here:
Retry-After honoured, new login on ``badtoken``, re-read + re-diff on edit conflicts, and never a
second create while the first one's outcome is unknown.

Exactly one item per record, whatever fails:

1. Before each write the ledger row goes ``pending`` with a unique token, which the edit summary
   carries (:meth:`modeling.ledger.Ledger.pending`); ``done`` is written when the API answers.
2. A create left ``pending`` (crash, kill, timeout, dropped connection) or ``failed`` is resolved
   before anything is sent, in this order: the account's own contributions since the row's time,
   matched by token (:mod:`modeling.upload_recovery`); if the token is absent and the request can
   no longer be committed (``commit_grace``), the identifier search; only then a new create.
3. A create whose outcome became unknown in this run is not resent: it is set aside and resolved
   the same way at the end of the run, once ``commit_grace`` has passed.

Nothing here reads the environment or exits the process: tests inject crash points through
``on_write`` or kill the process from outside.
"""

from __future__ import annotations

import logging
import secrets
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sized
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from core.errors import (
    BadTokenError,
    EditConflictError,
    ModificationFailedError,
    RetryableError,
    UploadError,
)
from modeling.campaign import Campaign
from modeling.diff import diff_entity
from modeling.ledger import Ledger, LedgerRow
from modeling.licence import licence_gate
from modeling.plan_model import SINGLE_VALUE, Plan
from modeling.upload_recovery import DEFAULT_COMMIT_GRACE, Evidence, summary_token

if TYPE_CHECKING:
    from clients.wikibase import WikibaseClient

log = logging.getLogger(__name__)

Json = dict[str, Any]
#: The parts of a plan the upload reads (warnings, changes and held statements are the report's).
UPLOAD_PARTS = ("data", "checks", "desired")


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
    deferred: int = 0
    stopped: bool = False
    writes: int = 0
    reads: int = 0
    elapsed_s: float = 0.0
    items_per_s: float | None = None
    retries: dict[str, int] = field(default_factory=dict)
    failures: list[Json] = field(default_factory=list)
    held_back: list[Json] = field(default_factory=list)
    items: dict[str, str] = field(default_factory=dict)
    ledger: dict[str, int] = field(default_factory=dict)

    def to_json(self) -> Json:
        """A JSON-ready dict: the counts, not the per-record ``items`` (the ledger holds that
        mapping; a summary is passed between tasks and must stay small at national size)."""
        data = asdict(self)
        del data["items"]
        return data


@dataclass
class UploadOptions:
    """How a run behaves (see :func:`upload`)."""

    max_retries: int = 5
    sleep: Callable[[float], None] = time.sleep
    commit_grace: float = DEFAULT_COMMIT_GRACE
    on_write: Callable[[int], None] | None = None
    should_stop: Callable[[], bool] = lambda: False


def new_batch_id() -> str:
    """A fresh EditGroups-style batch id (12 hex characters)."""
    return secrets.token_hex(6)


def edit_summary(campaign: Campaign, plan: Plan, batch: str, intent: str, token: str | None = None) -> str:
    """The edit summary: the record, its write token and the batch id as an EditGroups link."""
    what = "create" if intent == "create" else "add"
    tag = f" {summary_token(token)}" if token else ""
    prop = _identifier_property(campaign) or "record"
    return (f"wikiloves-kit {campaign.id}{tag}: {what} {prop} "
            f"{plan.identifier or plan.source_id} ([[:toollabs:editgroups/b/wlkit/{batch}|details]])")


def _identifier_property(campaign: Campaign) -> str | None:
    """The register identifier's property (None for a campaign without a register)."""
    return campaign.mapping.identifier.property if campaign.mapping else None


class _Rate(TextColumn):
    def render(self, task: Any) -> Any:  # items/s
        speed = task.finished_speed or task.speed
        return f"{speed:.1f} items/s" if speed else "– items/s"


@contextmanager
def _progress(total: int | None, show: bool | None) -> Iterator[Callable[[], None]]:
    if show is None:
        show = sys.stderr.isatty()
    if not show:
        yield lambda: None
        return
    with Progress(TextColumn("upload"), BarColumn(), MofNCompleteColumn(), _Rate(""),
                  TimeRemainingColumn(), transient=False) as bar:
        task = bar.add_task("upload", total=total)
        yield lambda: bar.advance(task)


class _Deferred(Exception):
    """A create whose outcome is unknown and can still be committed: resolve it later."""


class _Run:
    def __init__(self, campaign: Campaign, client: WikibaseClient, ledger: Ledger,
                 summary: UploadSummary, opts: UploadOptions) -> None:
        self.campaign, self.client, self.ledger, self.summary = campaign, client, ledger, summary
        self.opts = opts
        self.id_prop = _identifier_property(campaign)
        self.single = SINGLE_VALUE | ({self.id_prop} if self.id_prop else set())
        self.evidence = Evidence(client, opts.commit_grace)
        self.deferred: list[Plan] = []
        self.grace_served: set[str] = set()

    def resync(self, plan: Plan, qid: str) -> tuple[Json, int | None]:
        live = self.client.get_entities([qid]).get(qid)
        if live is None:
            raise UploadError(f"{qid} does not exist (any more) on the target", code="missing")
        result = diff_entity(plan.desired, live, single_value=self.single)
        return result.data, live.get("lastrevid")

    def lookup(self, plan: Plan) -> str | None:
        if not plan.identifier or not self.id_prop:
            return None
        found = self.client.find_by_identifier(self.id_prop, plan.identifier)
        if len(found) > 1:
            raise UploadError(f"identifier {plan.identifier!r} is on several items: {', '.join(found)}",
                              code="duplicate")
        return found[0] if found else None

    def recover(self, plan: Plan, row: LedgerRow) -> str | None:
        """The item an unresolved create made, if any (raises :class:`_Deferred` when unknowable yet)."""
        qid = self.evidence.item_of(row)
        if qid is None and row.source_id not in self.grace_served and self.evidence.too_young(row):
            raise _Deferred
        if qid is None:
            qid = self.lookup(plan)  # created by someone else, or by a run without tokens
        if qid:
            self.summary.recovered += 1
            log.info("%s: recovered %s (from %s)", plan.source_id, qid,
                     "own contributions" if self.evidence.item_of(row) else "identifier search")
        return qid

    def done(self, plan: Plan, qid: str, revid: int | None, fp: str, intent: str) -> None:
        s = self.summary
        self.ledger.done(self.campaign.id, plan.source_id, qid=qid, revid=revid, batch=s.batch,
                         fingerprint=fp, intent=intent)
        s.items[plan.source_id] = qid

    def one(self, plan: Plan) -> None:
        s, sid = self.summary, plan.source_id
        if plan.action == "held":
            s.held += 1
            s.held_back.append({"source_id": sid, "reasons": [c["message"] for c in plan.failed_checks]})
            return
        fp = plan.fingerprint()
        row = self.ledger.get(self.campaign.id, sid)
        if row and row.status == "done" and row.fingerprint == fp:
            s.skipped_done += 1
            if row.qid:
                s.items[sid] = row.qid
            return
        qid = plan.qid or (row.qid if row else None)
        data, base = plan.data, plan.base_revid
        recovering = bool(row and row.unresolved_create and not plan.qid)
        try:
            if recovering and row is not None:
                qid = self.recover(plan, row)
            if qid and qid != plan.qid:
                data, base = self.resync(plan, qid)
            if qid and not data:
                self.done(plan, qid, base, fp, "unchanged")
                s.unchanged += not recovering  # a recovered create counts under ``recovered``
                return
            self.write(plan, qid, data, base, fp)
        except _Deferred:
            s.deferred += 1
            self.deferred.append(plan)
        except UploadError as exc:
            self.fail(plan, exc, fp)

    def write(self, plan: Plan, qid: str | None, data: Json, base: int | None, fp: str) -> None:
        """Write one plan, retrying what is safe to retry.

        Length: one retry loop whose branches are the error classes, kept together to read as one.
        """
        s, cid, sid = self.summary, self.campaign.id, plan.source_id
        intent = "create" if qid is None else "update"
        resync = False
        last: UploadError | None = None
        for attempt in range(self.opts.max_retries + 1):
            if resync and qid is not None:
                data, base = self.resync(plan, qid)
                if not data:  # the earlier attempt was saved after all (or nothing left to do)
                    self.done(plan, qid, base, fp, intent)
                    s.updated += 1
                    return
            resync = False
            token = self.ledger.pending(cid, sid, intent=intent, qid=qid, batch=s.batch, fingerprint=fp)
            summary = edit_summary(self.campaign, plan, s.batch, intent, token)
            try:
                answer = self.client.edit(data, qid=qid, summary=summary, baserevid=base, attempt=attempt)
            except RetryableError as r:
                last = r.error
                self.client.count_retry(r.code)
                if r.ambiguous and qid is None:
                    log.warning("%s: %s; the create may have been saved: looked up later", sid, r.error)
                    raise _Deferred from None
                resync = r.ambiguous
                log.warning("%s: %s; retry %d in %.1f s", sid, r.error, attempt + 1, r.wait)
                self.opts.sleep(r.wait)
                continue
            except (EditConflictError, BadTokenError) as exc:
                last = exc
                self.client.count_retry(exc.code)
                resync = isinstance(exc, EditConflictError)
                if isinstance(exc, BadTokenError):
                    self.client.log_in()
                continue
            except ModificationFailedError:
                if qid is None and (found := self.lookup(plan)):  # refused because it is there: ours?
                    s.recovered += 1
                    data, base = self.resync(plan, found)
                    qid, intent = found, "update"
                    if not data:
                        self.done(plan, found, base, fp, "create")
                        return
                    continue
                raise
            if self.opts.on_write is not None:
                self.opts.on_write(self.client.writes)  # tests: a crash point after the answer
            entity = answer.get("entity") or {}
            saved = entity.get("id") or qid
            if not saved:
                raise UploadError(f"the API answered without an entity id: {answer}", code="no-id")
            self.done(plan, saved, entity.get("lastrevid"), fp, intent)
            s.created += intent == "create"
            s.updated += intent == "update"
            return
        raise UploadError(f"gave up after {self.opts.max_retries + 1} attempts: {last}",
                          code=last.code if last else None)

    def settle_unchanged(self, plan: Plan) -> None:
        """An unchanged plan of a record the ledger still has open (e.g. ``failed`` after a refused
        create whose item a later plan found): the ledger now says ``done`` with that item."""
        row = self.ledger.get(self.campaign.id, plan.source_id)
        if plan.qid and row is not None and row.status != "done":
            self.done(plan, plan.qid, plan.base_revid, plan.fingerprint(), "unchanged")

    def fail(self, plan: Plan, exc: UploadError, fp: str) -> None:
        log.error("%s failed: %s", plan.source_id, exc)
        self.summary.failed += 1
        self.summary.failures.append({"source_id": plan.source_id, "code": exc.code, "error": str(exc)})
        self.ledger.failed(self.campaign.id, plan.source_id, batch=self.summary.batch, error=str(exc),
                           fingerprint=fp)

    def start(self) -> None:
        """Read the account's contributions once for every create left unresolved by earlier runs."""
        unresolved = self.ledger.unresolved(self.campaign.id)
        if unresolved:
            read = self.evidence.refresh(unresolved)
            log.info("%d unresolved creates in the ledger; %d own edits read", len(unresolved), read)

    def each(self, plans: Iterable[Plan], tick: Callable[[], None], count: bool) -> None:
        """Every plan in turn, until ``should_stop`` (``count``: add them to ``plans`` as they come)."""
        for plan in plans:
            if self.opts.should_stop():
                self.summary.stopped = True
                return
            self.summary.plans += count
            if plan.action == "unchanged":
                self.summary.unchanged += 1
                self.settle_unchanged(plan)
            else:
                self.one(plan)
            tick()

    def finish_deferred(self) -> None:
        """Resolve the creates set aside: wait out ``commit_grace``, re-read, then decide."""
        for _ in range(self.opts.max_retries + 1):
            if not self.deferred or self.opts.should_stop():
                return
            plans, self.deferred = self.deferred, []
            rows = [r for p in plans if (r := self.ledger.get(self.campaign.id, p.source_id))]
            wait = self.evidence.wait_needed(rows)
            if wait:
                log.info("waiting %.1f s: %d create(s) may still be saved by the server", wait, len(rows))
                self.opts.sleep(wait)
            self.grace_served |= {p.source_id for p in plans}
            self.evidence.refresh(rows)
            for plan in plans:
                self.one(plan)
        for plan in self.deferred:
            self.fail(plan, UploadError("outcome still unknown after every retry", code="unknown"),
                      plan.fingerprint())


def upload(
    plans: Iterable[Plan],
    campaign: Campaign,
    client: WikibaseClient,
    *,
    ledger_path: str | Path,
    batch: str | None = None,
    options: UploadOptions | None = None,
    progress: bool | None = None,
    total: int | None = None,
) -> UploadSummary:
    """Write the plans to the client's target: one ``wbeditentity`` per new or changed item.

    Args:
        plans: Item plans, a list or a stream (taken one at a time: only the creates set aside
            for later are kept).
        campaign: The campaign (licence gate, identifier property, summaries).
        client: The Wikibase client (:class:`clients.wikibase.WikibaseClient`).
        ledger_path: ``04_upload/ledger.sqlite``.
        batch: Batch id for the edit summaries (default: a new one).
        options: Retries, sleep, ``commit_grace``, the ``on_write`` callback and ``should_stop``
            (checked between records: the run then stops with the ledger consistent).
        progress: Show a rich progress bar (default: only on a terminal).
        total: How many plans ``plans`` yields (progress bar and ``plans``); default: its length
            when it has one, else counted as they come.

    Returns:
        The :class:`UploadSummary` (``stopped`` when ``should_stop`` ended it early).

    Raises:
        LicenceError: real upload of data whose licence is not CC0 / public domain.
        ConfigError: missing credentials or a failed login.
    """
    opts = options or UploadOptions()
    batch = batch or new_batch_id()
    total = len(plans) if total is None and isinstance(plans, Sized) else total
    summary = UploadSummary(campaign=campaign.id, batch=batch, dry_run=False, plans=total or 0)
    started = time.monotonic()
    licence_gate(campaign)
    with Ledger(ledger_path) as ledger, _progress(total, progress) as tick:
        run = _Run(campaign, client, ledger, summary, opts)
        run.start()
        run.each(plans, tick, count=total is None)
        run.finish_deferred()
        summary.stopped = summary.stopped or opts.should_stop()
        summary.ledger = ledger.counts(campaign.id)
    summary.writes, summary.reads, summary.retries = client.writes, client.reads, client.retries
    summary.elapsed_s = round(time.monotonic() - started, 3)
    written = summary.created + summary.updated  # a run that wrote nothing has no rate (issue 11)
    summary.items_per_s = round(written / summary.elapsed_s, 2) if written and summary.elapsed_s else None
    log.info("upload %s: %d created, %d updated, %d unchanged, %d held, %d failed", batch,
             summary.created, summary.updated, summary.unchanged, summary.held, summary.failed)
    return summary
