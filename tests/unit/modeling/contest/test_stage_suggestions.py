"""Suggestions and the whole stage on files (05_lists + the fetch → 07_contest)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from core.errors import InputError
from modeling.contest.eligibility import check_eligibility
from modeling.contest.match import match_uploads
from modeling.contest.stage import run_contest
from modeling.contest.suggestions import (
    MIN_CATEGORY_FILES,
    accepted,
    suggest_p18,
    suggest_p180,
    suggest_p373,
)


@pytest.fixture
def contest(contest_small):
    d = contest_small.build()
    d.files = match_uploads(d.uploads, d.monuments, d.rules, d.category_files).files
    d.elig = check_eligibility(d.uploads, d.files, d.rules)
    return d


def test_p18_takes_the_most_used_eligible_photo_of_monuments_without_image(contest):
    d = contest
    p18 = suggest_p18(d.monuments, d.uploads, d.elig)
    # Q101's two eligible photos: "Vreta kyrka 1.jpg" is used on 2 pages; Q102 already has an image.
    assert p18[["entity", "property", "value"]].values.tolist() == [
        ["Q101", "P18", "Vreta kyrka 1.jpg"]
    ]


def test_p373_needs_files_of_one_monument_only(contest):
    d = contest
    up = d.uploads.copy()
    for title in ("File:Fyren liten.jpg", "File:Fyren gammal.jpg"):
        row = up.index[up["title"] == title][0]
        up.at[row, "categories"] = [*up.at[row, "categories"], "Category:Fyren på Kungsholmen"]
    row = up.index[up["title"] == "File:Vreta kyrka 1.jpg"][0]
    up.at[row, "categories"] = [*up.at[row, "categories"], "Category:Churches in Linköping"]
    p373 = suggest_p373(d.monuments, up, d.files, d.rules)
    assert MIN_CATEGORY_FILES == 2
    assert p373[["entity", "value"]].values.tolist() == [["Q105", "Fyren på Kungsholmen"]]


def test_p180_only_on_files_with_an_id_and_no_depicts(contest):
    d = contest
    p180 = suggest_p180(d.monuments, d.uploads, d.files)
    titles = set(p180["file"])
    assert "File:Vreta kyrka 2.jpg" not in titles  # already depicts Q101
    assert "File:Gamla bron SDC.jpg" not in titles  # no ID
    assert "File:Vreta kyrka 1.jpg" in titles and len(titles) == 7
    row = p180[p180["file"] == "File:Vreta kyrka 1.jpg"].iloc[0]
    assert (row["entity"], row["property"], row["value"]) == ("M1001", "P180", "Q101")


def test_accepted_reads_what_a_person_typed():
    frame = pd.DataFrame({"accept": ["yes", " Y ", "", "no", "x", None, "TRUE"]})
    assert accepted(frame).index.tolist() == [0, 1, 4, 6]


def test_run_contest_writes_every_file_and_keeps_accepts(tmp_path, contest_small):
    contest_small.write_run(tmp_path, contest_small.build())
    campaign = contest_small.campaign_stub(
        id_template="Monument Sweden",
        jurors=["Juror Jo"],
        tracker_category="Category:Cultural heritage monuments in Sweden with known IDs",
    )
    summary = run_contest(campaign, tmp_path)
    dest = tmp_path / "07_contest"
    for name in (
        "matches.parquet",
        "review.csv",
        "daily.csv",
        "uploaders.csv",
        "regions.csv",
        "coverage.csv",
        "curve.csv",
        "monuments.parquet",
        "eligibility.csv",
        "jury.csv",
        "suggestions_p18.csv",
        "suggestions_p373.csv",
        "suggestions_p180.csv",
        "summary.json",
    ):
        assert (dest / name).exists(), name
    assert json.loads((dest / "summary.json").read_text()) == summary
    assert (summary["uploads"], summary["matched"], summary["review"], summary["eligible"]) == (
        13,
        10,
        3,
        2,
    )
    p180 = pd.read_csv(dest / "suggestions_p180.csv", dtype=str, keep_default_na=False)
    p180.loc[p180["entity"] == "M1001", "accept"] = "yes"
    p180.to_csv(dest / "suggestions_p180.csv", index=False)
    run_contest(campaign, tmp_path)
    again = pd.read_csv(dest / "suggestions_p180.csv", dtype=str, keep_default_na=False)
    assert again.set_index("entity").loc["M1001", "accept"] == "yes"
    assert (again["accept"] == "yes").sum() == 1


def test_missing_lists_stage_is_named(tmp_path, contest_small):
    with pytest.raises(InputError, match=r"05_lists/all\.csv.*wlkit lists"):
        run_contest(contest_small.campaign_stub(), tmp_path)


def test_at_must_be_a_day(tmp_path, contest_small):
    contest_small.write_run(tmp_path, contest_small.build())
    with pytest.raises(InputError, match="--at should be a day"):
        run_contest(contest_small.campaign_stub(), tmp_path, at="15/09/2026")


def test_an_empty_contest_before_the_first_upload(tmp_path, contest_small):
    """Run daily from before September: no upload yet is a valid contest, not an error."""
    from reports.contest import write_contest_reports

    data = contest_small.build()
    data.uploads, data.users = data.uploads.iloc[0:0], data.users.iloc[0:0]
    contest_small.write_run(tmp_path, data)
    campaign = contest_small.campaign_stub(id_template="Monument Sweden")
    campaign.name, campaign.languages = "Empty", ["sv"]
    summary = run_contest(campaign, tmp_path)
    assert (summary["uploads"], summary["matched"], summary["newly_pictured"]) == (0, 0, 0)
    assert summary["photographed_before"] == 3 and summary["not_pictured"] == 4
    pages = write_contest_reports(campaign, tmp_path)
    assert "0 uploads" in Path(pages["dashboard"]).read_text(encoding="utf-8").replace("</b>uploads", " uploads")
