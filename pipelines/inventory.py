"""Push the task force's resource inventory to a Wikibase: one item per resource, resumable.

The entities come from :func:`reports.inventory.resource_entities`; the writes go through the
one Wikibase client (:class:`clients.wikibase.WikibaseClient`) and the upload ledger
(:class:`modeling.ledger.Ledger`, campaign key ``inventory``, keyed by resource URL). As in the
upload, every create is recorded ``pending`` with a token carried by its edit summary, and an
unresolved create is looked up in the account's contributions before it is sent again.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from clients.wikibase import WikibaseClient
from core.errors import UploadError
from core.settings import Target
from modeling.ledger import Ledger
from modeling.upload_recovery import Evidence, summary_token
from reports.inventory import Catalogue, resource_entities

log = logging.getLogger(__name__)

#: Ledger campaign key of the inventory.
INVENTORY = "inventory"


def push_inventory_to_wikibase(
    catalogue: Catalogue,
    target: Target,
    *,
    ledger_path: str | Path,
    summary: str = "wikiloves-kit: resource inventory",
    max_retries: int = 3,
) -> dict[str, str]:
    """Create one item per resource on ``target``; a re-run creates nothing twice.

    Args:
        catalogue: The loaded inventory.
        target: Where to write (a local target in tests and rehearsals).
        ledger_path: SQLite ledger making the push resumable (campaign key ``inventory``).
        summary: Edit summary (the write token is appended).
        max_retries: Retries per item on failures that certainly saved nothing.

    Returns:
        ``resource URL → item id`` for every resource (created now or before).
    """
    client = WikibaseClient(target, max_retries=max_retries)
    batch = f"inventory{int(time.time())}"
    done: dict[str, str] = {}
    with Ledger(ledger_path) as ledger:
        evidence = Evidence(client)
        evidence.refresh(ledger.unresolved(INVENTORY))
        for resource, entity in zip(catalogue.resources, resource_entities(catalogue), strict=True):
            row = ledger.get(INVENTORY, resource.url)
            qid = row.qid if row is not None and row.status == "done" else None
            if qid is None and row is not None and row.unresolved_create:
                qid = evidence.item_of(row)
                if qid is None and evidence.too_young(row):
                    raise UploadError(f"resource {resource.url}: its last create may still be saved; "
                                      f"re-run in {evidence.commit_grace:.0f} s", code="unknown")
            if qid is None:
                token = ledger.pending(INVENTORY, resource.url, intent="create", qid=None, batch=batch,
                                       fingerprint=resource.url)
                answer = client.create(entity, summary=f"{summary} {summary_token(token)}")
                qid = answer["entity"]["id"]
                log.info("resource %r → %s", resource.title, qid)
            if row is None or row.status != "done":
                ledger.done(INVENTORY, resource.url, qid=qid, revid=None, batch=batch,
                            fingerprint=resource.url, intent="create")
            done[resource.url] = qid
    return done
