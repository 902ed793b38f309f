"""Recommendations carry the real numbers of the gaps, and follow the heritage type."""

from __future__ import annotations

from datetime import date

import mwparserfromhell
import pytest

from core.errors import CampaignError
from reports.facts import Facts, collect_facts
from reports.recommendations import (
    build_recommendations,
    gap_metrics,
    load_rules,
    render_recommendations,
)


def _ids(recs):
    return {r.id for r in recs}


def test_coordinates_gap_states_the_numbers(wlm):
    facts = Facts(wlm.id, None)
    facts.add("coordinates.with", 4120 - 312, total=4120, file="x/01_ingest/records.parquet",
              date=date(2026, 9, 2))
    recs = {r.id: r for r in build_recommendations(facts, wlm)}
    text = recs["coordinates"].text("en")
    assert text.startswith("312 of 4,120 monuments (7.6%) have no coordinates: ask the data owner")
    sv = recs["coordinates"].text("sv")
    assert sv.startswith("312 av 4\u00a0120 kulturminnen (7,6%) saknar koordinater")


def test_run_gaps_use_measured_counts(wlm_run, wlm, stage_runs):
    inp, pct = stage_runs.inputs, stage_runs.pct
    recs = {r.id: r for r in build_recommendations(collect_facts(wlm_run, wlm), wlm)}
    assert (f"{inp.review} of {inp.records} records ({pct(inp.review, inp.records)}) "
            "wait for a human decision") in recs["review-queue"].text()
    assert (f"{inp.rejects} of {inp.rows} register rows ({pct(inp.rejects, inp.rows)}) "
            "were rejected") in recs["rejects"].text()
    no_en = inp.records - inp.with_label("en")  # only the matched items' own English labels
    assert (f"{no_en} of {inp.records} items ({pct(no_en, inp.records)}) "
            "have no label in English") in recs["labels-en"].text()
    assert "labels-sv" not in recs  # every plan has a Swedish label
    assert (f"{inp.held} of {inp.records} item plans ({pct(inp.held, inp.records)}) "
            "are held") in recs["held-plans"].text()
    # the staging seed has no P18: no listed monument has an image
    assert f"{inp.planned} of {inp.planned} monuments on Wikidata (100%) have no image" in recs["images"].text()
    assert "P1260" in recs["identifier-unverified"].text()
    assert "upload-failed" not in recs and "licence" not in recs


def test_gaps_come_before_modelling_and_by_priority(wlm_run, wlm):
    recs = build_recommendations(collect_facts(wlm_run, wlm), wlm)
    kinds = [r.kind for r in recs]
    assert kinds == sorted(kinds, key=lambda k: k != "gap")
    gaps = [r.priority for r in recs if r.kind == "gap"]
    assert gaps == sorted(gaps)


def test_thresholds_hold_small_gaps_back(stage_runs, wlm):
    # the whole register without its bad lines but one: 1 of 330 rows, below min_ratio 1 %
    low = stage_runs.low_rejects_inputs
    assert low.rejects == 1 and low.rejects / low.rows < 0.01
    assert "rejects" not in _ids(build_recommendations(collect_facts(stage_runs.low_rejects, wlm), wlm))
    # the base cut: 3 of 70 rows, above it
    assert stage_runs.inputs.rejects / stage_runs.inputs.rows > 0.01
    assert "rejects" in _ids(build_recommendations(collect_facts(stage_runs.wlm, wlm), wlm))


def test_modelling_follows_the_heritage_type(wlm, wle):
    built = _ids(r for r in build_recommendations(collect_facts(None, wlm), wlm) if r.kind == "modelling")
    natural = {r.id: r for r in build_recommendations(collect_facts(None, wle), wle) if r.kind == "modelling"}
    assert {"wlm-class", "wlm-address", "references"} <= built
    assert not any(i.startswith("wle-") for i in built)
    assert {"wle-centroid", "wle-iucn", "wle-wdpa", "references"} <= set(natural)
    # the WLE sample computes the area already, the WLM sample has a designation start column
    assert "wle-area" not in natural and "wlm-designation-start" not in built
    no_area = wle.model_copy(deep=True)
    no_area.mapping.area = False
    assert "wle-area" in _ids(build_recommendations(collect_facts(None, no_area), no_area))


def test_natural_heritage_noun(wle):
    facts = Facts(wle.id, None)
    facts.add("coordinates.with", 8, total=10)
    rec = next(r for r in build_recommendations(facts, wle) if r.id == "coordinates")
    assert rec.text().startswith("2 of 10 protected areas (20%)")
    assert rec.text("sv").startswith("2 av 10 skyddade områden (20%)")


def test_metrics_are_absent_for_unmeasured_facts(wlm):
    metrics = gap_metrics(collect_facts(None, wlm))
    assert "without_coordinates" not in metrics and "review_queue" not in metrics
    assert metrics["identifier_unverified"].count == 1


def test_rule_file_errors_name_the_file(tmp_path):
    bad = tmp_path / "rules.yaml"
    bad.write_text("nouns: {built: {en: x}}\ngaps:\n  - {id: a, metric: nope, step: ingest, message: {en: x}}\n"
                   "modelling: []\n", encoding="utf-8")
    with pytest.raises(CampaignError, match=r"rules\.yaml.*unknown metrics \['nope'\]"):
        load_rules(bad)


def test_rendered_recommendations(wlm_run, wlm, stage_runs):
    inp = stage_runs.inputs
    total = inp.records + inp.coordinate_rejects  # the rows rejected for their position count
    gap = f"{inp.coordinate_rejects} of {total} monuments ({stage_runs.pct(inp.coordinate_rejects, total)})"
    facts = collect_facts(wlm_run, wlm)
    recs = build_recommendations(facts, wlm)
    wiki = render_recommendations(recs, wlm, "wiki", "en")
    code = mwparserfromhell.parse(wiki)
    assert not code.filter_templates()
    assert [h.title.strip() for h in code.filter_headings()][1:] == ["Gaps found", "Modelling"]
    assert f"{gap} have no coordinates" in wiki
    html = render_recommendations(recs, wlm, "html", "en", gap_metrics(facts))
    assert 'src="data:image/png;base64,' in html
    assert gap in html
