"""reports.filters and the one Jinja environment, with hostile names."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from urllib.parse import parse_qs, urlsplit

import mwparserfromhell
import pytest
from jinja2 import UndefinedError

from reports import filters as f
from reports.environment import get_environment

HOSTILE = [
    "Kyrka | {{Mall}} [[Länk]] <script>alert(1)</script> a=b",
    "=HYPERLINK(\"http://evil\")",
    "+46 8 123", "-cmd", "@SUM(A1)", "\tTab", "\rCR",
    "''bold'' '''x''' ~~~~ __NOTOC__ http://x.org [x]",
    "* list\n# numbered\n{| table\n|}\n! head",
    "}} {{ ]] [[ | = & &amp; &#124;",
    "Åre – ‘Öland’ 😀",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_wikitext_param_is_one_plain_parameter_with_intact_text(text):
    page = "{{Row|name=" + f.wikitext(text) + "|id=1}}\n{| class=\"wikitable\"\n| " + f.wikitext(text) + " || x\n|}"
    code = mwparserfromhell.parse(page)
    (tpl,) = code.filter_templates()
    assert [str(p.name) for p in tpl.params] == ["name", "id"]
    value = tpl.get("name").value
    assert not value.filter_templates() and not value.filter_wikilinks() and not value.filter_tags()
    assert not value.filter_external_links()
    assert html.unescape(str(value)) == re.sub(r"[\r\n\t]+", " ", text)
    assert "\n" not in f.wikitext(text) and "~~~" not in f.wikitext(text) and "''" not in f.wikitext(text)


@pytest.mark.parametrize("text", HOSTILE)
def test_csv_safe_round_trip(text):
    buf = io.StringIO()
    csv.writer(buf).writerow([f.csv_safe(text), f.csv_safe(3), f.csv_safe("-12.5")])
    (row,) = list(csv.reader(io.StringIO(buf.getvalue())))
    assert row[1:] == ["3", "-12.5"]
    assert not row[0].startswith(("=", "+", "-", "@", "\t", "\r"))
    assert row[0] in (text, "'" + text)


@pytest.mark.parametrize("text", HOSTILE)
def test_markdown_escapes_tables_and_html(text):
    out = f.markdown(text)
    assert "<" not in out and "\n" not in out
    assert all(out[i - 1] == "\\" for i, ch in enumerate(out) if ch == "|")


@pytest.mark.parametrize("text", HOSTILE)
def test_html_autoescape_and_json_script(text):
    env = get_environment()
    tpl = env.from_string("<p>{{ v }}</p><script>var d = {{ d|json_script }};</script>")
    # from_string has no file name: autoescape only applies to .html templates, so check one
    assert not env.autoescape("x.wiki.j2") and env.autoescape("x.html.j2") and env.autoescape("x.html")
    out = env.from_string("{% autoescape true %}<p>{{ v }}</p>{% endautoescape %}").render(v=text)
    assert "<script>" not in out.replace("<p>", "")
    script = tpl.render(v="", d={"name": text})
    payload = script.split("var d = ", 1)[1].rsplit(";</script>", 1)[0]
    assert "</script" not in payload and json.loads(payload) == {"name": text}


def test_upload_url_is_encoded_and_wikitext_safe():
    url = f.upload_wizard_url(campaign="wlm-se", id="raa/bbr/1", description="Kyrka | {{x}} ~~~ & =",
                              lang="sv", categories=["Category:Churches in X", "Y"], lat=59.1, lon=18.25)
    assert not any(ch in url for ch in "|{}[]<> ~'\"")
    qs = parse_qs(urlsplit(url).query)
    assert qs["title"] == ["Special:UploadWizard"] and qs["campaign"] == ["wlm-se"] and qs["id"] == ["raa/bbr/1"]
    assert qs["description"] == ["Kyrka | {{x}} ~~~ & ="] and qs["descriptionlang"] == ["sv"]
    assert qs["categories"] == ["Churches in X|Y"] and qs["lat"] == ["59.100000"] and qs["lon"] == ["18.250000"]
    code = mwparserfromhell.parse(f"[{url} Upload]")
    assert [str(e.url) for e in code.filter_external_links()] == [url]
    bare = f.upload_wizard_url(campaign=None, id="Q1", lat=float("nan"), lon=1.0)
    assert "campaign" not in bare and "lat" not in bare


def test_number_formats():
    assert f.number(1234567, "en") == "1,234,567"
    assert f.number(1234567, "sv") == "1\xa0234\xa0567"
    assert f.count_pct(3, 4) == "3 (75%)" and f.count_pct(1, 3) == "1 (33.3%)" and f.count_pct(0, 0) == "0 (0%)"
    assert f.number(None) == "" and f.wikitext(None) == "" and f.wikitext(float("nan")) == ""


def test_environment_is_strict_and_has_the_filters():
    env = get_environment()
    assert env is get_environment()
    for name in ("wikitext", "markdown", "csv_safe", "number", "percent", "count_pct", "json_script"):
        assert name in env.filters
    with pytest.raises(UndefinedError):
        env.from_string("{{ missing }}").render()
    rendered = env.get_template("html/map.html.j2").render(
        title="<T>", lang="sv", points=[], regions=[{"qid": "Q1", "label": "<b>R</b>", "count": 0}],
        counts={"with_image": 0, "without_image": 0, "without_coords": 0, "items": 0}, prefer_canvas=False,
        cluster=False, outlines={"type": "FeatureCollection", "features": []},
        entity_page_base="https://www.wikidata.org/wiki/",
        region_qids=["Q1"], upload={"described": "https://commons.wikimedia.org/x?id=WLKTOKID", "plain": "x"},
        colours={"with": "#0a0", "without": "#a00"}, generated_at="now")
    assert "<title>&lt;T&gt;</title>" in rendered and "&lt;b&gt;R&lt;/b&gt;" in rendered
