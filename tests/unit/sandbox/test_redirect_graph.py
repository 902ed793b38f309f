"""A merged item in the query store is only ``wd:Qold owl:sameAs wd:Qnew``, across restarts."""

from __future__ import annotations

import gc
import shutil

from sandbox.faults import Faults
from sandbox.rdf import Vocabulary
from sandbox.repo import Repository

VOCAB = Vocabulary.for_base("http://www.wikidata.org")
WD = VOCAB.entity
INSTANCE_OF_CHURCH = {"mainsnak": {"snaktype": "value", "property": "P31", "datavalue": {
    "type": "wikibase-entityid", "value": {"entity-type": "item", "id": "Q16970"}}},
    "type": "statement", "rank": "normal"}


def _repo(data_dir) -> Repository:
    repo = Repository(data_dir, VOCAB)
    repo.seed([{"id": "P31", "type": "property", "datatype": "wikibase-item",
                "labels": {"en": {"language": "en", "value": "instance of"}}}])
    return repo


def _item(repo: Repository, label: str, **extra) -> str:
    data = {"labels": {"en": {"language": "en", "value": label}}, **extra}
    return repo.edit(data, new="item", check_targets=False)[0]["id"]


def _about(repo: Repository, eid: str) -> set[tuple[str, str]]:
    rows = repo.graph.query(f"SELECT ?p ?o WHERE {{ <{WD}{eid}> ?p ?o }}")
    return {(row["p"].value, row["o"].value) for row in rows}


def _merge(repo: Repository, source: str, target: str) -> None:
    repo.edit({}, entity_id=source, clear=True)  # what wbmergeitems saves on the source
    repo.redirect(source, target)


def test_merged_item_keeps_only_same_as_and_chains_follow(tmp_path):
    repo = _repo(tmp_path)
    old = _item(repo, "Sankt Olofs kapell", claims=[INSTANCE_OF_CHURCH])
    new = _item(repo, "Sankt Olofs kyrka")
    assert ("http://www.wikidata.org/prop/direct/P31", WD + "Q16970") in _about(repo, old)
    _merge(repo, old, new)
    same_as = "http://www.w3.org/2002/07/owl#sameAs"
    assert _about(repo, old) == {(same_as, WD + new)}
    third = _item(repo, "Sankt Olof")
    _merge(repo, new, third)  # the older redirect follows to the final target
    assert _about(repo, old) == {(same_as, WD + third)}
    assert _about(repo, new) == {(same_as, WD + third)}
    assert repo.graph.redirects() == {old: third, new: third}


def test_restart_and_rebuild_keep_redirects(tmp_path, caplog):
    caplog.set_level("INFO", logger="sandbox.repo")
    repo = _repo(tmp_path)
    old = _item(repo, "Kvarnen vid ån", claims=[INSTANCE_OF_CHURCH])
    new = _item(repo, "Ån-kvarnen")
    _merge(repo, old, new)
    repo.db.close()
    del repo
    gc.collect()  # releases the graph store's lock (a restart opens it again)
    repo = Repository(tmp_path, VOCAB)  # the store is current: nothing rebuilt
    assert repo.graph.redirects() == {old: new}
    assert "rebuilding RDF" not in caplog.text
    repo.db.close()
    del repo
    gc.collect()
    shutil.rmtree(tmp_path / "oxigraph")  # a lost query store is rebuilt from the revisions
    repo = Repository(tmp_path, VOCAB)
    assert "rebuilding RDF" in caplog.text
    assert repo.graph.redirects() == {old: new}
    assert _about(repo, old) == {("http://www.w3.org/2002/07/owl#sameAs", WD + new)}
    assert set(repo.graph.versions()) == {"P31", new}
    repo.db.close()


def test_query_lag_shows_the_merge_later_and_in_order(tmp_path):
    repo = _repo(tmp_path)
    old = _item(repo, "Väderkvarnen", claims=[INSTANCE_OF_CHURCH])
    new = _item(repo, "Kvarnbacken")
    faults = Faults(repo.lags)
    faults.set({"query_lag": {"seconds": 60}})
    _merge(repo, old, new)
    assert ("http://www.wikidata.org/prop/direct/P31", WD + "Q16970") in _about(repo, old)
    assert repo.graph.redirects() == {}  # the query service has not caught up yet
    faults.clear()  # the queued swaps land in order: the emptied item, then the redirect
    assert _about(repo, old) == {("http://www.w3.org/2002/07/owl#sameAs", WD + new)}
    repo.db.close()
