"""Matching and eligibility against the hand-checked small contest."""

from __future__ import annotations

import re
from datetime import date

import pytest

from core.errors import CampaignError
from modeling.contest.eligibility import check_eligibility, jury_export, reason_counts
from modeling.contest.match import match_uploads, review_rows, template_regex
from modeling.contest.rules import rules_from_campaign


@pytest.fixture(scope="module")
def contest(contest_small):
    data = contest_small.build()
    data.expected = contest_small
    data.result = match_uploads(data.uploads, data.monuments, data.rules, data.category_files)
    return data


def test_every_upload_gets_its_status_item_and_channels(contest):
    files = contest.result.files.set_index("title")
    got = {
        t: (r["status"], r["item"] if isinstance(r["item"], str) else None, r["channels"])
        for t, r in files.iterrows()
    }
    assert got == contest.expected.EXPECTED_STATUS


def test_review_lists_the_unmatched_with_reasons(contest):
    review = review_rows(contest.result.files, contest.uploads).set_index("title")
    assert sorted(review.index) == ["File:Fel id.jpg", "File:Okänd.jpg", "File:Två.jpg"]
    assert review.loc["File:Fel id.jpg", "reason"] == "unknown ID: 21399999999999"
    assert review.loc["File:Två.jpg", "reason"] == "matched to several monuments: Q105, Q106"
    assert "no ID" in review.loc["File:Okänd.jpg", "reason"]


def test_template_regex_follows_mediawiki_name_rules():
    text = "{{monument_Sweden |  21300000000101 |foo=1}} {{Template:Monument Sweden|1=X}} {{Monument Swedenx|9}}"
    assert re.findall(template_regex("Monument Sweden"), text) == ["21300000000101", "X"]


def test_id_format_maps_list_ids_to_template_ids(contest):
    """The template carries what the upload link's id_template made of the identifier."""
    from dataclasses import replace

    uploads = contest.uploads.assign(
        wikitext=contest.uploads["wikitext"].str.replace(
            "{{Monument Sweden|", "{{Monument Sweden|bbr-", regex=False
        ),
        category_sortkeys=[[] for _ in range(len(contest.uploads))],
    )
    prefixed = match_uploads(
        uploads, contest.monuments, replace(contest.rules, id_format="bbr-{id}")
    )
    plain = match_uploads(uploads, contest.monuments, contest.rules)
    assert prefixed.files.set_index("title").loc["File:Vreta kyrka 1.jpg", "item"] == "Q101"
    assert plain.files.set_index("title").loc["File:Vreta kyrka 1.jpg", "status"] == "unknown_id"


def test_every_reason_per_file(contest):
    regions = contest.monuments.set_index("item")["region"]
    elig = check_eligibility(
        contest.uploads, contest.result.files, contest.rules, regions
    ).set_index("title")
    assert elig["reasons"].to_dict() == contest.expected.EXPECTED_REASONS
    assert elig.loc["File:Vreta kopia.jpg", "duplicate_of"] == "File:Vreta kyrka 1.jpg"
    counts = reason_counts(elig.reset_index())
    assert counts["eligible"] == 2 and counts["no_id"] == 3 and counts["by_organiser"] == 0


def test_a_file_can_have_several_reasons(contest):
    up = contest.uploads.copy()
    row = up["title"] == "File:Herrgården jury.jpg"
    up.loc[row, ["width", "height", "mime"]] = [800, 600, "image/svg+xml"]
    elig = check_eligibility(up, contest.result.files, contest.rules).set_index("title")
    assert (
        elig.loc["File:Herrgården jury.jpg", "reasons"] == "below_min_resolution;file_type;by_juror"
    )


def test_jury_export_has_only_eligible_files(contest):
    regions = contest.monuments.set_index("item")["region"]
    jury = jury_export(
        check_eligibility(contest.uploads, contest.result.files, contest.rules, regions)
    )
    assert jury.to_dict("records") == [
        {
            "file": "Vreta kyrka 1.jpg",
            "uploader": "Anna",
            "monument_id": "21300000000101",
            "item": "Q101",
            "region": "Q501",
        },
        {
            "file": "Vreta kyrka 2.jpg",
            "uploader": "Anna",
            "monument_id": "21300000000101",
            "item": "Q101",
            "region": "Q501",
        },
    ]


def test_rules_defaults_and_errors(contest_small):
    campaign_stub = contest_small.campaign_stub
    rules = rules_from_campaign(campaign_stub())
    assert (rules.start, rules.end, rules.min_megapixels, rules.country_code) == (
        date(2026, 9, 1),
        date(2026, 9, 30),
        2.0,
        "se",
    )
    assert len(rules.days()) == 30
    with pytest.raises(CampaignError, match=r"contest\.end"):
        rules_from_campaign(campaign_stub(start=date(2026, 9, 30), end=date(2026, 9, 1)))
