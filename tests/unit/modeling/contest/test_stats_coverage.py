"""Statistics and coverage against the hand-checked small contest."""

from __future__ import annotations

import pytest

from modeling.contest import stats
from modeling.contest.coverage import coverage_by_region, coverage_curve, monument_status
from modeling.contest.eligibility import check_eligibility
from modeling.contest.match import match_uploads


@pytest.fixture(scope="module")
def contest(contest_small):
    d = contest_small.build()
    d.files = match_uploads(d.uploads, d.monuments, d.rules, d.category_files).files
    d.status = monument_status(d.monuments, d.uploads, d.files, d.category_files)
    d.elig = check_eligibility(d.uploads, d.files, d.rules)
    return d


def test_monument_status_before_new_and_not_pictured(contest):
    st = contest.status.set_index("item")
    assert st["status"].to_dict() == {
        "Q101": "newly_pictured",
        "Q102": "photographed_before",
        "Q103": "photographed_before",
        "Q104": "photographed_before",
        "Q105": "newly_pictured",
        "Q106": "newly_pictured",
        "Q107": "not_pictured",
    }
    assert st.loc["Q101", "uploads"] == 4 and st.loc["Q101", "first_upload"] == "2026-09-01"


def test_coverage_at_a_date_counts_only_uploads_until_then(contest):
    d = contest
    st = monument_status(
        d.monuments, d.uploads, d.files, d.category_files, at="2026-09-03"
    ).set_index("item")
    assert st.loc[["Q101", "Q105", "Q106"], "status"].tolist() == [
        "newly_pictured",
        "not_pictured",
        "not_pictured",
    ]


def test_items_created_after_the_date_were_not_on_wikidata(contest):
    d = contest
    created = {"Q107": "2026-09-10"}
    early = monument_status(
        d.monuments, d.uploads, d.files, d.category_files, at="2026-09-03", created=created
    )
    late = monument_status(
        d.monuments, d.uploads, d.files, d.category_files, at="2026-09-20", created=created
    )
    assert int(early["on_wikidata"].sum()) == 6 and int(late["on_wikidata"].sum()) == 7


def test_coverage_per_region_and_total(contest):
    table = coverage_by_region(contest.status).set_index("region_label")
    assert table.loc[
        "Linköping", ["in_scope", "photographed_before", "newly_pictured", "not_pictured"]
    ].tolist() == [2, 1, 1, 0]
    assert table.loc["Söderköping", ["in_scope", "newly_pictured", "not_pictured"]].tolist() == [
        3,
        2,
        1,
    ]
    total = table.loc["total"]
    assert (total["in_scope"], total["photographed"], total["photographed_pct"]) == (7, 6, 85.7)


def test_curve_over_the_contest_days(contest):
    curve = coverage_curve(contest.status, contest.rules).set_index("date")
    assert len(curve) == 30
    assert curve.loc[
        ["2026-09-01", "2026-09-03", "2026-09-04", "2026-09-06", "2026-09-30"], "newly_pictured"
    ].tolist() == [1, 1, 2, 3, 3]
    assert curve.loc["2026-09-30", "photographed"] == 6


def test_daily_counts_uploaders_new_uploaders_and_cumulative(contest):
    d = contest
    day = stats.daily(d.uploads, d.users, d.rules).set_index("date")
    assert len(day) == 31  # the 30 contest days + the late upload on 1 October
    assert day.loc["2026-09-02", ["uploads", "uploaders", "new_uploaders"]].tolist() == [2, 2, 1]
    assert day.loc[
        "2026-09-05", ["cumulative_uploads", "cumulative_uploaders", "cumulative_new_uploaders"]
    ].tolist() == [10, 5, 2]
    assert day.loc["2026-09-15", "uploads"] == 0
    assert day["uploads"].sum() == 13 and day.iloc[-1]["cumulative_uploaders"] == 6


def test_uploaders_table(contest):
    d = contest
    table = stats.uploaders(d.uploads, d.users, d.files, d.elig, d.rules).set_index("user")
    assert table.index[0] == "Anna"
    assert table.loc["Anna", ["uploads", "eligible", "monuments", "images_in_use"]].tolist() == [
        4,
        2,
        2,
        1,
    ]
    assert table["new"].to_dict() == {
        "Anna": False,
        "Bertil": True,
        "Cecilia": False,
        "David": False,
        "Erik": True,
        "Juror Jo": False,
    }


def test_regions_table_and_summary(contest):
    d = contest
    table = stats.regions(d.status, d.files, d.uploads)
    assert table["region_label"].tolist() == ["Linköping", "Söderköping", "Norrköping"]
    assert table.iloc[0][
        ["photographed_in_contest", "newly_pictured", "uploads", "uploaders"]
    ].tolist() == [2, 1, 5, 3]
    s = stats.summary(d.uploads, d.users, d.files, d.status, d.elig, d.rules)
    assert {
        k: s[k]
        for k in (
            "uploads",
            "uploaders",
            "new_uploaders",
            "images_in_use",
            "matched",
            "without_id",
            "newly_pictured",
            "photographed_before",
            "not_pictured",
            "eligible",
        )
    } == {
        "uploads": 13,
        "uploaders": 6,
        "new_uploaders": 2,
        "images_in_use": 1,
        "matched": 10,
        "without_id": 3,
        "newly_pictured": 3,
        "photographed_before": 3,
        "not_pictured": 1,
        "eligible": 2,
    }
    assert s["without_id_pct"] == 23.1
