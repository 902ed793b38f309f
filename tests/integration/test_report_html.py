"""The HTML reports open offline in headless Chromium and reference no external resource."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from _browser import dump_dom

from reports.checklist import STEPS
from reports.documents import render_all

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.browser, pytest.mark.integration]  # stage_runs starts the services


class _Refs(HTMLParser):
    """Collect every attribute that makes a browser load something."""

    LOADING = frozenset({("img", "src"), ("script", "src"), ("link", "href"), ("iframe", "src"),
                         ("source", "src"), ("video", "src"), ("audio", "src"), ("embed", "src"),
                         ("object", "data")})

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if (tag, name) in self.LOADING and value:
                self.loads.append(value)
            if name == "style" and value:
                self.styles.append(value)
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


@pytest.fixture(scope="module")
def reports_out(tmp_path_factory, stage_runs) -> Path:
    out = tmp_path_factory.mktemp("reports-out")
    stage_runs.copy("wlm", out / "wlm-se-bbr-sample")
    render_all(out, ROOT / "campaigns", "en")
    return out


@pytest.mark.parametrize("name", ["checklist.html", "recommendations.html"])
def test_reports_are_self_contained(reports_out, name):
    html = (reports_out / "wlm-se-bbr-sample" / "06_reports" / name).read_text(encoding="utf-8")
    refs = _Refs()
    refs.feed(html)
    assert refs.loads, "the charts are embedded images"
    assert all(v.startswith("data:") for v in refs.loads), refs.loads
    assert not any(re.search(r"url\(|@import", s) for s in refs.styles)
    assert "<script" not in html


def test_checklist_renders_in_headless_chromium(reports_out, tmp_path, stage_runs):
    dom = dump_dom(reports_out / "wlm-se-bbr-sample" / "06_reports" / "checklist.html", tmp_path / "chromium-profile")
    assert "<h1>Readiness checklist: Wiki Loves Monuments Sweden" in dom
    rows = re.findall(r'<tr class="(ticked|not_ticked|unknown)" data-step="(\w+)">', dom)
    assert [step for _s, step in rows] == list(STEPS)
    assert {step: s for s, step in rows}["ingest"] == "ticked"
    inp = stage_runs.inputs
    assert f"{inp.records} records, {inp.rejects} rejected ({stage_runs.pct(inp.rejects, inp.rows)})" in dom
    assert re.search(r'<img class="chart"[^>]*src="data:image/png;base64,', dom)


def test_progress_page_renders_in_headless_chromium(reports_out, tmp_path):
    path = reports_out / "06_reports" / "progress.html"
    refs = _Refs()
    refs.feed(path.read_text(encoding="utf-8"))
    assert all(v.startswith("data:") for v in refs.loads)
    dom = dump_dom(path, tmp_path / "chromium-profile")
    assert 'data-campaign="wlm-se-bbr-sample"' in dom and 'data-campaign="wle-se-reserves-sample"' in dom
    assert "lists (5/5)" in dom and "not started" in dom
