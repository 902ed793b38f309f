"""Lookup tables fetched by SPARQL and cached: admin units (P131 values) by code or name.

The plan stage turns a record's municipality code (or name) into the P131 item with
:func:`admin_unit_table`. The table comes from ``sparql/lookup_admin_units.rq`` (all units of
``located_in.admin_class`` with their ``code_property`` and labels), is cached as JSON under
``cache_dir`` (one file per target, class, property and languages), and the campaign's static
``located_in.table`` overrides it (for codes missing on Wikidata, or merged municipalities).
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import pandas as pd

from core.errors import CampaignError
from core.settings import Target
from modeling.campaign import Campaign
from modeling.reconcile_ids import QueryRunner
from modeling.reconcile_scoring import normalise_name

log = logging.getLogger(__name__)


def _cache_file(cache_dir: Path, target: Target, cls: str, prop: str | None,
                langs: list[str], data_version: str | None) -> Path:
    # The target's data version is part of the key: after a seed or an edit on the target the
    # old table is never reused (issue 15: a stale table silently dropped P131 on every item).
    key = hashlib.sha256(f"{target.sparql_url}|{cls}|{prop}|{','.join(langs)}|{data_version}"
                         .encode()).hexdigest()
    return cache_dir / f"admin_units_{cls}_{prop or 'name'}_{key[:12]}.json"


def build_table(rows: pd.DataFrame, by: str) -> dict[str, str]:
    """Key → QID from query rows ``item, code, label``.

    ``by="code"`` keys on the code; ``by="name"`` keys on each label and on its normalised form
    (so "Göteborg", "goteborg" and "Göteborgs" differ, but case and accents don't matter). An
    ambiguous key (two units) keeps the lowest QID and is logged.
    """
    table: dict[str, str] = {}
    col = "code" if by == "code" else "label"
    if len(rows) == 0 or col not in rows.columns:
        return table
    clean = rows.dropna(subset=[col]).copy()
    clean["num"] = clean["item"].astype(str).str[1:].astype(int)
    for key, grp in clean.sort_values("num").groupby(clean[col].astype(str), sort=True):
        qids = list(dict.fromkeys(grp["item"].astype(str)))
        if len(qids) > 1:
            log.warning("admin unit %s %r is on several items %s; using %s", col, key, qids, qids[0])
        table[key] = qids[0]
        if by == "name":
            table.setdefault(normalise_name(key), qids[0])
    return table


def admin_unit_table(campaign: Campaign, target: Target, cache_dir: str | Path | None = None, *,
                     query: QueryRunner, refresh: bool = False,
                     data_version: str | None = None) -> dict[str, str]:
    """The code (or name) → QID table for the campaign's ``mapping.located_in``.

    Args:
        campaign: the campaign (``located_in.admin_class``, ``code_property``, ``by``, ``table``).
        target: where to query.
        cache_dir: directory for the cached table; ``None`` = no cache.
        query: the query runner (the flow passes :func:`sparql.client.run`); not called when
            the cached table is reused.
        refresh: ignore a cached table and fetch again.
        data_version: the target's data version (:func:`clients.probe.data_version`); a cached
            table is reused only for the same version, and its reuse is logged.

    Returns:
        Keys are codes (``by: code``) or names plus normalised names (``by: name``); the
        campaign's static ``table`` entries win. Empty when the campaign has no ``located_in``.

    Raises:
        CampaignError: ``located_in`` without ``admin_class`` and without a static table.
    """
    located = campaign.register_mapping.located_in
    if located is None:
        return {}
    if not located.admin_class:
        if not located.table:
            raise CampaignError(f"campaign {campaign.id}: mapping.located_in needs admin_class "
                                "(to fetch the units) or a static table")
        return dict(located.table)
    prop = located.code_property if located.by == "code" else None
    cache = _cache_file(Path(cache_dir), target, located.admin_class, prop, campaign.languages,
                        data_version) if cache_dir else None
    table: dict[str, str]
    if cache is not None and cache.is_file() and not refresh:
        table = json.loads(cache.read_text(encoding="utf-8"))
        log.info("admin units of %s: reusing the table cached for target data version %s "
                 "(%d keys, %s); --refresh looks them up again", located.admin_class,
                 data_version or "unknown", len(table), cache.name)
    else:
        params = {"admin_class": located.admin_class, "langs": list(campaign.languages)}
        if prop:
            params["codeprop"] = prop
        table = build_table(query("lookup_admin_units", target, **params), located.by)
        log.info("admin units of %s: %d keys", located.admin_class, len(table))
        if cache is not None:
            cache.parent.mkdir(parents=True, exist_ok=True)
            cache.write_text(json.dumps(table, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    table.update(located.table)
    return table
