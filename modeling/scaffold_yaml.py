"""Write the commented campaign YAML that ``wlkit init`` proposes (see :mod:`modeling.scaffold`).

Every guess carries a comment saying what was detected and how sure it is; values the kit cannot
know offline (the register's own identifier property, the stated-in item, the admin units' class
and code property) get *placeholder* ids in a range Wikidata does not use (``Q900000001``,
``P90000001`` …). ``wlkit staging prepare`` creates them on the local target so a rehearsal runs,
and the preflight against Wikidata reports them as missing, so no real upload can happen before a
person replaces them with the real ids.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import yaml
from babel.languages import get_official_languages

from modeling.crs_guess import country_extent, country_name
from modeling.scaffold import Proposal

#: Placeholder ids (never used on Wikidata): replaced by a person before a real upload.
PLACEHOLDERS = {
    "identifier": "P90000001", "code_property": "P90000002",
    "stated_in": "Q900000001", "admin_class": "Q900000003",
}
_RESERVED = {"source_id", "name", "geometry", "source_row", "lat", "lon", "centroid_lat",
             "centroid_lon", "area_m2"}


def _q(value: Any) -> str:
    """A YAML scalar (quoted when needed), on one line."""
    return yaml.safe_dump(value, allow_unicode=True, default_flow_style=True,
                          width=1 << 20).strip().removesuffix("...").strip()


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "register"


def _key(column: str) -> str:
    key = re.sub(r"[^0-9a-zA-Z]+", "_", column).strip("_").lower() or "column"
    return f"src_{key}" if key in _RESERVED or key[0].isdigit() else key


def campaign_id(prop: Proposal, iso: str | None, kind: str) -> str:
    """``wlm-ch-kgs-inventar`` from the kind, the country and the register's file name."""
    return "-".join(p for p in (kind, (iso or "").lower(), _slug(Path(prop.path).stem)) if p)


def languages_of(iso: str | None) -> list[str]:
    """The country's official languages (CLDR), then English for descriptions."""
    langs = [lang for lang in (get_official_languages(iso) if iso else ()) if len(lang) == 2][:3]
    return [*langs, "en"] if "en" not in langs else langs


def _source(prop: Proposal, out_dir: Path) -> list[str]:
    shown = os.path.relpath(Path(prop.path).resolve(), out_dir.resolve())  # relative: portable
    lines = ["source:", f"  path: {_q(shown)}",
             f"  format: auto          # detected: {prop.format}",
             f"  encoding: {_q(prop.encoding)}" + ("   # detected" if prop.encoding else ""),
             f"  delimiter: {_q(prop.delimiter)}" + ("   # detected" if prop.delimiter else "")]
    if prop.layer:
        lines.append(f"  layer: {_q(prop.layer)}")
    lines += _crs_lines(prop)
    lines += [f"  id_column: {_q(prop.id_column or 'CHOOSE')}   # unique in every row: CONFIRM",
              f"  name_column: {_q(prop.name_column or 'CHOOSE')}   # text: CONFIRM"]
    if prop.lat_column:
        lines += [f"  lon_column: {_q(prop.lon_column)}   # x: easting or longitude",
                  f"  lat_column: {_q(prop.lat_column)}   # y: northing or latitude"]
    if prop.wkt_column:
        lines.append(f"  wkt_column: {_q(prop.wkt_column)}")
    used = {prop.id_column, prop.name_column, prop.lat_column, prop.lon_column, prop.wkt_column}
    mapped = [c for c in prop.columns if c not in used]
    if mapped:
        lines.append("  columns:               # kept in the records as <key>: <column>")
        lines += [f"    {_key(c)}: {_q(c)}" for c in mapped]
    if any("share an id" in n for n in prop.notes):
        lines.append(f"  dissolve: {'true' if prop.geometry else 'false'}"
                     "        # true when rows sharing an id are parts of one area: CONFIRM")
    return lines


def _crs_lines(prop: Proposal) -> list[str]:
    if prop.geometry and prop.crs_declared:
        return [f"  crs: null             # the file declares {prop.crs}"]
    if not prop.crs_candidates:
        return [f"  crs: {_q(prop.crs)}" + ("        # degrees" if prop.crs else
                                            "             # unknown: give the register's CRS")]
    best = prop.crs_candidates[0]
    others = "; others that also fit:" if len(prop.crs_candidates) > 1 else ""
    lines = ["  # SUGGESTED, not detected: the coordinates are projected and no CRS is given.",
             f"  # {best.describe()}{others}"]
    lines += [f"  #   {c.describe()}" for c in prop.crs_candidates[1:4]]
    lines.append(f"  crs: {_q(best.code)}     # CONFIRM with the publisher")
    return lines


def _mapping(prop: Proposal, iso: str | None, langs: list[str]) -> list[str]:
    where = country_name(iso) if iso else "the country"
    unit_name = prop.unit_name_column
    desc = f"cultural heritage site in {{{_key(unit_name)}}}, {where}" if unit_name else \
        f"cultural heritage site in {where}"
    lines = ["mapping:", "  identifier:",
             f"    property: {PLACEHOLDERS['identifier']}   # PLACEHOLDER: the register's "
             "identifier property on Wikidata",
             "    value: \"{source_id}\"", "    verified: false",
             "  instance_of:",
             "    default: Q41176          # building: CONFIRM, or map a type column (see "
             "campaigns/README.md)"]
    if prop.unit_column:
        by_code = all(re.fullmatch(r"\s*\d+\s*", v or "") for v in prop.samples[prop.unit_column])
        lines += ["  located_in:", f"    column: {_key(prop.unit_column)}",
                  f"    by: {'code' if by_code else 'name'}"]
        if by_code:
            lines.append(f"    code_property: {PLACEHOLDERS['code_property']}   # PLACEHOLDER: "
                         "property of the admin units' code")
        lines.append(f"    admin_class: {PLACEHOLDERS['admin_class']}   # PLACEHOLDER: class "
                     "of the admin units (e.g. municipality of …)")
    lines += ["  labels:", f"    {langs[0]}: \"{{name}}\"", "  descriptions:",
              f"    en: {_q(desc)}", "  reference:",
              f"    stated_in: {PLACEHOLDERS['stated_in']}   # PLACEHOLDER: the register's item",
              "    retrieved: today"]
    return lines


def render_campaign(prop: Proposal, *, iso: str | None, qid: str | None, out_path: Path,
                    kind: str = "wlm", licence: str = "unknown") -> str:
    """The campaign YAML text for a :class:`~modeling.scaffold.Proposal`."""
    langs = languages_of(iso)
    bbox = country_extent(iso) if iso else None
    name = country_name(iso) if iso else "the country"
    lines = [
        f"# Campaign proposed by `wlkit init` for {Path(prop.path).name} ({prop.rows} rows).",
        "# Lines marked CONFIRM are guesses, PLACEHOLDER ids are not on Wikidata: replace them",
        "# with the real ids before an upload (the preflight blocks it until then).",
        *[f"# NOTE: {n}" for n in prop.notes],
        f"id: {campaign_id(prop, iso, kind)}",
        f"name: {_q(f'Wiki Loves Monuments {name} — {Path(prop.path).stem}')}",
        f"kind: {kind}",
        "country:",
        f"  qid: {qid or 'Q900000000'}" + ("" if qid else "   # PLACEHOLDER: the country's item"),
        f"  iso: {iso or 'XX'}",
    ]
    if bbox:
        lines.append(f"  bbox: [{', '.join(f'{v:g}' for v in bbox)}]   # EPSG extent of {name}")
    lines += [f"languages: [{', '.join(langs)}]",
              f"licence: {_q(licence)}" + ("   # CONFIRM: only CC0-1.0 or public domain may "
                                           "be uploaded" if licence == "unknown" else ""),
              "publisher:", "  name: \"the register's publisher (CONFIRM)\""]
    lines += _source(prop, out_path.parent)
    lines += _mapping(prop, iso, langs)
    if prop.inside is not None:
        lines.insert(3, f"# {prop.inside:.0%} of the points fall inside {name} with crs "
                        f"{prop.crs}.")
    return "\n".join(lines) + "\n"
