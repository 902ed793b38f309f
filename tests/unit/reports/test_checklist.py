"""Readiness checklist: ticks come only from measured facts, and move when the facts change."""

from __future__ import annotations

import csv
import shutil
from datetime import date, timedelta

import mwparserfromhell

from modeling.ledger import Ledger
from reports.checklist import NOT_TICKED, STEPS, TICKED, UNKNOWN, build_checklist, render_checklist
from reports.facts import Facts, collect_facts


def _by_key(items):
    return {i.key: i for i in items}


def test_nothing_is_ticked_by_default():
    items = build_checklist(Facts("empty", None))
    assert [i.key for i in items] == list(STEPS)
    assert all(i.status != TICKED for i in items)


def test_run_stages_are_unknown_without_a_run_dir(wlm):
    items = _by_key(build_checklist(collect_facts(None, wlm)))
    for key in ("ingest", "reconcile", "dry_run", "upload", "coordinates", "labels", "lists"):
        assert items[key].status == UNKNOWN, key
    # YAML facts are known: licence CC0, contact given, identifier not verified
    assert items["licence"].status == TICKED
    assert items["owner"].status == TICKED
    assert items["identifier"].status == NOT_TICKED


def test_full_run_ticks_with_evidence(wlm_run, wlm, inputs):
    items = _by_key(build_checklist(collect_facts(wlm_run, wlm)))
    ingest = items["ingest"]
    assert ingest.status == TICKED  # 3 of 70 rows rejected: below the 5 % bar
    assert ingest.params["records"] == inputs.records and ingest.params["rejects"] == inputs.rejects
    assert ingest.evidence.file.endswith("01_ingest/rejects.csv")
    assert ingest.evidence.date == date.today()
    assert items["reconcile"].status == NOT_TICKED  # the seed's ambiguous records wait for review
    assert items["reconcile"].params["review"] == inputs.review > 0
    assert (items["reconcile"].params["matched"], items["reconcile"].params["new"]) == (inputs.matched, inputs.new)
    # the rows rejected for their position count as records without coordinates
    coordinates = items["coordinates"]
    assert (coordinates.params["with"], coordinates.params["total"]) == (
        inputs.records, inputs.records + inputs.coordinate_rejects)
    assert coordinates.status == TICKED  # 67 of 69: above the 95 % bar
    assert items["upload"].status == TICKED
    assert items["upload"].params["held"] == inputs.held > 0
    assert items["labels"].status == NOT_TICKED  # the campaign labels in Swedish only
    assert items["lists"].status == TICKED and items["lists"].params["items"] == inputs.planned
    assert items["statistics"].status == NOT_TICKED  # stats exist, not published
    assert items["dry_run"].status == NOT_TICKED  # dry_run.md exists, never reviewed


def test_adding_rejects_moves_the_tick(wlm_run, wlm, inputs):
    assert _by_key(build_checklist(collect_facts(wlm_run, wlm)))["ingest"].status == TICKED
    with (wlm_run / "01_ingest" / "rejects.csv").open("a", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        for k in range(10):
            w.writerow([500 + k, "N_KOORD", "coordinate is not a number", "abc"])
    ingest = _by_key(build_checklist(collect_facts(wlm_run, wlm)))["ingest"]
    assert ingest.status == NOT_TICKED
    assert ingest.params["rejects"] == inputs.rejects + 10
    assert abs(ingest.params["rate"].part / ingest.params["rate"].total
               - (inputs.rejects + 10) / (inputs.rows + 10)) < 1e-9


def test_ledger_completion_moves_the_tick(stage_runs, wlm):
    """The target refused FAILED_WRITES writes of the first upload; the second upload wrote them."""
    planned, failed = stage_runs.inputs.planned, stage_runs.failed_writes
    upload = _by_key(build_checklist(collect_facts(stage_runs.failed_upload, wlm)))["upload"]
    assert upload.status == NOT_TICKED
    assert (upload.params["done"], upload.params["planned"], upload.params["failed"]) == (
        planned - failed, planned, failed)
    with Ledger(stage_runs.failed_upload / "04_upload" / "ledger.sqlite") as ledger:
        assert sum(row.status == "failed" for row in ledger.rows(wlm.id)) == failed
    upload = _by_key(build_checklist(collect_facts(stage_runs.wlm, wlm)))["upload"]
    assert upload.status == TICKED
    assert upload.params["done"] == upload.params["planned"] == planned
    assert upload.params["failed"] == 0


def test_missing_stage_file_makes_the_fact_unknown(wlm_run, wlm):
    shutil.rmtree(wlm_run / "02_reconcile")
    for name in ("dry_run.md", "dry_run.html"):  # the dry run writes both
        (wlm_run / "04_upload" / name).unlink()
    items = _by_key(build_checklist(collect_facts(wlm_run, wlm)))
    assert items["reconcile"].status == UNKNOWN
    assert items["dry_run"].status == UNKNOWN


def test_dry_run_review_date_must_not_predate_the_report(wlm_run, wlm):
    old = wlm.model_copy(deep=True)
    old.report.dry_run_reviewed = date.today() - timedelta(days=3)
    assert _by_key(build_checklist(collect_facts(wlm_run, old)))["dry_run"].status == NOT_TICKED
    new = wlm.model_copy(deep=True)
    new.report.dry_run_reviewed = date.today()
    assert _by_key(build_checklist(collect_facts(wlm_run, new)))["dry_run"].status == TICKED


def test_identifier_needs_verification_and_existence(wlm):
    verified = wlm.model_copy(deep=True)
    verified.mapping.identifier.verified = True
    facts = collect_facts(None, verified)
    assert _by_key(build_checklist(facts))["identifier"].status == TICKED
    facts.add("identifier.exists", False, file="http://127.0.0.1:1/w/api.php", date=date.today())
    item = _by_key(build_checklist(facts))["identifier"]
    assert item.status == NOT_TICKED and "127.0.0.1" in item.params["target"]


def test_labels_tick_when_every_language_is_covered(stage_runs, wlm):
    # the same records planned with mapping.labels.en as well
    assert set(stage_runs.labels_inputs.labelled) == set(wlm.languages)
    labels = _by_key(build_checklist(collect_facts(stage_runs.labels, wlm)))["labels"]
    assert labels.status == TICKED
    assert {s.lang: s.part for s in labels.params["shares"]} == dict.fromkeys(
        wlm.languages, stage_runs.labels_inputs.records)


def test_wikitext_checklist_parses_into_one_table(wlm_run, wlm, stage_runs):
    items = build_checklist(collect_facts(wlm_run, wlm))
    text = render_checklist(items, wlm, "wiki", "en")
    code = mwparserfromhell.parse(text)
    tables = code.filter_tags(matches=lambda n: n.tag == "table")
    assert len(tables) == 1
    rows = [t for t in tables[0].contents.filter_tags(recursive=False) if t.tag == "tr"]
    assert len(rows) == len(STEPS)  # one row per step (the header precedes the first |-)
    for row in rows:
        cells = [c for c in row.contents.filter_tags(recursive=False) if c.tag == "td"]
        assert len(cells) == 3, str(row)[:200]
    assert not code.filter_templates()  # nothing in the data became a template call
    inp = stage_runs.inputs
    assert f"{inp.records} records, {inp.rejects} rejected ({stage_runs.pct(inp.rejects, inp.rows)})" in text


def test_markdown_checklist_lists_every_step_and_status(wlm_run, wlm):
    items = build_checklist(collect_facts(wlm_run, wlm))
    text = render_checklist(items, wlm, "md", "en")
    table = [line for line in text.splitlines() if line.startswith("| ") and ("☑" in line or "☐" in line)]
    assert len(table) == len(STEPS)
    assert "Wikidata:WikiProject WLM" in text  # resources beside their step
    assert "Wiki Loves Earth" not in text  # natural-heritage resources stay out of a WLM report
