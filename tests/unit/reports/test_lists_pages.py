"""List pages for the campaign's language and the target's wiki, split below MediaWiki's page limit.

Each test fails on the behaviour issue 15 §10 / issue 11 §7 reported: English headers beside
localised link texts, ``[[:d:Q…]]`` links for a local target, a 2.1 MB ``all.wiki``.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import mwparserfromhell
import pandas as pd
import pytest

from core.settings import load_target
from modeling.campaign import load_campaign
from reports import lists, lists_render
from reports.entity_links import EntityLinks
from reports.lists_fold import upload_id, upload_templates

ROOT = Path(__file__).resolve().parents[3]
GENERATED = "2026-05-01T00:00:00+00:00"
KOMMUNER = ["Ale", "Alingsås", "Borås", "Göteborg", "Härryda", "Kungälv", "Lerum", "Mölndal", "Partille", "Öckerö"]


@pytest.fixture
def wle():
    return load_campaign(ROOT / "campaigns/wle-se-reserves-sample.yaml")


def _table(campaign, n: int, links: EntityLinks | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``n`` nature reserves over ten municipalities, as the lists query returns them."""
    qids = [f"Q{2_000_000 + i}" for i in range(n)]
    rows = pd.DataFrame({
        "item": qids, "id": [f"{2_000_000 + i}" for i in range(n)],
        "coord": [f"Point({11.5 + (i % 97) / 100:.4f} {57.5 + (i % 89) / 100:.4f})" for i in range(n)],
        "image": [f"http://commons.wikimedia.org/wiki/Special:FilePath/Reservat%20{i}.jpg" if i % 3 == 0 else None
                  for i in range(n)],
        "commons_category": [f"Naturreservatet nr {i}" if i % 5 == 0 else None for i in range(n)],
        "address": [None] * n, "designation": ["Q179049"] * n, "designation_start": ["+1998-10-20T00:00:00Z"] * n,
        "region": [f"Q{990_100 + i % len(KOMMUNER)}" for i in range(n)],
    })
    items = lists.fold_items(rows)
    labels = pd.DataFrame({"item": qids,
                           "label": [f"Naturreservatet Skogsbrynet nummer {i} vid sjön" for i in range(n)],
                           "lang": ["sv"] * n})
    names = pd.DataFrame({"item": [f"Q{990_100 + k}" for k in range(len(KOMMUNER))] + ["Q179049"],
                          "label": [f"{k} kommun" for k in KOMMUNER] + ["naturreservat"], "lang": ["sv"] * 11})
    return lists.assemble(campaign, items, labels, labels, names, links), names


def test_headers_are_in_the_campaign_language(wle, tmp_path):
    table, names = _table(wle, 30)
    lists.write_lists(wle, table, names, tmp_path, GENERATED)
    page = (tmp_path / "05_lists/all.wiki").read_text(encoding="utf-8")
    header = next(line for line in page.splitlines() if line.startswith("! "))
    assert header.split(" !! ")[:4] == ["! ID", "Namn", "Skydd", "Område"]
    assert "Ladda upp" in page and "Upload]" not in page
    stats = (tmp_path / "05_lists/stats.wiki").read_text(encoding="utf-8")
    assert "Med bild" in stats and "With image" not in stats and "Totalt" in stats


def test_a_local_target_never_links_to_wikidata(wle, tmp_path):
    links = EntityLinks.for_target(load_target("local"))
    table, names = _table(wle, 12, links)
    lists.write_lists(wle, table, names, tmp_path, GENERATED, links=links)
    dest = tmp_path / "05_lists"
    for name in ("all.wiki", "stats.wiki", "ale-kommun-q990100.wiki"):
        text = (dest / name).read_text(encoding="utf-8")
        assert "[[:d:" not in text, name
        urls = [str(e.url) for e in mwparserfromhell.parse(text).filter_external_links()]
        assert any(u.startswith("http://127.0.0.1:8181/wiki/Special:EntityPage/Q") for u in urls), name
    rows = list(csv.DictReader(io.StringIO((dest / "all.csv").read_text(encoding="utf-8"))))
    assert rows[0]["wikidata_url"].startswith("http://127.0.0.1:8181/wiki/Special:EntityPage/Q")
    assert "www.wikidata.org/wiki" not in (dest / "map.html").read_text(encoding="utf-8")


def test_wikidata_target_keeps_the_interwiki_link(wle, tmp_path):
    links = EntityLinks.for_target(load_target("wikidata"))
    assert links.wikitext("Q2000001", "Skogsbrynet") == "[[:d:Q2000001|Skogsbrynet]]"
    assert links.url("Q5") == "https://www.wikidata.org/wiki/Q5"


def _parts(dest: Path, stem: str) -> list[Path]:
    return sorted(dest.glob(f"{stem}-part-*.wiki"))


def test_a_list_above_2_mb_is_split_into_parts_with_an_index(wle, tmp_path):
    table, names = _table(wle, 9_000)
    summary = lists.write_lists(wle, table, names, tmp_path, GENERATED)
    dest = tmp_path / "05_lists"
    parts = _parts(dest, "all")
    assert len(parts) >= 2 and summary["split_pages"]["all"] == len(parts)
    sizes = [len(p.read_bytes()) for p in parts]
    assert sum(sizes) > 2_097_152  # the whole list would not fit on one page
    assert max(sizes) <= lists.MAX_PAGE_BYTES
    index = (dest / "all.wiki").read_text(encoding="utf-8")
    assert [str(link.title) for link in mwparserfromhell.parse(index).filter_wikilinks()] == \
        [f"/{n}" for n in range(1, len(parts) + 1)]
    seen = [m for p in parts for m in re.findall(r"\|\s*\[\[:d:(Q\d+)\|Naturreservatet", p.read_text(encoding="utf-8"))]
    assert sorted(seen) == sorted(table["item"])  # every item exactly once across the parts
    assert "Del 1 av" in parts[0].read_text(encoding="utf-8")


def test_one_region_larger_than_a_page_is_cut_between_rows(wle, tmp_path):
    table, names = _table(wle, 400)
    lists.write_lists(wle, table, names, tmp_path, GENERATED, max_page_bytes=8_000)
    dest = tmp_path / "05_lists"
    parts = _parts(dest, "ale-kommun-q990100")
    assert len(parts) >= 2
    texts = [p.read_text(encoding="utf-8") for p in parts]
    assert all(len(t.encode()) <= 8_000 for t in texts)
    assert "fortsättning" in texts[1] and "fortsättning" not in texts[0]
    rows = sum(t.count("\n|-\n") for t in texts)
    assert rows == 40
    headings = [h for t in texts for h in re.findall(r"^== (.*) ==$", t, flags=re.M)]
    assert headings[0] == "Ale kommun (40)"  # every run of a cut region counts the whole region
    assert set(headings[1:]) == {"Ale kommun (40) – fortsättning"}
    assert not _parts(dest, "stats")


def test_a_large_region_is_rendered_about_once(wle, tmp_path, monkeypatch):
    """A region far above a page is sized from its first rows and cut without being rendered
    whole (it was rendered three times: whole, each run to size it, each run again)."""
    table, names = _table(wle, 20_000)
    rendered: list[int] = []
    section = lists_render.WikiRenderer.section

    def counting(self, sec, *args, **kwargs):
        rendered.append(len(sec.rows))
        return section(self, sec, *args, **kwargs)

    monkeypatch.setattr(lists_render.WikiRenderer, "section", counting)
    lists.write_lists(wle, table, names, tmp_path, GENERATED, max_page_bytes=200_000)
    assert sum(rendered) < 1.2 * 20_000  # each row about once (and a sample per run)
    parts = _parts(tmp_path / "05_lists", "ale-kommun-q990100")
    assert len(parts) >= 2 and all(len(p.read_bytes()) <= 200_000 for p in parts)


def _body(path: Path) -> str:
    """A page's sections: its text after the head (the generator comment and, in a part, its number)."""
    text = path.read_text(encoding="utf-8")
    return text[text.index("\n== "):]


def test_all_wiki_holds_each_region_page_once_in_order_and_no_spill_file_is_left(wle, tmp_path):
    table, names = _table(wle, 1_200)
    summary = lists.write_lists(wle, table, names, tmp_path, GENERATED, max_page_bytes=20_000)
    dest = tmp_path / "05_lists"
    regions = [_parts(dest, stem) or [dest / f"{stem}.wiki"] for stem in summary["region_files"]]
    assert any(len(pages) > 1 for pages in regions)  # some regions are split themselves
    every = "".join(_body(p) for p in _parts(dest, "all"))
    assert every == "".join(_body(p) for pages in regions for p in pages)
    assert not [p.name for p in dest.iterdir() if p.name.startswith(".")]


def test_a_monument_without_a_label_gets_an_upload_link_without_an_empty_description(wle):
    labels = pd.DataFrame({"item": ["Q2000000"], "label": ["Naturreservatet Skogsbrynet"], "lang": ["sv"]})
    table = lists.assemble(wle, lists.fold_items(pd.DataFrame({
        "item": ["Q2000000", "Q2000001"], "id": ["2000000", "2000001"], "coord": ["Point(11.5 57.5)", None],
        "image": [None, None], "commons_category": [None, None], "address": [None, None],
        "designation": ["Q179049", "Q179049"], "designation_start": [None, None], "region": ["Q990100", None]})),
        labels, labels, pd.DataFrame({"item": [], "label": [], "lang": []}))
    labelled, bare = table["upload_url"]
    assert "description=Naturreservatet%20Skogsbrynet" in labelled and "caption=" in labelled
    assert "description" not in bare and "caption" not in bare and "lat=" not in bare
    # the same link the offline map builds for an unlabelled marker
    bare_id = upload_id(wle, {"id": "2000001", "item": "Q2000001"})
    assert bare == upload_templates(wle)["plain"].replace("WLKTOKID", bare_id)


def test_a_list_that_shrank_keeps_no_stale_part(wle, tmp_path):
    table, names = _table(wle, 1_200)
    lists.write_lists(wle, table, names, tmp_path, GENERATED, max_page_bytes=20_000)
    dest = tmp_path / "05_lists"
    assert len(_parts(dest, "all")) > 3
    decoy = dest / "all-part-q5.wiki"  # a region named "All part" (Q5): its own page, not a part
    decoy.write_text("== All part (1) ==", encoding="utf-8")

    def parts() -> list[Path]:
        return [p for p in _parts(dest, "all") if p != decoy]

    summary = lists.write_lists(wle, table.head(300), names, tmp_path, GENERATED, max_page_bytes=20_000)
    assert len(parts()) == summary["split_pages"]["all"] > 0  # only this run's parts
    summary = lists.write_lists(wle, table.head(10), names, tmp_path, GENERATED, max_page_bytes=20_000)
    assert "all" not in summary["split_pages"] and not parts()
    assert decoy.exists()
