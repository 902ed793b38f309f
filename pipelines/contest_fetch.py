"""fetch_contest_task: the Commons side of a contest → ``07_contest/`` (the contest stage's inputs).

Reads the campaign's contest category (``contest.category``) from the target's Commons API
(``commons_api_url``; the local Commons for ``--target local``) and the files in the Commons
categories (P373) of the monuments the lists stage found (``05_lists/all.csv``). The task passes
paths and a small summary only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from prefect import task

from clients.commons import CommonsClient
from clients.commons_fetch import fetch_contest
from core.layout import stage_dir
from core.settings import load_target
from modeling.campaign import load_campaign
from modeling.contest.frames import read_monuments
from pipelines._options import LOCAL_TASK


@task(**LOCAL_TASK)
def fetch_contest_task(campaign: str, out: str, target: str) -> dict[str, Any]:
    """Read every contest upload, its uploaders and the monuments' category files; returns counts."""
    camp = load_campaign(campaign)
    categories = read_monuments(out)["commons_category"].dropna().tolist()
    client = CommonsClient.for_target(load_target(target))
    return fetch_contest(client, camp.contest_category, categories, stage_dir(Path(out), "contest"))
