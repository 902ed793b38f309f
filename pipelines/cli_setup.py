"""Setting up a new campaign from the command line (registered from :mod:`pipelines.cli`).

``wlkit init REGISTER`` proposes a campaign file (:mod:`modeling.scaffold`), ``wlkit staging
prepare CAMPAIGN`` creates what it refers to on the local target (:mod:`modeling.staging`), and
:func:`check_target` is the two-second services check the stage commands run first.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar, cast

import typer

from clients.probe import check_services, entity_info
from core.errors import ServiceError, WlkitError
from core.settings import Target, load_target
from modeling.campaign import load_campaign
from modeling.preflight import campaign_refs
from modeling.scaffold import inspect_register, resolve_country
from modeling.scaffold_yaml import campaign_id, render_campaign
from modeling.staging import read_admin_units, staging_entities
from pipelines.local_services import sandbox_services

F = TypeVar("F", bound=Callable[..., Any])

STAGING_HELP = "Prepare the local target for a campaign (rehearsal)."


def check_target(target: str | Target, campaign: Path | str | None = None) -> dict[str, Any]:
    """Fail within seconds, saying what to do, when the target's services do not answer.

    A campaign file given is validated first, so a broken file is reported as such.

    Raises:
        CampaignError: the campaign file is invalid.
        ServiceError: nothing listens, or something else than a Wikibase/SPARQL service does.
    """
    if campaign is not None:
        load_campaign(campaign)
    return check_services(load_target(target) if isinstance(target, str) else target)


def init(
    register: Path = typer.Argument(..., help="The register file (CSV/XLSX/JSON/GeoJSON/SHP/GPKG)."),
    country: str | None = typer.Option(None, help="Country: ISO code (CH) or item (Q39)."),
    campaign_file: Path | None = typer.Option(
        None, "--out", help="Campaign file to write (default campaigns/<id>.yaml)."),
    kind: str = typer.Option("wlm", help="wlm (monuments) or wle (nature)."),
    licence: str = typer.Option("unknown", help="The register's licence, e.g. CC0-1.0."),
    layer: str | None = typer.Option(None, help="Layer of a GeoPackage."),
    encoding: str | None = typer.Option(None, help="Text encoding (default: detected)."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing campaign file."),
) -> dict[str, Any]:
    """Propose a campaign file for a register: columns, CRS suggestions, placeholders to confirm."""
    iso, qid = resolve_country(country)
    prop = inspect_register(register, iso=iso, layer=layer, encoding=encoding)
    path = campaign_file or Path("campaigns") / f"{campaign_id(prop, iso, kind)}.yaml"
    if path.exists() and not force:
        raise WlkitError(f"{path} exists: choose another --out, or --force to overwrite it")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render_campaign(prop, iso=iso, qid=qid, out_path=path, kind=kind,
                                    licence=licence), encoding="utf-8")
    load_campaign(path)  # what we wrote must load
    summary = {"campaign": str(path), "rows": prop.rows, "format": prop.format,
               "id_column": prop.id_column, "name_column": prop.name_column,
               "coordinates": prop.wkt_column or (f"{prop.lon_column}/{prop.lat_column}"
                                                 if prop.lat_column else "file geometry"),
               "crs": prop.crs, "crs_suggested": [c.describe() for c in prop.crs_candidates[:3]],
               "notes": prop.notes,
               "next": f"review {path}, then: wlkit staging prepare {path}; "
                       f"wlkit run {path} --dry-run"}
    return summary


def _local_target(data_dir: Path) -> tuple[Target, dict[str, Any]]:
    status = sandbox_services().services_status(data_dir)  # the local services only
    if not status.get("running"):
        raise ServiceError(f"local services in {data_dir} are not running: run `wlkit services "
                           "up` first (staging prepare only writes to the local target)")
    target = Target(name="local", api_url=status["api_url"], sparql_url=status["sparql_url"])
    return target, status


def staging_prepare(
    campaign: Path = typer.Argument(..., help="Campaign YAML."),
    admin_units: Path | None = typer.Option(
        None, help="CSV of admin units: code,name[,lat,lon] (for mapping.located_in)."),
    data_dir: Path = typer.Option(Path(".wlkit"), help="Folder of the running local services."),
) -> dict[str, Any]:
    """Create on the local target the entities the campaign refers to (idempotent)."""
    camp = load_campaign(campaign)
    target, status = _local_target(data_dir)
    units = read_admin_units(admin_units) if admin_units else None
    wanted = sorted(campaign_refs(camp))
    info = entity_info(target, wanted)
    present = {eid for eid, i in info.items() if not i["missing"]}
    entities = staging_entities(camp, present, units)
    if units is not None:  # admin units already there count as present too
        unit_info = entity_info(target, [e["id"] for e in entities if e["id"] not in info])
        present |= {eid for eid, i in unit_info.items() if not i["missing"]}
        entities = [e for e in entities if e["id"] not in present]
    result = {"created": 0, "present": len(present), "properties": 0, "items": 0,
              "admin_units": 0 if units is None else len(units)}
    if entities:
        path = Path(data_dir) / f"staging-{camp.id}.jsonl"
        path.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entities),
                        encoding="utf-8")
        seeded = sandbox_services().seed_files(target.api_url, [path], secret=status.get("admin_secret"))
        result["created"] = seeded["created"]
    result["properties"] = sum(e["type"] == "property" for e in entities)
    result["items"] = sum(e["type"] == "item" for e in entities)
    return result


def register(app: typer.Typer, friendly: Callable[[F], F],
             print_summary: Callable[[str, Any], None]) -> None:
    """Add ``init`` and ``staging prepare`` to ``app`` with the CLI's error handling."""
    def printing(name: str, func: Callable[..., Any]) -> Callable[..., None]:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> None:
            print_summary(name, func(*args, **kwargs))

        wrapper.__annotations__ = {**func.__annotations__, "return": None}
        return wrapper

    app.command("init")(friendly(cast(F, printing("init", init))))
    staging = typer.Typer(help=STAGING_HELP, no_args_is_help=True)
    staging.command("prepare")(friendly(cast(F, printing("staging prepare", staging_prepare))))
    app.add_typer(staging, name="staging")
