"""A full dry-run detail page (500 items built as strings, not by a template) opens in headless
Chromium with every item, its labelled ids and its reference anchors, and loads nothing."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from _browser import dump_dom
from _upload_support import new_mill_plans

from core.settings import Target
from modeling.campaign import load_campaign
from modeling.dryrun import write_dry_run
from reports.dry_run import render_dry_run
from reports.entity_links import EntityLinks

ROOT = Path(__file__).resolve().parents[2]
TARGET = Target(name="local", api_url="http://127.0.0.1:8181/w/api.php", sparql_url="http://127.0.0.1:7878/query")

pytestmark = pytest.mark.browser


class _Loads(HTMLParser):
    """Every attribute that makes a browser load something, and every element id."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.ids: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if (tag, name) in {("img", "src"), ("script", "src"), ("link", "href"), ("iframe", "src")}:
                self.loads.append(value)
            if name == "id":
                self.ids.append(value)


def test_a_full_detail_page_opens_in_chromium(tmp_path):
    campaign = load_campaign(ROOT / "campaigns/wlm-se-bbr-sample.yaml")
    plans = new_mill_plans(520, lambda i: f"Kvarn <{i}> & co")
    dest = tmp_path / "04_upload"
    write_dry_run(iter(plans), campaign, TARGET, "b1", dest)
    render_dry_run(dest, labels={"Q990001": "Testkommun A", "P248": "känd från"},
                   links=EntityLinks.for_target(TARGET))
    page = dest / "dry_run" / "page-0001.html"
    parsed = _Loads()
    parsed.feed(page.read_text(encoding="utf-8"))
    assert parsed.loads == []
    dom = dump_dom(page, tmp_path / "chromium-profile")
    items = re.findall(r'<section class="create" id="item-(\d+)">', dom)
    assert items == [p.source_id for p in plans[:500]]
    assert "create: Kvarn &lt;499&gt; &amp; co" in dom
    assert 'Testkommun A <a class="id" href="http://127.0.0.1:8181/wiki/Special:EntityPage/Q990001">' in dom
    assert f'<li id="ref-{plans[499].source_id}-1">känd från <a' in dom
    assert 'href="page-0002.html" rel="next"' in dom
