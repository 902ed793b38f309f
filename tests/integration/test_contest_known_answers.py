"""The contest stage against the sample contests' known answers, through the local Commons.

For each bundled campaign: its generated sample contest (``data/<id>/contest/commons.jsonl``) is
loaded into the local Commons, fetched with the real client (50 titles per request), and the
contest stage runs on it with the monuments the answers assume (``monuments.csv``). Every
upload's status, monument ID, channels, eligibility and reasons must equal ``answers.csv``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from clients.commons import CommonsClient
from clients.commons_fetch import fetch_contest
from core.settings import Target
from modeling.campaign import load_campaign
from modeling.contest.stage import run_contest
from sandbox.commons.loading import load_commons
from sandbox.services import free_port, start_services, stop_services

ROOT = Path(__file__).resolve().parents[2]
CAMPAIGNS = sorted(p for p in (ROOT / "campaigns").glob("*-sample.yaml")
                   if (ROOT / "campaigns" / "data" / p.stem / "contest" / "answers.csv").exists())
pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def services(tmp_path_factory):
    """Unseeded local services of their own (the sample contests go into their Commons)."""
    data_dir = tmp_path_factory.mktemp("contest-services")
    info = start_services(data_dir, wikibase_port=free_port(), sparql_port=free_port(), seed=False)
    try:
        yield info
    finally:
        stop_services(data_dir)


def _monuments(contest_dir: Path, out: Path) -> None:
    """05_lists/all.csv from the monuments the answers assume (an item for those not yet created)."""
    mons = pd.read_csv(contest_dir / "monuments.csv", dtype=str, keep_default_na=False)
    mons = mons[mons["in_scope"].str.lower() == "true"].reset_index(drop=True)
    placeholder = "Q99" + pd.Series(range(len(mons))).astype(str).str.zfill(6)
    mons["item"] = mons["item"].where(mons["item"] != "", placeholder)
    (out / "05_lists").mkdir(parents=True)
    mons.assign(region_label=mons["region"], lat="", lon="", image="").to_csv(out / "05_lists" / "all.csv", index=False)


def _channels(value: str) -> str:
    return ";".join(sorted(v for v in value.split(";") if v))


@pytest.mark.parametrize("path", CAMPAIGNS, ids=lambda p: p.stem)
def test_contest_matches_the_known_answers(path: Path, services, tmp_path: Path):
    campaign = load_campaign(path)
    contest_dir = ROOT / "campaigns" / "data" / campaign.id / "contest"
    load_commons(services.commons_api_url, [contest_dir / "commons.jsonl"], secret=services.admin_secret)
    _monuments(contest_dir, tmp_path)
    target = Target(name="local", api_url=services.api_url, sparql_url=services.sparql_url,
                    commons_api_url=services.commons_api_url, user_agent="wikiloves-kit-tests/0.1")
    cats = pd.read_csv(tmp_path / "05_lists" / "all.csv", dtype=str, keep_default_na=False)["commons_category"]
    fetch_contest(CommonsClient.for_target(target), campaign.contest_category, [c for c in cats if c],
                  tmp_path / "07_contest")
    summary = run_contest(campaign, tmp_path)
    answers = pd.read_csv(contest_dir / "answers.csv", dtype=str, keep_default_na=False).set_index("title")
    got = pd.read_parquet(tmp_path / "07_contest" / "matches.parquet").set_index("title")
    elig = pd.read_csv(tmp_path / "07_contest" / "eligibility.csv", dtype=str, keep_default_na=False).set_index("title")
    assert sorted(got.index) == sorted(answers.index)
    assert summary["uploads"] == len(answers)
    mismatches = []
    for title, want in answers.iterrows():
        row, e = got.loc[title], elig.loc[title]
        ids = row["monument_id"] if row["status"] == "matched" else ""
        have = (row["status"], ids if isinstance(ids, str) else "", _channels(row["channels"]),
                e["eligible"], e["reasons"])
        expect = (want["status"], want["monument_ids"] if want["status"] == "matched" else "",
                  _channels(want["channels"]) if want["status"] == "matched" else "", want["eligible"], want["reasons"])
        if have != expect:
            mismatches.append((title, want["case"], have, expect))
    assert mismatches == []
    assert len(answers) > 30 and {"matched", "unmatched", "several_monuments", "unknown_id"} <= set(got["status"])
    assert (elig["eligible"] == "True").sum() > 0 and (elig["eligible"] == "False").sum() > 0
