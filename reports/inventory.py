"""The task force's resource inventory: guides, tools, queries and case studies per process step.

The catalogue is ``reports/data/resources.yaml`` (editable without code). Reports show each
resource beside the checklist step it helps with, filtered by the campaign languages plus
English. The same catalogue can be pushed to a Wikibase as items (:func:`resource_entities`
builds them; :func:`pipelines.inventory.push_inventory_to_wikibase` writes them).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from core.errors import CampaignError
from modeling import datavalues as dv
from reports.steps import STEPS

log = logging.getLogger(__name__)

RESOURCES_FILE = Path(__file__).parent / "data" / "resources.yaml"


class Resource(BaseModel):
    """One entry of the inventory."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    url: str
    language: str
    kind: Literal["guide", "tool", "query", "case-study", "policy"]
    topic: str
    steps: tuple[str, ...] = Field(min_length=1)
    heritage: tuple[Literal["built", "natural"], ...] = ("built", "natural")

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith("https://") or any(c.isspace() for c in value) or "]" in value:
            raise ValueError(f"should be an https URL without spaces, got {value!r}")
        return value


class Topic(BaseModel):
    """A topic of the inventory, with its Wikidata item when pushed to a Wikibase."""

    model_config = ConfigDict(extra="forbid")

    label: str
    qid: str | None = None


class WikibaseFields(BaseModel):
    """Which properties hold URL, language and subject when the inventory is pushed."""

    model_config = ConfigDict(extra="forbid")

    url_property: str = "P953"
    language_property: str = "P407"
    subject_property: str = "P921"
    languages: dict[str, str] = Field(default_factory=dict)


class Catalogue(BaseModel):
    """The whole resources file."""

    model_config = ConfigDict(extra="forbid")

    topics: dict[str, Topic] = Field(default_factory=dict)
    wikibase: WikibaseFields = Field(default_factory=WikibaseFields)
    resources: list[Resource]


def load_catalogue(path: str | Path = RESOURCES_FILE) -> Catalogue:
    """Read and validate the inventory file.

    Raises:
        CampaignError: naming the file, the entry and the bad value.
    """
    path = Path(path)
    raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        catalogue = Catalogue.model_validate(raw)
    except ValidationError as exc:
        errs = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise CampaignError(f"{path}: {errs}") from None
    for i, r in enumerate(catalogue.resources):
        bad = [s for s in r.steps if s not in STEPS]
        if bad or r.topic not in catalogue.topics:
            what = f"unknown steps {bad}" if bad else f"unknown topic {r.topic!r}"
            raise CampaignError(f"{path}: resources.{i} ({r.title}): {what}")
    return catalogue


def load_resources(path: str | Path = RESOURCES_FILE) -> list[Resource]:
    """The inventory's resources (see :func:`load_catalogue`)."""
    return load_catalogue(path).resources


def resources_by_step(
    resources: Iterable[Resource], languages: Iterable[str], heritage: str | None = None
) -> dict[str, list[Resource]]:
    """Group resources by checklist step, keeping only the given languages (and heritage type).

    Args:
        resources: The inventory.
        languages: Languages to keep (campaign languages, plus English by the caller).
        heritage: ``built`` or ``natural`` keeps resources for that type only; None keeps all.

    Returns:
        ``step → resources`` (a defaultdict: unknown steps give ``[]``), in languages' order.
    """
    order = {lang: i for i, lang in enumerate(dict.fromkeys(languages))}
    grouped: dict[str, list[Resource]] = defaultdict(list)
    kept = (r for r in resources if r.language in order and (heritage is None or heritage in r.heritage))
    for r in sorted(kept, key=lambda r: order[r.language]):
        for step in r.steps:
            grouped[step].append(r)
    return grouped


def resource_entities(catalogue: Catalogue) -> list[dict[str, Any]]:
    """One new-item Wikibase JSON (``wbeditentity`` data) per resource.

    Label = title (in the resource's language and English), statements: URL (P953 by default),
    language of work (P407) when the language has an item, main subject (P921) when the topic
    has an item.

    Args:
        catalogue: The loaded inventory.

    Returns:
        Entity JSON documents without ids.
    """
    wb = catalogue.wikibase

    def claim(prop: str, datatype: str, value: str) -> dict[str, Any]:
        datavalue = dv.item(value) if datatype == "wikibase-item" else dv.string(value)
        return dv.statement(dv.snak(prop, datatype, datavalue))

    out = []
    for r in catalogue.resources:
        labels = {r.language: {"language": r.language, "value": r.title}}
        labels.setdefault("en", {"language": "en", "value": r.title})
        claims = [claim(wb.url_property, "url", r.url)]
        if r.language in wb.languages:
            claims.append(claim(wb.language_property, "wikibase-item", wb.languages[r.language]))
        topic = catalogue.topics[r.topic]
        if topic.qid:
            claims.append(claim(wb.subject_property, "wikibase-item", topic.qid))
        descr = f"{r.kind} for Wiki Loves campaigns: {', '.join(r.steps)}"
        out.append({"labels": labels, "descriptions": {"en": {"language": "en", "value": descr}},
                    "claims": claims})
    return out
