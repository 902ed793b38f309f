"""``wlkit staging prepare``: the entities a campaign refers to, for a local rehearsal target.

A rehearsal on the local Wikibase only matches Wikidata when the target holds what the plans
point at: the country item, the designation and class items, the stated-in item, the properties
with their datatypes, and the administrative units with their codes (so the P131 lookup finds
them). :func:`staging_entities` builds that entity JSON with the campaign's own ids — the same ids
as on Wikidata, or the placeholders ``wlkit init`` wrote — for the ids the target lacks, so
seeding it again changes nothing (idempotent). Admin units come from a file the user gives
(:func:`read_admin_units`: ``code,name`` and optionally ``lat,lon``); their ids are derived from
their codes, so a second run gives the same ids.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from core.errors import InputError
from modeling import datavalues as dv
from modeling.crs_guess import country_name
from modeling.preflight import STANDARD_DATATYPES, campaign_refs

Json = dict[str, Any]

#: English labels of the properties the kit writes (the rest get their role as label).
PROPERTY_LABELS = {
    "P31": "instance of", "P17": "country", "P131": "located in the administrative territorial "
    "entity", "P1435": "heritage designation", "P248": "stated in", "P625": "coordinate location",
    "P580": "start time", "P571": "inception", "P813": "retrieved", "P577": "publication date",
    "P854": "reference URL", "P2046": "area", "P3896": "geoshape", "P6375": "street address",
}
#: Admin unit ids start here (``Q910000000`` + numeric code, else a hash of the code).
_UNIT_BASE = 910_000_000


def _labels(text: str, langs: Iterable[str]) -> Json:
    return {lang: {"language": lang, "value": text} for lang in dict.fromkeys([*langs, "en"])}


def _property(pid: str, datatype: str, label: str) -> Json:
    return {"id": pid, "type": "property", "datatype": datatype,
            "labels": _labels(label, ["en"]), "claims": {}}


def _item(qid: str, label: str, langs: Iterable[str], claims: list[Json] | None = None) -> Json:
    grouped: dict[str, list[Json]] = {}
    for st in claims or []:
        grouped.setdefault(st["mainsnak"]["property"], []).append(st)
    return {"id": qid, "type": "item", "labels": _labels(label, langs), "claims": grouped}


def _datatype(ref: Any) -> str:
    if ref.datatypes:
        return str(sorted(ref.datatypes)[0])
    if ref.id in STANDARD_DATATYPES:
        return STANDARD_DATATYPES[ref.id]
    return "external-id"  # identifier and code properties


def unit_id(code: str, taken: set[str]) -> str:
    """A stable item id for an admin unit code (numeric codes map directly)."""
    digits = code.strip()
    number = int(digits) if digits.isdigit() and int(digits) < 10**8 else \
        int(hashlib.sha1(digits.encode()).hexdigest()[:12], 16) % 10**8
    qid = f"Q{_UNIT_BASE + number}"
    while qid in taken:  # a hash collision: the next free id (stable for the same file)
        number = (number + 1) % 10**8
        qid = f"Q{_UNIT_BASE + number}"
    taken.add(qid)
    return qid


def read_admin_units(path: str | Path) -> pd.DataFrame:
    """Read the admin units file: CSV with ``code``, ``name`` (and ``lat``, ``lon``) columns.

    Other header names are accepted by position: first column the code, second the name.

    Raises:
        InputError: the file is missing, empty or has fewer than two columns.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("admin units file not found", file=str(path))
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, sep=None, engine="python")
    if frame.shape[1] < 2 or frame.empty:
        raise InputError("should have a header and rows of code,name[,lat,lon]", file=str(path))
    cols = {c.lower().strip(): c for c in frame.columns}
    code = cols.get("code", frame.columns[0])
    name = cols.get("name", frame.columns[1])
    out = pd.DataFrame({"code": frame[code].str.strip(), "name": frame[name].str.strip()})
    for key in ("lat", "lon"):
        if key in cols:
            out[key] = pd.to_numeric(frame[cols[key]], errors="coerce")
    dup = out["code"][out["code"].duplicated()].tolist()
    if dup:
        raise InputError(f"codes should be unique, got {', '.join(dup[:5])} more than once",
                         file=str(path), field=code)
    return out


def _units(campaign: Any, units: pd.DataFrame, langs: list[str]) -> list[Json]:
    located = campaign.mapping.located_in
    if located is None or not located.admin_class:
        raise InputError("--admin-units needs mapping.located_in with admin_class in the campaign")
    taken: set[str] = set()
    out = []
    for row in units.itertuples(index=False):
        claims = [dv.statement(dv.snak("P31", "wikibase-item", dv.item(located.admin_class))),
                  dv.statement(dv.snak("P17", "wikibase-item", dv.item(campaign.country.qid)))]
        if located.code_property:
            claims.append(dv.statement(dv.snak(located.code_property, "external-id",
                                               dv.string(row.code))))
        lat, lon = getattr(row, "lat", None), getattr(row, "lon", None)
        if lat is not None and lon is not None and pd.notna(lat) and pd.notna(lon):
            claims.append(dv.statement(dv.snak("P625", "globe-coordinate",
                                               dv.globecoordinate(float(lat), float(lon), 0.0001))))
        out.append(_item(unit_id(row.code, taken), row.name, langs, claims))
    return out


def staging_entities(campaign: Any, present: set[str],
                     units: pd.DataFrame | None = None) -> list[Json]:
    """Entity JSON for what the campaign refers to and the target lacks.

    Args:
        campaign: the campaign.
        present: ids the target already holds (left untouched).
        units: admin units from :func:`read_admin_units`, or None.

    Returns:
        Properties first, then items, then admin units (each with the campaign's id).
    """
    langs = list(campaign.languages)
    refs = campaign_refs(campaign)
    props, items = [], []
    for ref in sorted(refs.values(), key=lambda r: (r.kind, int(re.sub(r"\D", "", r.id)))):
        if ref.id in present:
            continue
        role = ", ".join(sorted(ref.roles))
        if ref.kind == "property":
            props.append(_property(ref.id, _datatype(ref), PROPERTY_LABELS.get(ref.id, role)))
        elif "country" in ref.roles:
            items.append(_item(ref.id, country_name(campaign.country.iso), langs))
        else:
            items.append(_item(ref.id, f"{role} {ref.id} (staging)", langs))
    extra = _units(campaign, units, langs) if units is not None else []
    return props + items + [u for u in extra if u["id"] not in present]
