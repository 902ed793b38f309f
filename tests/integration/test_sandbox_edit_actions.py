"""The dedicated Wikibase editing actions, merge with redirect, and malformed input answered
with API errors (issue 16 §1, §3)."""

from __future__ import annotations

import json

import pytest
import requests

pytestmark = pytest.mark.integration

ITEM = {"type": "wikibase-entityid", "value": {"entity-type": "item", "id": "Q41176"}}


class Api:
    """A logged-in requests session on the sandbox Action API."""

    def __init__(self, url: str) -> None:
        self.url, self.s = url, requests.Session()
        tok = self.s.post(url, data={"action": "login", "format": "json"}).json()["login"]["token"]
        r = self.s.post(url, data={"action": "login", "lgname": "Wlkit@sandbox", "format": "json",
                                   "lgpassword": "sandbox-bot-password", "lgtoken": tok}).json()
        assert r["login"]["result"] == "Success"
        self.token = self.s.get(url, params={"action": "query", "meta": "tokens",
                                             "format": "json"}).json()["query"]["tokens"]["csrftoken"]

    def post(self, action: str, **params: str) -> dict:
        data = {"action": action, "format": "json", "token": self.token, **params}
        return self.s.post(self.url, data=data).json()

    def get(self, **params: str) -> dict:
        return self.s.get(self.url, params={"format": "json", **params}).json()

    def new_item(self, label: str, **extra) -> dict:
        data = {"labels": {"en": {"language": "en", "value": label}}, **extra}
        return self.post("wbeditentity", new="item", data=json.dumps(data))["entity"]


@pytest.fixture(scope="module")
def api(bot_services) -> Api:
    return Api(bot_services.api_url)


def test_terms_and_sitelinks_with_dedicated_actions(api):
    qid = api.new_item("Term test church")["id"]
    r = api.post("wbsetlabel", id=qid, language="sv", value="Termtestkyrkan")
    assert r["entity"]["labels"]["sv"]["value"] == "Termtestkyrkan"
    r = api.post("wbsetdescription", id=qid, language="en", value="church in a test")
    assert r["entity"]["descriptions"]["en"]["value"] == "church in a test"
    r = api.post("wbsetaliases", id=qid, language="en", add="TTC|Test church")
    assert [a["value"] for a in r["entity"]["aliases"]["en"]] == ["TTC", "Test church"]
    r = api.post("wbsetaliases", id=qid, language="en", remove="TTC")
    assert [a["value"] for a in r["entity"]["aliases"]["en"]] == ["Test church"]
    r = api.post("wbsetsitelink", id=qid, linksite="svwiki", linktitle="Termtestkyrkan")
    assert r["entity"]["sitelinks"]["svwiki"]["title"] == "Termtestkyrkan"
    got = api.get(action="wbgetentities", ids=qid)["entities"][qid]
    assert got["labels"]["sv"]["value"] == "Termtestkyrkan"
    assert got["sitelinks"]["svwiki"]["title"] == "Termtestkyrkan"
    r = api.post("wbsetlabel", id=qid, language="sv", value="")
    assert "sv" not in api.get(action="wbgetentities", ids=qid)["entities"][qid]["labels"]


def test_claims_qualifiers_references(api):
    qid = api.new_item("Claim test bridge")["id"]
    r = api.post("wbcreateclaim", entity=qid, property="P31", snaktype="value",
                 value=json.dumps(ITEM["value"]))
    guid = r["claim"]["id"]
    assert r["claim"]["mainsnak"]["datavalue"]["value"]["id"] == "Q41176"
    r = api.post("wbsetclaimvalue", claim=guid, snaktype="value",
                 value=json.dumps({"entity-type": "item", "numeric-id": 127448}))
    assert r["claim"]["mainsnak"]["datavalue"]["value"]["id"] == "Q127448"
    when = {"time": "+1890-00-00T00:00:00Z", "timezone": 0, "before": 0, "after": 0,
            "precision": 9, "calendarmodel": "http://www.wikidata.org/entity/Q1985727"}
    r = api.post("wbsetqualifier", claim=guid, property="P580", snaktype="value",
                 value=json.dumps(when))
    qhash = r["claim"]["qualifiers"]["P580"][0]["hash"]
    snaks = {"P854": [{"snaktype": "value", "property": "P854", "datavalue": {
        "type": "string", "value": "https://example.org/register"}}]}
    r = api.post("wbsetreference", statement=guid, snaks=json.dumps(snaks))
    rhash = r["reference"]["hash"]
    assert len(rhash) == 40
    stmt = api.get(action="wbgetentities", ids=qid)["entities"][qid]["claims"]["P31"][0]
    assert stmt["qualifiers"]["P580"][0]["hash"] == qhash
    assert stmt["references"][0]["hash"] == rhash
    assert api.post("wbremovereferences", statement=guid, references=rhash)["success"] == 1
    assert api.post("wbremovequalifiers", claim=guid, qualifiers=qhash)["success"] == 1
    stmt = api.get(action="wbgetentities", ids=qid)["entities"][qid]["claims"]["P31"][0]
    assert "qualifiers" not in stmt and "references" not in stmt
    stmt["rank"] = "preferred"
    r = api.post("wbsetclaim", claim=json.dumps(stmt))
    assert r["claim"]["rank"] == "preferred"
    assert api.post("wbremoveclaims", claim=guid)["claims"] == [guid]
    assert api.get(action="wbgetentities", ids=qid)["entities"][qid]["claims"] == {}


def test_merge_leaves_a_redirect(api):
    a = api.new_item("Merge source mill", sitelinks={"svwiki": {"site": "svwiki",
                                                                 "title": "Kvarnen (test)"}})
    b = api.new_item("Merge target mill")
    r = api.post("wbmergeitems", fromid=a["id"], toid=b["id"])
    assert r["success"] == 1 and r["redirected"] == 1
    got = api.get(action="wbgetentities", ids=a["id"])["entities"]
    assert list(got) == [b["id"]]
    target = got[b["id"]]
    assert target["redirects"] == {"from": a["id"], "to": b["id"]}
    assert target["sitelinks"]["svwiki"]["title"] == "Kvarnen (test)"
    assert [x["value"] for x in target["aliases"]["en"]] == ["Merge source mill"]
    doc = requests.get(api.url.replace("/w/api.php", f"/wiki/Special:EntityData/{a['id']}.json"))
    assert list(doc.json()["entities"]) == [b["id"]]
    r = api.post("wbsetlabel", id=a["id"], language="en", value="edit after merge")
    assert r["error"]["code"] == "unresolved-redirect"
    info = api.get(action="query", prop="info", titles=a["id"])["query"]["pages"]
    assert "redirect" in next(iter(info.values()))


@pytest.mark.parametrize(("data", "code"), [
    ({"labels": ["one", "two"]}, "not-recognized-array"),
    ({"aliases": {"en": ["one", "two"]}}, "not-recognized-array"),
    ({"sitelinks": {"enwiki": "Foo"}}, "not-recognized-array"),
    ({"claims": [{"mainsnak": {"snaktype": "value", "property": "P31", "datavalue": {
        "type": "wikibase-entityid", "value": {"entity-type": "item", "numeric-id": "abc"}}},
        "type": "statement"}]}, "modification-failed"),
])
def test_malformed_data_gets_api_errors(api, data, code):
    r = api.post("wbeditentity", new="item", data=json.dumps(data))
    assert r["error"]["code"] == code


def test_malformed_parameters_get_api_errors(api):
    qid = api.new_item("Malformed params chapel")["id"]
    deep = "[" * 100_000 + "]" * 100_000
    assert api.post("wbeditentity", id=qid, data=deep)["error"]["code"] == "invalid-json"
    surrogate = '{"labels": {"en": {"language": "en", "value": "x\\ud800"}}}'
    assert api.post("wbeditentity", id=qid, data=surrogate)["error"]["code"] == "invalid-json"
    r = api.post("wbsetlabel", id=qid, language="en", value="y", baserevid="abc")
    assert r["error"]["code"] == "badinteger"
    r = api.get(action="wbsearchentities", search="Malformed", language="en", limit="abc")
    assert r["error"]["code"] == "badinteger"
    r = api.get(action="query", list="search", srsearch="Malformed", srlimit="abc")
    assert r["error"]["code"] == "badinteger"


def test_concurrent_edits_on_different_parts_are_merged(api):
    created = api.new_item("Concurrent edit tower", claims=[{
        "mainsnak": {"snaktype": "value", "property": "P31", "datavalue": ITEM},
        "type": "statement"}])
    qid, base = created["id"], str(created["lastrevid"])
    guid = created["claims"]["P31"][0]["id"]
    label = {"labels": {"sv": {"language": "sv", "value": "Samtidiga tornet"}}}
    r1 = api.post("wbeditentity", id=qid, baserevid=base, data=json.dumps(label))
    assert "error" not in r1
    stmt = {"claims": [{"id": guid, "mainsnak": {"snaktype": "value", "property": "P31",
                                                 "datavalue": ITEM},
                        "type": "statement", "rank": "preferred"}]}
    r2 = api.post("wbeditentity", id=qid, baserevid=base, data=json.dumps(stmt))
    assert "error" not in r2  # same base revision, a different part: merged as Wikibase does
    got = api.get(action="wbgetentities", ids=qid)["entities"][qid]
    assert got["labels"]["sv"]["value"] == "Samtidiga tornet"
    assert got["claims"]["P31"][0]["rank"] == "preferred"
    stmt["claims"][0]["rank"] = "deprecated"
    r3 = api.post("wbeditentity", id=qid, baserevid=base, data=json.dumps(stmt))
    assert r3["error"]["code"] == "failed-save"  # that statement changed since the base
    assert r3["error"]["messages"][1]["name"] == "edit-conflict"


JUNK = [
    {"id": "abc", "entity": "Q", "claim": "nope", "statement": "Q1$", "value": "{bad",
     "snaks": "[[[", "data": "123", "language": "zz-invalid", "property": "P0",
     "fromid": "Q1", "toid": "Q1", "baserevid": "-", "index": "x", "limit": "1e9"},
    {"id": "Q1", "entity": "Q1", "claim": json.dumps({"id": 5}), "statement": "Q1$X",
     "value": json.dumps([1, {"a": None}]), "snaks": json.dumps({"P1": "x"}), "data": "[]",
     "language": "en", "property": "P31", "snaktype": "bogus", "qualifiers": "x|y",
     "references": "z", "linksite": "nosuchwiki", "add": "\udcff"},
]


@pytest.mark.parametrize("junk", JUNK)
def test_every_action_answers_junk_with_an_api_error(api, junk):
    modules = api.get(action="paraminfo", modules="main")["paraminfo"]["modules"][0]
    actions = next(p for p in modules["parameters"] if p["name"] == "action")["type"]
    for action in actions:
        if action in ("login", "clientlogin", "logout"):
            continue
        data = {"action": action, "format": "json", "token": api.token, **junk}
        r = api.s.post(api.url, data={k: v.encode("utf-8", "surrogatepass") for k, v in
                                      data.items()})
        assert r.status_code == 200, (action, r.status_code)
        body = r.json()
        assert isinstance(body, dict), action
        if "error" in body:
            assert r.headers["MediaWiki-API-Error"] == body["error"]["code"], action
            assert not body["error"]["code"].startswith("internal_api_error"), body
        else:
            assert action in ("paraminfo", "query"), body  # nothing else may succeed on junk
