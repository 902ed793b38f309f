"""The local Commons API answers in MediaWiki's documented shapes (api.php?action=help).

An in-process Commons port (sandbox accounts, its own SQLite store) with a few hand-made files:
imageinfo with extmetadata, categories with sort keys, categorymembers ordered by sort key with
continuation, generator + prop continuation (clcontinue), formatversion 1 and 2, list=users,
search with haswbstatement, embeddedin, globalusage, revisions, MediaInfo read and write.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from sandbox.admin_auth import SECRET_HEADER
from sandbox.commons.server import make_commons_server
from sandbox.commons.store import CommonsStore
from sandbox.serve import build_state
from sandbox.services import BASE_SEED, free_port

TRACKER = "Cultural heritage monuments in Sweden with known IDs"
CONTEST = "Images from Wiki Loves Monuments 2026 in Sweden"
SECRET = "test-admin-secret"


def _file(n: int, monument: str, **extra: Any) -> dict[str, Any]:
    return {"kind": "file", "title": f"File:Kyrka {n}.jpg", "pageid": 500 + n, "uploader": "Anna Fotograf",
            "timestamp": f"2026-09-{n:02d}T10:00:00Z", "sha1": f"{n:040x}", "width": 4000, "height": 3000,
            "size": 5_000_000 + n, "mime": "image/jpeg", "exif_datetime": f"2026:09:{n:02d} 09:58:00",
            "wikitext": f"{{{{Information|description=Kyrka}}}}{{{{Monument Sweden|{monument}}}}}\n"
                        "{{Wiki Loves Monuments 2026|se}}",
            "categories": [[CONTEST, ""], [TRACKER, monument], ["Uppsala domkyrka", ""]],
            "templates": ["Template:Information", "Template:Monument Sweden",
                          "Template:Wiki Loves Monuments 2026"],
            "globalusage": [], **extra}


DEPICTS = {"P180": [{"id": "M503$00000000-0000-4000-8000-000000000001", "type": "statement", "rank": "normal",
                     "mainsnak": {"snaktype": "value", "property": "P180", "datatype": "wikibase-item",
                                  "datavalue": {"type": "wikibase-entityid",
                                                "value": {"entity-type": "item", "id": "Q34", "numeric-id": 34}}}}]}
RECORDS = [
    {"kind": "user", "name": "Anna Fotograf", "registration": "2026-09-01T08:00:00Z", "editcount": 12},
    _file(1, "raa/bbr/300"), _file(2, "raa/bbr/100"),
    _file(3, "raa/bbr/200", statements=DEPICTS, globalusage=[{"wiki": "sv.wikipedia.org", "title": "Kyrkan"}]),
    _file(4, "raa/bbr/100", exif_datetime=None),
]


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data = tmp_path_factory.mktemp("commons")
    state = build_state(data)
    base = [json.loads(ln) for ln in BASE_SEED.read_text(encoding="utf-8").splitlines()
            if ln.strip() and not ln.startswith("#")]
    state.repo.seed(base)  # Q34 & co: P180 values are checked against the local Wikibase
    store = CommonsStore(Path(data) / "commons.sqlite")
    server = make_commons_server(state.repo, store, free_port(), admin_secret=SECRET)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    body = "\n".join(json.dumps(r) for r in RECORDS).encode()
    resp = requests.post(f"{url}/admin/load", data=body, timeout=10,
                         headers={"Content-Type": "application/x-ndjson", SECRET_HEADER: SECRET})
    assert resp.json() == {"files": 4, "users": 1}
    yield f"{url}/w/api.php"
    server.shutdown()
    store.close()


def get(api: str, **params: str) -> dict[str, Any]:
    resp = requests.get(api, params={"format": "json", **params}, timeout=10)
    assert resp.status_code == 200
    return resp.json()


def test_imageinfo_with_extmetadata_and_sha1(api: str) -> None:
    body = get(api, action="query", formatversion="2", titles="File:Kyrka_1.jpg", prop="imageinfo",
               iiprop="timestamp|user|size|sha1|mime|extmetadata")
    page = body["query"]["pages"][0]
    assert (page["pageid"], page["ns"], page["title"]) == (501, 6, "File:Kyrka 1.jpg")
    info = page["imageinfo"][0]
    assert info["user"] == "Anna Fotograf" and info["timestamp"] == "2026-09-01T10:00:00Z"
    assert (info["width"], info["height"], info["size"], info["mime"]) == (4000, 3000, 5_000_001, "image/jpeg")
    assert info["sha1"] == f"{1:040x}"
    assert info["extmetadata"]["DateTimeOriginal"]["value"] == "2026-09-01 09:58:00"
    assert body["batchcomplete"] is True


def test_formatversion_1_keys_pages_by_id_and_flags_missing(api: str) -> None:
    body = get(api, action="query", titles="File:Kyrka 1.jpg|File:Nothing.jpg", prop="revisions",
               rvprop="content", rvslots="main")
    pages = body["query"]["pages"]
    assert pages["501"]["revisions"][0]["slots"]["main"]["*"].startswith("{{Information")
    assert pages["-1"] == {"ns": 6, "title": "File:Nothing.jpg", "missing": ""}
    assert body["batchcomplete"] == ""


def test_categorymembers_sorted_by_sort_key_with_continuation(api: str) -> None:
    seen, cont = [], {}
    while True:
        body = get(api, action="query", formatversion="2", list="categorymembers", cmtitle=f"Category:{TRACKER}",
                   cmprop="ids|title|sortkey|sortkeyprefix|type", cmlimit="1", **cont)
        seen += body["query"]["categorymembers"]
        if "continue" not in body:
            break
        cont = dict(body["continue"])
        assert cont["cmcontinue"].startswith("file|")
    assert [m["sortkeyprefix"] for m in seen] == ["raa/bbr/100", "raa/bbr/100", "raa/bbr/200", "raa/bbr/300"]
    assert [m["pageid"] for m in seen[:2]] == [502, 504]  # equal keys: by page id
    assert bytes.fromhex(seen[0]["sortkey"]).decode() == "RAA/BBR/100\nKyrka 2.jpg"
    assert {m["type"] for m in seen} == {"file"}


def test_generator_with_prop_continuation_merges_to_full_pages(api: str) -> None:
    params = {"action": "query", "formatversion": "2", "generator": "categorymembers",
              "gcmtitle": f"Category:{CONTEST}", "gcmtype": "file", "gcmlimit": "2", "prop": "categories",
              "clprop": "sortkey", "cllimit": "2"}
    cont: dict[str, str] = {}
    pages: dict[int, list[str]] = {}
    rounds = 0
    while True:
        body = get(api, **params, **cont)
        rounds += 1
        for page in body["query"]["pages"]:
            pages.setdefault(page["pageid"], []).extend(c["title"] for c in page.get("categories", []))
        if "continue" not in body:
            break
        cont = body["continue"]
        if "clcontinue" in cont:
            assert "batchcomplete" not in body and cont["continue"] == "gcmcontinue||"
    assert sorted(pages) == [501, 502, 503, 504] and rounds == 6  # 2 batches × 3 category pages
    assert all(len(cats) == 3 and f"Category:{TRACKER}" in cats for cats in pages.values())


def test_users_search_embeddedin_globalusage(api: str) -> None:
    users = get(api, action="query", formatversion="2", list="users", ususers="Anna Fotograf|Nobody",
                usprop="registration|editcount")["query"]["users"]
    assert users[0]["registration"] == "2026-09-01T08:00:00Z" and users[0]["editcount"] == 12
    assert users[1] == {"name": "Nobody", "missing": True}
    hits = get(api, action="query", list="search", srsearch="haswbstatement:P180=Q34", srnamespace="6")
    assert [h["title"] for h in hits["query"]["search"]] == ["File:Kyrka 3.jpg"]
    none = get(api, action="query", list="search", srsearch="haswbstatement:P180=Q35")
    assert none["query"]["search"] == []
    emb = get(api, action="query", list="embeddedin", eititle="Template:Monument Sweden", eilimit="3")
    assert [p["pageid"] for p in emb["query"]["embeddedin"]] == [501, 502, 503]
    assert emb["continue"]["eicontinue"] == "6|504"
    gu = get(api, action="query", formatversion="2", pageids="503|501", prop="globalusage")["query"]["pages"]
    assert gu[0]["globalusage"] == [{"title": "Kyrkan", "wiki": "sv.wikipedia.org",
                                     "url": "https://sv.wikipedia.org/wiki/Kyrkan"}]
    assert gu[1]["globalusage"] == []


def _login(api: str) -> tuple[requests.Session, str]:
    s = requests.Session()
    token = s.get(api, params={"action": "query", "meta": "tokens", "type": "login", "format": "json"}).json()
    result = s.post(api, data={"action": "login", "lgname": "Wlkit@sandbox", "lgpassword": "sandbox-bot-password",
                               "lgtoken": token["query"]["tokens"]["logintoken"], "format": "json"}).json()
    assert result["login"]["result"] == "Success"
    csrf = s.get(api, params={"action": "query", "meta": "tokens", "format": "json"}).json()
    return s, csrf["query"]["tokens"]["csrftoken"]


def test_mediainfo_round_trip_with_wbeditentity(api: str) -> None:
    got = get(api, action="wbgetentities", ids="M503|M501")["entities"]
    assert got["M501"] == {"id": "M501", "missing": ""}  # a file without structured data
    assert got["M503"]["type"] == "mediainfo" and got["M503"]["statements"]["P180"][0]["mainsnak"]["datavalue"][
        "value"]["id"] == "Q34"
    anon = requests.post(api, data={"action": "wbeditentity", "id": "M501", "data": "{}", "token": "+\\",
                                    "format": "json"}).json()
    assert anon["error"]["code"] in ("notloggedin", "badtoken")
    s, csrf = _login(api)
    claim = {"mainsnak": {"snaktype": "value", "property": "P180",
                          "datavalue": {"type": "wikibase-entityid", "value": {"entity-type": "item", "id": "Q34"}}}}
    data = json.dumps({"claims": [claim]})
    first = s.post(api, data={"action": "wbeditentity", "id": "M501", "data": data, "token": csrf,
                              "format": "json"}).json()
    assert first.get("success") == 1, first
    assert first["entity"]["id"] == "M501"
    st = first["entity"]["statements"]["P180"][0]
    assert st["id"].startswith("M501$") and st["mainsnak"]["datatype"] == "wikibase-item"
    again = s.post(api, data={"action": "wbeditentity", "id": "M501", "token": csrf, "format": "json",
                              "data": json.dumps({"claims": [st]})}).json()
    assert "nochange" in again["entity"] and again["entity"]["lastrevid"] == first["entity"]["lastrevid"]
    bad = s.post(api, data={"action": "wbeditentity", "id": "M501", "token": csrf, "format": "json",
                            "data": json.dumps({"claims": [{**claim, "mainsnak": {**claim["mainsnak"],
                                                "datavalue": {"type": "string", "value": "x"}}}]})}).json()
    assert "error" in bad
    assert get(api, action="wbgetentities", ids="M501")["entities"]["M501"]["statements"]["P180"][0]["id"] == st["id"]
    hits = get(api, action="query", list="search", srsearch="haswbstatement:P180=Q34")["query"]["search"]
    assert {h["pageid"] for h in hits} == {501, 503}


def test_admin_needs_the_secret_and_host_must_be_loopback(api: str) -> None:
    admin = api.replace("/w/api.php", "/admin/load")
    refused = requests.post(admin, data=b"{}", headers={"Content-Type": "application/x-ndjson"}, timeout=10)
    assert refused.status_code in (401, 403)
    rebinding = requests.get(api, params={"action": "query"}, headers={"Host": "evil.example"}, timeout=10)
    assert rebinding.status_code == 400
    assert get(api, action="wbsearchentities", search="x", language="en")["error"]["code"] == "badvalue"
    assert get(api, action="wbeditentity", id="M501", data="{}", token="+\\")["error"]["code"] == "mustbeposted"
