"""The query modules third-party clients build on: siteinfo, paraminfo, meta=wikibase,
list=allusers, prop=revisions/info and generator=search (issue 16 §1)."""

from __future__ import annotations

import json

import pytest
import requests

pytestmark = pytest.mark.integration


def _get(services, **params) -> dict:
    return requests.get(services.api_url, params={"format": "json", **params}).json()


def test_siteinfo_props_and_warnings(bot_services):
    q = _get(bot_services, action="query", meta="siteinfo", formatversion="2",
             siprop="general|namespaces|namespacealiases|statistics|nosuchprop")
    assert q["query"]["general"]["thumblimits"]["0"] == 120
    assert q["query"]["general"]["generator"].startswith("MediaWiki 1.")
    assert q["query"]["namespaces"]["120"]["name"] == "Property"
    assert q["query"]["namespaces"]["0"]["content"] is True
    assert {"id": 6, "alias": "Image", "*": "Image"} in q["query"]["namespacealiases"]
    assert q["query"]["statistics"]["edits"] > 0
    assert "nosuchprop" in q["warnings"]["siteinfo"]["warnings"]
    v1 = _get(bot_services, action="query", meta="siteinfo", siprop="namespaces")
    assert v1["query"]["namespaces"]["0"]["content"] == ""  # formatversion 1 booleans


def test_meta_wikibase_and_allusers(bot_services):
    q = _get(bot_services, action="query", meta="wikibase", list="allusers",
             auprop="groups")["query"]
    assert q["wikibase"]["repo"]["url"]["scriptpath"] == "/w"
    assert any(u["name"] == "Wlkit" and "bot" in u["groups"] for u in q["allusers"])


def test_paraminfo_describes_modules(bot_services):
    mods = _get(bot_services, action="paraminfo",
                modules="main|query|query+search|query+revisions|wbeditentity|wbgetentities"
                )["paraminfo"]["modules"]
    by_path = {m["path"]: m for m in mods}
    action = next(p for p in by_path["main"]["parameters"] if p["name"] == "action")
    assert {"wbeditentity", "wbsetqualifier", "wbmergeitems", "paraminfo"} <= set(action["type"])
    generator = next(p for p in by_path["query"]["parameters"] if p["name"] == "generator")
    assert generator["type"] == ["search"]
    assert by_path["query+search"]["prefix"] == "sr"
    assert "generator" in by_path["query+search"]
    assert "mustbeposted" in by_path["wbeditentity"]
    assert "mustbeposted" not in by_path["wbgetentities"]


def test_revisions_info_and_generator_search(bot_services):
    s = requests.Session()
    api = bot_services.api_url
    tok = s.post(api, data={"action": "login", "format": "json"}).json()["login"]["token"]
    s.post(api, data={"action": "login", "lgname": "Wlkit@sandbox", "lgtoken": tok,
                      "lgpassword": "sandbox-bot-password", "format": "json"})
    csrf = s.get(api, params={"action": "query", "meta": "tokens", "format": "json"}
                 ).json()["query"]["tokens"]["csrftoken"]
    wlm = "SE-RAÄ 'Öland' \"Borg\" 7"
    data = {"labels": {"en": {"language": "en", "value": "Revision test fort"}},
            "claims": [{"mainsnak": {"snaktype": "value", "property": "P2186", "datavalue": {
                "type": "string", "value": wlm}}, "type": "statement"}]}
    qid = s.post(api, data={"action": "wbeditentity", "new": "item", "token": csrf,
                            "data": json.dumps(data), "format": "json"}).json()["entity"]["id"]
    s.post(api, data={"action": "wbsetlabel", "id": qid, "language": "sv", "value": "Borgen",
                      "token": csrf, "format": "json", "summary": "Swedish label"})
    pages = _get(bot_services, action="query", prop="revisions|info", titles=qid,
                 rvlimit="10", rvprop="ids|user|comment|content")["query"]["pages"]
    page = next(iter(pages.values()))
    assert page["title"] == qid and page["contentmodel"] == "wikibase-item"
    revs = page["revisions"]
    assert revs[0]["comment"] == "Swedish label"
    assert revs[0]["parentid"] == revs[1]["revid"] and revs[0]["user"] == "Wlkit"
    assert json.loads(revs[0]["slots"]["main"]["*"])["labels"]["sv"]["value"] == "Borgen"
    escaped = wlm.replace("\\", "\\\\").replace('"', '\\"')
    gen = _get(bot_services, action="query", generator="search", prop="info",
               gsrsearch=f'haswbstatement:"P2186={escaped}"', formatversion="2")
    assert [p["title"] for p in gen["query"]["pages"]] == [qid]
