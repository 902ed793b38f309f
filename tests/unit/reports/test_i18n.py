"""Translations: every message has a Swedish text, catalogues compile in memory, env stays clean."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from reports import i18n
from reports.checklist import build_checklist, render_checklist
from reports.environment import get_environment
from reports.facts import collect_facts

REPORTS = Path(i18n.__file__).parent
SV_PO = REPORTS / "locale" / "sv" / "LC_MESSAGES" / "wlkit.po"


def _extracted() -> set[str]:
    method_map = [("**.py", "python"), ("templates/**.j2", "jinja2")]
    options = {"templates/**.j2": {"extensions": "jinja2.ext.i18n", "trim_blocks": "True",
                                   "lstrip_blocks": "True"}}
    ids = set()
    for _f, _l, message, _c, _x in extract_from_dir(
        str(REPORTS), method_map, options, keywords={"_": None, "gettext": None, "N_": None}
    ):
        ids.add(message if isinstance(message, str) else message[0])
    return ids


def test_every_message_has_a_swedish_translation():
    with SV_PO.open("rb") as fh:
        catalog = read_po(fh, locale="sv")
    translated = {m.id for m in catalog if m.id and m.string}
    extracted = _extracted()
    assert len(extracted) > 80
    assert not sorted(extracted - translated)


def test_placeholders_survive_translation():
    with SV_PO.open("rb") as fh:
        catalog = read_po(fh, locale="sv")
    import re

    for m in catalog:
        if m.id:
            assert set(re.findall(r"\{\w+\}|%\(\w+\)s", m.id)) == set(re.findall(r"\{\w+\}|%\(\w+\)s", m.string)), m.id


def test_swedish_checklist_differs_and_is_translated(wlm_run, wlm, stage_runs):
    items = build_checklist(collect_facts(wlm_run, wlm))
    en = render_checklist(items, wlm, "html", "en")
    sv = render_checklist(items, wlm, "html", "sv")
    assert en != sv
    inp = stage_runs.inputs
    share = stage_runs.pct(inp.rejects, inp.rows, decimal=",")
    assert "Checklista inför kampanjen" in sv and f"{inp.records} poster, {inp.rejects} avvisade ({share})" in sv
    for english in ("Readiness checklist", "Data source found", "not ticked", "records, "):
        assert english not in sv
    assert '<html lang="sv">' in sv


def test_po_is_compiled_in_memory_when_mo_is_missing_or_stale(tmp_path, monkeypatch):
    locale = tmp_path / "locale" / "sv" / "LC_MESSAGES"
    locale.mkdir(parents=True)
    shutil.copy(SV_PO, locale / "wlkit.po")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path / "locale")
    i18n.translations.cache_clear()
    try:
        assert i18n.gettext("Readiness checklist", "sv") == "Checklista inför kampanjen"
        assert not (locale / "wlkit.mo").exists()  # nothing written: no build step
        # a stale .mo (older than the .po) is ignored
        (locale / "wlkit.mo").write_bytes(b"not a catalogue")
        import os

        os.utime(locale / "wlkit.mo", (1, 1))
        i18n.translations.cache_clear()
        assert i18n.gettext("Step", "sv") == "Steg"
    finally:
        i18n.translations.cache_clear()


def test_unknown_language_falls_back_to_english():
    assert i18n.gettext("Readiness checklist", "xx") == "Readiness checklist"
    assert i18n.format_value(1234567, "xx") == "1,234,567"


def test_overlay_leaves_the_project_environment_untouched():
    env = i18n.translated_environment("sv")
    base = get_environment()
    assert env is not base and "_" in env.globals and "_" not in base.globals
    assert "jinja2.ext.InternationalizationExtension" not in base.extensions
    assert env.filters["wikitext"] is base.filters["wikitext"]


@pytest.mark.parametrize("lang", ["en", "sv"])
def test_available_languages(lang):
    assert lang in i18n.available_languages()
