"""The campaign file: one YAML per campaign, validated by one pydantic model.

Sections follow the stages (``source``, ``mapping``, ``reconcile``, ``lists``, ``report``);
``campaigns/README.md`` documents every key. :func:`load_campaign` names the file, the key path
and the bad value on any error.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError, field_validator, model_validator

from core.errors import CampaignError
from modeling.campaign_base import PID, QID  # noqa: F401 - re-exported
from modeling.campaign_base import StrictModel as _Model
from modeling.campaign_base import check_pid as _check_pid
from modeling.campaign_base import check_qid as _check_qid
from modeling.campaign_contest import Contest, Scope

#: Licences whose data may be uploaded to Wikidata (CC0 or public domain).
UPLOADABLE_LICENCES = frozenset({"CC0-1.0", "CC0", "PDDL-1.0", "public-domain", "PD"})


class Publisher(_Model):
    """The data owner: who publishes the register and how to reach them."""

    name: str
    url: str | None = None
    contact: str | None = None
    release_date: date | None = Field(default=None, description="Publication date of this release.")


class Country(_Model):
    """The campaign's country: item, ISO code and a bounding box (lon/lat) for sanity checks."""

    qid: str
    iso: str
    bbox: tuple[float, float, float, float] | None = Field(
        default=None, description="min_lon, min_lat, max_lon, max_lat in WGS84"
    )

    _q = field_validator("qid")(_check_qid)


class Source(_Model):
    """Where the register is and how to read it. Paths are relative to the campaign file."""

    path: str
    format: Literal["auto", "csv", "xlsx", "geojson", "shapefile", "gpkg", "json", "jsonl"] = "auto"
    encoding: str | None = Field(default=None, description="None = detect")
    delimiter: str | None = Field(default=None, description="None = sniff")
    decimal: str | None = Field(default=None, description="',' for decimal commas; None = detect")
    layer: str | None = None
    crs: str | None = Field(default=None, description="e.g. EPSG:3006; None = from the file")
    id_column: str
    name_column: str
    lat_column: str | None = None
    lon_column: str | None = None
    wkt_column: str | None = None
    columns: dict[str, str] = Field(
        default_factory=dict, description="mapped name -> source column (kept in records)"
    )
    date_columns: list[str] = Field(
        default_factory=list, description="mapped names parsed as dates with their precision"
    )
    filter: dict[str, list[str]] = Field(
        default_factory=dict, description="source column -> values to keep (e.g. status in force)"
    )
    dissolve: bool = Field(
        default=False,
        description="rows sharing an id are parts of one area: merge their geometries "
        "(first row's attributes) instead of rejecting them as duplicates",
    )

    @model_validator(mode="after")
    def _coords(self) -> Source:
        if (self.lat_column is None) != (self.lon_column is None):
            raise ValueError("lat_column and lon_column go together")
        return self


class Identifier(_Model):
    """The register's identifier property on Wikidata."""

    property: str
    format: str | None = Field(default=None, description="regex the value must fully match")
    value: str = Field(default="{source_id}", description="template of the value")
    url: str | None = Field(default=None, description="record URL template, e.g. https://…/{source_id}")
    verified: bool = Field(
        default=False,
        description="True once the property was checked on wikidata.org (see FIELD-NOTES §2.8)",
    )

    _p = field_validator("property")(_check_pid)


class ValueMap(_Model):
    """A statement value taken from a column through a value map (or a fixed value)."""

    column: str | None = None
    map: dict[str, str] = Field(default_factory=dict)
    default: str | None = None
    novalue: list[str] = Field(default_factory=list, description="source values meaning novalue")

    @model_validator(mode="after")
    def _values(self) -> ValueMap:
        for v in [*self.map.values(), *([self.default] if self.default else [])]:
            _check_qid(v)
        if self.column is None and self.default is None:
            raise ValueError("needs a column with a map, or a default")
        return self


class Designation(ValueMap):
    """P1435 heritage designation, with its start time (P580) from a date column."""

    start_column: str | None = None


class Located(_Model):
    """P131 from a municipality code or name, via a lookup table fetched by SPARQL and cached."""

    column: str
    by: Literal["code", "name"] = "code"
    code_property: str | None = Field(
        default=None, description="property holding the admin unit's code, e.g. P525"
    )
    admin_class: str | None = Field(default=None, description="class of the admin units, e.g. Q127448")
    table: dict[str, str] = Field(
        default_factory=dict, description="static overrides: code or name -> QID"
    )
    split: str | None = Field(default=None, description="separator when a cell lists several units")
    max_distance_km: float = Field(
        default=50.0, gt=0, description="records farther from their unit's P625 are flagged for review"
    )

    @model_validator(mode="after")
    def _lookup(self) -> Located:
        if self.by == "code" and not self.code_property and not self.table:
            raise ValueError("by: code needs code_property (or a static table)")
        return self


class Extra(_Model):
    """Any further statement from a column: P571, P6375, P18, P373, P814, P809 …"""

    property: str
    column: str
    datatype: Literal[
        "string", "external-id", "monolingualtext", "time", "commonsMedia", "url", "wikibase-item",
        "quantity",
    ]
    language: str | None = None
    map: dict[str, str] = Field(default_factory=dict, description="for wikibase-item values")
    novalue: list[str] = Field(default_factory=list)
    unit: str | None = None

    _p = field_validator("property")(_check_pid)


class Reference(_Model):
    """The one reference block added to every statement (FIELD-NOTES §1.5)."""

    stated_in: str
    url: str | None = Field(default=None, description="P854 template, e.g. http://…/{source_id}")
    retrieved: date | Literal["today"] = "today"
    published: date | None = None

    _q = field_validator("stated_in")(_check_qid)


class Mapping(_Model):
    """Record -> Wikidata item plan."""

    identifier: Identifier
    instance_of: ValueMap
    located_in: Located | None = None
    designation: Designation | None = None
    coordinate_precision: float = 0.0001
    area: bool = Field(default=False, description="P2046 in hectares from the polygon geometry")
    geoshape: str | None = Field(default=None, description="P3896 Commons Data: page template")
    extra: list[Extra] = Field(default_factory=list)
    labels: dict[str, str] = Field(description="language -> template, e.g. '{name}'")
    descriptions: dict[str, str] = Field(default_factory=dict)
    aliases: dict[str, list[str]] = Field(default_factory=dict)
    reference: Reference


class Reconcile(_Model):
    """Thresholds for matching records against existing items."""

    distance_m: float = 150.0
    accept_score: float = Field(default=0.85, ge=0, le=1)
    review_score: float = Field(default=0.5, ge=0, le=1)
    classes: list[str] = Field(default_factory=list, description="candidate classes (P31)")
    #: Identifier values per request (record centers: the same, at most 200). 1,000 as in the plan
    #: stage's lookups: a request's fixed cost (on the endpoint and in the client) outweighed its
    #: cost per value at 200; each request stays far below WDQS's 60 s.
    batch_size: int = Field(default=1000, ge=100, le=1000)


class Upload(_Model):
    """Commons UploadWizard campaign settings for the lists."""

    campaign: str | None = Field(default=None, description="UploadWizard campaign, e.g. wlm-se")
    id_template: str = Field(default="{id}", description="value of &id=")
    categories: list[str] = Field(default_factory=list)
    description_language: str | None = None


class Lists(_Model):
    """What the campaign lists cover and how rows look."""

    designations: list[str] = Field(default_factory=list, description="scope: P1435 values")
    region_property: str = "P131"
    row_template: str | None = Field(default=None, description="e.g. 'BBR' for {{BBR|…}} rows")
    header_template: str | None = None
    row_params: dict[str, str] = Field(
        default_factory=dict, description="template parameter -> list column"
    )
    upload: Upload = Field(default_factory=Upload)


class Report(_Model):
    """Facts the campaign YAML states for the readiness checklist (dated where it matters)."""

    heritage_type: Literal["built", "natural"] = "built"
    mapping_reviewed: date | None = None
    dry_run_reviewed: date | None = None
    statistics_published: str | None = None
    notes: list[str] = Field(default_factory=list)


class Campaign(_Model):
    """A Wiki Loves campaign: one register, its Wikidata mapping, lists and reports."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    name: str
    kind: Literal["wlm", "wle"] = "wlm"
    year: int | None = None
    country: Country
    languages: list[str] = Field(min_length=1)
    label_fallback: list[str] = Field(default_factory=list)
    licence: str = Field(description="SPDX-like id of the dataset licence, e.g. CC0-1.0")
    publisher: Publisher
    source: Source | None = Field(default=None, description="the register; none = scope only")
    mapping: Mapping | None = Field(default=None, description="required with source")
    scope: Scope | None = Field(default=None, description="monuments selected on the target")
    contest: Contest | None = None
    reconcile: Reconcile = Field(default_factory=Reconcile)
    lists: Lists = Field(default_factory=Lists)
    report: Report = Field(default_factory=Report)

    #: Directory of the YAML file; source paths resolve against it (set by load_campaign).
    base_dir: Path = Field(default=Path("."), exclude=True)

    @model_validator(mode="after")
    def _register_or_scope(self) -> Campaign:
        if self.source is not None and self.mapping is None:
            raise ValueError("mapping is required when source is given")
        if self.source is None and self.scope is None:
            raise ValueError("needs source (a register) or scope (monuments already on Wikidata)")
        return self

    @property
    def has_register(self) -> bool:
        """True when the campaign ingests a register (ingest … upload run)."""
        return self.source is not None

    def require_register(self, stage: str) -> None:
        """Raise a clear error when ``stage`` (ingest … upload) runs on a campaign without one."""
        if self.source is None:
            raise CampaignError(
                f"campaign {self.id!r} has no register (no source:), so `wlkit {stage}` does not "
                "apply: its scope: selects the monuments already on the target; run `wlkit lists` "
                "or `wlkit run`")

    @property
    def identifier_property(self) -> str | None:
        """The property holding the monument ID: the scope's, else the register mapping's."""
        if self.scope is not None and self.scope.identifier:
            return self.scope.identifier
        return self.mapping.identifier.property if self.mapping is not None else None

    @property
    def contest_category(self) -> str:
        """The contest category on Commons (``contest.category``, else the usual name)."""
        if self.contest is not None and self.contest.category:
            return self.contest.category
        event = "Wiki Loves Earth" if self.kind == "wle" else "Wiki Loves Monuments"
        year = (self.contest.year if self.contest and self.contest.year else None) or self.year
        return f"Images from {event} {year} in {self.country.iso}"

    @property
    def data_dir(self) -> Path:
        """Folder of the campaign's bundled data: the register's folder, else data/<id>/."""
        if self.source is not None:
            return self.source_path.parent
        return (self.base_dir / "data" / self.id).resolve()

    @property
    def scope_query_path(self) -> Path | None:
        """Absolute path of ``scope.query``, when the campaign brings its own .rq file."""
        if self.scope is None or not self.scope.query:
            return None
        p = Path(self.scope.query)
        return p if p.is_absolute() else (self.base_dir / p).resolve()

    @property
    def source_path(self) -> Path:
        """Absolute path of the register file."""
        if self.source is None:
            raise CampaignError(f"campaign {self.id!r} has no register (no source: section)")
        p = Path(self.source.path)
        return p if p.is_absolute() else (self.base_dir / p).resolve()

    @property
    def register_mapping(self) -> Mapping:
        """The register's ``mapping:`` section (typed non-optional for the register stages)."""
        if self.mapping is None:
            raise CampaignError(f"campaign {self.id!r} has no register (no mapping: section)")
        return self.mapping

    @property
    def may_upload(self) -> bool:
        """Only CC0 / public-domain data may go to Wikidata."""
        return self.licence in UPLOADABLE_LICENCES

    @property
    def fallback_chain(self) -> list[str]:
        """Label languages in order: label_fallback, else the campaign languages."""
        return self.label_fallback or self.languages


def _format_errors(path: Path, err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        key = ".".join(str(x) for x in e["loc"]) or "(top level)"
        got = e.get("input")
        shown = "" if isinstance(got, dict) else f", got {got!r}"
        parts.append(f"{key}: {e['msg']}{shown}")
    return f"{path}: " + "; ".join(parts)


def load_campaign(path: str | Path) -> Campaign:
    """Read and validate a campaign YAML file.

    Raises:
        CampaignError: naming the file, the key path and the bad value.
    """
    path = Path(path)
    try:
        raw: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CampaignError(f"{path}: campaign file not found") from None
    except yaml.YAMLError as exc:
        raise CampaignError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise CampaignError(f"{path}: should be a mapping of campaign keys, got {type(raw).__name__}")
    try:
        campaign = Campaign.model_validate(raw)
    except ValidationError as exc:
        raise CampaignError(_format_errors(path, exc)) from None
    campaign.base_dir = path.resolve().parent
    return campaign
