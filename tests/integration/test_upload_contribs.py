"""The account's own contributions (usercontribs, recentchanges) and the quoted identifier search."""

from __future__ import annotations

import pytest
import requests
from _upload_support import campaign

from clients.wikibase import WikibaseClient, identifier_search

pytestmark = pytest.mark.integration


def _item(value: str) -> dict:
    snak = {"snaktype": "value", "property": "P1260", "datavalue": {"value": value, "type": "string"}}
    return {"labels": {"sv": {"language": "sv", "value": f"Kvarn {value}"}},
            "claims": [{"mainsnak": snak, "type": "statement", "rank": "normal"}]}


def test_own_edits_list_every_create_with_its_summary(services_factory):
    svc = services_factory()
    client = WikibaseClient(svc.target, sleep=lambda s: None)
    made = [client.edit(_item(f"raa/bbr/{n}"), qid=None, summary=f"create [wlkit-b1-{n}]", baserevid=None)
            for n in range(3)]
    client.edit({"aliases": {"en": [{"language": "en", "value": "x"}]}}, qid=made[0]["entity"]["id"],
                summary="update [wlkit-b1-9]", baserevid=None)
    for source in ("usercontribs", "recentchanges"):
        edits = client.own_edits_since("2000-01-01T00:00:00Z", source=source)
        assert [(e.title, e.new) for e in edits] == [(m["entity"]["id"], True) for m in made] + [
            (made[0]["entity"]["id"], False)]
        assert "[wlkit-b1-1]" in edits[1].comment and edits[1].comment.startswith("/* wbeditentity-create")
    assert client.own_edits_since("2999-01-01T00:00:00Z") == []


def test_usercontribs_pages_with_continue(services_factory):
    svc = services_factory()
    client = WikibaseClient(svc.target, sleep=lambda s: None)
    for n in range(5):
        client.edit(_item(f"raa/bbr/{n}"), qid=None, summary="create", baserevid=None)
    seen, params = [], {"action": "query", "list": "usercontribs", "ucuser": client.user_name,
                        "ucdir": "newer", "uclimit": 2, "format": "json"}
    while True:
        answer = requests.get(svc.api_url, params=params, timeout=30).json()
        seen += [e["revid"] for e in answer["query"]["usercontribs"]]
        if "continue" not in answer:
            break
        params.update(answer["continue"])
    assert len(seen) == 5 and seen == sorted(seen)


AWKWARD = ["Objekt 5559", 'Kvarn "Ödegården"', "O'Brien / 0042", "Åby\\1", "00017", "Здание 5"]


def test_identifier_search_finds_awkward_values(services_factory):
    svc = services_factory()
    client = WikibaseClient(svc.target, sleep=lambda s: None)
    prop = campaign().mapping.identifier.property
    made = {v: client.edit(_item(v), qid=None, summary="create", baserevid=None)["entity"]["id"] for v in AWKWARD}
    client.edit(_item("Objekt 55590"), qid=None, summary="create", baserevid=None)  # a near miss
    assert {v: client.find_by_identifier(prop, v) for v in AWKWARD} == {v: [q] for v, q in made.items()}
    assert identifier_search(prop, 'a "b"') == 'haswbstatement:"P1260=a \\"b\\""'
