"""An unmodified WikibaseIntegrator 0.12 against the sandbox: login, every datatype, errors, faults."""

from __future__ import annotations

import copy

import pytest
import requests
from wikibaseintegrator import WikibaseIntegrator, wbi_fastrun, wbi_helpers, wbi_login
from wikibaseintegrator.datatypes import (
    URL,
    CommonsMedia,
    ExternalID,
    GeoShape,
    GlobeCoordinate,
    Item,
    MonolingualText,
    Quantity,
    String,
    Time,
)
from wikibaseintegrator.models import Qualifiers, Reference, References
from wikibaseintegrator.wbi_config import config as wbi_config
from wikibaseintegrator.wbi_enums import ActionIfExists, WikibaseDatatype
from wikibaseintegrator.wbi_exceptions import MissingEntityException, ModificationFailed, MWApiError

pytestmark = pytest.mark.integration

USER_AGENT = "wikiloves-kit-tests/0.1 (tests@example.org)"


@pytest.fixture
def wbi_env(local_services, monkeypatch):
    """WBI pointed at the session services, globals reset, sleeps recorded instead of slept."""
    saved = copy.deepcopy(dict(wbi_config))
    wbi_config["MEDIAWIKI_API_URL"] = local_services.api_url
    wbi_config["SPARQL_ENDPOINT_URL"] = local_services.sparql_url
    wbi_config["WIKIBASE_URL"] = "http://www.wikidata.org"
    wbi_config["USER_AGENT"] = USER_AGENT
    monkeypatch.setattr(wbi_helpers, "default_session", requests.Session())
    monkeypatch.setattr(wbi_helpers, "helpers_session", requests.Session())
    wbi_helpers.properties_dt.clear()
    wbi_fastrun.fastrun_store.clear()
    sleeps: list[float] = []
    monkeypatch.setattr(wbi_helpers, "sleep", lambda s: sleeps.append(s))
    local_services.reset()
    yield sleeps
    local_services.reset()
    wbi_config.clear()
    wbi_config.update(saved)


def _login(services) -> wbi_login.Login:
    return wbi_login.Login(user="Wlkit@sandbox", password="sandbox-bot-password",
                           mediawiki_api_url=services.api_url)


def _sparql(services, query: str) -> list[dict]:
    r = requests.get(services.sparql_url, params={"query": query},
                     headers={"Accept": "application/sparql-results+json"}, timeout=30)
    r.raise_for_status()
    return r.json()["results"]["bindings"]


def _new_property(wbi: WikibaseIntegrator, datatype: WikibaseDatatype, label: str) -> str:
    prop = wbi.property.new(datatype=datatype)
    prop.labels.set("en", label)
    return prop.write(is_bot=True).id


def test_login_failure_has_reason(wbi_env, local_services):
    with pytest.raises(Exception, match="Incorrect username or password"):
        wbi_login.Login(user="Wlkit@sandbox", password="wrong",
                        mediawiki_api_url=local_services.api_url)


def test_every_datatype_round_trip_and_sparql_latest(wbi_env, local_services):
    wbi = WikibaseIntegrator(login=_login(local_services), is_bot=True)
    dts = {
        "string": WikibaseDatatype.STRING, "extid": WikibaseDatatype.EXTERNALID,
        "coord": WikibaseDatatype.GLOBECOORDINATE, "time": WikibaseDatatype.TIME,
        "qty": WikibaseDatatype.QUANTITY, "mono": WikibaseDatatype.MONOLINGUALTEXT,
        "media": WikibaseDatatype.COMMONSMEDIA, "url": WikibaseDatatype.URL,
        "shape": WikibaseDatatype.GEOSHAPE, "item": WikibaseDatatype.ITEM,
    }
    p = {k: _new_property(wbi, dt, f"wbi test {k} property") for k, dt in dts.items()}
    assert all(int(pid[1:]) >= 200_000_001 for pid in p.values())

    item = wbi.item.new()
    item.labels.set("sv", "Testkyrka")
    item.labels.set("en", "Test church")
    item.descriptions.set("en", "church used by the sandbox test")
    item.aliases.set("en", ["Kirk of tests"])
    refs = References()
    ref = Reference()
    ref.add(Item(prop_nr="P248", value="Q20244383"))
    ref.add(URL(prop_nr="P854", value="http://kulturarvsdata.se/raa/bbr/21300000000001"))
    refs.add(ref)
    quals = Qualifiers()
    quals.add(Time(prop_nr="P580", time="+1998-10-20T00:00:00Z"))
    item.claims.add([
        Item(prop_nr=p["item"], value="Q16970", qualifiers=quals, references=refs),
        String(prop_nr=p["string"], value="plain text"),
        ExternalID(prop_nr=p["extid"], value="raa/bbr/21300000000001"),
        GlobeCoordinate(prop_nr=p["coord"], latitude=59.3293, longitude=18.0686,
                        precision=0.0001),
        Time(prop_nr=p["time"], time="+1650-00-00T00:00:00Z"),
        Quantity(prop_nr=p["qty"], amount="12.5", unit="Q35852"),
        MonolingualText(prop_nr=p["mono"], text="Storgatan 1", language="sv"),
        CommonsMedia(prop_nr=p["media"], value="Test church 1.jpg"),
        URL(prop_nr=p["url"], value="https://example.org/church?id=1"),
        GeoShape(prop_nr=p["shape"], value="Data:Sweden/Nature reserves/2000001.map"),
    ])
    item.write(summary="create test item")
    qid = item.id
    assert int(qid[1:]) >= 200_000_001  # new ids never collide with seeded Wikidata ids
    first_rev = item.lastrevid
    # the same object was updated from the response: GUIDs present, no duplicates on re-write
    assert all(c.id for c in item.claims)

    fresh = wbi.item.get(qid)
    assert fresh.get_json()["claims"] == item.get_json()["claims"]
    assert fresh.labels.get("sv").value == "Testkyrka"
    got = fresh.get_json()["claims"]
    assert got[p["qty"]][0]["mainsnak"]["datavalue"]["value"] == {
        "amount": "+12.5", "unit": "http://www.wikidata.org/entity/Q35852"}
    assert got[p["item"]][0]["references"][0]["snaks-order"] == ["P248", "P854"]
    assert got[p["item"]][0]["qualifiers"]["P580"][0]["datatype"] == "time"

    rows = _sparql(local_services, f"""
        SELECT ?s ?coord ?t ?media ?shape ?qtyUnit WHERE {{
          wd:{qid} wdt:{p['string']} ?s ; wdt:{p['coord']} ?coord ; wdt:{p['time']} ?t ;
                   wdt:{p['media']} ?media ; wdt:{p['shape']} ?shape ;
                   p:{p['qty']}/psv:{p['qty']}/wikibase:quantityUnit ?qtyUnit ;
                   p:{p['item']} ?st .
          ?st ps:{p['item']} wd:Q16970 ; pq:P580 ?start ;
              prov:wasDerivedFrom/pr:P248 wd:Q20244383 .
        }}""")
    assert len(rows) == 1
    row = rows[0]
    assert row["coord"]["value"] == "Point(18.0686 59.3293)"
    assert row["t"]["value"] == "1650-01-01T00:00:00Z"
    assert row["media"]["value"] == \
        "http://commons.wikimedia.org/wiki/Special:FilePath/Test%20church%201.jpg"
    assert row["shape"]["value"].startswith("http://commons.wikimedia.org/data/main/Data:Sweden")
    assert row["qtyUnit"]["value"] == "http://www.wikidata.org/entity/Q35852"

    # edit: replace the string value; SPARQL shows only the latest revision
    item.claims.add(String(prop_nr=p["string"], value="new text"),
                    action_if_exists=ActionIfExists.REPLACE_ALL)
    item.write()
    assert item.lastrevid > first_rev
    rows = _sparql(local_services, f"SELECT ?v {{ wd:{qid} wdt:{p['string']} ?v }}")
    assert [r["v"]["value"] for r in rows] == ["new text"]
    rows = _sparql(local_services, f"SELECT ?v {{ wd:{qid} schema:version ?v }}")
    assert [int(r["v"]["value"]) for r in rows] == [item.lastrevid]
    assert len(wbi.item.get(qid).claims.get(p["item"])) == 1

    # a write without changes is a nochange: same revision
    rev = item.lastrevid
    item.write()
    assert item.lastrevid == rev

    # wbsearchentities and haswbstatement search
    hits = wbi_helpers.search_entities("Testkyr", language="sv", dict_result=True)
    assert qid in [h["id"] for h in hits]
    found = wbi_helpers.fulltext_search(f"haswbstatement:{p['extid']}=raa/bbr/21300000000001")
    assert [h["title"] for h in found] == [qid]
    edits = local_services.edits()
    assert edits["ids"].count(qid) == 3


def test_missing_and_unparseable_ids(wbi_env, local_services):
    wbi = WikibaseIntegrator()
    with pytest.raises(MissingEntityException):
        wbi.item.get("Q199999999")
    from wikibaseintegrator.wbi_exceptions import NonExistentEntityError
    with pytest.raises(NonExistentEntityError):
        wbi_helpers.mediawiki_api_call_helper(
            data={"action": "wbgetentities", "ids": "X12", "format": "json"},
            allow_anonymous=True)


def test_too_many_ids(wbi_env, local_services):
    r = requests.post(local_services.api_url, data={
        "action": "wbgetentities", "format": "json",
        "ids": "|".join(f"Q{i}" for i in range(1, 52))})
    assert r.status_code == 200
    assert r.json()["error"]["code"] == "toomanyvalues"


def _write_error(wbi, item) -> MWApiError:
    with pytest.raises(MWApiError) as exc:
        item.write()
    return exc.value


def test_unknown_property(wbi_env, local_services):
    wbi = WikibaseIntegrator(login=_login(local_services))
    item = wbi.item.new()
    item.labels.set("en", "unknown property test")
    item.claims.add(String(prop_nr="P199999999", value="x"))
    err = _write_error(wbi, item)
    assert isinstance(err, ModificationFailed)
    assert "P199999999" in err.info


def test_wrong_datatype(wbi_env, local_services):
    wbi = WikibaseIntegrator(login=_login(local_services))
    item = wbi.item.new()
    item.labels.set("en", "wrong datatype test")
    item.claims.add(String(prop_nr="P31", value="not an item"))
    err = _write_error(wbi, item)
    assert err.code == "modification-failed"
    assert "P31" in err.info and "wikibase-entityid" in err.info


def test_malformed_quantity(wbi_env, local_services):
    wbi = WikibaseIntegrator(login=_login(local_services))
    item = wbi.item.new()
    item.labels.set("en", "malformed value test")
    item.claims.add(Quantity(prop_nr="P2046", amount=0.00001))  # WBI formats "+1e-05"
    err = _write_error(wbi, item)
    assert err.code == "modification-failed"
    assert "P2046" in err.info


def test_label_too_long(wbi_env, local_services):
    wbi = WikibaseIntegrator(login=_login(local_services))
    item = wbi.item.new()
    item.labels.set("en", "x" * 251)
    err = _write_error(wbi, item)
    assert err.code == "modification-failed"
    assert err.messages[0]["name"] == "wikibase-validator-label-too-long"


def test_label_description_collision(wbi_env, local_services):
    wbi = WikibaseIntegrator(login=_login(local_services))
    item = wbi.item.new()
    item.labels.set("en", "Stockholm Municipality")
    item.descriptions.set("en", "municipality in Stockholm County, Sweden")
    err = _write_error(wbi, item)
    assert isinstance(err, ModificationFailed)
    assert err.get_conflicting_entity_ids == ["Q190000180"]


def test_bad_token(wbi_env, local_services):
    login = _login(local_services)
    r = login.get_session().post(local_services.api_url, data={
        "action": "wbeditentity", "new": "item", "data": "{}", "token": "deadbeef+\\",
        "format": "json"})
    assert r.json()["error"]["code"] == "badtoken"


def test_not_logged_in_and_expired_session(wbi_env, local_services):
    r = requests.post(local_services.api_url, data={
        "action": "wbeditentity", "new": "item", "data": "{}", "token": "+\\", "format": "json"})
    assert r.json()["error"]["code"] == "notloggedin"
    login = _login(local_services)
    local_services.faults(expire_sessions=True)
    wbi = WikibaseIntegrator(login=login, is_bot=True)
    item = wbi.item.new()
    item.labels.set("en", "written after session expiry")
    err = _write_error(wbi, item)
    assert err.code == "assertbotfailed"
    wbi = WikibaseIntegrator(login=login)
    item = wbi.item.new()
    item.labels.set("en", "written after session expiry")
    err = _write_error(wbi, item)
    assert err.code == "assertuserfailed"
    wbi = WikibaseIntegrator(login=_login(local_services))  # a new login works again
    item = wbi.item.new()
    item.labels.set("en", "written after session expiry")
    assert item.write().id


def test_edit_conflict_baserevid_and_fault(wbi_env, local_services):
    wbi = WikibaseIntegrator(login=_login(local_services))
    item = wbi.item.new()
    item.labels.set("en", "edit conflict test")
    item.write()
    old_rev = item.lastrevid
    item.labels.set("sv", "redigeringskonflikt")
    item.write()
    item.labels.set("de", "Bearbeitungskonflikt")
    with pytest.raises(MWApiError) as exc:
        item.write(baserevid=old_rev)
    assert exc.value.code == "failed-save"
    assert [m["name"] for m in exc.value.messages] == ["wikibase-api-failed-save",
                                                        "edit-conflict"]
    local_services.faults(editconflict={"count": 1})
    with pytest.raises(MWApiError):
        item.write()
    item.write()  # the fault is used up
    assert wbi.item.get(item.id).labels.get("de").value == "Bearbeitungskonflikt"


def test_maxlag_fault_retries(wbi_env, local_services):
    sleeps = wbi_env
    wbi = WikibaseIntegrator(login=_login(local_services))
    local_services.faults(maxlag={"count": 2, "lag": 7, "on": "wbeditentity"})
    item = wbi.item.new()
    item.labels.set("en", "maxlag test")
    item.write()
    assert sleeps == [7, 14]
    edits = local_services.edits()
    assert edits["ids"] == [item.id]


def test_maxlag_headers(wbi_env, local_services):
    local_services.faults(maxlag={"count": 1, "lag": 3, "retry_after": 2})
    r = requests.post(local_services.api_url, data={
        "action": "wbgetentities", "ids": "Q34", "format": "json", "maxlag": "5"})
    assert r.status_code == 200
    assert r.json()["error"]["code"] == "maxlag" and r.json()["error"]["lag"] == 3
    assert r.headers["Retry-After"] == "2" and r.headers["X-Database-Lag"] == "3"
    r = requests.post(local_services.api_url, data={
        "action": "wbgetentities", "ids": "Q34", "format": "json", "maxlag": "5"})
    assert "entities" in r.json()


def test_ratelimited_fault_retries(wbi_env, local_services):
    sleeps = wbi_env
    wbi = WikibaseIntegrator(login=_login(local_services))
    local_services.faults(ratelimited={"count": 1, "retry_after": 3})
    item = wbi.item.new()
    item.labels.set("en", "rate limit test")
    item.write()
    assert sleeps == [3]
    assert local_services.edits()["ids"] == [item.id]


@pytest.mark.parametrize("kind,status", [("http_503", 503), ("http_429", 429)])
def test_http_status_faults(wbi_env, local_services, kind, status):
    local_services.faults(**{kind: {"count": 1, "retry_after": 4}})
    r = requests.post(local_services.api_url, data={"action": "query", "meta": "siteinfo",
                                                    "format": "json"})
    assert r.status_code == status and r.headers["Retry-After"] == "4"
    r = requests.post(local_services.api_url, data={"action": "query", "meta": "siteinfo",
                                                    "format": "json"})
    assert r.status_code == 200


def test_http_503_retried_by_wbi(wbi_env, local_services):
    sleeps = wbi_env
    local_services.faults(http_503={"count": 1, "on": "wbgetentities"})
    assert WikibaseIntegrator().item.get("Q34").labels.get("en").value == "Sweden"
    assert sleeps == [60]


def test_dropped_connection_fault(wbi_env, local_services):
    local_services.faults(drop={"count": 1})
    with pytest.raises(requests.ConnectionError):
        requests.post(local_services.api_url, data={"action": "query", "meta": "siteinfo",
                                                    "format": "json"}, timeout=10)
    r = requests.post(local_services.api_url, data={"action": "query", "meta": "siteinfo",
                                                    "format": "json"}, timeout=10)
    assert r.status_code == 200


def test_slow_fault(wbi_env, local_services):
    local_services.faults(slow={"count": 1, "delay_ms": 1500})
    with pytest.raises(requests.Timeout):
        requests.post(local_services.api_url, data={"action": "query", "meta": "siteinfo",
                                                     "format": "json"}, timeout=0.5)
    assert local_services.admin("faults")["faults"] == {}


def test_wbi_sparql_query_and_syntax_error(wbi_env, local_services):
    res = wbi_helpers.execute_sparql_query(
        "SELECT ?m WHERE { ?m wdt:P525 '0380' }")
    assert [b["m"]["value"] for b in res["results"]["bindings"]] == [
        "http://www.wikidata.org/entity/Q190000380"]
    r = requests.post(local_services.sparql_url, data="SELEC nonsense",
                      headers={"Content-Type": "application/sparql-query"})
    assert r.status_code == 400 and "syntax" in r.text.lower()
    r = requests.post(local_services.sparql_url,
                      data={"query": "ASK { wd:Q34 rdfs:label 'Sverige'@sv }"})
    assert r.json()["boolean"] is True
