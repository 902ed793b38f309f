"""Generated national registers for the end-to-end benchmark (seeded, vectorised).

:func:`generate_run` writes, into one folder, a register in the BBR sample's format (cp1252,
``;``, decimal commas, SWEREF 99 TM), a campaign YAML copied from ``wlm-se-bbr-sample.yaml``
pointing at it, and a JSON-lines seed holding ``existing_share`` of the records as existing
items (same identifier, label and coordinates), so reconcile matches them by identifier and plan
diffs them against live entities.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson
import pyarrow.parquet as pq
import yaml
from pyproj import Transformer

PROJECT = Path(__file__).resolve().parents[1]
SAMPLE_CAMPAIGN = PROJECT / "campaigns" / "wlm-se-bbr-sample.yaml"
SEED = 11
HEADER = "BBR_ID;NAMN;E_KOORD;N_KOORD;KOMMUNKOD;KOMMUN;TYP;SKYDDSTYP;BESLUTSDATUM;ADRESS;BYGGAR"
KOMMUNER = [("0180", "Stockholm"), ("0380", "Uppsala"), ("1480", "Göteborg"), ("1280", "Malmö"),
            ("0980", "Gotland"), ("0580", "Linköping"), ("1281", "Lund"), ("2480", "Umeå")]
NAMES = np.array(["Kv. Ärlan", "Kv. Domherren", "Gamla tullhuset", "Väderkvarnen", "Stenbron",
                  "Herrgården Näs", "Fyrplatsen", "Järnvägsstationen", "Östra skolan", "Prästgården"])
TYPES = np.array(["byggnad", "kyrka", "herrgård", "fyr", "väderkvarn", "bro"])
TYPE_QID = {"byggnad": "Q41176", "kyrka": "Q16970", "herrgård": "Q879050", "fyr": "Q39715",
            "väderkvarn": "Q38720", "bro": "Q12280"}
DESIGNATIONS = np.array(["enskilt", "statligt", "kyrkligt"])
#: Existing items get QIDs from here up (far above the base seed's).
FIRST_QID = 5_000_000


@dataclass
class GeneratedRun:
    """The files of one generated register."""

    register: Path
    campaign: Path
    seed: Path
    records: int
    existing: int


def _columns(n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    ids = (21300000000000 + rng.permutation(n * 3)[:n]).astype(np.int64)
    east = rng.uniform(300_000, 800_000, n)
    north = rng.uniform(6_150_000, 7_300_000, n)
    kommun = rng.integers(0, len(KOMMUNER), n)
    names = np.char.add(np.char.add(NAMES[rng.integers(0, len(NAMES), n)], " "),
                        (np.arange(n) + 1).astype(str))  # unique: no accidental homonyms
    return {"ids": ids, "east": east, "north": north, "kommun": kommun, "names": names,
            "types": TYPES[rng.integers(0, len(TYPES), n)],
            "designations": DESIGNATIONS[rng.integers(0, len(DESIGNATIONS), n)],
            "years": rng.integers(1200, 1950, n), "decided": rng.integers(1920, 2020, n)}


def _register_text(c: dict[str, np.ndarray]) -> str:
    codes = np.array([k[0] for k in KOMMUNER])[c["kommun"]]
    towns = np.array([k[1] for k in KOMMUNER])[c["kommun"]]
    east = np.char.replace(np.char.mod("%.2f", c["east"]), ".", ",")
    north = np.char.replace(np.char.mod("%.2f", c["north"]), ".", ",")
    cols = [c["ids"].astype(str), c["names"], east, north, codes, towns, c["types"],
            c["designations"], c["decided"].astype(str), np.full(len(codes), ""),
            c["years"].astype(str)]
    lines = [";".join(row) for row in zip(*cols, strict=True)]
    return HEADER + "\r\n" + "\r\n".join(lines) + "\r\n"


def _entity(qid: str, sid: str, name: str, town: str, kind: str, lat: float, lon: float) -> dict:
    def snak(prop: str, datatype: str, value: dict) -> dict:
        return {"mainsnak": {"snaktype": "value", "property": prop, "datatype": datatype,
                             "datavalue": value}, "type": "statement", "rank": "normal"}

    def item(q: str) -> dict:
        return {"type": "wikibase-entityid", "value": {"entity-type": "item", "id": q,
                                                       "numeric-id": int(q[1:])}}

    coord = {"type": "globecoordinate", "value": {"latitude": round(lat, 5), "longitude": round(lon, 5),
                                                  "precision": 1e-05,
                                                  "globe": "http://www.wikidata.org/entity/Q2"}}
    return {"id": qid, "type": "item",
            "labels": {"sv": {"language": "sv", "value": name}},
            "descriptions": {"sv": {"language": "sv", "value": f"byggnadsminne i {town}"}},
            "aliases": {},
            "claims": {"P31": [snak("P31", "wikibase-item", item(TYPE_QID[kind]))],
                       "P17": [snak("P17", "wikibase-item", item("Q34"))],
                       "P625": [snak("P625", "globe-coordinate", coord)],
                       "P1260": [snak("P1260", "external-id",
                                      {"type": "string", "value": f"raa/bbr/{sid}"})]}}


def _write_seed(path: Path, c: dict[str, np.ndarray], existing: int) -> None:
    transformer = Transformer.from_crs("EPSG:3006", "EPSG:4326", always_xy=True)
    lon, lat = transformer.transform(c["east"][:existing], c["north"][:existing])
    with path.open("w", encoding="utf-8") as fh:
        for i in range(existing):
            town = KOMMUNER[int(c["kommun"][i])][1]
            entity = _entity(f"Q{FIRST_QID + i}", str(c["ids"][i]), str(c["names"][i]), town,
                             str(c["types"][i]), float(lat[i]), float(lon[i]))
            fh.write(json.dumps(entity, ensure_ascii=False) + "\n")


def generate_run(folder: Path, n: int, *, existing_share: float = 0.1) -> GeneratedRun:
    """Write a register of ``n`` records, its campaign YAML and the seed of existing items.

    Args:
        folder: Where to write (created).
        n: Records in the register.
        existing_share: Share of the records that already exist as items on the target.

    Returns:
        The paths and counts.
    """
    folder.mkdir(parents=True, exist_ok=True)
    c = _columns(n, np.random.default_rng(SEED))
    register = folder / "register.csv"
    register.write_bytes(_register_text(c).encode("cp1252"))
    existing = int(n * existing_share)
    seed = folder / "existing.jsonl"
    _write_seed(seed, c, existing)
    camp = yaml.safe_load(SAMPLE_CAMPAIGN.read_text(encoding="utf-8"))
    camp["id"] = f"wlm-se-bench-{n}"
    camp["source"]["path"] = str(register)
    camp["source"]["encoding"], camp["source"]["delimiter"] = "cp1252", ";"
    campaign = folder / f"wlm-se-bench-{n}.yaml"
    campaign.write_text(yaml.safe_dump(camp, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return GeneratedRun(register, campaign, seed, n, existing)


WD = "http://www.wikidata.org/"
#: The base seed of the local services (admin units, classes, properties).
BASE_SEED = PROJECT / "sandbox" / "seed" / "base.jsonl"


def _lit(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _value_term(value: dict) -> str | None:
    """WDQS's RDF term of a datavalue (the types the generated plans use)."""
    kind, v = value["type"], value["value"]
    if kind == "wikibase-entityid":
        return f"<{WD}entity/{v['id']}>"
    if kind == "string":
        return _lit(v)
    if kind == "globecoordinate":
        return f'"Point({v["longitude"]} {v["latitude"]})"^^<http://www.opengis.net/ont/geosparql#wktLiteral>'
    if kind == "time":
        return f'"{v["time"].lstrip("+")}"^^<http://www.w3.org/2001/XMLSchema#dateTime>'
    if kind == "monolingualtext":
        return f"{_lit(v['text'])}@{v['language']}"
    return None


def entity_ntriples(entity: dict) -> Iterator[str]:
    """N-Triples of an entity in WDQS's form, as far as lists and reports query it: labels,
    ``wdt:`` truthy values, ``p:``/``ps:``/``pq:`` statements with qualifiers."""
    item = f"<{WD}entity/{entity['id']}>"
    for lang, term in (entity.get("labels") or {}).items():
        yield f"{item} <http://www.w3.org/2000/01/rdf-schema#label> {_lit(term['value'])}@{lang} ."
    for prop, statements in (entity.get("claims") or {}).items():
        for n, st in enumerate(statements):
            snak = st["mainsnak"]
            term = _value_term(snak["datavalue"]) if snak.get("snaktype") == "value" else None
            if term is None:
                continue
            node = f"<{WD}entity/statement/{entity['id']}-{prop}-{n}>"
            yield f"{item} <{WD}prop/direct/{prop}> {term} ."
            yield f"{item} <{WD}prop/{prop}> {node} ."
            yield f"{node} <{WD}prop/statement/{prop}> {term} ."
            for qprop, qsnaks in (st.get("qualifiers") or {}).items():
                for q in qsnaks:
                    qterm = _value_term(q["datavalue"]) if q.get("snaktype") == "value" else None
                    if qterm:
                        yield f"{node} <{WD}prop/qualifier/{qprop}> {qterm} ."


def write_target_ntriples(store: Path, first_qid: int, dest: Path) -> int:
    """N-Triples of every item on the target once the plans are uploaded (existing items as
    planned, new ones with fresh QIDs from ``first_qid`` up) plus the base seed; returns the
    number of items."""
    n = 0
    with dest.open("w", encoding="utf-8") as fh:
        for line in BASE_SEED.read_text(encoding="utf-8").splitlines():
            if line.strip():
                fh.write("\n".join(entity_ntriples(json.loads(line))) + "\n")
        qid = first_qid
        for batch in pq.ParquetFile(store).iter_batches(columns=["qid", "action", "desired"]):
            for row in batch.to_pylist():
                if row["action"] == "held":
                    continue
                if not row["qid"]:
                    row["qid"], qid = f"Q{qid}", qid + 1
                fh.write("\n".join(entity_ntriples({**orjson.loads(row["desired"]), "id": row["qid"]})) + "\n")
                n += 1
    return n
