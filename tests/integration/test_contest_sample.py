"""The campaign without a register end to end on the local services, checked against its known answers.

Fresh services (Wikibase + SPARQL + Commons) load the Italian-style sample (its items, its sample
contest); the lists are built from the campaign's ``scope:`` (P2186 valid on the contest's first
day, in Italy); the Commons fetch writes ``07_contest/``; the contest stage's per-file match and
eligibility must equal ``campaigns/data/wlm-it-sample/contest/answers.csv``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import pytest

from clients.commons import CommonsClient
from clients.commons_fetch import fetch_contest
from core.settings import Target
from modeling.campaign import load_campaign
from modeling.contest.stage import run_contest
from pipelines.lists_build import build_lists
from sandbox.commons.loading import load_samples
from sandbox.services import free_port, start_services, stop_services

ROOT = Path(__file__).resolve().parents[2]
CAMPAIGN = ROOT / "campaigns" / "wlm-it-sample.yaml"
SAMPLE = ROOT / "campaigns" / "data" / "wlm-it-sample" / "contest"

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory, services_factory_module) -> tuple[Path, dict]:
    services = services_factory_module
    loaded = load_samples(services.info, [CAMPAIGN])
    target = services.target.model_copy(update={"commons_api_url": services.info.commons_api_url})
    camp = load_campaign(CAMPAIGN)
    out = tmp_path_factory.mktemp("wlm-it")
    lists = build_lists(camp, target, out)
    cats = pd.read_csv(out / "05_lists" / "all.csv", dtype=str)["commons_category"].dropna()
    fetched = fetch_contest(CommonsClient.for_target(target), camp.contest_category, cats, out / "07_contest")
    contest = run_contest(camp, out)
    return out, {"loaded": loaded, "lists": lists, "fetched": fetched, "contest": contest}


@pytest.fixture(scope="module")
def services_factory_module(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Fresh services for this module (the sample's items must not meet other tests' edits)."""
    data_dir = tmp_path_factory.mktemp("wlkit-services-it")
    info = start_services(data_dir, free_port(), free_port(), seed=True)
    try:
        yield SimpleNamespace(info=info, target=Target(
            name="local", api_url=info.api_url, sparql_url=info.sparql_url,
            user_agent="wikiloves-kit-tests/0.1 (tests@example.org)"))
    finally:
        stop_services(data_dir, pid=info.pid)


def test_lists_come_from_the_scope(run: tuple[Path, dict]) -> None:
    out, result = run
    monuments = pd.read_csv(SAMPLE / "monuments.csv")
    in_scope = monuments[monuments["in_scope"]]
    listed = pd.read_csv(out / "05_lists" / "all.csv", dtype=str)
    assert result["loaded"]["wlm-it-sample"]["items"] > len(monuments)
    assert result["lists"]["items"] == len(in_scope) == 130
    assert set(listed["item"]) == set(in_scope["item"])  # expired, future and foreign IDs left out
    assert set(listed["id"]) == set(in_scope["id"])


def test_fetch_and_contest_match_the_known_answers(run: tuple[Path, dict]) -> None:
    out, result = run
    answers = pd.read_csv(SAMPLE / "answers.csv", keep_default_na=False).set_index("title")
    assert result["fetched"]["uploads"] == len(answers)
    assert result["fetched"]["category_files"] > 0
    matches = pd.read_parquet(out / "07_contest" / "matches.parquet").set_index("title")
    elig = pd.read_csv(out / "07_contest" / "eligibility.csv", keep_default_na=False).set_index("title")
    assert matches.loc[answers.index, "status"].tolist() == answers["status"].tolist()
    matched = answers[answers["status"] == "matched"]
    assert matches.loc[matched.index, "monument_id"].tolist() == matched["monument_ids"].tolist()
    assert matches.loc[matched.index, "item"].tolist() == matched["items"].tolist()
    got = elig.loc[answers.index, "reasons"].map(lambda r: ";".join(sorted(r.split(";"))) if r else "")
    want = answers["reasons"].map(lambda r: ";".join(sorted(r.split(";"))) if r else "")
    assert (got == want).all(), pd.DataFrame({"got": got, "want": want})[got != want]
    assert result["contest"]["eligible"] == int(answers["eligible"].sum())
