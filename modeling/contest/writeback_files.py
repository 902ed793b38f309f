"""Write-back on files: the accepted rows of ``07_contest/suggestions_*.csv`` → the two wikis.

Items (P18, P373) are written on the Wikidata target, MediaInfo entities (P180 on ``M<pageid>``)
on the Commons target, each through its own client, into one ledger
(``07_contest/writeback.sqlite``); the run's summary goes to ``07_contest/writeback.json``.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import pandas as pd

from core.errors import ConfigError
from core.layout import stage_dir
from modeling.contest.stage import SUGGESTION_FILES
from modeling.contest.suggestions import accepted
from modeling.contest.writeback import EntityClient, apply_writeback, wanted_by_entity
from modeling.ledger import Ledger

WRITEBACK_LEDGER = "writeback.sqlite"
WRITEBACK_SUMMARY = "writeback.json"


def read_accepted(out: str | Path) -> pd.DataFrame:
    """Every accepted suggestion row of the three files (``entity, property, value``)."""
    dest = stage_dir(out, "contest", create=False)
    frames = []
    for name in SUGGESTION_FILES.values():
        path = dest / name
        if path.exists():
            frames.append(accepted(pd.read_csv(path, dtype=str, keep_default_na=False)))
    if not frames:
        return pd.DataFrame(columns=["entity", "property", "value"])
    return pd.concat(frames, ignore_index=True)[["entity", "property", "value"]]


def edit_summary(campaign_id: str, batch: str) -> str:
    """The edit summary of write-back edits, carrying the batch as an EditGroups link."""
    return (
        f"wikiloves-kit {campaign_id}: add reviewed photo statements from the Wiki Loves contest "
        f"([[:toollabs:editgroups/b/wlkit/{batch}|details]])"
    )


def _apply(kind: str, group: dict[str, list[tuple[str, str]]], client: EntityClient | None, campaign_id: str,
           batch: str, ledger: Ledger | None, dry_run: bool, kwargs: dict[str, Any]) -> dict[str, Any] | None:
    """Write one wiki's group; None when there is nothing for it."""
    if group and client is None:
        hint = ("set the target's Commons API (WLKIT_COMMONS_API_URL)" if kind == "mediainfo"
                else "set the target's Wikibase API (WLKIT_API_URL)")
        raise ConfigError(f"{len(group)} accepted {kind} suggestion(s) but no API for them: {hint}")
    if not group or client is None:
        return None
    summary = apply_writeback(group, client, campaign=campaign_id, batch=batch, ledger=ledger,
                              edit_summary=edit_summary(campaign_id, batch), dry_run=dry_run, **kwargs)
    return summary.to_json()


def run_writeback(
    campaign_id: str,
    out: str | Path,
    *,
    items: EntityClient | None,
    mediainfo: EntityClient | None,
    dry_run: bool = False,
    batch: str | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """Apply the accepted suggestions: items through ``items``, MediaInfo through ``mediainfo``.

    Args:
        campaign_id: The campaign id (ledger key, edit summaries).
        out: The run directory.
        items: Client of the Wikidata target (None when no item is to be written).
        mediainfo: Client of the Commons target (None when no file is to be written).
        dry_run: Compare with the live entities only; write nothing, no ledger.
        batch: Batch id (default: a new one).
        **kwargs: Passed to :func:`~modeling.contest.writeback.apply_writeback` (sleep, max_retries).

    Returns:
        ``{"batch", "dry_run", "accepted", "items": summary, "mediainfo": summary}`` with the
        per-entity lists (``kept``, ``failures``, ``planned``) counted; ``writeback.json`` holds
        them in full.

    Raises:
        ConfigError: accepted rows for a wiki that has no client (e.g. no Commons API URL).
    """
    batch = batch or secrets.token_hex(6)
    rows = read_accepted(out)
    wanted = wanted_by_entity(rows)
    groups = {"items": ({e: w for e, w in wanted.items() if not e.startswith("M")}, items),
              "mediainfo": ({e: w for e, w in wanted.items() if e.startswith("M")}, mediainfo)}
    dest = stage_dir(out, "contest")
    result: dict[str, Any] = {"batch": batch, "dry_run": dry_run, "accepted": len(rows)}
    ledger = None if dry_run else Ledger(dest / WRITEBACK_LEDGER)
    try:
        for kind, (group, client) in groups.items():
            result[kind] = _apply(kind, group, client, campaign_id, batch, ledger, dry_run, kwargs)
    finally:
        if ledger is not None:
            ledger.close()
    (dest / WRITEBACK_SUMMARY).write_text(
        json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    return _small(result)


def _small(result: dict[str, Any]) -> dict[str, Any]:
    """The run summary without its per-entity lists (those stay in ``writeback.json``): what a
    Prefect task returns."""
    out = dict(result)
    for kind in ("items", "mediainfo"):
        if isinstance(out.get(kind), dict):
            out[kind] = {k: (len(v) if isinstance(v, list) else v) for k, v in out[kind].items()}
    return out
