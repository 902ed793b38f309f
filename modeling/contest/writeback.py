"""Write accepted suggestions back: P18/P373 on items, P180 on MediaInfo; add-only, ledgered.

One ``wbeditentity`` per entity whatever the number of accepted rows for it. Before every write
the entity is read and the wanted statements are compared with what it holds **now**:

* P18 (image) and P373 (Commons category) are added only when the item has none: an image or
  category someone else chose is never replaced, and never doubled;
* P180 (depicts) is added only when the file does not already depict that item;
* nothing is ever removed or changed.

Because the comparison is against the live entity, a retry, a crash between the API's answer
and the ledger write, or a second run can never add a statement twice: the next look finds it
and records the entity ``unchanged``. The ledger (``07_contest/writeback.sqlite``, the same
SQLite ledger as the monument upload) journals ``pending`` before and ``done`` after each write.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import pandas as pd

from core.errors import BadTokenError, EditConflictError, UploadError
from modeling import datavalues as dv
from modeling.ledger import Ledger

log = logging.getLogger(__name__)
Json = dict[str, Any]

#: Property → datatype of the statements write-back makes.
DATATYPES = {"P18": "commonsMedia", "P373": "string", "P180": "wikibase-item"}
#: Properties an entity gets at most once from write-back (never a second image or category).
ONLY_IF_ABSENT = frozenset({"P18", "P373"})


class EntityClient(Protocol):
    """What write-back needs of an API client (``clients.wikibase.WikibaseClient`` fits)."""

    def get_entities(self, ids: list[str]) -> dict[str, Json]:
        """Current entities by id."""

    def edit(
        self, data: Json, *, qid: str | None, summary: str, baserevid: int | None, attempt: int = 0
    ) -> Json:
        """One ``wbeditentity`` attempt."""

    def log_in(self) -> None:
        """Log in again (after ``badtoken``)."""


@dataclass
class WritebackSummary:
    """What a write-back run did (``07_contest/writeback.json``)."""

    batch: str
    dry_run: bool
    entities: int = 0
    written: int = 0
    statements_added: int = 0
    unchanged: int = 0
    skipped_done: int = 0
    failed: int = 0
    kept: list[Json] = field(default_factory=list)
    failures: list[Json] = field(default_factory=list)
    planned: list[Json] = field(default_factory=list)

    def to_json(self) -> Json:
        """A JSON-ready dict."""
        return asdict(self)


def wanted_by_entity(accepted: pd.DataFrame) -> dict[str, list[tuple[str, str]]]:
    """Group accepted suggestion rows per entity: ``{entity: [(property, value), …]}`` (deduplicated).

    For P18/P373 only the first accepted value per entity is kept (an entity gets one image).
    """
    out: dict[str, list[tuple[str, str]]] = {}
    rows = accepted[["entity", "property", "value"]].drop_duplicates()
    for entity, prop, value in rows.itertuples(index=False):
        pairs = out.setdefault(str(entity), [])
        if prop in ONLY_IF_ABSENT and any(p == prop for p, _ in pairs):
            continue
        pairs.append((str(prop), str(value)))
    return out


def _live_values(entity: Json, prop: str) -> list[str]:
    statements = (entity.get("claims") or entity.get("statements") or {}).get(prop, [])
    values = []
    for st in statements:
        value = (st.get("mainsnak") or {}).get("datavalue", {}).get("value")
        values.append(str(value.get("id")) if isinstance(value, dict) else str(value))
    return values


def _datavalue(prop: str, value: str) -> Json:
    return dv.item(value) if DATATYPES[prop] == "wikibase-item" else dv.string(value)


def additions(wanted: list[tuple[str, str]], live: Json) -> tuple[list[Json], list[Json]]:
    """The statements to add to ``live`` (add-only), and the wanted ones kept back with why.

    Args:
        wanted: ``(property, value)`` pairs accepted for this entity.
        live: The entity as it is now.

    Returns:
        ``(statements, kept)``: new statement JSON, and ``{property, value, reason}`` not written.
    """
    statements, kept = [], []
    for prop, value in wanted:
        present = _live_values(live, prop)
        if value in present:
            continue  # already there: nothing to do, nothing to report
        if prop in ONLY_IF_ABSENT and present:
            kept.append(
                {"property": prop, "value": value, "reason": f"already has {prop} = {present[0]}"}
            )
            continue
        statements.append(dv.statement(dv.snak(prop, DATATYPES[prop], _datavalue(prop, value))))
    return statements, kept


def fingerprint(wanted: list[tuple[str, str]]) -> str:
    """A stable hash of what is wanted for one entity (a changed acceptance re-opens it)."""
    return hashlib.sha256(repr(sorted(wanted)).encode()).hexdigest()[:16]


class _Writer:
    def __init__(
        self,
        client: EntityClient,
        ledger: Ledger | None,
        campaign: str,
        summary: WritebackSummary,
        edit_summary: str,
        sleep: Callable[[float], None],
        max_retries: int,
    ) -> None:
        self.client, self.ledger, self.campaign, self.s = client, ledger, campaign, summary
        self.edit_summary, self.sleep, self.max_retries = edit_summary, sleep, max_retries

    def one(self, entity: str, wanted: list[tuple[str, str]]) -> None:
        """Settle one entity: skip it (ledger), or read, compare and write what it lacks."""
        key, fp = f"writeback:{entity}", fingerprint(wanted)
        row = self.ledger.get(self.campaign, key) if self.ledger else None
        if row and row.status == "done" and row.fingerprint == fp:
            self.s.skipped_done += 1
            return
        last: Exception | None = None
        for attempt in range(self.max_retries + 1):
            try:
                if self._attempt(entity, wanted, key, fp, attempt):
                    return
            except BadTokenError as exc:
                last = exc
                self.client.log_in()
            except EditConflictError as exc:
                last = exc  # someone edited meanwhile: read again and re-compare
            except UploadError as exc:
                wait = getattr(exc, "wait", None)
                if wait is None:
                    return self._fail(entity, key, fp, exc)
                last = exc  # transient (maxlag, 429, 5xx, dropped connection): re-read decides
                self.sleep(float(wait))
        self._fail(entity, key, fp, UploadError(f"gave up after {self.max_retries + 1} attempts: {last}"))

    def _attempt(self, entity: str, wanted: list[tuple[str, str]], key: str, fp: str, attempt: int) -> bool:
        """Read the entity, compare, write what it lacks; True when the entity is settled."""
        live = self.client.get_entities([entity]).get(entity)
        if live is None:
            self._fail(entity, key, fp, UploadError(f"{entity} does not exist on the target", code="missing"))
            return True
        statements, kept = additions(wanted, live)
        if attempt == 0:
            self.s.kept += [{"entity": entity, **k} for k in kept]
        if self.s.dry_run:
            self.s.planned += [{"entity": entity, "statement": dv.format_snak(st["mainsnak"])} for st in statements]
            return True
        if not statements:
            self._done(entity, key, fp, live.get("lastrevid"), "unchanged")
            self.s.unchanged += 1
            return True
        if self.ledger:
            self.ledger.pending(self.campaign, key, intent="update", qid=entity, batch=self.s.batch, fingerprint=fp)
        answer = self.client.edit({"claims": statements}, qid=entity, summary=self.edit_summary,
                                  baserevid=live.get("lastrevid"), attempt=attempt)
        self._done(entity, key, fp, (answer.get("entity") or {}).get("lastrevid"), "update")
        self.s.written += 1
        self.s.statements_added += len(statements)
        return True

    def _done(self, entity: str, key: str, fp: str, revid: int | None, intent: str) -> None:
        if self.ledger:
            self.ledger.done(self.campaign, key, qid=entity, revid=revid, batch=self.s.batch, fingerprint=fp,
                             intent=intent)

    def _fail(self, entity: str, key: str, fp: str, exc: UploadError) -> None:
        log.error("write-back %s failed: %s", entity, exc)
        self.s.failed += 1
        self.s.failures.append({"entity": entity, "error": str(exc)})
        if self.ledger:
            self.ledger.failed(
                self.campaign, key, batch=self.s.batch, error=str(exc), fingerprint=fp
            )


def apply_writeback(
    wanted: dict[str, list[tuple[str, str]]],
    client: EntityClient,
    *,
    campaign: str,
    batch: str,
    ledger: Ledger | None,
    edit_summary: str,
    dry_run: bool = False,
    sleep: Callable[[float], None] | None = None,
    max_retries: int = 5,
) -> WritebackSummary:
    """Write the wanted statements, one ``wbeditentity`` per entity, add-only and ledgered.

    Args:
        wanted: From :func:`wanted_by_entity` (all entities on the same wiki as ``client``).
        client: Reads and edits that wiki.
        campaign: Campaign id (the ledger key).
        batch: Batch id (edit summaries, ledger).
        ledger: The write-back ledger (None only in a dry run).
        edit_summary: The edit summary of every write.
        dry_run: Read and compare only; ``planned`` lists what would be added.
        sleep: Injectable sleep for retries.
        max_retries: Attempts per entity after the first.

    Returns:
        The :class:`WritebackSummary`.
    """
    summary = WritebackSummary(batch=batch, dry_run=dry_run, entities=len(wanted))
    writer = _Writer(
        client, ledger, campaign, summary, edit_summary, sleep or time.sleep, max_retries
    )
    for entity in sorted(wanted):
        writer.one(entity, wanted[entity])
    return summary
