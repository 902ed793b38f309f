"""The monuments a sample contest is generated for, read from a bundled campaign's own data.

* a campaign with a register: the records ingest accepts (their identifier value as on Wikidata,
  e.g. ``raa/bbr/21300000012345``), with the item of those its staging seed already holds;
* a campaign without a register: the items of its staging seed that its ``scope`` selects
  (identifier, validity window on the contest day, country) — the same rules as
  ``sparql/scope_items.rq``, applied in Python to the seed file; items the scope leaves out give
  the "wrong ID" uploads (an expired or not-yet-valid ID, a neighbour country's ID).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from modeling.campaign import Campaign
from modeling.ingest import ingest
from modeling.reconcile import identifier_values

STAGING_SEED = "staging_seed.jsonl"
COLUMNS = ["id", "item", "label", "region", "commons_category", "in_scope"]


def seed_entities(campaign: Campaign) -> list[dict[str, Any]]:
    """Entities of the campaign's ``staging_seed.jsonl`` (empty when it has none)."""
    path = campaign.data_dir / STAGING_SEED
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(ln) for ln in lines if ln.strip() and not ln.startswith("#")]


def _values(entity: dict[str, Any], pid: str, *, deprecated: bool = False) -> list[Any]:
    out = []
    for st in entity.get("claims", {}).get(pid, []):
        if st.get("rank") == "deprecated" and not deprecated:
            continue
        value = (st["mainsnak"].get("datavalue") or {}).get("value")
        out.append(value["id"] if isinstance(value, dict) and "id" in value else value)
    return out


def _label(entity: dict[str, Any], languages: list[str]) -> str:
    labels = entity.get("labels", {})
    for lang in [*languages, *labels]:
        if lang in labels:
            return str(labels[lang]["value"])
    return str(entity["id"])


def _valid(statement: dict[str, Any], day: date) -> bool:
    quals = statement.get("qualifiers", {})

    def first(pid: str) -> str | None:
        snaks = quals.get(pid) or []
        return snaks[0]["datavalue"]["value"]["time"][1:11] if snaks else None

    start, end = first("P580"), first("P582")
    return (start is None or start <= day.isoformat()) and (end is None or end >= day.isoformat())


def _scoped(campaign: Campaign, entities: list[dict[str, Any]]) -> pd.DataFrame:
    scope = campaign.scope
    assert scope is not None and scope.identifier, "sample contests need an identifier scope"
    rows = []
    for ent in entities:
        for st in ent.get("claims", {}).get(scope.identifier, []):
            if st.get("rank") == "deprecated":
                continue
            in_scope = (not scope.country or campaign.country.qid in _values(ent, "P17")) and \
                (scope.valid_on is None or _valid(st, scope.valid_on))
            rows.append({"id": st["mainsnak"]["datavalue"]["value"], "item": ent["id"],
                         "label": _label(ent, campaign.languages),
                         "region": next(iter(_values(ent, "P131")), None),
                         "commons_category": next(iter(_values(ent, "P373")), None),
                         "in_scope": in_scope})
    return pd.DataFrame(rows, columns=COLUMNS)


def _registered(campaign: Campaign, entities: list[dict[str, Any]]) -> pd.DataFrame:
    assert campaign.source is not None and campaign.mapping is not None
    records = ingest(campaign.source, base_dir=campaign.base_dir).records
    ids = identifier_values(records, campaign)
    prop = campaign.mapping.identifier.property
    holders: dict[str, list[str]] = {}
    for ent in entities:
        for value in _values(ent, prop):
            holders.setdefault(value, []).append(ent["id"])
    frame = pd.DataFrame({"id": ids.to_numpy(), "label": records["name"].to_numpy()})
    frame["item"] = frame["id"].map(lambda v: holders[v][0] if len(holders.get(v, [])) == 1 else None)
    frame["region"] = None
    frame["commons_category"] = None
    frame["in_scope"] = True
    return frame[COLUMNS]


def campaign_monuments(campaign: Campaign) -> pd.DataFrame:
    """Monuments of a bundled campaign: ``id, item, label, region, commons_category, in_scope``.

    ``item`` is known for scope campaigns and for register records an item of the staging seed
    already carries; the others get their item at upload time.
    """
    entities = seed_entities(campaign)
    frame = _registered(campaign, entities) if campaign.has_register else _scoped(campaign, entities)
    return frame.astype({"in_scope": bool}).reset_index(drop=True)


def write_monuments(frame: pd.DataFrame, path: Path) -> None:
    """Write the monuments table the known answers assume (CSV, UTF-8)."""
    frame.to_csv(path, index=False)
