"""Reconciliation: scoring and decision logic on hand-made frames, decisions.csv round trip,
and the whole pass against an in-process Oxigraph store (the real .rq files, no services)."""

from __future__ import annotations

import math
import random
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyoxigraph as ox
import pytest
from shapely.geometry import Point

from core.errors import CampaignError, ReconcileError
from core.settings import Target
from modeling.campaign import load_campaign
from modeling.decisions import (
    DECISION_COLUMNS,
    merge_human_decisions,
    read_decisions,
    review_table,
    summarise,
    write_decisions,
)
from modeling.reconcile import (
    aggregate_candidates,
    candidate_batches,
    candidate_centers,
    decide,
    fetch_candidates,
    identifier_values,
    match_identifiers,
    name_similarity,
    normalise_name,
    reconcile,
    reconcile_detailed,
    score_pairs,
)
from sandbox.spatial_index import SpatialIndex
from sandbox.wdqs_functions import custom_functions
from sandbox.wdqs_services import rewrite_query
from sparql.render import render

ROOT = Path(__file__).resolve().parents[3]
BBR = load_campaign(ROOT / "campaigns" / "wlm-se-bbr-sample.yaml")
TARGET = Target(name="unit", api_url="http://127.0.0.1:9/w/api.php",
                sparql_url="http://127.0.0.1:9/query")
LAT0, LON0 = 59.3293, 18.0686  # Stockholm


def _at(metres_north: float, metres_east: float = 0.0) -> tuple[float, float]:
    return (LAT0 + metres_north / 111_320.0,
            LON0 + metres_east / (111_320.0 * math.cos(math.radians(LAT0))))


def records(*rows: tuple[str, str, float, float, str]) -> gpd.GeoDataFrame:
    """Records (source_id, name, north_m, east_m, type) in the records contract."""
    data = []
    for sid, name, n, e, typ in rows:
        lat, lon = _at(n, e)
        data.append({"source_id": sid, "name": name, "type": typ, "lat": lat, "lon": lon,
                     "geometry": Point(lon, lat)})
    return gpd.GeoDataFrame(data, geometry="geometry", crs="EPSG:4326")


def candidates(*rows: tuple[str, str, float, float, str, str | None]) -> gpd.GeoDataFrame:
    """Candidates (qid, label, north_m, east_m, class, other id) as aggregate_candidates builds."""
    raw = []
    for qid, label, n, e, cls, other in rows:
        lat, lon = _at(n, e)
        raw.append({"item": qid, "class": cls, "lat": lat, "lon": lon, "name": label,
                    "lang": "sv", "kind": "label", "other": other})
    return aggregate_candidates(pd.DataFrame(raw), ["sv", "en"])


def decide_one(recs: gpd.GeoDataFrame, cands: gpd.GeoDataFrame) -> pd.Series:
    pairs = score_pairs(recs, cands, BBR, id_values=identifier_values(recs, BBR))
    return decide(pairs, recs["source_id"], BBR).set_index("source_id").iloc[0]


# --- names -------------------------------------------------------------------------------------


def test_normalise_name_drops_saint_prefix_diacritics_and_punctuation() -> None:
    assert normalise_name("S:ta Klara kyrka") == normalise_name("Klara kyrka") == "klara kyrka"
    assert normalise_name("Sankt Olofs kyrka") == normalise_name("S:t Olofs kyrka")
    assert normalise_name("Östra väderkvarnen") == "ostra vaderkvarnen"
    assert normalise_name("Kv. Göken 22") == "kv goken 22"
    assert normalise_name(None) == "" and normalise_name(float("nan")) == ""


def test_name_similarity_orders_close_above_far() -> None:
    sim = name_similarity(["klara kyrka", "klara kyrka", "klara kyrka", ""],
                          ["klara kyrka", "kyrka klara", "stora hotellet", "klara kyrka"])
    assert sim[0] == pytest.approx(1.0) and sim[1] == pytest.approx(1.0)
    assert sim[2] < 0.5 and sim[3] == 0.0


# --- identifier match --------------------------------------------------------------------------


def test_identifier_match_single_deprecated_duplicate_and_shared_item() -> None:
    recs = records(("21300000000001", "A", 0, 0, "kyrka"), ("21300000000002", "B", 0, 0, "kyrka"),
                   ("21300000000003", "C", 0, 0, "kyrka"), ("21300000000004", "D", 0, 0, "kyrka"),
                   ("21300000000005", "E", 0, 0, "kyrka"), ("21300000000006", "F", 0, 0, "kyrka"))
    values = identifier_values(recs, BBR)
    assert values["21300000000001"] == "raa/bbr/21300000000001"
    normal, deprecated = "http://wikiba.se/ontology#NormalRank", "http://wikiba.se/ontology#DeprecatedRank"
    hits = pd.DataFrame([
        ("Q10", "raa/bbr/21300000000001", normal),
        ("Q11", "raa/bbr/21300000000002", deprecated),
        ("Q12", "raa/bbr/21300000000003", normal), ("Q9", "raa/bbr/21300000000003", normal),
        ("Q13", "raa/bbr/21300000000004", normal), ("Q13", "raa/bbr/21300000000005", normal),
        ("Q99", "raa/bbr/99999999999999", normal),  # not one of ours
    ], columns=["item", "value", "rank"])
    dec = match_identifiers(values, hits, "P1260").set_index("source_id")
    assert list(dec.columns) == DECISION_COLUMNS[1:]
    assert dec.loc["21300000000001", "qid"] == "Q10" and dec.loc["21300000000001", "score"] == 1.0
    assert dec.loc["21300000000002", "qid"] == "Q11"
    assert "deprecated" in dec.loc["21300000000002", "reason"]
    assert dec.loc["21300000000003", "qid"] == "review"
    assert dec.loc["21300000000003", "reason"] == "id on Q9 and Q12"
    assert dec.loc["21300000000003", "candidates"] == "Q9:1.00;Q12:1.00"
    assert dec.loc["21300000000004", "qid"] == dec.loc["21300000000005", "qid"] == "review"
    assert "Q13 carries the P1260 ids of" in dec.loc["21300000000005", "reason"]
    assert "21300000000006" not in dec.index


# --- geo + name --------------------------------------------------------------------------------


def test_close_name_variant_nearby_is_accepted() -> None:
    d = decide_one(records(("21300000000001", "S:ta Klara kyrka", 0, 0, "kyrka")),
                   candidates(("Q5", "Klara kyrka", 30, 0, "Q16970", None)))
    assert d["qid"] == "Q5" and d["score"] >= BBR.reconcile.accept_score
    assert d["reason"].startswith("geo+name: 30")
    assert d["candidates"].startswith("Q5:")


def test_weaker_name_goes_to_review_and_far_or_unlike_is_new() -> None:
    recs = records(("21300000000001", "Klara kyrka", 0, 0, "kyrka"))
    review = decide_one(recs, candidates(("Q5", "Klara kyrkogård kapell", 20, 0, "Q16970", None)))
    assert review["qid"] == "review" and "below accept" in review["reason"]
    assert BBR.reconcile.review_score <= review["score"] < BBR.reconcile.accept_score
    new = decide_one(recs, candidates(("Q6", "Stadshotellet", 140, 0, "Q16970", None)))
    assert new["qid"] == "new" and "below review" in new["reason"]
    none = decide_one(recs, candidates(("Q7", "Klara kyrka", 400, 0, "Q16970", None)))
    assert none["qid"] == "new" and none["reason"] == "no candidate within 150 m"
    assert pd.isna(none["score"]) and none["candidates"] == ""


def test_two_close_candidates_are_a_close_call() -> None:
    d = decide_one(records(("21300000000001", "Kapellet", 0, 0, "kyrka")),
                   candidates(("Q5", "Kapellet", 10, 0, "Q16970", None),
                              ("Q6", "Kapellet", 0, 25, "Q16970", None)))
    assert d["qid"] == "review"
    assert d["reason"].startswith("close call Q5")
    assert d["candidates"].split(";")[0].startswith("Q5:") and "Q6:" in d["candidates"]


def test_candidate_with_a_different_register_id_never_matches() -> None:
    recs = records(("21300000000001", "Rådhuset", 0, 0, "byggnad"))
    d = decide_one(recs, candidates(("Q5", "Rådhuset", 5, 0, "Q41176", "raa/bbr/21300000000777")))
    assert d["qid"] == "new"
    assert "Q5 carries P1260 raa/bbr/21300000000777" in d["reason"]
    # …but an excluded candidate does not hide a valid one.
    d2 = decide_one(recs, candidates(("Q5", "Rådhuset", 5, 0, "Q41176", "raa/bbr/21300000000777"),
                                     ("Q6", "Rådhuset", 20, 0, "Q41176", None)))
    assert d2["qid"] == "Q6"


def test_other_class_is_penalised() -> None:
    recs = records(("21300000000001", "Kvarnen", 0, 0, "väderkvarn"))
    same = score_pairs(recs, candidates(("Q5", "Kvarnen", 30, 0, "Q38720", None)), BBR)
    other = score_pairs(recs, candidates(("Q5", "Kvarnen", 30, 0, "Q41176", None)), BBR)
    assert bool(same["class_ok"].iloc[0]) and not bool(other["class_ok"].iloc[0])
    assert other["score"].iloc[0] < same["score"].iloc[0]


def test_polygon_records_measure_distance_to_the_outline() -> None:
    lat, lon = _at(0, 0)
    square = Point(lon, lat).buffer(0.01)  # ~1 km
    recs = gpd.GeoDataFrame([{"source_id": "2000001", "name": "Lunsen", "type": "Naturreservat",
                              "geometry": square}], geometry="geometry", crs="EPSG:4326")
    pairs = score_pairs(recs, candidates(("Q5", "Lunsen", 200, 0, "Q16970", None)), BBR)
    assert pairs["distance_m"].iloc[0] == 0.0


def test_candidate_centers_one_circle_per_place_covering_distance() -> None:
    recs = records(("1", "a", 0, 0, "kyrka"), ("2", "b", 300_000, 0, "kyrka"),
                   ("3", "c", 0, 0, "kyrka"))  # 3 is where 1 is: one circle
    centers = candidate_centers(recs, 150)
    assert len(centers) == 2
    assert (centers["radius_km"] >= 0.150 * 1.02).all() and (centers["radius_km"] < 0.16).all()
    square = Point(LON0, LAT0).buffer(0.01)  # a polygon ~1.1 km across: its circle covers it
    poly = gpd.GeoDataFrame([{"source_id": "4", "name": "d", "type": "kyrka", "geometry": square}],
                            geometry="geometry", crs="EPSG:4326")
    (row,) = candidate_centers(poly, 150).itertuples()
    corner_km = math.dist((0, 0), (0.01 * 111.32 * math.cos(math.radians(LAT0)), 0.01 * 111.32))
    assert row.radius_km >= corner_km + 0.150


def test_candidate_batches_bounded_requests_per_records() -> None:
    recs = records(*[(str(i), "a", 1000 * i, 0, "kyrka") for i in range(450)])
    batches = candidate_batches(recs, 150, 200)
    assert [len(centers) for centers, _ in batches] == [200, 200, 50]
    (radius,) = {radius for _, radius in batches}  # points: one radius, distance_m + margin
    assert 0.153 <= radius < 0.16
    assert candidate_batches(recs.iloc[:0], 150, 200) == []


# --- decisions.csv -----------------------------------------------------------------------------


def _decisions() -> pd.DataFrame:
    return pd.DataFrame([
        ("1", "Q5", 1.0, "identifier: P1260 raa/bbr/1 on Q5", "Q5:1.00", "auto"),
        ("2", "review", 0.9, "close call Q6 0.90 vs Q7 0.88", "Q6:0.90;Q7:0.88", "auto"),
        ("3", "new", None, "no candidate within 150 m", "", "auto"),
        ("4", "Q8", 0.88, "geo+name: 20 m, name 1.00", "Q8:0.88", "auto"),
    ], columns=DECISION_COLUMNS)


def test_decisions_round_trip(tmp_path: Path) -> None:
    path = write_decisions(_decisions(), tmp_path / "decisions.csv")
    back = read_decisions(path)
    assert list(back.columns) == DECISION_COLUMNS
    assert back["qid"].tolist() == ["Q5", "review", "new", "Q8"]
    assert back["score"].iloc[0] == 1.0 and math.isnan(back["score"].iloc[2])
    assert path.read_text(encoding="utf-8").splitlines()[0] == ",".join(DECISION_COLUMNS)


@pytest.mark.parametrize(("row", "field", "value"), [
    (3, "qid", "Q-12"), (4, "decided_by", "robot"), (2, "score", "high"), (5, "candidates", "Q8=0.9"),
])
def test_edited_file_is_validated(tmp_path: Path, row: int, field: str, value: str) -> None:
    path = write_decisions(_decisions(), tmp_path / "decisions.csv")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[row - 2, field] = value
    df.to_csv(path, index=False)
    with pytest.raises(ReconcileError) as err:
        read_decisions(path)
    msg = str(err.value)
    assert str(path) in msg and f"row {row}" in msg and repr(field) in msg and value in msg


def test_edited_file_normalises_case_and_spreadsheet_bom(tmp_path: Path) -> None:
    path = tmp_path / "decisions.csv"
    text = ",".join(DECISION_COLUMNS) + "\n 1 ,q42,,,,HUMAN\n2,NEW,,,,\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    df = read_decisions(path)
    assert df["qid"].tolist() == ["Q42", "new"] and df["decided_by"].tolist() == ["human", "auto"]
    path.write_text(text + "1,Q1,,,,auto\n", encoding="utf-8")
    with pytest.raises(ReconcileError, match="row 4, field 'source_id'"):
        read_decisions(path)


def test_human_decisions_win_across_runs() -> None:
    previous_auto = _decisions()
    previous = previous_auto.copy()
    previous.loc[1, ["qid", "decided_by"]] = ["Q7", "human"]  # review resolved, marked human
    previous.loc[3, "qid"] = "new"  # edited auto row, not marked: still counts as human
    previous.loc[2, "decided_by"] = "auto"
    fresh = _decisions()
    fresh.loc[0, "reason"] = "identifier: refreshed"
    merged = merge_human_decisions(fresh, previous, previous_auto=previous_auto).set_index("source_id")
    assert merged.loc["2", "qid"] == "Q7" and merged.loc["2", "decided_by"] == "human"
    assert merged.loc["4", "qid"] == "new" and merged.loc["4", "decided_by"] == "human"
    assert merged.loc["1", "reason"] == "identifier: refreshed"  # auto rows take the new run
    assert merged.loc["3", "decided_by"] == "auto"
    # Without the auto copy, only rows marked human are kept.
    plain = merge_human_decisions(fresh, previous).set_index("source_id")
    assert plain.loc["4", "qid"] == "Q8" and plain.loc["2", "qid"] == "Q7"
    summary = summarise(merged.reset_index())
    assert summary == {"records": 4, "matched_by_id": 1, "matched_by_geo": 0, "new": 1,
                       "review": 0, "human": 2}


# --- the whole pass on an in-process store (real .rq files) ------------------------------------

WD = "http://www.wikidata.org/"
GEO_WKT = "http://www.opengis.net/ont/geosparql#wktLiteral"
NORMAL, DEPRECATED = "NormalRank", "DeprecatedRank"


def _turtle(items: list[dict]) -> str:
    lines = [f"@prefix wd: <{WD}entity/> .", f"@prefix wdt: <{WD}prop/direct/> .",
             f"@prefix p: <{WD}prop/> .", f"@prefix ps: <{WD}prop/statement/> .",
             f"@prefix psv: <{WD}prop/statement/value/> .", f"@prefix wds: <{WD}entity/statement/> .",
             f"@prefix wdv: <{WD}value/> .", "@prefix wikibase: <http://wikiba.se/ontology#> .",
             "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
             "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
             "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> ."]
    for it in items:
        q = it["qid"]
        lines.append(f'wd:{q} wdt:P31 wd:{it["class"]} ; rdfs:label "{it["label"]}"@sv .')
        for alias in it.get("aliases", []):
            lines.append(f'wd:{q} skos:altLabel "{alias}"@sv .')
        if "at" in it:
            lat, lon = _at(*it["at"])
            lines.append(f'wd:{q} p:P625 wds:{q}-c . wds:{q}-c psv:P625 wdv:{q}c . '
                         f'wds:{q}-c ps:P625 "Point({lon} {lat})"^^<{GEO_WKT}> . '
                         f'wdv:{q}c wikibase:geoLatitude "{lat}"^^xsd:double ; '
                         f'wikibase:geoLongitude "{lon}"^^xsd:double .')
        for n, (value, rank) in enumerate(it.get("ids", [])):
            lines.append(f'wd:{q} p:P1260 wds:{q}-i{n} . wds:{q}-i{n} ps:P1260 "{value}" ; '
                         f'wikibase:rank wikibase:{rank} .')
    return "\n".join(lines)


def store_runner(store: ox.Store, calls: list[tuple[str, dict]]):
    """The query runner over an in-process store (same render path as sparql.client.run)."""
    prefix = f"{WD}entity/"

    def value(term: object) -> object:
        if isinstance(term, ox.NamedNode):
            v = term.value
            return v[len(prefix):] if v.startswith(prefix) else v
        if isinstance(term, ox.Literal):
            if term.datatype.value.endswith("#double"):
                return float(term.value)
            return term.value
        return None if term is None else str(term)

    index, functions = SpatialIndex(store), custom_functions(store)

    def run(name: str, target: Target, *, cache_dir: Path | None = None, **params: object):
        calls.append((name, params))
        # WDQS's services (wikibase:around) run as on the local endpoint: sandbox rewrite + index.
        text = rewrite_query(render(name, entity_base=target.entity_base, **params), {},
                             spatial=index)
        result = store.query(text, custom_functions=functions)
        names = [v.value for v in result.variables]
        return pd.DataFrame([{n: value(sol[n]) for n in names} for sol in result], columns=names)

    return run


def test_whole_pass_batches_identifiers_and_matches_geo() -> None:
    n = 230  # identifiers go 100 per request: 3 requests for 233 records
    campaign = BBR.model_copy(update={"reconcile": BBR.reconcile.model_copy(update={"batch_size": 100})})
    rows = [(f"213000000{i:05d}", f"Hus {i}", i * 1000.0, 0.0, "byggnad") for i in range(n)]
    rows += [("21300000900001", "S:ta Klara kyrka", 0.0, 500_000.0, "kyrka"),
             ("21300000900002", "Kapellet", 0.0, 520_000.0, "kyrka"),
             ("21300000900003", "Rådhuset", 0.0, 540_000.0, "byggnad")]
    recs = records(*rows)
    items = [{"qid": f"Q{1000 + i}", "class": "Q41176", "label": f"Hus {i}",
              "ids": [(f"raa/bbr/213000000{i:05d}", DEPRECATED if i == 2 else NORMAL)]}
             for i in range(0, n, 2)]
    items += [
        {"qid": "Q2001", "class": "Q16970", "label": "Klara kyrka", "at": (20, 500_000)},
        {"qid": "Q2002", "class": "Q16970", "label": "Kapellet", "at": (10, 520_000)},
        {"qid": "Q2003", "class": "Q16970", "label": "Kapell", "aliases": ["Kapellet"],
         "at": (-15, 520_000)},
        {"qid": "Q2004", "class": "Q179049", "label": "Rådhuset", "at": (5, 540_000)},
        {"qid": "Q2005", "class": "Q41176", "label": "Rådhuset", "at": (8, 540_000),
         "ids": [("raa/bbr/21300000123456", NORMAL)]},
        {"qid": "Q2006", "class": "Q4167410", "label": "Rådhuset", "at": (3, 540_000)},
    ]
    store = ox.Store()
    store.load(_turtle(items).encode(), ox.RdfFormat.TURTLE)
    calls: list[tuple[str, dict]] = []
    result = reconcile_detailed(recs, campaign, TARGET, query=store_runner(store, calls))
    dec = result.decisions.set_index("source_id")

    id_calls = [p for name, p in calls if name == "reconcile_by_identifier"]
    assert len(id_calls) == math.ceil((n + 3) / 100)
    assert all(len(p["values"]) >= 100 for p in id_calls[:-1])
    assert result.requests["reconcile_by_identifier"] == len(id_calls)
    matched = dec[dec["reason"].str.startswith("identifier")]
    assert len(matched) == n // 2 + n % 2
    assert dec.loc["21300000000002", "qid"] == "Q1002"
    assert "deprecated" in dec.loc["21300000000002", "reason"]
    assert dec.loc["21300000000001", "qid"] == "new"
    assert dec.loc["21300000900001", "qid"] == "Q2001"
    assert dec.loc["21300000900002", "qid"] == "review"
    assert dec.loc["21300000900003", "qid"] == "new"  # other class, blacklisted, other id
    assert "Q2005 carries P1260" in dec.loc["21300000900003", "reason"]
    # Candidates: one query per batch of record centers, never per record.
    rest = recs[~recs["source_id"].isin(matched.index)]
    assert result.requests["reconcile_candidates"] == math.ceil(len(rest) / 100)
    assert result.requests["reconcile_candidates"] < len(recs) / 10
    assert set(result.candidates.index) >= {"Q2001", "Q2002", "Q2003", "Q2005"}
    assert "Q2004" not in result.candidates.index and "Q2006" not in result.candidates.index

    review = review_table(result.decisions, result.pairs, recs, TARGET.entity_prefix,
                          BBR.mapping.identifier.url)
    assert set(review["candidate"]) == {"Q2002", "Q2003"}
    assert review["candidate_link"].iloc[0].startswith("http://www.wikidata.org/entity/Q200")
    assert review["record_link"].iloc[0] == "http://kulturarvsdata.se/raa/bbr/21300000900002"

    # A person resolves the review; the next run keeps it.
    previous = result.decisions.copy()
    previous.loc[previous["source_id"] == "21300000900002", ["qid", "decided_by"]] = ["Q2003", "human"]
    again = reconcile(recs, campaign, TARGET, previous=previous, query=store_runner(store, []))
    again = again.set_index("source_id")
    assert again.loc["21300000900002", "qid"] == "Q2003"
    assert summarise(again.reset_index())["human"] == 1


def test_by_default_identifiers_go_1000_per_request_and_record_centers_at_most_200() -> None:
    """Each center is a geospatial lookup that grows with the area searched: however large the
    campaign's batch_size, a candidate request holds at most MAX_CENTERS of them."""
    from modeling.reconcile_candidates import MAX_CENTERS

    assert BBR.reconcile.batch_size == 1000 and MAX_CENTERS == 200
    recs = records(*[(f"213000001{i:05d}", f"Hus {i}", i * 1000.0, 0.0, "byggnad") for i in range(450)])
    calls: list[tuple[str, dict]] = []
    result = reconcile_detailed(recs, BBR, TARGET, query=store_runner(ox.Store(), calls))
    assert result.requests == {"reconcile_by_identifier": 1, "reconcile_candidates": 3}
    assert [len(p["centers"]) for name, p in calls if name == "reconcile_candidates"] == [200, 200, 50]


def test_records_without_required_columns_or_with_duplicate_ids_are_refused() -> None:
    recs = records(("1", "a", 0, 0, "kyrka"), ("1", "b", 0, 0, "kyrka"))
    with pytest.raises(ReconcileError, match="unique source_id"):
        reconcile(recs, BBR, TARGET, query=lambda *a, **k: pd.DataFrame())
    with pytest.raises(ReconcileError, match="'name' column"):
        reconcile(recs.drop(columns="name"), BBR, TARGET, query=lambda *a, **k: pd.DataFrame())


def test_a_campaign_without_register_mapping_is_refused_before_any_query() -> None:
    scope_only = load_campaign(ROOT / "campaigns" / "wlm-it-sample.yaml")
    calls: list[str] = []
    recs = records(("1", "Sankta Klara kyrka", 0, 0, "kyrka"))
    with pytest.raises(CampaignError, match=r"'wlm-it-sample' has no register \(no mapping"):
        reconcile(recs, scope_only, TARGET, query=lambda name, *a, **k: calls.append(name))
    assert calls == []


def test_candidates_by_center_give_the_pairs_of_the_whole_class() -> None:
    """Every candidate the pairing can accept is fetched: the pairs equal those against every
    item of the classes (what the former whole-class box query fetched), polygons included."""
    rng = random.Random(11)
    classes = ["Q16970", "Q41176", "Q179049"]  # the last is not a campaign class
    items = []
    for i in range(300):  # around 40 places, up to 560 m away: the 150 m edge is crossed
        base = (i % 40) * 3000.0
        items.append({"qid": f"Q{5000 + i}", "class": classes[i % 3], "label": f"Hus {i % 40}",
                      "at": (base + rng.uniform(-400, 400), rng.uniform(-400, 400))})
    recs = records(*[(f"2130000080{k:04d}", f"Hus {k}", k * 3000.0, 0.0, "byggnad")
                     for k in range(39)])
    square = Point(LON0, LAT0 + 117_000 / 111_320).buffer(0.002)  # record 39: a polygon
    recs = pd.concat([recs, gpd.GeoDataFrame(
        [{"source_id": "21300000800039", "name": "Hus 39", "type": "byggnad", "geometry": square}],
        geometry="geometry", crs="EPSG:4326")], ignore_index=True)
    store = ox.Store()
    store.load(_turtle(items).encode(), ox.RdfFormat.TURTLE)
    run = store_runner(store, [])
    fetched = fetch_candidates(recs, BBR, TARGET, run)

    every = run("reconcile_candidates", TARGET, centers=[(LON0, LAT0)], radius="20000",
                classes=list(BBR.reconcile.classes), langs=["sv"], idprop="P1260")
    reference = aggregate_candidates(every, BBR.languages)
    assert len(reference) == 200 and len(fetched) < len(reference)

    def key(p: pd.DataFrame) -> list[tuple]:
        return sorted(map(tuple, p[["source_id", "qid", "distance_m", "score"]].values.tolist()))

    pairs = score_pairs(recs, fetched, BBR)
    assert len(pairs) > 20 and pairs["distance_m"].max() > 140  # near the 150 m edge
    assert key(pairs) == key(score_pairs(recs, reference, BBR))
