"""Bulk seeding gives what seeding entity by entity through wbeditentity gave: the same entity
JSON, revisions and search rows from the Action API, the same triples in the query store (geo
search and identifier lookups included), and seeded items that behave like edited ones after."""

from __future__ import annotations

import gc
import importlib.util
import json
import logging
import sys
import uuid
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from pyoxigraph import BlankNode

from sandbox import seed_bulk
from sandbox.api_dispatch import dispatch
from sandbox.api_request import ApiRequest
from sandbox.graph import ENTITY_GRAPH_PREFIX
from sandbox.rdf import Vocabulary
from sandbox.repo import Repository, _with_stable_guids
from sandbox.services import BASE_SEED, _entities_from_file
from sandbox.sparql_exec import QueryRunner
from sandbox.state import ServerState
from sandbox.wikibase_errors import ApiFailure

ROOT = Path(__file__).resolve().parents[3]
VOCAB = Vocabulary.for_base("http://www.wikidata.org")
MODIFIED = "http://schema.org/dateModified"
STOCKHOLM_100KM = """SELECT ?x ?dist WHERE { SERVICE wikibase:around { ?x wdt:P625 ?l .
    bd:serviceParam wikibase:center "Point(18.07 59.33)"^^geo:wktLiteral ;
                    wikibase:radius "100" ; wikibase:distance ?dist . } }"""
SOUTH_BOX = """SELECT ?x WHERE { SERVICE wikibase:box { ?x wdt:P625 ?l .
    bd:serviceParam wikibase:cornerSouthWest "Point(11.0 55.0)"^^geo:wktLiteral ;
                    wikibase:cornerNorthEast "Point(16.0 58.0)"^^geo:wktLiteral . } }"""
BY_ID = """SELECT ?x WHERE { VALUES ?id { %s } ?x wdt:P1260 ?id }"""


def _module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_seed_bulk_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def _snak(pid: str, dtype: str, value: Any) -> dict[str, Any]:
    return {"snaktype": "value", "property": pid, "datavalue": {"type": dtype, "value": value}}


def _item_value(qid: str) -> dict[str, Any]:
    return {"entity-type": "item", "id": qid, "numeric-id": int(qid[1:])}


def _time(text: str) -> dict[str, Any]:
    return {"time": text, "timezone": 0, "before": 0, "after": 0, "precision": 11,
            "calendarmodel": "http://www.wikidata.org/entity/Q1985727"}


#: A reference shared by two items (one wdref: node and one wdv: node, reference-counted).
REFERENCE = {"snaks": {"P248": [_snak("P248", "wikibase-entityid", _item_value("Q20244383"))],
                       "P813": [_snak("P813", "time", _time("+2026-08-20T00:00:00Z"))]}}


def _rich_items() -> list[dict[str, Any]]:
    """Items with aliases, sitelinks, qualifiers, ranks, quantities and shared references."""
    out = []
    for n, (title, rank) in enumerate([("Norrby kapell", "preferred"),
                                       ("Söderby kapell", "normal")]):
        out.append({
            "id": f"Q7000{n}", "type": "item",
            "labels": {"sv": {"language": "sv", "value": title},
                       "en": {"language": "en", "value": f"{title} (church)"}},
            "descriptions": {"sv": {"language": "sv", "value": "kyrkobyggnad i Sverige"}},
            "aliases": {"sv": [{"language": "sv", "value": f"{title} kyrka"}]},
            "sitelinks": {"svwiki": {"site": "svwiki", "title": title, "badges": []}},
            "claims": {
                "P31": [{"mainsnak": _snak("P31", "wikibase-entityid", _item_value("Q16970")),
                         "type": "statement", "rank": rank, "references": [REFERENCE]}],
                "P1435": [{"mainsnak": _snak("P1435", "wikibase-entityid",
                                             _item_value("Q24284072")),
                           "type": "statement", "rank": "normal",
                           "qualifiers": {"P580": [_snak("P580", "time",
                                                         _time("+1920-05-01T00:00:00Z"))]},
                           "references": [REFERENCE]}],
                "P2046": [{"mainsnak": _snak("P2046", "quantity",
                                             {"amount": f"+{12 + n}.5", "unit": "1"}),
                           "type": "statement", "rank": "normal"}],
                "P625": [{"mainsnak": _snak("P625", "globecoordinate", {
                    "latitude": 59.33 + n / 100, "longitude": 18.07, "precision": 1e-05,
                    "globe": "http://www.wikidata.org/entity/Q2"}),
                    "type": "statement", "rank": "normal"}],
                "P1260": [{"mainsnak": _snak("P1260", "string", f"raa/bbr/2130000000{n}"),
                           "type": "statement", "rank": "normal"}]}})
    return out


@pytest.fixture(scope="module")
def entities(tmp_path_factory) -> list[dict[str, Any]]:
    """150 generated register items (the e2e benchmark's existing items), the base seed, the
    WDQS conformance monuments (one of them replaces a base item) and the rich items, with
    properties in the middle of the list."""
    bench_data = _module(ROOT / "bench" / "e2e_data.py")
    run = bench_data.generate_run(tmp_path_factory.mktemp("register"), 300, existing_share=0.5)
    generated = _entities_from_file(run.seed)
    monuments = _module(ROOT / "tests" / "fixtures" / "wdqs_monuments.py").ENTITIES
    return [*generated[:70], *_rich_items(), *_entities_from_file(BASE_SEED), *monuments,
            *generated[70:]]


def _one_by_one(repo: Repository, entities: list[dict[str, Any]]) -> dict[str, int]:
    """What ``seed`` did before bulk seeding: every entity through the wbeditentity path."""
    ordered = sorted(entities, key=lambda e: 0 if e["id"][0] == "P" else 1)
    counts = {"created": 0, "changed": 0, "unchanged": 0}
    for ent in ordered:
        eid = ent["id"]
        data = {k: v for k, v in ent.items() if k in ("type", "labels", "descriptions", "aliases",
                                                      "claims", "sitelinks", "datatype")}
        data["claims"] = _with_stable_guids(eid, data.get("claims") or {})
        existed = repo.db.exists(eid)
        _, nochange = repo.edit(data, entity_id=eid, keep_id=True, user="Seed", summary="seed",
                                check_targets=False)
        counts["unchanged" if nochange else "changed" if existed else "created"] += 1
    return counts


def _api(repo: Repository, **params: str) -> dict[str, Any]:
    return dispatch(ApiRequest(state=ServerState(repo), params={**params, "format": "json"}))


def _entities_json(repo: Repository, ids: list[str]) -> dict[str, Any]:
    out = {}
    for start in range(0, len(ids), 50):
        got = _api(repo, action="wbgetentities", ids="|".join(ids[start:start + 50]))
        out.update(got["entities"])
    for ent in out.values():
        ent.pop("modified", None)
    return out


def _revisions(repo: Repository, ids: list[str]) -> dict[str, Any]:
    out = {}
    for start in range(0, len(ids), 50):
        got = _api(repo, action="query", prop="revisions|info",
                   titles="|".join(ids[start:start + 50]), rvprop="ids|user|comment|content",
                   rvslots="main", formatversion="2")
        for page in got["query"]["pages"]:
            page.pop("touched", None)
            out[page["title"]] = page
    return out


def _term(term: Any) -> str:
    return "_:b" if isinstance(term, BlankNode) else str(term)  # labels: fresh per insert


def _quads(repo: Repository) -> Counter[str]:
    """Every quad of the store, blank node labels and modification timestamps blanked."""
    repo.graph.apply_due()
    return Counter(f"{_term(q.subject)} {q.predicate} "
                   f"{'T' if q.predicate.value == MODIFIED else _term(q.object)} {q.graph_name}"
                   for q in repo.graph.store)


def _tables(repo: Repository) -> dict[str, list[tuple[Any, ...]]]:
    r = repo.db.reader
    return {table: sorted(r.execute(f"SELECT * FROM {table}").fetchall())
            for table in ("terms", "statement_values", "shared_nodes", "counters")}


def _sparql(runner: QueryRunner, query: str) -> list[tuple[str, ...]]:
    body = json.loads(runner.answer(query, "application/sparql-results+json").body)
    return sorted(tuple(b[v]["value"] for v in sorted(b)) for b in body["results"]["bindings"])


def _ids(entities: list[dict[str, Any]]) -> list[str]:
    return list(dict.fromkeys(e["id"] for e in entities))


@pytest.mark.parametrize("chunk", [seed_bulk.CHUNK, 7])  # one load, or many loads a seed
def test_bulk_seed_equals_seeding_one_by_one(tmp_path, entities, monkeypatch, chunk):
    monkeypatch.setattr(seed_bulk, "CHUNK", chunk)
    old, new = Repository(tmp_path / "old", VOCAB), Repository(tmp_path / "new", VOCAB)
    before = _one_by_one(old, entities)
    result = new.seed(entities)
    ids = _ids(entities)
    assert {k: result[k] for k in before} == before
    assert before["created"] == len(ids) == 150 + 2 + 63 + 11 and before["changed"] == 1
    assert _entities_json(new, ids) == _entities_json(old, ids)
    assert _revisions(new, ids) == _revisions(old, ids)
    assert _tables(new) == _tables(old)
    assert new.db.count() == old.db.count()
    assert _quads(new) == _quads(old)
    first = entities[0]  # GUIDs derived from the statement's place and main snak, kept
    mainsnak = json.dumps(first["claims"]["P31"][0]["mainsnak"], sort_keys=True,
                          separators=(",", ":"), ensure_ascii=False)
    guid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{first['id']}|0|{mainsnak}")).upper()
    assert new.get(first["id"])["claims"]["P31"][0]["id"] == f"{first['id']}${guid}"
    retrieved = [(q, n) for q, n in _quads(new).items() if q.startswith(
        "<http://www.wikidata.org/reference/") and "/prop/reference/P813>" in q]
    assert len(retrieved) == 1 and retrieved[0][1] == 1  # cited 4 times, held once
    identifiers = " ".join(f'"{e["claims"]["P1260"][0]["mainsnak"]["datavalue"]["value"]}"'
                           for e in entities if e["id"].startswith("Q5"))
    runners = QueryRunner(old), QueryRunner(new)
    try:
        for query in (STOCKHOLM_100KM, SOUTH_BOX, BY_ID % identifiers):
            rows = [_sparql(runner, query) for runner in runners]
            assert rows[0] == rows[1] and rows[1]
        assert len(_sparql(runners[1], BY_ID % identifiers)) == 150
    finally:
        for runner in runners:
            runner.vetter.close()


def _edit_twice(repo: Repository, target: str) -> None:
    """A wbeditentity on a seeded statement plus a new one, then a stale edit (a conflict)."""
    seeded = repo.get(target)
    base, p31 = seeded["lastrevid"], seeded["claims"]["P31"][0]["id"]
    change = {"labels": {"sv": {"language": "sv", "value": "Nytt namn"}},
              "claims": [{"id": p31, "mainsnak": _snak("P31", "wikibase-entityid",
                                                       _item_value("Q39715")),
                          "type": "statement", "rank": "normal"},
                         {"id": f"{target}$7E3A0B51-0C2D-4E5F-8A9B-1C2D3E4F5A6B",
                          "mainsnak": _snak("P1435", "wikibase-entityid",
                                            _item_value("Q24284071")),
                          "type": "statement", "rank": "normal"}]}
    entity, nochange = repo.edit(change, entity_id=target, baserevid=base, user="Bot")
    assert not nochange and entity["lastrevid"] > base
    stale = {"labels": {"sv": {"language": "sv", "value": "Äldre namn"}}}
    with pytest.raises(ApiFailure) as conflict:  # same label edited since base: conflict
        repo.edit({**stale, "lastrevid": base}, entity_id=target, baserevid=base, user="Bot")
    assert conflict.value.code == "failed-save"


def test_seeded_items_are_edited_like_any_other(tmp_path, entities, caplog):
    old, new = Repository(tmp_path / "old", VOCAB), Repository(tmp_path / "new", VOCAB)
    _one_by_one(old, entities)
    new.seed(entities)
    target = entities[0]["id"]
    _edit_twice(old, target)
    _edit_twice(new, target)
    assert _entities_json(new, [target]) == _entities_json(old, [target])
    assert _quads(new) == _quads(old)
    again = new.seed(entities)  # the edited item is reset; Q16970 (twice in the list) flips
    assert {k: again[k] for k in ("created", "changed", "unchanged")} == _one_by_one(old, entities)
    assert again["changed"] == 3 and again["unchanged"] == len(entities) - 3
    assert _entities_json(new, _ids(entities)) == _entities_json(old, _ids(entities))
    assert _quads(new) == _quads(old)
    caplog.set_level(logging.INFO, logger="sandbox.repo")
    new.db.close()
    del new
    gc.collect()  # releases the graph store's lock (a restart opens it again)
    restarted = Repository(tmp_path / "new", VOCAB)  # revisions and RDF agree: nothing rebuilt
    assert "rebuilding" not in caplog.text
    assert _quads(restarted) == _quads(old)
    restarted.db.close()


def test_spatial_index_built_before_the_seed_follows_it(tmp_path, entities):
    repo = Repository(tmp_path, VOCAB, in_memory_graph=True)
    repo.seed([e for e in entities if e["id"][0] == "P"])
    runner = QueryRunner(repo)
    try:
        assert _sparql(runner, STOCKHOLM_100KM) == []  # index built, empty
        repo.seed(entities)
        found = {row[1].rsplit("/", 1)[-1] for row in _sparql(runner, STOCKHOLM_100KM)}
        assert {"Q70000", "Q70001"} <= found
        repo.graph.spatial.invalidate()
        assert {row[1].rsplit("/", 1)[-1] for row in _sparql(runner, STOCKHOLM_100KM)} == found
    finally:
        runner.vetter.close()


def test_a_fresh_store_indexes_seeded_coordinates_as_it_loads_them(tmp_path, entities):
    """No geographic query before the seed: the bulk load still indexes what it loads, so the
    first query after seeding 10⁵ items does not wait for a scan of the whole store."""
    repo = Repository(tmp_path, VOCAB, in_memory_graph=True)
    repo.seed(entities)
    assert repo.graph.spatial.holds(ENTITY_GRAPH_PREFIX + "Q70000")  # built by the load itself
    runner = QueryRunner(repo)
    try:
        found = {row[1].rsplit("/", 1)[-1] for row in _sparql(runner, STOCKHOLM_100KM)}
        assert {"Q70000", "Q70001"} <= found
        repo.graph.spatial.invalidate()  # the same rows as a scan of the store gives
        assert {row[1].rsplit("/", 1)[-1] for row in _sparql(runner, STOCKHOLM_100KM)} == found
    finally:
        runner.vetter.close()


def test_failing_entity_keeps_the_ones_before_it(tmp_path, entities):
    items = [e for e in entities if e["id"].startswith("Q5")][:5]
    twin = {**items[1], "id": "Q6999999"}  # same label and description as items[1]
    batch = [*items[:3], twin, *items[3:]]
    errors, stored = [], []
    for name, run in (("old", _one_by_one), ("new", Repository.seed)):
        repo = Repository(tmp_path / name, VOCAB, in_memory_graph=True)
        repo.seed([e for e in entities if e["id"][0] == "P"])
        with pytest.raises(ApiFailure) as failure:
            run(repo, batch)
        errors.append((failure.value.code, failure.value.info))
        stored.append((_entities_json(repo, _ids(items)), _quads(repo)))
    assert errors[0] == errors[1]
    assert "already has label" in errors[1][1]
    assert stored[0] == stored[1]
    assert [eid for eid, ent in stored[1][0].items() if "missing" not in ent] == _ids(items[:3])


def test_query_lag_holds_seeded_items_back(tmp_path, entities):
    repo = Repository(tmp_path, VOCAB, in_memory_graph=True)
    repo.lags.query_s = 3600.0
    repo.seed(entities)
    assert repo.graph.versions() == {}
    repo.lags.query_s = 0.0
    assert len(repo.graph.versions()) == len(_ids(entities))


def test_duplicate_ids_in_one_seed_act_as_edits(tmp_path, entities):
    repo = Repository(tmp_path, VOCAB, in_memory_graph=True)
    props = [e for e in entities if e["id"][0] == "P"]
    item = next(e for e in entities if e["id"].startswith("Q5"))
    renamed = {**item, "labels": {"sv": {"language": "sv", "value": "Annat namn"}}}
    result = repo.seed([*props, item, item, renamed])
    assert (result["created"], result["unchanged"], result["changed"]) == (len(props) + 1, 1, 1)
    assert [r["summary"] for r in repo.db.revisions_of(item["id"])] == ["seed", "seed"]
    assert repo.get(item["id"])["labels"]["sv"]["value"] == "Annat namn"
    assert Path(tmp_path / "wikibase.sqlite").exists()
