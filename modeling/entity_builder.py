"""Record → the full entity a register record describes (labels, descriptions, aliases, claims).

Follows the campaign mapping; each statement carries the campaign's one reference block
(P248 stated in + P854 URL + P813 retrieved [+ P577 published], FIELD-NOTES §1.5). Used by
:mod:`modeling.items` (plans) and by the collision lookup (candidate terms).
"""

from __future__ import annotations

import functools
import logging
import math
import re
import string as _string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import pandas as pd

from core.errors import CampaignError
from modeling import datavalues as dv
from modeling.campaign import Campaign, ValueMap
from modeling.dates import parse_date, parse_dates

log = logging.getLogger(__name__)

Json = dict[str, Any]

HECTARE = "Q35852"
#: Datatypes of the properties the mapping writes itself (extras carry their own datatype).
DATATYPES = {
    "P31": "wikibase-item", "P17": "wikibase-item", "P131": "wikibase-item",
    "P625": "globe-coordinate", "P1435": "wikibase-item", "P580": "time", "P2046": "quantity",
    "P3896": "geo-shape", "P248": "wikibase-item", "P854": "url", "P813": "time", "P577": "time",
}

# --- record access -------------------------------------------------------------------------


def _text(value: Any) -> str | None:
    """A record cell as a stripped string, or None for empty/NaN/NA."""
    if value is None:
        return None
    try:
        if isinstance(value, float) and math.isnan(value):
            return None
        if value != value:  # pd.NA / NaT compare unequal to themselves (or raise)
            return None
    except (TypeError, ValueError):
        return None
    text = str(value).strip()
    return text or None


class _Fields(dict[str, Any]):
    """Template fields of a record: every column, plus ``source_id`` and ``name``."""

    def __missing__(self, key: str) -> str:
        raise KeyError(key)


@functools.lru_cache(maxsize=1024)
def _template_fields(template: str) -> tuple[str, ...]:
    """The field names a template uses (parsed once per template, not once per record)."""
    return tuple(f for _, f, _, _ in _string.Formatter().parse(template) if f)


def fill(template: str, record: Mapping[str, Any], *, what: str) -> str | None:
    """Fill ``{column}`` placeholders from a record; None when a used field is empty.

    Raises:
        CampaignError: when the template names a field the records do not have.
    """
    names = _template_fields(template)
    values: dict[str, str] = {}
    for name in names:
        if name not in record:
            raise CampaignError(
                f"{what}: template {template!r} should only use record fields "
                f"({', '.join(sorted(map(str, record)))}), got {{{name}}}"
            )
        text = _text(record[name])
        if text is None:
            return None
        values[name] = text
    return template.format_map(_Fields(values))


#: Parsed dates by raw text (parsing one value costs as much as a vectorised column).
_DATES: dict[str, tuple[str, int] | None] = {}
_DATES_MAX = 500_000


def warm_dates(values: Any) -> None:
    """Parse the distinct unseen date strings of ``values`` in one vectorised pass.

    :func:`build_entity` then finds each record's dates parsed; call it once per chunk with the
    chunk's date columns.
    """
    texts = {str(v).strip() for v in values if _text(v) is not None} - _DATES.keys()
    if not texts:
        return
    if len(_DATES) + len(texts) > _DATES_MAX:
        _DATES.clear()
    ordered = sorted(texts)
    parsed = parse_dates(pd.Series(ordered, dtype=object))
    for raw, time, prec in zip(ordered, parsed["time"], parsed["precision"], strict=True):
        _DATES[raw] = (str(time), int(prec)) if time is not None and not pd.isna(prec) else None


def _parse_date(raw: str) -> tuple[str, int] | None:
    raw = raw.strip()
    if raw not in _DATES:
        if len(_DATES) >= _DATES_MAX:
            _DATES.clear()
        _DATES[raw] = parse_date(raw)
    return _DATES[raw]


def _day(d: date) -> Json:
    return dv.time(f"+{d.isoformat()}T00:00:00Z", 11)


# --- building the desired entity -----------------------------------------------------------


@dataclass
class _Builder:
    campaign: Campaign
    record: Mapping[str, Any]
    admin_units: Mapping[str, str]
    today: date
    claims: dict[str, list[Json]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    _reference: Json | None = None

    def reference(self) -> Json:
        """The record's reference block: built once, each statement gets its own containers
        (the snaks themselves are shared leaves, never changed after building)."""
        if self._reference is None:
            self._reference = self._build_reference()
        ref = self._reference
        return {"snaks": {p: list(v) for p, v in ref["snaks"].items()}, "snaks-order": list(ref["snaks-order"])}

    def _build_reference(self) -> Json:
        ref = self.campaign.register_mapping.reference
        snaks = [dv.snak("P248", "wikibase-item", dv.item(ref.stated_in))]
        if ref.url:
            url = fill(ref.url, self.record, what="mapping.reference.url")
            if url:
                snaks.append(dv.snak("P854", "url", dv.string(url)))
        retrieved = self.today if ref.retrieved == "today" else ref.retrieved
        snaks.append(dv.snak("P813", "time", _day(retrieved)))
        if ref.published:
            snaks.append(dv.snak("P577", "time", _day(ref.published)))
        return dv.reference(snaks)

    def add(self, mainsnak: Json, qualifiers: list[Json] | None = None) -> None:
        st = dv.statement(mainsnak, qualifiers=qualifiers, references=[self.reference()])
        self.claims.setdefault(mainsnak["property"], []).append(st)

    def mapped(self, prop: str, vm: ValueMap, what: str) -> Json | None:
        raw = _text(self.record.get(vm.column)) if vm.column else None
        if raw is not None and raw in vm.novalue:
            return dv.novalue(prop, "wikibase-item")
        qid = vm.map.get(raw) if raw is not None else None
        if qid is None and raw is not None:
            qid = {k.casefold(): v for k, v in vm.map.items()}.get(raw.casefold())
        if qid is None:
            if raw is not None and vm.map:
                self.warnings.append(f"{what}: {raw!r} is not in the value map; using the default")
            qid = vm.default
        return dv.snak(prop, "wikibase-item", dv.item(qid)) if qid else None


def build_entity(
    record: Mapping[str, Any],
    campaign: Campaign,
    *,
    admin_units: Mapping[str, str],
    today: date,
) -> tuple[Json, list[str], str | None]:
    """The full entity a register record describes.

    Args:
        record: One record (``records.parquet`` row as a mapping).
        campaign: The campaign (its ``mapping`` drives everything).
        admin_units: Admin-unit code or name → QID (``modeling.lookups.admin_unit_table``).
        today: The run date (P813 retrieved).

    Returns:
        (entity JSON with labels/descriptions/aliases/claims, warnings, identifier value).
    """
    m = campaign.register_mapping
    b = _Builder(campaign, record, admin_units, today)
    sid = str(record["source_id"])

    p31 = b.mapped("P31", m.instance_of, "P31 instance of")
    if p31:
        b.add(p31)
    b.add(dv.snak("P17", "wikibase-item", dv.item(campaign.country.qid)))

    _add_p131(b)
    lat, lon = record.get("lat"), record.get("lon")
    if lat is not None and lon is not None and _text(lat) is not None and _text(lon) is not None:
        coord = dv.globecoordinate(float(lat), float(lon), m.coordinate_precision)
        b.add(dv.snak("P625", "globe-coordinate", coord))
    _add_designation(b)

    identifier = fill(m.identifier.value, record, what="mapping.identifier.value")
    if identifier:
        b.add(dv.snak(m.identifier.property, "external-id", dv.string(identifier)))

    for extra in m.extra:
        _add_extra(b, extra)

    if m.area:
        area = _text(record.get("area_m2"))
        if area is not None:
            ha = (Decimal(area) / Decimal(10000)).quantize(Decimal("0.01"))
            b.add(dv.snak("P2046", "quantity", dv.quantity(ha, HECTARE)))
    if m.geoshape:
        page = fill(m.geoshape, record, what="mapping.geoshape")
        if page:
            b.add(dv.snak("P3896", "geo-shape", dv.string(page)))

    entity: Json = {"type": "item", **_terms(b), "claims": b.claims}
    log.debug("built entity for %s with %d properties", sid, len(b.claims))
    return entity, b.warnings, identifier


def _add_p131(b: _Builder) -> None:
    """P131 for each admin-unit code of the record (static table first, then the lookup)."""
    li = b.campaign.register_mapping.located_in
    if not li:
        return
    raw = _text(b.record.get(li.column))
    codes = [c.strip() for c in raw.split(li.split)] if raw and li.split else [raw]
    for code in filter(None, codes):
        qid = li.table.get(code) or b.admin_units.get(code)
        if qid:
            b.add(dv.snak("P131", "wikibase-item", dv.item(qid)))
        else:
            b.warnings.append(f"P131: admin unit {code!r} not found; no P131 statement")


def _add_designation(b: _Builder) -> None:
    """P1435 from the value map, with its P580 start time when the record has a date."""
    d = b.campaign.register_mapping.designation
    snak = b.mapped("P1435", d, "P1435 designation") if d else None
    if not d or not snak:
        return
    quals = []
    start = _text(b.record.get(d.start_column)) if d.start_column else None
    parsed = _parse_date(start) if start else None
    if parsed:
        quals.append(dv.snak("P580", "time", dv.time(*parsed)))
    elif start:
        b.warnings.append(f"P580: {start!r} is not a date; no start time")
    b.add(snak, quals)


def _terms(b: _Builder) -> Json:
    """Labels, descriptions and aliases from the mapping's templates (aliases never repeat the label)."""
    m, record = b.campaign.register_mapping, b.record
    terms: Json = {"labels": {}, "descriptions": {}, "aliases": {}}
    for lang, tpl in m.labels.items():
        if text := fill(tpl, record, what=f"mapping.labels.{lang}"):
            terms["labels"][lang] = {"language": lang, "value": text}
    for lang, tpl in m.descriptions.items():
        if text := fill(tpl, record, what=f"mapping.descriptions.{lang}"):
            terms["descriptions"][lang] = {"language": lang, "value": text}
        else:
            b.warnings.append(f"description {lang}: a field of {tpl!r} is empty; none added")
    for lang, tpls in m.aliases.items():
        values = [t for t in (fill(x, record, what=f"mapping.aliases.{lang}") for x in tpls) if t]
        label = terms["labels"].get(lang, {}).get("value")
        values = [v for v in dict.fromkeys(values) if v != label]
        if values:
            terms["aliases"][lang] = [{"language": lang, "value": v} for v in values]
    return terms


def _add_extra(b: _Builder, extra: Any) -> None:
    raw = _text(b.record.get(extra.column))
    if raw is None:
        return
    prop, dt = extra.property, extra.datatype
    if raw in extra.novalue:
        b.add(dv.novalue(prop, dt))
        return
    if dt == "wikibase-item":
        qid = extra.map.get(raw) or (raw if re.fullmatch(r"Q[1-9]\d*", raw) else None)
        if qid is None:
            b.warnings.append(f"{prop}: {raw!r} is not in the value map; no statement")
            return
        b.add(dv.snak(prop, dt, dv.item(qid)))
    elif dt == "time":
        parsed = _parse_date(raw)
        if parsed is None:
            b.warnings.append(f"{prop}: {raw!r} is not a date; no statement")
            return
        b.add(dv.snak(prop, dt, dv.time(*parsed)))
    elif dt == "monolingualtext":
        lang = extra.language or b.campaign.languages[0]
        b.add(dv.snak(prop, dt, dv.monolingualtext(raw, lang)))
    elif dt == "quantity":
        try:
            number = Decimal(raw.replace(",", "."))
        except ArithmeticError:
            b.warnings.append(f"{prop}: {raw!r} is not a number; no statement")
            return
        b.add(dv.snak(prop, dt, dv.quantity(number, extra.unit)))
    else:  # string, external-id, url, commonsMedia
        if dt == "commonsMedia":
            raw = re.sub(r"^(File|Fil|Image):", "", raw, flags=re.I)
        if dt == "external-id" and re.fullmatch(r"\d+\.0", raw):
            raw = raw[:-2]  # numeric ids read as floats by a spreadsheet
        b.add(dv.snak(prop, dt, dv.string(raw)))


