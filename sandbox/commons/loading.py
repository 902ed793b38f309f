"""Load the bundled campaigns' sample data into running local services.

For each campaign: the sample contest (``data/<id>/contest/commons.jsonl``) goes into the local
Commons (``POST /admin/load`` on the Commons port), and a campaign without a register gets its
items (``staging_seed.jsonl``) into the local Wikibase — its monuments are "already on Wikidata".
Campaigns with a register load their staging seed in the demo, before their own upload.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from modeling.campaign import load_campaign
from sandbox.services import ServicesInfo, post_admin, seed_files

CONTEST_FILE = Path("contest") / "commons.jsonl"
STAGING_SEED = "staging_seed.jsonl"


def load_commons(commons_api_url: str, paths: Iterable[str | Path], *,
                 secret: str | None = None) -> dict[str, int]:
    """Load ``user``/``file`` JSON-lines files into a local Commons (idempotent).

    Raises:
        ServiceError: the Commons refused a file or cannot be reached (the message names it).
    """
    admin = commons_api_url.rsplit("/w/api.php", 1)[0] + "/admin/load"
    total = {"files": 0, "users": 0}
    for path in paths:
        counts = post_admin(admin, Path(path).read_bytes(), "application/x-ndjson", secret,
                            what=f"{path}: loading into the local Commons at")
        for key in total:
            total[key] += int(counts.get(key, 0))
    return total


def load_samples(info: ServicesInfo, campaign_files: Iterable[str | Path]) -> dict[str, Any]:
    """Load every campaign's sample contest, and the items of campaigns without a register.

    Returns:
        ``{campaign id: {"items": n, "files": n, "users": n}}``.
    """
    out: dict[str, Any] = {}
    for path in campaign_files:
        camp = load_campaign(path)
        row: dict[str, Any] = {}
        seed = camp.data_dir / STAGING_SEED
        if not camp.has_register and seed.exists():
            row["items"] = seed_files(info.api_url, [seed], secret=info.admin_secret)["seeded"]
        contest = camp.data_dir / CONTEST_FILE
        if contest.exists() and info.commons_api_url:
            row.update(load_commons(info.commons_api_url, [contest], secret=info.admin_secret))
        out[camp.id] = row
    return out
