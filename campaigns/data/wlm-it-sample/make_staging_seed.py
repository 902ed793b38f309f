"""Generate ``staging_seed.jsonl``: an Italian-style WLM campaign whose monuments are already on Wikidata.

Run ``.venv/bin/python campaigns/data/wlm-it-sample/make_staging_seed.py``; it rewrites the file
byte for byte (seeded choices, fixed ids in the staging range Q190300001…). Nothing is copied
from elsewhere: names, places, identifiers and dates are generated. The items model how WLM Italy
keeps its list on Wikidata (FIELD-NOTES): each monument carries a *Wiki Loves Monuments ID*
(P2186) whose statement has a validity window in qualifiers — P580 (start time: from when the
monument may be photographed for the contest) and sometimes P582 (end time: authorisation
withdrawn). The campaign's ``scope`` keeps the statements valid on 1 September 2026, so:

* every P2186 statement also carries P585 (year of authorisation) and P790 (approved by);
* most monuments: P580 in 2016–2025, no P582 → in scope;
* ``expired``: P582 before the contest → out of scope;
* ``future``: P580 after the contest (authorised for next year) → out of scope;
* ``foreign``: a few monuments of a neighbouring country also using P2186 → out of scope by P17;
* a third carry an image (P18: photographed before the contest), a quarter a Commons category
  (P373) that already holds files (the sample contest puts some in it).
"""

from __future__ import annotations

import json
import random
import sys
import uuid
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from modeling import datavalues as dv  # noqa: E402

OUT = HERE / "staging_seed.jsonl"
SEED = 20260901
FIRST_MONUMENT = 190_300_001
GUID_NS = uuid.UUID("3f1d6c2a-52a4-4c1e-9b0e-7a6e0d1c2b3f")
N_MONUMENTS = 150
N_FOREIGN = 6

#: (fake staging QID, name, lat, lon, region code used in the WLM ID)
COMUNI = [
    (190_390_001, "Bologna", 44.4949, 11.3426, "08"), (190_390_002, "Ferrara", 44.8381, 11.6198, "08"),
    (190_390_003, "Ravenna", 44.4184, 12.2035, "08"), (190_390_004, "Parma", 44.8015, 10.3279, "08"),
    (190_390_005, "Modena", 44.6471, 10.9252, "08"), (190_390_006, "Lucca", 43.8429, 10.5027, "09"),
    (190_390_007, "Siena", 43.3188, 11.3308, "09"), (190_390_008, "Arezzo", 43.4633, 11.8796, "09"),
]
FOREIGN_TOWN = (190_390_101, "Bellinzona", 46.1955, 9.0238, "CH")
#: class QID, English label, Italian label, how Italian names start
CLASSES = [
    ("Q16970", "church building", "chiesa", ["Chiesa di San {saint}", "Chiesa di Santa {santa}",
                                              "Pieve di San {saint}"]),
    ("Q12518", "tower", "torre", ["Torre {family}", "Torre dell'Orologio"]),
    ("Q23413", "castle", "castello", ["Castello di {place}", "Rocca di {place}"]),
    ("Q3950", "villa", "villa", ["Villa {family}"]),
    ("Q16560", "palace", "palazzo", ["Palazzo {family}", "Palazzo del Podestà"]),
    ("Q12280", "bridge", "ponte", ["Ponte di {place}", "Ponte sul {river}"]),
    ("Q483453", "fountain", "fontana", ["Fontana del {figure}", "Fontana {family}"]),
]
SAINTS = ["Michele", "Giorgio", "Francesco", "Domenico", "Petronio", "Martino", "Bartolomeo",
          "Giovanni Battista", "Lorenzo", "Biagio", "Vitale", "Donato", "Cristoforo", "Rocco"]
SANTE = ["Maria Maggiore", "Lucia", "Caterina", "Agata", "Cecilia", "Margherita", "Chiara"]
FAMILIES = ["Malvezzi", "Bentivoglio", "Gozzadini", "Rossi", "Pepoli", "Guidotti", "Albergati",
            "Salimbeni", "Tolomei", "Guinigi", "Bottini", "Lambertini", "Orsini", "Fantuzzi"]
PLACES = ["Monteveglio", "Serravalle", "Castelvecchio", "Poggio Alto", "Montebello", "Rocca Nuova",
          "San Leo", "Bagnara", "Vignola", "Castiglione", "Pietramala", "Ripafratta"]
RIVERS = ["Reno", "Santerno", "Serchio", "Savena", "Panaro", "Taro"]
FIGURES = ["Nettuno", "Leone", "Delfino", "Tritone", "Pellegrino"]
OTHER_ITEMS = [("Q38", "Italy", "Italia"), ("Q39", "Switzerland", "Svizzera"),
               ("Q747074", "comune of Italy", "comune italiano")]
#: The body approving the monuments list (a staging item; FIELD-NOTES §2.6: P790 approved by).
AUTHORITY = ("Q190390201", "heritage authority (sample)", "soprintendenza (esempio)")
#: Qualifier properties WLM Italy uses on P2186 that the base seed lacks.
PROPERTIES = [("P585", "time", "point in time"), ("P790", "wikibase-item", "approved by")]


def _guid(entity: str, n: int) -> str:
    return f"{entity}${str(uuid.uuid5(GUID_NS, f'{entity}-{n}')).upper()}"


def _item_value(qid: str) -> dict[str, Any]:
    return dv.item(qid)


def _time(day: str, precision: int = 11) -> dict[str, Any]:
    return dv.time(f"+{day}T00:00:00Z", precision)


_snak = dv.snak


def _statement(entity: str, n: int, snak: dict[str, Any],
               qualifiers: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    st: dict[str, Any] = {"id": _guid(entity, n), "mainsnak": snak, "type": "statement",
                          "rank": "normal"}
    if qualifiers:
        st["qualifiers"] = {q["property"]: [q] for q in qualifiers}
        st["qualifiers-order"] = [q["property"] for q in qualifiers]
    return st


def _entity(qid: str, labels: dict[str, str], descriptions: dict[str, str],
            statements: list[dict[str, Any]]) -> dict[str, Any]:
    claims: dict[str, list[dict[str, Any]]] = {}
    for st in statements:
        claims.setdefault(st["mainsnak"]["property"], []).append(st)
    return {"type": "item", "id": qid, "labels": {k: {"language": k, "value": v} for k, v in labels.items()},
            "descriptions": {k: {"language": k, "value": v} for k, v in descriptions.items()},
            "aliases": {}, "claims": claims, "sitelinks": {}}


def _properties() -> list[dict[str, Any]]:
    return [{"type": "property", "id": pid, "datatype": datatype,
             "labels": {"en": {"language": "en", "value": label}}, "descriptions": {},
             "aliases": {}, "claims": {}} for pid, datatype, label in PROPERTIES]


def _places() -> list[dict[str, Any]]:
    out = [_entity(qid, {"en": en, "it": it}, {}, []) for qid, en, it in [*OTHER_ITEMS, AUTHORITY]]
    for num, name, _lat, _lon, _ in [*COMUNI, FOREIGN_TOWN]:
        qid = f"Q{num}"
        country = "Q39" if (num, name) == FOREIGN_TOWN[:2] else "Q38"
        sts = [_statement(qid, 1, _snak("P17", "wikibase-item", _item_value(country)))]
        if country == "Q38":
            sts.append(_statement(qid, 2, _snak("P31", "wikibase-item", _item_value("Q747074"))))
        out.append(_entity(qid, {"it": name, "en": name}, {}, sts))
    return out


def _name(rng: random.Random, pattern: str) -> str:
    return pattern.format(saint=rng.choice(SAINTS), santa=rng.choice(SANTE),
                          family=rng.choice(FAMILIES), place=rng.choice(PLACES),
                          river=rng.choice(RIVERS), figure=rng.choice(FIGURES))


def _window(rng: random.Random, kind: str) -> list[dict[str, Any]]:
    """Qualifiers of a P2186 statement: the authorisation's window (P580/P582), its year (P585)
    and who approved it (P790)."""
    year = 2027 if kind == "future" else rng.randint(2016, 2025)
    start = _snak("P580", "time", _time("2027-01-01" if kind == "future" else
                                         f"{year}-0{rng.randint(1, 8)}-01"))
    approval = [_snak("P585", "time", _time(f"{year}-00-00", 9)),
                _snak("P790", "wikibase-item", _item_value(AUTHORITY[0]))]
    if kind == "expired":
        return [start, _snak("P582", "time", _time(f"{rng.choice([2023, 2024, 2025])}-12-31")),
                *approval]
    return [start, *approval]


def _monument(rng: random.Random, n: int, kind: str, used: set[str]) -> dict[str, Any]:
    qid = f"Q{FIRST_MONUMENT + n}"
    num, town, lat, lon, region = FOREIGN_TOWN if kind == "foreign" else rng.choice(COMUNI)
    cls, cls_en, cls_it, patterns = rng.choice(CLASSES)
    name = _name(rng, rng.choice(patterns))
    label = name if name not in used else f"{name} ({town})"
    k = 2
    while label in used:  # label + description must be unique (Wikibase refuses twins)
        label, k = f"{name} ({town}, {k})", k + 1
    used.add(label)
    wlm_id = f"{region}{'E' if region == '08' else 'T'}{700000 + n * 37:07d}" if region != "CH" \
        else f"CH-TI-{4100 + n}"
    sts = [_statement(qid, 1, _snak("P31", "wikibase-item", _item_value(cls))),
           _statement(qid, 2, _snak("P17", "wikibase-item", _item_value("Q39" if kind == "foreign" else "Q38"))),
           _statement(qid, 3, _snak("P131", "wikibase-item", _item_value(f"Q{num}"))),
           _statement(qid, 4, _snak("P625", "globe-coordinate", dv.globecoordinate(
               lat + rng.uniform(-0.06, 0.06), lon + rng.uniform(-0.08, 0.08), 1e-05))),
           _statement(qid, 5, _snak("P2186", "external-id", dv.string(wlm_id)), _window(rng, kind))]
    if rng.random() < 0.33:
        photo = f"{label} {town} {rng.randint(2008, 2024)}.jpg"
        sts.append(_statement(qid, 6, _snak("P18", "commonsMedia", dv.string(photo))))
    if rng.random() < 0.25 or n < 12:
        sts.append(_statement(qid, 7, _snak("P373", "string", dv.string(f"{label} ({town})"))))
    return _entity(qid, {"it": label, **({"en": label} if rng.random() < 0.5 else {})},
                   {"it": f"{cls_it} a {town}", "en": f"{cls_en} in {town}"}, sts)


def build() -> list[dict[str, Any]]:
    """Every entity of the seed, in file order (places first, then monuments)."""
    rng = random.Random(SEED)
    kinds = (["expired"] * 12 + ["future"] * 8 + ["valid"] * (N_MONUMENTS - 20))
    rng.shuffle(kinds)
    kinds += ["foreign"] * N_FOREIGN
    used: set[str] = set()
    return _properties() + _places() + [_monument(rng, n, kind, used) for n, kind in enumerate(kinds)]


def main() -> None:
    """Rewrite ``staging_seed.jsonl``."""
    entities = build()
    lines = ["# staging seed generated by make_staging_seed.py (wlm-it-sample): "
             f"{len(entities)} entities"]
    lines += [json.dumps(e, ensure_ascii=False, sort_keys=True) for e in entities]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
