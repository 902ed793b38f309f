"""The demo: local services + every bundled sample campaign, end to end, into one folder.

``make demo`` → ``wlkit demo`` → :func:`run_demo`. It starts a fresh pair of local services
(in their own data dir, on the default ports or free ones if those are taken), loads each sample
campaign's "already on Wikidata" staging items, runs each campaign through the parent flow as a dry
run, uploads the plans that dry run reviewed (the recommended order), rebuilds lists and reports
from the query service, and writes the progress page over all campaigns.
"""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from types import ModuleType
from typing import Any

from core.settings import DEFAULT_COMMONS_PORT, DEFAULT_SPARQL_PORT, DEFAULT_WIKIBASE_PORT
from modeling.campaign import load_campaign
from pipelines.campaign import campaign_flow
from pipelines.contest import contest_flow
from pipelines.lists import lists_flow
from pipelines.local_services import sandbox_samples, sandbox_services
from pipelines.report import report_flow
from pipelines.upload import upload_flow

#: The sample campaigns ship as package data of ``campaigns`` (works after a non-editable install).
CAMPAIGNS_DIR = Path(str(resources.files("campaigns")))
STAGING_SEED = "staging_seed.jsonl"


def _free_port(preferred: int) -> int:
    """``preferred`` when nothing listens there, else any free loopback port."""
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", preferred))
            return preferred
        except OSError:
            s.bind(("127.0.0.1", 0))
            return int(s.getsockname()[1])


def bundled_campaigns(campaigns_dir: Path = CAMPAIGNS_DIR) -> list[Path]:
    """The sample campaign files shipped with the project."""
    return sorted(campaigns_dir.glob("*-sample.yaml"))


def run_demo(
    out: Path,
    data_dir: Path,
    *,
    keep_services: bool = False,
    echo: Callable[[str], None] = lambda _m: None,
    campaigns: list[Path] | None = None,
) -> Path:
    """Run the demo and return the output folder."""
    services = sandbox_services()
    services.stop_services(data_dir)
    shutil.rmtree(data_dir, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    info = _start(services, data_dir, echo)
    paths = campaigns or bundled_campaigns()
    try:
        for cid, loaded in sandbox_samples().load_samples(info, paths).items():
            echo(f"{cid}: sample contest on the local Commons ({loaded.get('files', 0)} files)")
        for path in paths:
            _run_campaign(path, out, info, echo)
        report_flow(campaign=None, out=str(out), all_campaigns=True, campaigns_dir=str(CAMPAIGNS_DIR))
    finally:
        if not keep_services:
            services.stop_services(data_dir, pid=info.pid)
    return out


def _start(services: ModuleType, data_dir: Path, echo: Callable[[str], None]) -> Any:
    """Start fresh local services on the default ports (or free ones) and point ``local`` at them."""
    wb_port = _free_port(DEFAULT_WIKIBASE_PORT)
    sq_port = _free_port(DEFAULT_SPARQL_PORT)
    cm_port = _free_port(DEFAULT_COMMONS_PORT)
    info = services.start_services(data_dir, wikibase_port=wb_port, sparql_port=sq_port, seed=True,
                                   commons_port=cm_port)
    echo(f"local Wikibase API: {info.api_url}")
    echo(f"local SPARQL:       {info.sparql_url}")
    echo(f"local Commons API:  {info.commons_api_url}")
    # The local target follows the ports actually used.
    os.environ["WLKIT_WIKIBASE_PORT"] = str(wb_port)
    os.environ["WLKIT_SPARQL_PORT"] = str(sq_port)
    os.environ["WLKIT_COMMONS_PORT"] = str(cm_port)
    return info


def _run_campaign(path: Path, out: Path, info: Any, echo: Callable[[str], None]) -> None:
    """One sample campaign: dry run, upload of the reviewed plans, lists, contest, reports."""
    c = load_campaign(path)
    run_dir = out / c.id
    args: dict[str, Any] = {"campaign": str(path), "out": str(run_dir), "target": "local"}
    if not c.has_register:  # monuments already on the staging Wikibase (load_samples)
        echo(f"{c.id}: no register; lists and reports from its scope …")
        campaign_flow(**args)
    else:
        seed = c.data_dir / STAGING_SEED
        if seed.exists():
            seeded = sandbox_services().seed_files(info.api_url, [seed], secret=info.admin_secret)
            echo(f"{c.id}: {seeded['seeded']} items already on the staging Wikibase")
        echo(f"{c.id}: dry run …")
        campaign_flow(**args, dry_run=True)
        # The plans just reviewed in the dry run are the ones uploaded; then lists and
        # reports are rebuilt from the query service after the upload.
        echo(f"{c.id}: upload, lists, reports …")
        upload_flow(**args)
        lists_flow(**args)
    contest = contest_flow(**args)
    echo(f"{c.id}: contest dashboard → {contest['dashboard']}")
    report_flow(**args)  # with the contest facts
    echo(f"{c.id}: done → {run_dir}")
