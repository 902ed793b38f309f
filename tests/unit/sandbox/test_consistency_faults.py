"""The sandbox's consistency faults: search lag, query lag, delayed commits, atomic RDF swaps."""

from __future__ import annotations

from typing import Any

from sandbox.faults import Faults
from sandbox.rdf import Vocabulary
from sandbox.repo import Repository

ID_PROP = {"id": "P1260", "type": "property", "datatype": "external-id",
           "labels": {"en": {"language": "en", "value": "identifier"}}}


def _repo(tmp_path) -> tuple[Repository, Faults]:
    repo = Repository(tmp_path, Vocabulary.for_base("http://www.wikidata.org"), in_memory_graph=True)
    repo.seed([ID_PROP])
    return repo, Faults(repo.lags)


def _item(value: str) -> dict[str, Any]:
    snak = {"snaktype": "value", "property": "P1260", "datavalue": {"value": value, "type": "string"}}
    return {"labels": {"sv": {"language": "sv", "value": "Kvarn"}},
            "claims": [{"mainsnak": snak, "type": "statement", "rank": "normal"}]}


def _sparql_items(repo: Repository, value: str) -> list[str]:
    rows = repo.graph.query(f'SELECT ?item WHERE {{ ?item wdt:P1260 "{value}" }}',
                            prefixes=repo.vocab.prefixes())
    return [row["item"].value.rsplit("/", 1)[-1] for row in rows]


def test_search_lag_hides_new_statements_until_it_is_turned_off(tmp_path):
    repo, faults = _repo(tmp_path)
    faults.set({"search_lag": {"seconds": 30}})
    created, _ = repo.edit(_item("Objekt 1"), new="item", user="U")
    assert repo.db.haswbstatement("P1260", "Objekt 1") == set()  # the index has not caught up
    repo.edit({"claims": [{"id": created["claims"]["P1260"][0]["id"], "remove": ""}, *_item("Objekt 2")["claims"]]},
              entity_id=created["id"], user="U")
    assert repo.db.haswbstatement("P1260", "Objekt 2") == set()
    assert faults.snapshot()["search_lag"] == {"seconds": 30.0}
    faults.set({"search_lag": None})
    assert repo.db.haswbstatement("P1260", "Objekt 2") == {created["id"]}
    assert repo.db.haswbstatement("P1260", "Objekt 1") == set()


def test_search_lag_keeps_answering_from_the_previous_version(tmp_path):
    repo, faults = _repo(tmp_path)
    created, _ = repo.edit(_item("Objekt 1"), new="item", user="U")
    faults.set({"search_lag": {"seconds": 30}})
    repo.edit({"labels": {"sv": {"language": "sv", "value": "Kvarnen"}}}, entity_id=created["id"], user="U")
    assert repo.db.haswbstatement("P1260", "Objekt 1") == {created["id"]}  # still indexed


def test_query_lag_applies_edits_later_and_all_at_once_when_turned_off(tmp_path):
    repo, faults = _repo(tmp_path)
    faults.set({"query_lag": {"seconds": 60}})
    created, _ = repo.edit(_item("Objekt 1"), new="item", user="U")
    assert _sparql_items(repo, "Objekt 1") == []
    faults.clear()  # /admin/reset: both lags off
    assert _sparql_items(repo, "Objekt 1") == [created["id"]]


def test_an_edited_item_is_never_absent_from_the_query_store(tmp_path):
    repo, _ = _repo(tmp_path)
    created, _ = repo.edit(_item("Objekt 1"), new="item", user="U")
    for n in range(20):
        repo.edit({"aliases": {"en": [{"language": "en", "value": f"alias {n}"}]}}, entity_id=created["id"],
                  user="U")
        assert _sparql_items(repo, "Objekt 1") == [created["id"]]


def test_delayed_commit_counts_down_per_write():
    faults = Faults()
    faults.set({"delayed_commit": {"count": 2, "delay_ms": 300}})
    assert faults.commit_delay("wbgetentities") == 0.0  # reads are not delayed
    assert [faults.commit_delay("wbeditentity") for _ in range(3)] == [0.3, 0.3, 0.0]
