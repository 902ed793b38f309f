"""Generate ``staging_seed.jsonl``: items "already on Wikidata" for the bundled BBR sample.

Run ``.venv/bin/python campaigns/data/wlm-se-bbr-sample/make_staging_seed.py``; it rewrites the
file byte for byte (seeded choices, fixed ids). The entities are Wikibase JSON, one per line,
with ids in the staging range Q190100001… (WLE: Q190200001…; new items get Q200000001+), loaded into the local
sandbox with ``sandbox.services.seed_files``. They exercise reconciliation and the plan stage:

* ``id``: items carrying the record's identifier (P1260 ``raa/bbr/<id>``); half complete-ish
  (P31, P17, P625, P1260 with a reference, sv+en label, description), half minimal (P31 + id +
  sv label only) so the plan stage must ADD statements and references; one identifier statement
  is deprecated (still a match);
* ``geo``: items WITHOUT the identifier, right P31, a close name variant ("S:t Olofs kyrka" for
  "Sankt Olofs kyrka") 12–35 m away → matched by distance + name;
* ``ambiguous``: two similar items near one record → review;
* ``duplicate``: two items carrying the same identifier value → review ("id on Q1 and Q2");
* ``unrelated``: an item with a record's exact name 10 m away but of a class outside
  ``reconcile.classes`` → must not match.

The generic code also serves the WLE sample (its script imports this file).
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import pandas as pd  # noqa: E402

from modeling import datavalues as dv  # noqa: E402
from modeling.campaign import Campaign, load_campaign  # noqa: E402
from modeling.ingest import ingest  # noqa: E402
from modeling.reconcile import (  # noqa: E402
    W_DIST,
    W_NAME,
    expected_class,
    identifier_values,
    name_similarity,
    normalise_name,
)

FIRST_ID = 190_100_001  # base.jsonl uses Q1900xxxxx for municipalities
BASE_SEED = ROOT / "sandbox" / "seed" / "base.jsonl"
GUID_NS = uuid.UUID("8d0c6f5e-6b1a-4f57-9a51-1c7c1f7f0a11")


@dataclass(frozen=True)
class SeedPlan:
    """How many records of each kind to seed, and the campaign-specific words."""

    campaign: Path
    out: Path
    seed: int
    n_id: int
    n_geo: int
    n_ambiguous: int
    unrelated_class: str
    desc_sv: str  # e.g. "byggnad i {municipality}"
    desc_en: str
    first_id: int = FIRST_ID  # each sample gets its own block, so both seeds load together
    muni_column: str = "municipality"
    muni_code_column: str = "municipality_code"


# --- reading the register: exactly what the ingest stage hands to reconcile -------------------


def read_records(campaign: Campaign) -> gpd.GeoDataFrame:
    """The register's valid records (``modeling.ingest``), as reconciliation sees them."""
    bbox = tuple(campaign.country.bbox) if campaign.country.bbox else None
    return ingest(campaign.source, base_dir=campaign.base_dir, country_bbox=bbox).records


# --- Wikibase JSON builders --------------------------------------------------------------------


def _snak(pid: str, datatype: str, value: Any) -> dict[str, Any]:
    """A value snak built with :mod:`modeling.datavalues` (coordinates and times arrive built)."""
    if datatype == "wikibase-item":
        datavalue = dv.item(value)
    elif datatype == "monolingualtext":
        datavalue = dv.monolingualtext(value["text"], value["language"])
    elif datatype in ("globe-coordinate", "time"):
        datavalue = {"value": value, "type": "globecoordinate" if datatype == "globe-coordinate" else "time"}
    else:
        datavalue = dv.string(value)
    return dv.snak(pid, datatype, datavalue)


def _statement(qid: str, pid: str, datatype: str, value: Any, *, rank: str = "normal",
               refs: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    guid = uuid.uuid5(GUID_NS, f"{qid}|{pid}|{json.dumps(value, sort_keys=True)}")
    st = {"mainsnak": _snak(pid, datatype, value), "type": "statement",
          "id": f"{qid}${str(guid).upper()}", "rank": rank}
    if refs:
        st["references"] = [dv.reference(refs)]
    return st


def _coord(lat: float, lon: float) -> dict[str, Any]:
    return {"latitude": round(lat, 6), "longitude": round(lon, 6), "altitude": None,
            "precision": 0.0001, "globe": "http://www.wikidata.org/entity/Q2"}


def _offset(lat: float, lon: float, metres: float, bearing_deg: float) -> tuple[float, float]:
    b = math.radians(bearing_deg)
    dlat = metres * math.cos(b) / 111_320.0
    dlon = metres * math.sin(b) / (111_320.0 * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


def _item(qid: str, labels: dict[str, str], descriptions: dict[str, str],
          claims: list[dict[str, Any]], aliases: dict[str, list[str]] | None = None) -> dict[str, Any]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for c in claims:
        grouped.setdefault(c["mainsnak"]["property"], []).append(c)
    ent: dict[str, Any] = {
        "type": "item", "id": qid,
        "labels": {k: {"language": k, "value": v} for k, v in labels.items()},
        "descriptions": {k: {"language": k, "value": v} for k, v in descriptions.items()},
        "aliases": {k: [{"language": k, "value": a} for a in vs] for k, vs in (aliases or {}).items()},
        "claims": grouped,
    }
    return ent


def municipality_items() -> dict[str, str]:
    """P525 code → QID of the municipalities in the sandbox base seed (empty if absent)."""
    out: dict[str, str] = {}
    if not BASE_SEED.is_file():
        return out
    for line in BASE_SEED.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        ent = json.loads(line)
        for st in ent.get("claims", {}).get("P525", []):
            code = st["mainsnak"].get("datavalue", {}).get("value")
            if code:
                out[str(code)] = ent["id"]
    return out


# --- name variants -----------------------------------------------------------------------------

_VARIANTS = [("Sankt ", "S:t "), ("Sankta ", "S:ta "), ("S:t ", "Sankt "), ("S:ta ", "Sankta "),
             ("Kv. ", "Kvarteret "), ("ö", "o"), ("ä", "a"), ("å", "a"), ("Ö", "O"), ("Ä", "A"),
             ("-", " "), (" ", "-")]


def name_variant(name: str) -> str | None:
    """A close variant a Wikidata editor might have typed, or None when none applies."""
    for old, new in _VARIANTS:
        if old in name:
            return name.replace(old, new, 1)
    return None


def geo_score(name: str, label: str, metres: float, distance_m: float) -> float:
    """The score reconciliation gives this pair (same formula, same class)."""
    sim = name_similarity([normalise_name(name)], [normalise_name(label)])[0]
    return W_NAME * sim + W_DIST * max(0.0, 1 - metres / distance_m)


# --- the seed ----------------------------------------------------------------------------------


def build_seed(plan: SeedPlan) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """Entities for the staging seed, and the source ids per kind (for tests and docs)."""
    campaign = load_campaign(plan.campaign)
    rec = read_records(campaign)
    rng = random.Random(plan.seed)
    ident = campaign.mapping.identifier
    idval = identifier_values(rec, campaign)
    cls = expected_class(rec, campaign)
    munis = municipality_items()
    ref_stated = campaign.mapping.reference.stated_in
    dmax = campaign.reconcile.distance_m
    accept = campaign.reconcile.accept_score

    metric = rec.to_crs(rec.estimate_utm_crs())
    pts = metric.geometry.representative_point()
    # Records with another record of similar name within 3 × distance_m are never chosen for the
    # geo kinds: the seeded item must be unambiguous except where ambiguity is the point.
    lonely = []
    for i, p in enumerate(pts):
        near = pts.distance(p) < 3 * dmax
        near.iloc[i] = False
        lonely.append(not near.any())
    order = list(range(len(rec)))
    rng.shuffle(order)

    used: set[int] = set()
    kinds: dict[str, list[str]] = {k: [] for k in
                                   ("id", "id_minimal", "geo", "ambiguous", "duplicate", "unrelated")}
    entities: list[dict[str, Any]] = []
    terms: set[tuple[str, str, str]] = set()
    next_no = [plan.first_id]

    def new_qid() -> str:
        q = f"Q{next_no[0]}"
        next_no[0] += 1
        return q

    def describe(lang: str, template: str, r: pd.Series, label: str) -> str:
        text = template.format(municipality=r.get(plan.muni_column) or "Sverige")
        n = 1
        while (lang, label, text) in terms:
            n += 1
            text = f"{template.format(municipality=r.get(plan.muni_column) or 'Sverige')} ({n})"
        terms.add((lang, label, text))
        return text

    def take(pred: Any) -> int:
        for i in order:
            if i not in used and pred(i):
                used.add(i)
                return i
        raise SystemExit(f"{plan.campaign.name}: not enough records for the seed plan")

    def base_claims(q: str, i: int, *, full: bool) -> list[dict[str, Any]]:
        r = rec.iloc[i]
        claims = [_statement(q, "P31", "wikibase-item", cls.iloc[i])]
        if full:
            claims.append(_statement(q, "P17", "wikibase-item", campaign.country.qid))
            lat, lon = _offset(r["lat"], r["lon"], rng.uniform(2, 8), rng.uniform(0, 360))
            claims.append(_statement(q, "P625", "globe-coordinate", _coord(lat, lon)))
            muni = munis.get(str(r.get(plan.muni_code_column, "")).split(",")[0])
            coin = rng.random()  # drawn always: the seed stays stable whether or not units exist
            if muni and coin < 0.5:
                claims.append(_statement(q, "P131", "wikibase-item", muni))
        return claims

    # 1. identifier items: first half complete-ish, second half minimal; one deprecated id.
    labels_used: set[str] = set()
    for k in range(plan.n_id):
        full = k < (plan.n_id + 1) // 2
        i = take(lambda i, full=full: full or rec.iloc[i]["name"] not in labels_used)
        r, q = rec.iloc[i], new_qid()
        labels_used.add(r["name"])
        ref = [_snak("P248", "wikibase-item", ref_stated)] if full and k % 3 != 0 else None
        claims = base_claims(q, i, full=full)
        rank = "deprecated" if k == 1 else "normal"
        claims.append(_statement(q, ident.property, "external-id", idval.iloc[i], rank=rank, refs=ref))
        labels = {"sv": r["name"], **({"en": r["name"]} if full else {})}
        descs = {"sv": describe("sv", plan.desc_sv, r, r["name"]),
                 "en": describe("en", plan.desc_en, r, r["name"])} if full else {}
        entities.append(_item(q, labels, descs, claims))
        kinds["id" if full else "id_minimal"].append(r["source_id"])

    # 2. geo items: name variant, right class, no identifier, 12–35 m away, score ≥ accept + 0.02.
    best: list[Any] = []  # filled by ok() with the accepted [variant, metres]
    for _ in range(plan.n_geo):

        def ok(i: int) -> bool:
            variant = name_variant(rec.iloc[i]["name"])
            if not lonely[i] or not variant:
                return False
            metres = rng.uniform(12, 35) if dmax < 500 else rng.uniform(0, 0.02 * dmax)
            if geo_score(rec.iloc[i]["name"], variant, metres, dmax) < accept + 0.02:
                return False
            best[:] = [variant, metres]
            return True

        i = take(ok)
        r, q = rec.iloc[i], new_qid()
        variant, metres = best
        lat, lon = _offset(r["lat"], r["lon"], metres, rng.uniform(0, 360))
        claims = [_statement(q, "P31", "wikibase-item", cls.iloc[i]),
                  _statement(q, "P17", "wikibase-item", campaign.country.qid),
                  _statement(q, "P625", "globe-coordinate", _coord(lat, lon))]
        entities.append(_item(q, {"sv": variant}, {"sv": describe("sv", plan.desc_sv, r, variant)},
                              claims))
        kinds["geo"].append(r["source_id"])

    # 3. ambiguous: two items with the record's name 10 and 18 m away (distinct descriptions).
    for _ in range(plan.n_ambiguous):
        i = take(lambda i: lonely[i])
        r = rec.iloc[i]
        for n in range(2):
            q = new_qid()
            lat, lon = _offset(r["lat"], r["lon"], 10 + 8 * n if dmax < 500 else 0.01 * dmax * (n + 1),
                               rng.uniform(0, 360))
            claims = [_statement(q, "P31", "wikibase-item", cls.iloc[i]),
                      _statement(q, "P625", "globe-coordinate", _coord(lat, lon))]
            label = r["name"]  # same label, distinct descriptions: a true close call
            entities.append(_item(q, {"sv": label}, {"sv": describe("sv", plan.desc_sv, r, label)},
                                  claims))
        kinds["ambiguous"].append(r["source_id"])

    # 4. duplicate identifier: the same value on two items.
    i = take(lambda _i: True)
    r = rec.iloc[i]
    for _ in range(2):
        q = new_qid()
        claims = [_statement(q, "P31", "wikibase-item", cls.iloc[i]),
                  _statement(q, ident.property, "external-id", idval.iloc[i])]
        label = r["name"]
        entities.append(_item(q, {"sv": label}, {"sv": describe("sv", plan.desc_sv, r, label)},
                              claims))
    kinds["duplicate"].append(r["source_id"])

    # 5. unrelated: same name, 10 m away, a class outside reconcile.classes.
    i = take(lambda i: lonely[i])
    r, q = rec.iloc[i], new_qid()
    lat, lon = _offset(r["lat"], r["lon"], 10, rng.uniform(0, 360))
    claims = [_statement(q, "P31", "wikibase-item", plan.unrelated_class),
              _statement(q, "P625", "globe-coordinate", _coord(lat, lon))]
    entities.append(_item(q, {"sv": r["name"]}, {"sv": f"annat objekt nära {r['name']}"}, claims))
    kinds["unrelated"].append(r["source_id"])
    return entities, kinds


def write_seed(plan: SeedPlan) -> dict[str, list[str]]:
    """Write ``plan.out`` (JSON lines, a header comment listing the kinds); return the kinds."""
    entities, kinds = build_seed(plan)
    header = "# staging seed generated by make_staging_seed.py; kinds: " + json.dumps(kinds)
    lines = [header] + [json.dumps(e, ensure_ascii=False, sort_keys=True) for e in entities]
    plan.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    digest = hashlib.sha256(plan.out.read_bytes()).hexdigest()[:12]
    print(f"wrote {plan.out} ({len(entities)} entities, sha256 {digest})")
    return kinds


PLAN = SeedPlan(
    campaign=ROOT / "campaigns" / "wlm-se-bbr-sample.yaml",
    out=HERE / "staging_seed.jsonl",
    seed=20260901,
    n_id=25,
    n_geo=8,
    n_ambiguous=3,
    unrelated_class="Q179049",  # nature reserve: never a candidate for a building
    desc_sv="byggnad i {municipality}",
    desc_en="building in {municipality}, Sweden",
)

if __name__ == "__main__":
    write_seed(PLAN)
