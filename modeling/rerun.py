"""Re-runs with nothing to do: recognised from fingerprints, answered without decoding a plan.

The upload of a campaign whose every plan is either held or already ``done`` in the ledger with
the same fingerprint (the item already says what the register says) needs no request and no
write slot. :func:`nothing_to_upload` finds that out from the plan store's ``source_id``,
``action`` and ``fingerprint`` columns and the ledger — seconds at 10⁵ items — and returns the
summary of such a run; otherwise None and the upload runs as usual.
"""

from __future__ import annotations

import time
from pathlib import Path

from modeling.ledger import Ledger
from modeling.plan_store import pending_source_ids
from modeling.upload import UploadSummary, new_batch_id


def done_fingerprints(ledger_path: str | Path, campaign_id: str) -> dict[str, str | None]:
    """``source_id`` → fingerprint of the ledger's ``done`` rows (empty without a ledger)."""
    if not Path(ledger_path).is_file():
        return {}
    with Ledger(ledger_path) as ledger:
        return {r.source_id: r.fingerprint for r in ledger.rows(campaign_id) if r.status == "done"}


def nothing_to_upload(store: str | Path, ledger_path: str | Path, campaign_id: str) -> UploadSummary | None:
    """The summary of an upload with nothing to do, or None when some plan is still to write.

    Args:
        store: The plan store (``03_plan/plans.parquet``).
        ledger_path: The upload ledger.
        campaign_id: The campaign.

    Returns:
        An :class:`~modeling.upload.UploadSummary` with ``unchanged``, ``skipped_done`` and
        ``held`` counted as a full upload counts them, no writes and ``items_per_s`` None; or
        None.
    """
    started = time.monotonic()
    done = done_fingerprints(ledger_path, campaign_id)
    pending, actions = pending_source_ids(store, done)
    if pending:
        return None
    held = actions.get("held", 0)
    plans = sum(actions.values())
    counts: dict[str, int] = {}
    if Path(ledger_path).is_file():
        with Ledger(ledger_path) as ledger:
            counts = ledger.counts(campaign_id)
    unchanged = actions.get("unchanged", 0)  # counted as the full upload counts them
    summary = UploadSummary(campaign=campaign_id, batch=new_batch_id(), dry_run=False, plans=plans,
                            held=held, unchanged=unchanged, skipped_done=plans - held - unchanged,
                            ledger=counts)
    summary.elapsed_s = round(time.monotonic() - started, 3)
    summary.items_per_s = None
    return summary
