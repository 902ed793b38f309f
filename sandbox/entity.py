"""Wikibase entity JSON: wbeditentity merge semantics for terms, sitelinks and statements.

Pure functions over plain dicts (the Wikibase JSON format, WIKIBASE-API.md §4.2 and §8).
``apply_edit(old, data, ...)`` returns the new entity content; errors are :class:`ApiFailure`
with the codes and message names Wikibase uses. The data model basics live in
:mod:`sandbox.wb_model`, values in :mod:`sandbox.wb_values`, statements in
:mod:`sandbox.wb_statements`; their public names are re-exported here.
"""

from __future__ import annotations

import copy
import unicodedata
from typing import Any

from sandbox.languages import LANGUAGES
from sandbox.wb_model import (
    DATATYPES,
    ENTITY_ID_RE,
    GREGORIAN,
    JULIAN,
    SITES,
    TERM_MAX,
    EditContext,
    canonical_json,
    content_of,
    empty_entity,
    new_guid,
    numeric_id,
    reference_hash,
    sitelink_url,
    snak_hash,
    value_hash,
    with_urls,
)
from sandbox.wb_statements import apply_claims, normalize_snak, normalize_statement
from sandbox.wikibase_errors import ApiFailure, modification_failed

__all__ = [
    "DATATYPES", "ENTITY_ID_RE", "GREGORIAN", "JULIAN", "SITES", "EditContext", "apply_edit",
    "canonical_json", "content_of", "empty_entity", "new_guid", "normalize_snak",
    "normalize_statement", "numeric_id", "reference_hash", "sitelink_url", "snak_hash",
    "value_hash", "with_urls",
]


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
        for term in raw:
            if not isinstance(term, dict):
                raise ApiFailure("not-recognized-array", f"{what} should be objects, got "
                                                         f"{term!r}")
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
    groups: dict[Any, list[dict[str, Any]]] = {}  # keys checked by _check_language below
    if isinstance(raw, dict):
        for lang, items in raw.items():
            groups.setdefault(lang, [])
            items = items if isinstance(items, list) else [items]
            for item in items:
                if not isinstance(item, dict):
                    raise ApiFailure("not-recognized-array", f"aliases of {lang} should be "
                                                             f"objects, got {item!r}")
                if item.get("language", lang) != lang:
                    raise ApiFailure("inconsistent-language",
                                     f"inconsistent language: {lang} is not equal to "
                                     f"{item.get('language')}")
                groups[lang].append(item)
    elif isinstance(raw, list):
        for item in raw:
            if not isinstance(item, dict):
                raise ApiFailure("not-recognized-array", f"aliases should be objects, got "
                                                         f"{item!r}")
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
    if not isinstance(raw, (dict, list)) or any(not isinstance(link, dict) for link in items):
        raise ApiFailure("not-recognized-array", f"sitelinks should be objects, got {raw!r}")
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
        _apply_datatype(entity, old, data.get("datatype"), ctx)
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
        apply_claims(entity, claims, entity_id, ctx)
    _check_label_description(entity)
    return content_of(entity)


def _apply_datatype(entity: dict[str, Any], old: dict[str, Any] | None, given: Any,
                    ctx: EditContext) -> None:
    """A property's datatype: required and valid when created, never changed afterwards."""
    entity.pop("sitelinks", None)
    current = (old or {}).get("datatype")
    if old is None:
        if given not in DATATYPES:
            raise ApiFailure("param-illegal", f"A property needs a valid datatype, got "
                                              f"{given!r}")
        entity["datatype"] = given
    else:
        if given is not None and given != current:
            raise ApiFailure("modification-failed",
                             f"The datatype of {entity['id']} cannot be changed "
                             f"({current} to {given}).")
        entity["datatype"] = current
    ctx.datatype_overrides.setdefault(entity["id"], entity["datatype"])


def _check_label_description(entity: dict[str, Any]) -> None:
    for lang, label in entity["labels"].items():
        desc = entity["descriptions"].get(lang)
        if desc and desc["value"] == label["value"]:
            raise modification_failed(
                "wikibase-validator-label-equals-description", [lang],
                f"Label and description for language code {lang} can not have the same value.")

