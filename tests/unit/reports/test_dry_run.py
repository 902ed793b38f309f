"""The dry-run report: blockers and held items first, labels beside ids, qualifiers and references
shown, and the detail in pages whose size does not grow with the register (issue 15 §7, issue 11 §7).

Plans are made by the real planner (``modeling.items.plan_items``) from BBR-like records.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from core.settings import Target
from modeling.campaign import load_campaign
from modeling.dryrun import read_meta, write_dry_run
from modeling.items import plan_items
from reports.dry_run import render_dry_run
from reports.entity_links import EntityLinks

ROOT = Path(__file__).resolve().parents[3]
TARGET = Target(name="local", api_url="http://127.0.0.1:8181/w/api.php", sparql_url="http://127.0.0.1:7878/query")
MUNICIPALITIES = [("0180", "Stockholm", "Q990180"), ("0380", "Uppsala", "Q990380"), ("1480", "Göteborg", "Q991480")]
TYPES = ["kyrka", "byggnad", "herrgård", "fyr", "väderkvarn", "bro"]


@pytest.fixture(scope="module")
def campaign():
    return load_campaign(ROOT / "campaigns/wlm-se-bbr-sample.yaml")


def _records(n: int) -> list[dict]:
    out = []
    for i in range(n):
        code, muni, _ = MUNICIPALITIES[i % len(MUNICIPALITIES)]
        out.append({
            "source_id": f"2130000{i:07d}", "name": f"Kyrka nr {i} i {muni}", "municipality_code": code,
            "municipality": muni, "type": TYPES[i % 6], "designation_type": "enskilt",
            "designation_date": f"19{60 + i % 40}-05-0{1 + i % 9}", "address": f"Storgatan {i + 1}",
            "built": str(1600 + i % 300), "lat": 57.5 + (i % 50) * 0.05, "lon": 14.0 + (i % 40) * 0.1,
            "source_row": i + 2,
        })
    return out


def _plans(campaign, n: int, held: int = 0):
    """``n`` plans: all new, except the first ``held`` matched to live items with another P17."""
    recs = _records(n)
    decisions = {r["source_id"]: "new" for r in recs}
    live = {}
    for i in range(held):
        qid = f"Q77{i:04d}"
        decisions[recs[i]["source_id"]] = qid
        live[qid] = {"type": "item", "id": qid, "lastrevid": 10 + i, "labels": {}, "descriptions": {},
                     "aliases": {}, "claims": {"P17": [{"mainsnak": {
                         "snaktype": "value", "property": "P17", "datatype": "wikibase-item",
                         "datavalue": {"type": "wikibase-entityid", "value": {"entity-type": "item", "id": "Q20"}}},
                         "type": "statement", "rank": "normal"}]}}
    units = {code: qid for code, _, qid in MUNICIPALITIES} | {muni: qid for _, muni, qid in MUNICIPALITIES}
    return plan_items(recs, decisions, campaign, admin_units=units, live_entities=live, today=date(2026, 10, 1))


def _write(campaign, tmp_path, n, held=0, **kw):
    dest = tmp_path / "04_upload"
    write_dry_run(iter(_plans(campaign, n, held)), campaign, TARGET, "b1", dest)
    return dest, render_dry_run(dest, **kw)


def test_blockers_then_held_items_open_the_report(campaign, tmp_path):
    plan_dir = tmp_path / "03_plan"
    plan_dir.mkdir()
    (plan_dir / "preflight.json").write_text(json.dumps({  # the shape modeling/preflight.py writes
        "target": "local", "checked": 12, "ok": False, "blocking": True,
        "missing": [{"id": "Q24284073", "kind": "item", "roles": ["designation"], "used_by": 40}],
        "wrong_datatype": [{"id": "P1260", "kind": "property", "expected": "external-id", "actual": "string",
                            "roles": ["identifier"], "used_by": 40}]}), encoding="utf-8")
    dest, _ = _write(campaign, tmp_path, 40, held=2)
    html = (dest / "dry_run.html").read_text(encoding="utf-8")
    blockers, held, summary = html.index('id="blockers"'), html.index('id="held"'), html.index('id="counts"')
    assert blockers < held < summary
    assert "has datatype string on local; the plans need external-id (used as identifier by 40 plans)" in html
    assert "Q24284073</a> (item): does not exist on local" in html
    front_held = re.findall(r'<section class="\w+" id="item-(\d+)"', html)
    assert front_held == ["21300000000000", "21300000000001"]
    md = (dest / "dry_run.md").read_text(encoding="utf-8")
    assert md.index("## Blocked") < md.index("## Held for review") < md.index("| action | items |")
    assert "P17 live Q20, register Q34 (single\\-value property" in md.split("| action |")[0]


def test_labels_beside_ids_and_qualifiers_and_references_shown(campaign, tmp_path):
    labels = {"P1435": "kulturarvsstatus", "P248": "känd från", "P580": "starttid", "P31": "utgör",
              "Q990180": "Stockholms kommun", "P131": "ligger i"}
    dest, _ = _write(campaign, tmp_path, 3, labels=labels, links=EntityLinks.for_target(TARGET))
    page = (dest / "dry_run" / "page-0001.html").read_text(encoding="utf-8")
    first = page[page.index('id="item-21300000000000"'):page.index('id="item-21300000000001"')]
    assert ('kulturarvsstatus <a class="id" '
            'href="http://127.0.0.1:8181/wiki/Special:EntityPage/P1435">P1435</a>') in first
    assert "Stockholms kommun" in first and "www.wikidata.org/wiki" not in page
    row = next(r for r in first.split("<tr>") if r.startswith("<td>kulturarvsstatus"))
    assert "starttid" in row  # the designation's start time qualifier
    ref = re.search(r'href="#(ref-21300000000000-\d+)">', row).group(1)  # its reference, listed once per item
    assert re.search(rf'<li id="{ref}">känd från <a', first)
    md = (dest / "dry_run.md").read_text(encoding="utf-8")
    assert "| property | value | qualifiers | references |" in md and r"starttid \(P580\)" in md
    assert read_meta(dest)["entity_ids"]  # what the flow fetches labels for
    assert {"P1435", "P580", "P248", "Q990180"} <= set(read_meta(dest)["entity_ids"])


def test_detail_is_paged_and_the_front_page_does_not_grow(campaign, tmp_path):
    small, _ = _write(campaign, tmp_path / "a", 30, page_size=10)
    large, written = _write(campaign, tmp_path / "b", 300, page_size=10)
    pages = sorted((large / "dry_run").glob("page-*.html"))
    assert len(pages) == 30 and len(written) == 32
    assert max(len(p.read_bytes()) for p in pages) < 3 * min(len(p.read_bytes()) for p in pages)
    front_small = len((small / "dry_run.html").read_bytes())
    front_large = len((large / "dry_run.html").read_bytes())
    assert front_large < front_small + 30 * 200  # one index row per page, no item detail
    assert 'id="item-' not in (large / "dry_run.html").read_text(encoding="utf-8")
    last = pages[-1].read_text(encoding="utf-8")
    assert 'rel="prev"' in last and 'rel="next"' not in last and "page 30 of 30" in last
    items = [m for p in pages for m in re.findall(r'id="item-(\d+)"', p.read_text(encoding="utf-8"))]
    assert len(items) == len(set(items)) == 300


def test_pages_from_worker_processes_are_the_same(campaign, tmp_path):
    labels = {"P1435": "kulturarvsstatus", "Q990180": "Stockholms kommun"}
    one, _ = _write(campaign, tmp_path / "one", 40, held=3, labels=labels, page_size=8)
    two = tmp_path / "two" / "04_upload"
    write_dry_run(iter(_plans(campaign, 40, 3)), campaign, TARGET, "b1", two)
    render_dry_run(two, labels=labels, page_size=8, workers=2)
    pages = sorted(p.name for p in (one / "dry_run").glob("page-*.html"))
    assert len(pages) == 6 and pages == sorted(p.name for p in (two / "dry_run").glob("page-*.html"))
    for name in pages:
        assert (two / "dry_run" / name).read_bytes() == (one / "dry_run" / name).read_bytes()
    front = (two / "dry_run.html").read_text(encoding="utf-8")
    index = re.findall(r'<a href="(dry_run/page-\d+\.html)">', front[front.index('id="pages"'):])
    assert index == [f"dry_run/{name}" for name in pages]
