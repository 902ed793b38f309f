"""Wikibase entity JSON: wbeditentity merge semantics, snak validation, hashes and GUIDs.

Pure functions over plain dicts (the Wikibase JSON format, WIKIBASE-API.md §4.2 and §8).
``apply_edit(old, data, ...)`` returns the new entity content; errors are :class:`ApiFailure`
with the codes and message names Wikibase uses.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from sandbox.languages import LANGUAGES
from sandbox.wikibase_errors import ApiFailure, modification_failed

#: Datatypes WBI 0.12 knows (a property must have one of these).
DATATYPES = (
    "wikibase-item", "wikibase-property", "string", "external-id", "globe-coordinate", "time",
    "quantity", "monolingualtext", "commonsMedia", "url", "geo-shape", "tabular-data", "math",
    "musical-notation", "wikibase-lexeme", "wikibase-form", "wikibase-sense", "entity-schema",
    "edtf", "localMedia",
)
#: datatype → datavalue type.
VALUE_TYPES = {
    "wikibase-item": "wikibase-entityid", "wikibase-property": "wikibase-entityid",
    "wikibase-lexeme": "wikibase-entityid", "wikibase-form": "wikibase-entityid",
    "wikibase-sense": "wikibase-entityid", "globe-coordinate": "globecoordinate",
    "time": "time", "quantity": "quantity", "monolingualtext": "monolingualtext",
}
#: Sites a sitelink may point at: site id → (group, language, base URL).
SITES = {
    f"{lang}wiki": ("wikipedia", lang, f"https://{lang}.wikipedia.org/")
    for lang in ("en", "sv", "de", "fr", "nl", "fi", "nb", "nn", "da", "es", "it", "pl", "ru",
                 "se", "smn", "pt", "cs", "et", "is", "uk", "ja", "zh")
}
SITES.update({
    f"{lang}wikivoyage": ("wikivoyage", lang, f"https://{lang}.wikivoyage.org/")
    for lang in ("en", "sv", "de", "fr", "nl")
})
SITES["commonswiki"] = ("commons", "en", "https://commons.wikimedia.org/")
SITES["specieswiki"] = ("species", "en", "https://species.wikimedia.org/")
SITES["wikidatawiki"] = ("wikidata", "en", "https://www.wikidata.org/")

TERM_MAX = 250
STRING_MAX = 1500
GREGORIAN = "http://www.wikidata.org/entity/Q1985727"
JULIAN = "http://www.wikidata.org/entity/Q1985786"
ENTITY_ID_RE = re.compile(r"^([QPL])([1-9]\d*)$")
AMOUNT_RE = re.compile(r"^[+-]\d+(\.\d+)?$")
TIME_RE = re.compile(r"^[+-]\d{1,16}-\d\d-\d\dT00:00:00Z$")
URL_SCHEMES = ("http", "https", "ftp", "ftps", "mailto", "irc", "ircs", "news", "sftp", "ssh",
               "git", "svn", "telnet", "gopher", "worldwind", "mms", "magnet")
DATA_PAGE_RE = {"geo-shape": re.compile(r"^Data:[^\[\]#\\{}|<>\n]+\.map$"),
                "tabular-data": re.compile(r"^Data:[^\[\]#\\{}|<>\n]+\.tab$")}


def canonical_json(value: Any) -> str:
    """Deterministic JSON text (sorted keys, no spaces) used for hashes and comparisons."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def snak_hash(snak: dict[str, Any]) -> str:
    """sha1 of the canonical JSON of a snak's snaktype, property and datavalue."""
    core = {k: snak[k] for k in ("snaktype", "property", "datavalue") if k in snak}
    return hashlib.sha1(canonical_json(core).encode("utf-8")).hexdigest()


def reference_hash(snaks: dict[str, list[dict[str, Any]]], order: list[str]) -> str:
    """sha1 over the reference's snak hashes in snaks-order (also the ``wdref:`` local name)."""
    hashes = [snak_hash(s) for pid in order for s in snaks.get(pid, [])]
    return hashlib.sha1("|".join(hashes).encode("ascii")).hexdigest()


def value_hash(datavalue: dict[str, Any]) -> str:
    """md5 of the canonical JSON of a datavalue (the ``wdv:`` local name)."""
    return hashlib.md5(canonical_json(datavalue).encode("utf-8")).hexdigest()  # noqa: S324


def new_guid(entity_id: str) -> str:
    """A fresh statement GUID ``Q1$UUID`` (upper-case UUID4)."""
    return f"{entity_id}${str(uuid.uuid4()).upper()}"


def numeric_id(entity_id: str) -> int:
    """``Q42`` → 42."""
    return int(entity_id[1:])


def empty_entity(entity_type: str) -> dict[str, Any]:
    """An entity with no content of the given type (``item`` or ``property``)."""
    ent: dict[str, Any] = {"type": entity_type, "labels": {}, "descriptions": {}, "aliases": {},
                           "claims": {}}
    if entity_type == "item":
        ent["sitelinks"] = {}
    return ent


def content_of(entity: dict[str, Any]) -> dict[str, Any]:
    """The revisioned content (no lastrevid/modified/page info) for change detection."""
    keep = ("type", "id", "datatype", "labels", "descriptions", "aliases", "claims", "sitelinks")
    return {k: entity[k] for k in keep if k in entity}


# --- context ------------------------------------------------------------------------------------


@dataclass
class EditContext:
    """What validation needs from the store: property datatypes and entity existence."""

    property_type: Callable[[str], str | None]
    entity_exists: Callable[[str], bool]
    check_targets: bool = True
    datatype_overrides: dict[str, str] = field(default_factory=dict)

    def datatype_of(self, pid: str) -> str | None:
        """Datatype of a property (including properties created in the same edit)."""
        return self.datatype_overrides.get(pid) or self.property_type(pid)


# --- terms -------------------------------------------------------------------------------------


def _clean_text(value: Any) -> str:
    return unicodedata.normalize("NFC", str(value)).strip()


def _check_language(lang: Any) -> str:
    if not isinstance(lang, str) or lang not in LANGUAGES:
        raise ApiFailure(
            "not-recognized-language",
            f"The supplied language code was not recognized: {lang!r}.",
            [{"name": "wikibase-error-unknown-language", "parameters": [str(lang)],
              "html": {"*": f"The supplied language code was not recognized: {lang}"}}],
        )
    return lang


def _term_list(raw: Any, what: str) -> list[dict[str, Any]]:
    if isinstance(raw, dict):
        out = []
        for key, term in raw.items():
            if not isinstance(term, dict):
                raise ApiFailure("not-recognized-array", f"{what} should be objects, got {term!r}")
            lang = term.get("language", key)
            if lang != key:
                raise ApiFailure("inconsistent-language",
                                 f"inconsistent language: {key} is not equal to {lang}")
            out.append(term)
        return out
    if isinstance(raw, list):
        return raw
    raise ApiFailure("not-recognized-array", f"{what} should be a map or a list, got {raw!r}")


def _apply_terms(entity: dict[str, Any], key: str, raw: Any) -> None:
    terms = entity.setdefault(key, {})
    for term in _term_list(raw, key):
        lang = _check_language(term.get("language"))
        value = _clean_text(term.get("value", ""))
        if "remove" in term or value == "":
            terms.pop(lang, None)
            continue
        if len(value) > TERM_MAX:
            name = "wikibase-validator-label-too-long" if key == "labels" else \
                "wikibase-validator-description-too-long"
            raise modification_failed(
                name, [str(TERM_MAX), value],
                f"Must be no more than {TERM_MAX} characters long ({key[:-1]} in {lang})",
            )
        terms[lang] = {"language": lang, "value": value}


def _apply_aliases(entity: dict[str, Any], raw: Any) -> None:
    aliases = entity.setdefault("aliases", {})
    groups: dict[str, list[dict[str, Any]]] = {}
    if isinstance(raw, dict):
        for lang, items in raw.items():
            groups.setdefault(lang, [])
            items = items if isinstance(items, list) else [items]
            for item in items:
                if item.get("language", lang) != lang:
                    raise ApiFailure("inconsistent-language",
                                     f"inconsistent language: {lang} is not equal to "
                                     f"{item.get('language')}")
                groups[lang].append(item)
    elif isinstance(raw, list):
        for item in raw:
            groups.setdefault(item.get("language"), []).append(item)
    else:
        raise ApiFailure("not-recognized-array", f"aliases should be a map or a list, got {raw!r}")
    for lang, items in groups.items():
        lang = _check_language(lang)
        current = [a["value"] for a in aliases.get(lang, [])]
        replace = [_clean_text(i.get("value", "")) for i in items
                   if "remove" not in i and "add" not in i]
        if replace or not items:
            current = replace
        for item in items:
            value = _clean_text(item.get("value", ""))
            if "remove" in item:
                current = [v for v in current if v != value]
            elif "add" in item and value not in current:
                current.append(value)
        seen: list[str] = []
        for value in current:
            if value and value not in seen:
                if len(value) > TERM_MAX:
                    raise modification_failed(
                        "wikibase-validator-alias-too-long", [str(TERM_MAX), value],
                        f"Must be no more than {TERM_MAX} characters long (alias in {lang})")
                seen.append(value)
        if seen:
            aliases[lang] = [{"language": lang, "value": v} for v in seen]
        else:
            aliases.pop(lang, None)


def _apply_sitelinks(entity: dict[str, Any], raw: Any, ctx: EditContext) -> None:
    links = entity.setdefault("sitelinks", {})
    items = list(raw.values()) if isinstance(raw, dict) else list(raw or [])
    if isinstance(raw, dict):
        for key, link in raw.items():
            if link.get("site", key) != key:
                raise ApiFailure("inconsistent-site", f"inconsistent site: {key} is not equal to "
                                                      f"{link.get('site')}")
            link.setdefault("site", key)
    for link in items:
        site = link.get("site")
        if site not in SITES:
            raise ApiFailure("not-recognized-site", f"The supplied site id was not recognized: "
                                                    f"{site!r}.")
        title = _clean_text(link.get("title", ""))
        if "remove" in link or ("title" in link and title == "") or \
                ("title" not in link and "badges" not in link):
            links.pop(site, None)
            continue
        if not title:
            title = links.get(site, {}).get("title", "")
            if not title:
                raise ApiFailure("no-such-sitelink", f"no sitelink for {site} to set badges on")
        badges = link.get("badges", links.get(site, {}).get("badges", []))
        for badge in badges:
            if not isinstance(badge, str) or not ENTITY_ID_RE.match(badge) or badge[0] != "Q":
                raise ApiFailure("invalid-entity-id", f"Invalid badge id: {badge!r}")
        links[site] = {"site": site, "title": title, "badges": list(badges)}


# --- snaks and values ----------------------------------------------------------------------------


def _bad_value(pid: str, text: str) -> ApiFailure:
    return modification_failed("wikibase-validator-malformed-value", [text],
                               f"Malformed value for property {pid}: {text}")


def _check_string(pid: str, value: Any, limit: int = STRING_MAX) -> str:
    if not isinstance(value, str):
        raise _bad_value(pid, f"should be a string, got {value!r}")
    if value == "" or value != value.strip():
        raise _bad_value(pid, f"should be a non-empty string without leading/trailing "
                              f"whitespace, got {value!r}")
    if any(c in value for c in "\n\r\t"):
        raise _bad_value(pid, f"should not contain line breaks or tabs, got {value!r}")
    if len(value) > limit:
        raise modification_failed("wikibase-validator-too-long", [str(limit), value],
                                  f"Property {pid}: must be no more than {limit} characters long")
    return value


def _normalize_entity_value(pid: str, datatype: str, value: Any, ctx: EditContext) -> dict:
    if not isinstance(value, dict):
        raise _bad_value(pid, f"entity id value should be an object, got {value!r}")
    etype = value.get("entity-type", "property" if datatype == "wikibase-property" else "item")
    want = "property" if datatype == "wikibase-property" else "item"
    letter = "P" if etype == "property" else "Q"
    eid = value.get("id")
    if eid is None and "numeric-id" in value:
        eid = f"{letter}{int(value['numeric-id'])}"
    if not isinstance(eid, str) or not ENTITY_ID_RE.match(eid) or eid[0] != letter \
            or etype != want:
        raise _bad_value(pid, f"should be a {want} id, got {value!r}")
    if "numeric-id" in value and int(value["numeric-id"]) != numeric_id(eid):
        raise _bad_value(pid, f"numeric-id and id disagree in {value!r}")
    if ctx.check_targets and not ctx.entity_exists(eid):
        raise modification_failed("wikibase-validator-no-such-entity", [eid],
                                  f"Could not find an entity with ID {eid} (property {pid}).")
    return {"entity-type": want, "numeric-id": numeric_id(eid), "id": eid}


def _normalize_datavalue(pid: str, datatype: str, dv: Any, ctx: EditContext) -> dict[str, Any]:
    if not isinstance(dv, dict) or "value" not in dv or "type" not in dv:
        raise _bad_value(pid, f"datavalue should have 'value' and 'type', got {dv!r}")
    want = VALUE_TYPES.get(datatype, "string")
    if dv["type"] != want:
        raise modification_failed(
            "wikibase-validator-bad-value-type", [dv["type"], want],
            f"Bad value type {dv['type']}, expected {want} (property {pid} has datatype "
            f"{datatype})")
    value = dv["value"]
    if want == "wikibase-entityid":
        return {"value": _normalize_entity_value(pid, datatype, value, ctx), "type": want}
    if want == "string":
        value = _check_string(pid, value)
        if datatype == "url":
            scheme = value.split(":", 1)[0].lower() if ":" in value else ""
            if scheme not in URL_SCHEMES or not re.match(r"^[a-zA-Z][\w+.-]*:\S+$", value):
                raise modification_failed("wikibase-validator-bad-url", [value],
                                          f"Property {pid}: invalid URL {value!r}")
        elif datatype == "commonsMedia":
            if value.startswith(("File:", "file:")) or not re.search(r"\.[A-Za-z0-9]{2,5}$", value) \
                    or any(c in value for c in "[]{}|#<>/"):
                raise modification_failed(
                    "wikibase-validator-bad-commons-media-value", [value],
                    f"Property {pid}: {value!r} should be a Commons file name without "
                    f"'File:' (e.g. 'Foo bar.jpg')")
            if len(value) > 240:
                raise _bad_value(pid, "file name longer than 240 characters")
        elif datatype in DATA_PAGE_RE and not DATA_PAGE_RE[datatype].match(value):
            raise modification_failed(
                "wikibase-validator-illegal-" + datatype + "-title", [value],
                f"Property {pid}: {value!r} should be a Commons data page title like "
                f"'Data:Foo.{'map' if datatype == 'geo-shape' else 'tab'}'")
        return {"value": value, "type": "string"}
    if want == "monolingualtext":
        if not isinstance(value, dict):
            raise _bad_value(pid, f"monolingualtext should be an object, got {value!r}")
        text = _check_string(pid, value.get("text"), 1500)
        lang = value.get("language")
        if lang not in LANGUAGES:
            raise modification_failed("wikibase-validator-not-a-language", [str(lang)],
                                      f"Property {pid}: {lang!r} is not a known language code.")
        return {"value": {"text": text, "language": lang}, "type": want}
    if want == "globecoordinate":
        if not isinstance(value, dict):
            raise _bad_value(pid, f"globecoordinate should be an object, got {value!r}")
        try:
            lat, lon = float(value["latitude"]), float(value["longitude"])
        except (KeyError, TypeError, ValueError):
            raise _bad_value(pid, f"latitude/longitude should be numbers, got {value!r}") from None
        if not -90 <= lat <= 90 or not -360 <= lon <= 360:
            raise modification_failed("wikibase-validator-out-of-range", [str(lat), str(lon)],
                                      f"Property {pid}: coordinates out of range "
                                      f"(latitude {lat}, longitude {lon})")
        precision = value.get("precision")
        if precision is not None:
            try:
                precision = float(precision)
            except (TypeError, ValueError):
                raise _bad_value(pid, f"precision should be a number, got {precision!r}") from None
            if precision <= 0 or precision > 360:
                raise _bad_value(pid, f"precision should be in (0, 360], got {precision!r}")
        globe = value.get("globe") or "http://www.wikidata.org/entity/Q2"
        if not isinstance(globe, str) or not re.match(r"^https?://\S+$", globe):
            raise _bad_value(pid, f"globe should be an entity URI, got {globe!r}")
        return {"value": {"latitude": value["latitude"], "longitude": value["longitude"],
                          "altitude": None, "precision": value.get("precision"),
                          "globe": globe}, "type": want}
    if want == "quantity":
        if not isinstance(value, dict):
            raise _bad_value(pid, f"quantity should be an object, got {value!r}")
        out: dict[str, Any] = {}
        for key in ("amount", "upperBound", "lowerBound"):
            if key in value and value[key] is not None:
                amt = value[key]
                if not isinstance(amt, str) or not AMOUNT_RE.match(amt):
                    raise modification_failed(
                        "wikibase-validator-malformed-value", [str(amt)],
                        f"Property {pid}: {key} should be a signed decimal string like '+12.5', "
                        f"got {amt!r}")
                out[key] = amt
        if "amount" not in out:
            raise _bad_value(pid, "quantity without amount")
        if ("upperBound" in out) != ("lowerBound" in out):
            raise _bad_value(pid, "quantity needs both upperBound and lowerBound or neither")
        if "upperBound" in out and not (float(out["lowerBound"]) <= float(out["amount"])
                                        <= float(out["upperBound"])):
            raise _bad_value(pid, "quantity amount should lie between lowerBound and upperBound")
        unit = value.get("unit", "1")
        if unit != "1" and not (isinstance(unit, str) and re.match(r"^https?://\S+/Q\d+$", unit)):
            raise modification_failed("wikibase-validator-malformed-value", [str(unit)],
                                      f"Property {pid}: unit should be '1' or an entity URI, "
                                      f"got {unit!r}")
        ordered = {"amount": out["amount"], "unit": unit}
        if "upperBound" in out:
            ordered["upperBound"] = out["upperBound"]
            ordered["lowerBound"] = out["lowerBound"]
        return {"value": ordered, "type": want}
    if want == "time":
        if not isinstance(value, dict):
            raise _bad_value(pid, f"time should be an object, got {value!r}")
        time = value.get("time")
        if not isinstance(time, str) or not TIME_RE.match(time):
            raise modification_failed("wikibase-validator-malformed-value", [str(time)],
                                      f"Property {pid}: time should look like "
                                      f"'+1998-10-20T00:00:00Z', got {time!r}")
        precision = value.get("precision")
        if not isinstance(precision, int) or isinstance(precision, bool) or not 0 <= precision <= 11:
            raise modification_failed("wikibase-validator-malformed-value", [str(precision)],
                                      f"Property {pid}: time precision should be 0-11, "
                                      f"got {precision!r}")
        calendar = value.get("calendarmodel")
        if calendar not in (GREGORIAN, JULIAN):
            raise modification_failed("wikibase-validator-bad-calendar", [str(calendar)],
                                      f"Property {pid}: calendarmodel should be {GREGORIAN} or "
                                      f"{JULIAN}, got {calendar!r}")
        month, day = int(time[-15:-13]), int(time[-12:-10])
        if month > 12 or day > 31:
            raise _bad_value(pid, f"invalid month/day in {time!r}")
        return {"value": {"time": time, "timezone": int(value.get("timezone", 0)),
                          "before": int(value.get("before", 0)),
                          "after": int(value.get("after", 0)), "precision": precision,
                          "calendarmodel": calendar}, "type": want}
    raise _bad_value(pid, f"unsupported value type {want}")  # pragma: no cover


def normalize_snak(raw: Any, ctx: EditContext, expect_property: str | None = None) -> dict:
    """Validate one snak and return it with ``hash`` and the property's ``datatype``."""
    if not isinstance(raw, dict) or "property" not in raw or "snaktype" not in raw:
        raise ApiFailure("invalid-snak", f"snak should have 'snaktype' and 'property', got {raw!r}")
    pid = raw["property"]
    if not isinstance(pid, str) or not re.match(r"^P[1-9]\d*$", pid):
        raise ApiFailure("invalid-snak", f"Invalid property id {pid!r} in snak")
    if expect_property and pid != expect_property:
        raise ApiFailure("invalid-snak", f"snak property {pid} is listed under {expect_property}")
    datatype = ctx.datatype_of(pid)
    if datatype is None:
        raise modification_failed("wikibase-validator-no-such-property", [pid],
                                  f"Property {pid} not found.")
    snaktype = raw["snaktype"]
    snak: dict[str, Any] = {"snaktype": snaktype, "property": pid}
    if snaktype == "value":
        if "datavalue" not in raw:
            raise ApiFailure("invalid-snak", f"snak of {pid} with snaktype value has no datavalue")
        snak["datavalue"] = _normalize_datavalue(pid, datatype, raw["datavalue"], ctx)
    elif snaktype not in ("somevalue", "novalue"):
        raise ApiFailure("invalid-snak", f"Invalid snaktype {snaktype!r} for {pid}")
    snak["hash"] = snak_hash(snak)
    snak["datatype"] = datatype
    return {k: snak[k] for k in ("snaktype", "property", "hash", "datavalue", "datatype")
            if k in snak}


def _snak_group(raw: Any, order: Any, ctx: EditContext) -> tuple[dict[str, list], list[str]]:
    groups: dict[str, list[dict[str, Any]]] = {}
    if isinstance(raw, dict):
        for pid, snaks in raw.items():
            for snak in snaks if isinstance(snaks, list) else [snaks]:
                groups.setdefault(pid, []).append(normalize_snak(snak, ctx, pid))
    elif isinstance(raw, list):
        for snak in raw:
            norm = normalize_snak(snak, ctx)
            groups.setdefault(norm["property"], []).append(norm)
    elif raw is not None:
        raise ApiFailure("invalid-snak", f"snaks should be a map or a list, got {raw!r}")
    wanted = [p for p in (order or []) if p in groups]
    final_order = list(dict.fromkeys(wanted + list(groups)))
    return {p: groups[p] for p in final_order}, final_order


def normalize_statement(raw: Any, entity_id: str, ctx: EditContext) -> dict[str, Any]:
    """Validate one statement; returns it with GUID, hashes, datatypes and *-order fields."""
    if not isinstance(raw, dict) or "mainsnak" not in raw:
        raise ApiFailure("invalid-claim", f"statement should have a mainsnak, got {raw!r}")
    mainsnak = normalize_snak(raw["mainsnak"], ctx)
    rank = raw.get("rank", "normal")
    if rank not in ("preferred", "normal", "deprecated"):
        raise ApiFailure("invalid-claim", f"Invalid rank {rank!r}")
    guid = raw.get("id") or new_guid(entity_id)
    stmt: dict[str, Any] = {"mainsnak": mainsnak, "type": "statement", "id": guid, "rank": rank}
    qualifiers, qorder = _snak_group(raw.get("qualifiers"), raw.get("qualifiers-order"), ctx)
    if qualifiers:
        stmt["qualifiers"] = qualifiers
        stmt["qualifiers-order"] = qorder
    refs: list[dict[str, Any]] = []
    for ref in raw.get("references") or []:
        if not isinstance(ref, dict):
            raise ApiFailure("invalid-reference", f"reference should be an object, got {ref!r}")
        snaks, sorder = _snak_group(ref.get("snaks"), ref.get("snaks-order"), ctx)
        if not snaks:
            raise ApiFailure("invalid-reference", "reference without snaks")
        rhash = reference_hash(snaks, sorder)
        if all(r["hash"] != rhash for r in refs):
            refs.append({"hash": rhash, "snaks": snaks, "snaks-order": sorder})
    if refs:
        stmt["references"] = refs
    return stmt


# --- claims merge --------------------------------------------------------------------------------


def _statement_list(raw: Any) -> list[dict[str, Any]]:
    if isinstance(raw, dict):
        out = []
        for pid, stmts in raw.items():
            for stmt in stmts if isinstance(stmts, list) else [stmts]:
                if isinstance(stmt, dict) and "mainsnak" in stmt and \
                        stmt["mainsnak"].get("property") not in (None, pid):
                    raise ApiFailure("invalid-claim", f"statement listed under {pid} has main "
                                                      f"snak property "
                                                      f"{stmt['mainsnak'].get('property')}")
                out.append(stmt)
        return out
    if isinstance(raw, list):
        return raw
    raise ApiFailure("not-recognized-array", f"claims should be a map or a list, got {raw!r}")


def _apply_claims(entity: dict[str, Any], raw: Any, entity_id: str, ctx: EditContext) -> None:
    flat: list[dict[str, Any]] = [s for stmts in entity.get("claims", {}).values() for s in stmts]
    index = {s["id"].lower(): i for i, s in enumerate(flat)}
    removed: set[int] = set()
    for raw_stmt in _statement_list(raw):
        if not isinstance(raw_stmt, dict):
            raise ApiFailure("invalid-claim", f"statement should be an object, got {raw_stmt!r}")
        guid = raw_stmt.get("id")
        if guid is not None:
            if not isinstance(guid, str) or "$" not in guid:
                raise ApiFailure("invalid-guid", f"Invalid statement GUID {guid!r}")
            owner = guid.split("$", 1)[0]
            if owner.upper() != entity_id.upper():
                raise modification_failed(
                    "wikibase-validator-statement-not-on-entity", [guid, entity_id],
                    f"Statement GUID {guid} does not belong to entity {entity_id}")
        if "remove" in raw_stmt:
            if guid is None:
                raise ApiFailure("invalid-claim", "a statement to remove needs its id")
            pos = index.get(guid.lower())
            if pos is None or pos in removed:
                raise modification_failed("wikibase-validator-no-such-claim", [guid],
                                          f"Statement with GUID {guid} not found on {entity_id}")
            removed.add(pos)
            continue
        stmt = normalize_statement(raw_stmt, entity_id, ctx)
        pos = index.get(stmt["id"].lower()) if guid else None
        if pos is not None and pos not in removed:
            old_pid = flat[pos]["mainsnak"]["property"]
            if old_pid != stmt["mainsnak"]["property"]:
                raise modification_failed(
                    "wikibase-validator-claim-property-change", [stmt["id"]],
                    f"Statement {stmt['id']} is about {old_pid}; its property cannot change")
            stmt["id"] = flat[pos]["id"]
            flat[pos] = stmt
        else:
            index[stmt["id"].lower()] = len(flat)
            flat.append(stmt)
    claims: dict[str, list[dict[str, Any]]] = {}
    for i, stmt in enumerate(flat):
        if i not in removed:
            claims.setdefault(stmt["mainsnak"]["property"], []).append(stmt)
    entity["claims"] = claims


# --- wbeditentity --------------------------------------------------------------------------------


def apply_edit(
    old: dict[str, Any] | None,
    data: dict[str, Any],
    entity_id: str,
    entity_type: str,
    ctx: EditContext,
    clear: bool = False,
) -> dict[str, Any]:
    """Apply wbeditentity ``data`` to ``old`` (None for a new entity) and return the new content.

    Args:
        old: Current entity JSON, or None when creating.
        data: The decoded ``data`` parameter.
        entity_id: Id of the entity (already allocated for new entities).
        entity_type: ``item`` or ``property``.
        ctx: Store lookups for validation.
        clear: ``clear=`` was given: start from an empty entity.

    Returns:
        The new entity content (``content_of`` shape, with ``id``).

    Raises:
        ApiFailure: with Wikibase's error code on invalid data.
    """
    if not isinstance(data, dict):
        raise ApiFailure("not-recognized-array", "data should be a JSON object")
    if "type" in data and data["type"] != entity_type:
        raise ApiFailure("param-invalid", f"data.type should be {entity_type}, got {data['type']!r}")
    known = {"type", "id", "labels", "descriptions", "aliases", "claims", "statements",
             "sitelinks", "datatype", "lastrevid", "pageid", "ns", "title", "modified"}
    unknown = set(data) - known
    if unknown:
        raise ApiFailure("not-recognized", f"Unknown key in json: {sorted(unknown)[0]}")
    entity = empty_entity(entity_type) if (old is None or clear) else copy.deepcopy(old)
    entity["id"] = entity_id
    entity["type"] = entity_type
    if entity_type == "property":
        entity.pop("sitelinks", None)
        current = (old or {}).get("datatype")
        given = data.get("datatype")
        if old is None:
            if given not in DATATYPES:
                raise ApiFailure("param-illegal", f"A property needs a valid datatype, got "
                                                  f"{given!r}")
            entity["datatype"] = given
        else:
            if given is not None and given != current:
                raise ApiFailure("modification-failed",
                                 f"The datatype of {entity_id} cannot be changed "
                                 f"({current} to {given}).")
            entity["datatype"] = current
        ctx.datatype_overrides.setdefault(entity_id, entity["datatype"])
    elif "datatype" in data:
        raise ApiFailure("param-illegal", "items have no datatype")
    if "labels" in data:
        _apply_terms(entity, "labels", data["labels"])
    if "descriptions" in data:
        _apply_terms(entity, "descriptions", data["descriptions"])
    if "aliases" in data:
        _apply_aliases(entity, data["aliases"])
    if "sitelinks" in data:
        if entity_type != "item":
            raise ApiFailure("not-supported", "sitelinks are only supported on items")
        _apply_sitelinks(entity, data["sitelinks"], ctx)
    claims = data.get("claims", data.get("statements"))
    if claims is not None:
        _apply_claims(entity, claims, entity_id, ctx)
    for lang, label in entity["labels"].items():
        desc = entity["descriptions"].get(lang)
        if desc and desc["value"] == label["value"]:
            raise modification_failed(
                "wikibase-validator-label-equals-description", [lang],
                f"Label and description for language code {lang} can not have the same value.")
    return content_of(entity)


def sitelink_url(site: str, title: str) -> str:
    """Article URL of a sitelink (spaces → underscores)."""
    base = SITES.get(site, ("", "", "https://invalid.example/"))[2]
    from urllib.parse import quote
    return base + "wiki/" + quote(title.replace(" ", "_"), safe="/:(),'!*@$;")


def with_urls(entity: dict[str, Any]) -> dict[str, Any]:
    """Copy of the entity with ``url`` on every sitelink (wbeditentity / sitelinks/urls)."""
    out = dict(entity)
    if "sitelinks" in entity:
        out["sitelinks"] = {s: {**l, "url": sitelink_url(s, l["title"])}
                            for s, l in entity["sitelinks"].items()}
    return out
