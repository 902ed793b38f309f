"""Wikibase data model basics: constants, sites, hashes, GUIDs and the edit context.

Pure functions over plain dicts (the Wikibase JSON format, WIKIBASE-API.md §4.2 and §8).
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from sandbox.wb_hashes import wikibase_reference_hash, wikibase_snak_hash

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
    """The snak's hash as Wikibase computes it (:mod:`sandbox.wb_hashes`)."""
    return wikibase_snak_hash(snak)


def reference_hash(snaks: dict[str, list[dict[str, Any]]], order: list[str]) -> str:
    """The reference's hash as Wikibase computes it (also the ``wdref:`` local name)."""
    return wikibase_reference_hash([snak_hash(s) for pid in order for s in snaks.get(pid, [])])


def value_hash(datavalue: dict[str, Any]) -> str:
    """md5 of the canonical JSON of a datavalue (the ``wdv:`` local name)."""
    return hashlib.md5(canonical_json(datavalue).encode("utf-8")).hexdigest()


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


def sitelink_url(site: str, title: str) -> str:
    """Article URL of a sitelink (spaces → underscores)."""
    base = SITES.get(site, ("", "", "https://invalid.example/"))[2]
    return base + "wiki/" + quote(title.replace(" ", "_"), safe="/:(),'!*@$;")


def with_urls(entity: dict[str, Any]) -> dict[str, Any]:
    """Copy of the entity with ``url`` on every sitelink (wbeditentity / sitelinks/urls)."""
    out = dict(entity)
    if "sitelinks" in entity:
        out["sitelinks"] = {s: {**link, "url": sitelink_url(s, link["title"])}
                            for s, link in entity["sitelinks"].items()}
    return out
