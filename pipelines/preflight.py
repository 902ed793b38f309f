"""Preflight before the stages that touch a target: services answer, entities exist.

Thin wiring only: probes in :mod:`clients.probe`, the comparison in :mod:`modeling.preflight`.
The services check the stage commands run first is :func:`pipelines.cli_setup.check_target`;
``preflight_task`` runs at the end of the plan stage and writes
``03_plan/preflight.json``; ``require_clear_preflight`` stops a real upload while it blocks.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from prefect import task

from clients.probe import check_services, data_version, entity_coordinates, entity_info
from core.contracts import write_summary
from core.errors import UploadError
from core.layout import PLANS, PREFLIGHT
from core.settings import Target, load_target
from modeling.campaign import load_campaign
from modeling.plan_store import has_index, iter_batches
from modeling.plausibility import (
    LOCATION_COLUMNS,
    far_from_located,
    far_from_units,
    located_units,
    record_units,
)
from modeling.preflight import (
    blocking_message,
    campaign_refs,
    check_refs,
    read_plan_lines,
    store_refs,
)
from pipelines._options import LOCAL_TASK

log = logging.getLogger(__name__)


def run_preflight(campaign: str, out: str, target: str | Target) -> dict[str, Any]:
    """Check the campaign's and the plans' references on the target; write ``preflight.json``.

    Returns:
        The ``preflight.json`` content (see :mod:`modeling.preflight`).
    """
    camp = load_campaign(campaign)
    tgt = load_target(target) if isinstance(target, str) else target
    services = check_services(tgt)
    refs = campaign_refs(camp)
    plans = Path(out) / PLANS
    far: list[dict[str, Any]] = []
    if plans.exists():
        refs = store_refs(plans, refs)
        far = _far_from_units(camp, plans, tgt)
    result = {"target": tgt.name, "data_version": data_version(tgt),
              **check_refs(refs, partial(entity_info, tgt)), "far_from_unit": far,
              "services": services, "at": datetime.now(UTC).isoformat(timespec="seconds")}
    result = write_summary(out, PREFLIGHT, result)  # the contract: core.contracts.Preflight
    message = blocking_message(result)
    if message:
        log.warning("preflight: %s", message)
    return result


def _far_from_units(camp: Any, plans: Path, target: Target) -> list[dict[str, Any]]:
    """Records farther than ``located_in.max_distance_km`` from their P131 unit (for review):
    from the store's ``unit``/``lat``/``lon`` columns, or the decoded plans of an older store."""
    located = camp.mapping.located_in if camp.mapping else None
    if located is None:
        return []
    if has_index(plans):
        units = located_units(iter_batches(plans, LOCATION_COLUMNS))
        points = entity_coordinates(target, sorted(units))
        far = far_from_located(iter_batches(plans, LOCATION_COLUMNS), points, located.max_distance_km)
    else:
        pairs = list(record_units(read_plan_lines(plans)))
        points = entity_coordinates(target, sorted({unit for _, unit, _, _ in pairs}))
        far = far_from_units(pairs, points, located.max_distance_km)
    if far:
        log.warning("preflight: %d records lie more than %g km from their admin unit (review "
                    "far_from_unit in 03_plan/preflight.json)", len(far), located.max_distance_km)
    return far


@task(**LOCAL_TASK)
def preflight_task(campaign: str, out: str, target: str) -> dict[str, Any]:
    """:func:`run_preflight` as a task; returns the small summary only."""
    result = run_preflight(campaign, out, target)
    return {k: (len(v) if isinstance(v, list) else v) for k, v in result.items()
            if k in {"checked", "missing", "wrong_datatype", "blocking", "data_version",
                     "far_from_unit"}}


def preflight_blocker(out: str | Path) -> str | None:
    """What ``03_plan/preflight.json`` says blocks the upload, or None (also without the file)."""
    path = Path(out) / PREFLIGHT
    if not path.exists():
        return None
    message = blocking_message(json.loads(path.read_text(encoding="utf-8")))
    return f"upload blocked: {message}" if message else None


def require_clear_preflight(out: str | Path) -> None:
    """Refuse a real upload while ``03_plan/preflight.json`` lists blockers.

    Raises:
        UploadError: naming what the target lacks.
    """
    message = preflight_blocker(out)
    if message:
        raise UploadError(message)
