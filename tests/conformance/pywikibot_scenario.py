"""Scripted pywikibot session against the local sandbox (run with ``PYWIKIBOT_DIR`` set to a
directory written by ``pywikibot_setup.write_config``). Prints one line per step and
``N/M steps`` at the end; exits 0 only when every step passed.

Datatypes written and read back: wikibase-item, globe-coordinate, time, external-id, quantity,
monolingualtext, string, url (reference). Not commonsMedia: see ``create``."""

from __future__ import annotations

import sys
import traceback
import uuid
from collections.abc import Callable
from typing import Any

import pywikibot
from pywikibot.page import ItemPage

STEPS: list[tuple[str, Callable[[dict[str, Any]], None]]] = []


def step(name: str) -> Callable:
    def register(fn: Callable[[dict[str, Any]], None]) -> Callable:
        STEPS.append((name, fn))
        return fn
    return register


def _claim(repo: Any, pid: str, target: Any) -> pywikibot.Claim:
    claim = pywikibot.Claim(repo, pid)
    claim.setTarget(target)
    return claim


@step("log in")
def log_in(ctx: dict[str, Any]) -> None:
    site = pywikibot.Site("wlkit", "wlkit")
    site.login()
    assert site.logged_in(), "not logged in"
    ctx["site"] = site
    ctx["repo"] = site.data_repository()


@step("create an item with every datatype, a qualifier and two references")
def create(ctx: dict[str, Any]) -> None:
    repo = ctx["repo"]
    ctx["wlm_id"] = f"pwb-{uuid.uuid4().hex[:6]} \"Ö\" id"
    when = pywikibot.WbTime(year=1890, precision="year")
    heritage = _claim(repo, "P1435", ItemPage(repo, "Q41176"))
    heritage.addQualifier(_claim(repo, "P580", when))
    ref1 = [_claim(repo, "P248", ItemPage(repo, "Q20244383")),
            _claim(repo, "P813", pywikibot.WbTime(year=2024, month=5, day=1))]
    ref2 = [_claim(repo, "P854", "https://example.org/register/1")]
    for ref in (ref1, ref2):
        for snak in ref:
            snak.isReference = True
        heritage.addSources(ref)
    claims = [
        _claim(repo, "P31", ItemPage(repo, "Q41176")), heritage,
        _claim(repo, "P625", pywikibot.Coordinate(59.3293, 18.0686, precision=0.0001,
                                                   site=repo)),
        _claim(repo, "P571", pywikibot.WbTime(year=1723, month=6, day=3)),
        _claim(repo, "P2186", ctx["wlm_id"]),
        _claim(repo, "P2046", pywikibot.WbQuantity("12.5", site=repo)),
        _claim(repo, "P6375", pywikibot.WbMonolingualText("Storgatan 1", "sv")),
        _claim(repo, "P373", "Pywikibot test church"),
        # commonsMedia is left out: pywikibot resolves those values on Wikimedia Commons
        # whatever the family says (T90492), which a loopback-only test must not reach.
    ]
    item = ItemPage(repo)
    label = f"Pywikibot test church {uuid.uuid4().hex[:6]}"
    item.editEntity({"labels": {"en": label, "sv": label + " (sv)"},
                     "descriptions": {"en": "church used by the pywikibot scenario"},
                     "aliases": {"en": ["PTC"]},
                     "claims": [c.toJSON() for c in claims]}, summary="pywikibot scenario")
    ctx["item"], ctx["claims"], ctx["label"] = item, claims, label


@step("read it back equal")
def read_back(ctx: dict[str, Any]) -> None:
    item = ItemPage(ctx["repo"], ctx["item"].getID())
    item.get(force=True)
    assert item.labels["en"] == ctx["label"], item.labels
    assert item.aliases["en"] == ["PTC"], item.aliases
    for sent in ctx["claims"]:
        got = item.claims[sent.getID()]
        assert len(got) == 1 and got[0].same_as(sent), (sent.getID(), got[0].toJSON())
    heritage = item.claims["P1435"][0]
    assert len(heritage.sources) == 2 and "P580" in heritage.qualifiers
    ctx["item"] = item


@step("edit label, description, aliases and sitelink with the dedicated actions")
def terms(ctx: dict[str, Any]) -> None:
    repo, item = ctx["repo"], ctx["item"]
    repo.wbsetlabel(item, {"language": "de", "value": ctx["label"] + " (de)"})
    item.get(force=True)
    repo.wbsetdescription(item, {"language": "sv", "value": "kyrka i pywikibot-scenariot"})
    item.get(force=True)
    # pywikibot's DataSite.wbsetaliases() asserts {"add", "set"} >= its keys, which always
    # include "language", so it cannot be called; its generic request API sends the action.
    repo.simple_request(action="wbsetaliases", id=item.getID(), language="en",
                        add="Pywikibot church", baserevid=item.latest_revision_id, bot=True,
                        token=repo.tokens["csrf"]).submit()
    item.get(force=True)
    repo.wbsetsitelink(item, {"linksite": "svwiki", "linktitle": ctx["label"]})
    item.get(force=True)
    assert item.labels["de"].endswith("(de)") and item.descriptions["sv"]
    assert item.aliases["en"] == ["PTC", "Pywikibot church"], item.aliases
    assert item.sitelinks["svwiki"].title == ctx["label"]


@step("add, change and remove a claim")
def claims(ctx: dict[str, Any]) -> None:
    repo, item = ctx["repo"], ctx["item"]
    claim = _claim(repo, "P17", ItemPage(repo, "Q34"))
    item.addClaim(claim)
    claim.changeTarget(ItemPage(repo, "Q41176"))
    claim.changeRank("preferred")
    item.get(force=True)
    assert item.claims["P17"][0].getTarget().getID() == "Q41176"
    assert item.claims["P17"][0].rank == "preferred"
    item.removeClaims(item.claims["P17"])
    item.get(force=True)
    assert "P17" not in item.claims


@step("add and remove a qualifier and a reference")
def qualifiers(ctx: dict[str, Any]) -> None:
    repo, item = ctx["repo"], ctx["item"]
    claim = item.claims["P31"][0]
    qual = _claim(repo, "P580", pywikibot.WbTime(year=1900))
    claim.addQualifier(qual)
    source = _claim(repo, "P854", "https://example.org/source/2")
    claim.addSource(source)
    item.get(force=True)
    claim = item.claims["P31"][0]
    assert "P580" in claim.qualifiers and len(claim.sources) == 1
    claim.removeQualifier(claim.qualifiers["P580"][0])
    claim.removeSources(claim.sources[0]["P854"])
    item.get(force=True)
    claim = item.claims["P31"][0]
    assert not claim.qualifiers and not claim.sources


@step("search with haswbstatement (quoted identifier with spaces and non-ASCII)")
def search(ctx: dict[str, Any]) -> None:
    site, wlm = ctx["site"], ctx["wlm_id"]
    escaped = wlm.replace("\\", "\\\\").replace('"', '\\"')
    hits = list(site.search(f'haswbstatement:"P2186={escaped}"', namespaces=[0], total=5))
    assert [p.title() for p in hits] == [ctx["item"].getID()], hits


@step("list revisions and contributions")
def history(ctx: dict[str, Any]) -> None:
    item = ctx["item"]
    revs = list(item.revisions())
    assert len(revs) >= 8, len(revs)
    assert all(r.user == "Wlkit" for r in revs)
    contribs = list(ctx["site"].usercontribs(user="Wlkit", total=20))
    assert any(c["title"] == item.getID() for c in contribs), contribs[:3]


@step("merge two items")
def merge(ctx: dict[str, Any]) -> None:
    repo = ctx["repo"]
    tag = uuid.uuid4().hex[:6]
    a, b = ItemPage(repo), ItemPage(repo)
    a.editEntity({"labels": {"en": f"Pywikibot merge source {tag}"}})
    b.editEntity({"labels": {"en": f"Pywikibot merge target {tag}"}})
    a.mergeInto(b)
    merged = ItemPage(repo, b.getID())
    merged.get(force=True)
    assert f"Pywikibot merge source {tag}" in merged.aliases.get("en", []), merged.aliases


def main() -> int:
    ctx: dict[str, Any] = {}
    passed = 0
    for name, fn in STEPS:
        try:
            fn(ctx)
        except Exception as exc:  # every failure is reported, then the next step
            print(f"FAIL {name}: {type(exc).__name__}: {exc}")
            traceback.print_exc(file=sys.stderr)
            continue
        passed += 1
        print(f"ok   {name}")
    print(f"{passed}/{len(STEPS)} steps")
    return 0 if passed == len(STEPS) else 1


if __name__ == "__main__":
    sys.exit(main())
