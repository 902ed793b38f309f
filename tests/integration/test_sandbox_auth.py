"""Sandbox Action API authentication as MediaWiki does it: tokens, both login flows, cookies,
session rotation, throttling, POST-only writes (issue 16 §1, §4)."""

from __future__ import annotations

import re

import pytest
import requests

pytestmark = pytest.mark.integration

USER, PASSWORD = "Wlkit@sandbox", "sandbox-bot-password"
TOKEN_RE = re.compile(r"^[0-9a-f]{40}\+\\$")


def _cookie(resp: requests.Response) -> str:
    header = resp.headers.get("Set-Cookie", "")
    m = re.search(r"(\w*session)=(\w{32})", header)
    assert m, f"no session cookie in {header!r}"
    return m.group(2)


def test_legacy_login_without_token_gets_need_token_with_cookie(local_services):
    api = local_services.api_url
    first = requests.post(api, data={"action": "login", "lgname": USER, "lgpassword": PASSWORD,
                                     "format": "json"})
    login = first.json()["login"]
    assert login["result"] == "NeedToken" and TOKEN_RE.match(login["token"])
    sid = _cookie(first)
    second = requests.post(api, data={"action": "login", "lgname": USER, "lgpassword": PASSWORD,
                                      "lgtoken": login["token"], "format": "json"},
                           cookies={"wlkitsandbox_session": sid})
    assert second.json()["login"]["result"] == "Success"
    new_sid = _cookie(second)
    assert new_sid != sid  # rotated at login
    tokens = requests.get(api, params={"action": "query", "meta": "tokens", "format": "json"},
                          cookies={"wlkitsandbox_session": new_sid}).json()["query"]["tokens"]
    assert TOKEN_RE.match(tokens["csrftoken"]) and len(tokens["csrftoken"]) == 42
    old = requests.get(api, params={"action": "query", "meta": "userinfo", "format": "json"},
                       cookies={"wlkitsandbox_session": sid}).json()["query"]["userinfo"]
    assert "anon" in old  # the pre-login session id no longer logs anybody in


def test_clientlogin_and_every_token_type_and_rights(local_services):
    s = requests.Session()
    api = local_services.api_url
    tok = s.get(api, params={"action": "query", "meta": "tokens", "type": "login",
                             "format": "json"}).json()["query"]["tokens"]["logintoken"]
    r = s.post(api, data={"action": "clientlogin", "username": "Wlkit", "password": PASSWORD,
                          "logintoken": tok, "loginreturnurl": "http://127.0.0.1/",
                          "format": "json"}).json()
    assert r["clientlogin"]["status"] == "PASS"
    q = s.get(api, params={"action": "query", "meta": "tokens|userinfo", "format": "json",
                           "type": "csrf|createaccount|patrol|rollback|userrights|watch|login",
                           "uiprop": "groups|rights"}).json()["query"]
    assert set(q["tokens"]) == {"csrftoken", "createaccounttoken", "patroltoken",
                                         "rollbacktoken", "userrightstoken", "watchtoken",
                                         "logintoken"}
    assert all(TOKEN_RE.match(t) for t in q["tokens"].values())
    assert "bot" in q["userinfo"]["groups"] and "bot" in q["userinfo"]["rights"]
    assert "item-merge" in q["userinfo"]["rights"]


def test_failed_logins_are_throttled(local_services):
    s = requests.Session()
    api = local_services.api_url
    results = []
    for _ in range(7):
        tok = s.post(api, data={"action": "login", "format": "json"}).json()["login"]["token"]
        results.append(s.post(api, data={"action": "login", "lgname": "Nobody@x",
                                         "lgpassword": "wrong", "lgtoken": tok,
                                         "format": "json"}).json()["login"])
    assert [r["result"] for r in results] == ["Failed"] * 7
    assert "too many recent login attempts" not in results[4]["reason"]
    assert "too many recent login attempts" in results[5]["reason"]


def test_writes_must_be_posted(local_services):
    r = requests.get(local_services.api_url, params={
        "action": "wbeditentity", "new": "item", "data": "{}", "token": "+\\", "format": "json"})
    assert r.json()["error"]["code"] == "mustbeposted"
    assert r.headers["MediaWiki-API-Error"] == "mustbeposted"
    r = requests.get(local_services.api_url, params={"action": "login", "format": "json"})
    assert r.json()["error"]["code"] == "mustbeposted"
