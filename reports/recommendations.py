"""Recommendations: gaps found in the measured facts, with their real numbers, plus modelling advice.

Rules and message templates live in ``reports/data/recommendations.yaml`` (editable without
code). :func:`gap_metrics` turns facts into counts of a total (e.g. 312 of 4,120 records without
coordinates); a gap rule fires when its metric reaches the rule's ``min_count`` and
``min_ratio``. Modelling advice is chosen by the campaign's heritage type (``report.heritage_type``:
``built`` for WLM, ``natural`` for WLE) and, optionally, by keys missing from the campaign YAML.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from core.errors import CampaignError
from modeling.campaign import Campaign
from reports.facts import Facts
from reports.i18n import DEFAULT_LANGUAGE, N_, Ratio, format_value, language_name

RULES_FILE = Path(__file__).parent / "data" / "recommendations.yaml"

HeritageType = Literal["built", "natural"]
_ALL_HERITAGE: tuple[HeritageType, ...] = ("built", "natural")


@dataclass(frozen=True)
class Metric:
    """``count`` of ``total`` (e.g. records without coordinates of all records)."""

    count: int
    total: int

    @property
    def ratio(self) -> float:
        """``count / total`` (0 for an empty total)."""
        return self.count / self.total if self.total else 0.0


class GapRule(BaseModel):
    """A gap recommendation: fires when ``metric`` reaches the thresholds."""

    model_config = ConfigDict(extra="forbid")

    id: str
    metric: str
    min_count: int = 1
    min_ratio: float = Field(default=0.0, ge=0, le=1)
    priority: int = 3
    step: str
    heritage: list[HeritageType] = Field(default_factory=lambda: list(_ALL_HERITAGE))
    message: dict[str, str]


class ModellingRule(BaseModel):
    """Modelling advice for a heritage type, optionally only when a campaign key is missing/set."""

    model_config = ConfigDict(extra="forbid")

    id: str
    heritage: list[HeritageType]
    when: dict[Literal["missing", "present"], str] = Field(default_factory=dict)
    message: dict[str, str]


class RuleBook(BaseModel):
    """The whole recommendations file."""

    model_config = ConfigDict(extra="forbid")

    nouns: dict[HeritageType, dict[str, str]]
    gaps: list[GapRule]
    modelling: list[ModellingRule]


@dataclass(frozen=True)
class Recommendation:
    """One recommendation; :meth:`text` renders it in a language (English fallback)."""

    id: str
    kind: Literal["gap", "modelling"]
    priority: int
    step: str | None
    messages: dict[str, str]
    params: dict[str, Any] = field(default_factory=dict)
    nouns: dict[str, str] = field(default_factory=dict)

    def text(self, lang: str = DEFAULT_LANGUAGE) -> str:
        """The message in ``lang`` with its numbers formatted for that language."""
        template = self.messages.get(lang) or self.messages[DEFAULT_LANGUAGE]
        values = {k: format_value(v, lang) for k, v in self.params.items() if k != "language"}
        if "language" in self.params:
            values["language"] = language_name(self.params["language"], lang)
        values["noun"] = self.nouns.get(lang) or self.nouns.get(DEFAULT_LANGUAGE, "")
        return template.format(**values)


@lru_cache(maxsize=4)
def load_rules(path: str | Path = RULES_FILE) -> RuleBook:
    """Read and validate the recommendations file.

    Raises:
        CampaignError: naming the file, the key path and the problem.
    """
    path = Path(path)
    try:
        book = RuleBook.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
    except ValidationError as exc:
        errs = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise CampaignError(f"{path}: {errs}") from None
    rules: list[GapRule | ModellingRule] = [*book.gaps, *book.modelling]
    for rule in rules:
        if DEFAULT_LANGUAGE not in rule.message:
            raise CampaignError(f"{path}: {rule.id}: message needs an {DEFAULT_LANGUAGE!r} text")
    unknown = [g.metric for g in book.gaps if g.metric not in METRICS]
    if unknown:
        raise CampaignError(f"{path}: unknown metrics {unknown}; known: {sorted(METRICS)}")
    return book


def _flag(condition: bool) -> Metric:
    return Metric(1 if condition else 0, 1)


def gap_metrics(facts: Facts) -> dict[str, Metric | dict[str, Metric]]:
    """Turn facts into gap metrics (only for facts that were measured).

    Args:
        facts: Facts of one campaign run.

    Returns:
        ``metric name → Metric``; ``without_label`` maps language → Metric.
    """
    m: dict[str, Metric | dict[str, Metric]] = {
        "identifier_unverified": _flag(not facts.value("identifier.verified", False)),
        "licence_not_open": _flag(not facts.value("licence.open", False)),
        "no_contact": _flag(not facts.value("publisher.contact")),
        "no_upload_campaign": _flag(not facts.value("commons.campaign")),
        "mapping_not_reviewed": _flag(not facts.value("mapping.reviewed")),
    }
    records, rejects = facts.get("ingest.records"), facts.get("ingest.rejects")
    if records.known and rejects.known:
        m["rejected_rows"] = Metric(rejects.value, records.value + rejects.value)
    coords = facts.get("coordinates.with")
    if coords.known:
        total = coords.evidence.total or 0
        m["without_coordinates"] = Metric(total - coords.value, total)
    decisions = facts.get("reconcile.decisions")
    if decisions.known:
        m["review_queue"] = Metric(facts.value("reconcile.review", 0), decisions.value)
        m["new_items"] = Metric(facts.value("reconcile.new", 0), decisions.value)
    plans = facts.get("plan.items")
    if plans.known:
        m["held_plans"] = Metric(facts.value("plan.held", 0), plans.value)
    labels = facts.get("labels.with")
    if labels.known:
        total = labels.evidence.total or 0
        m["without_label"] = {lang: Metric(total - labels.value.get(lang, 0), total)
                              for lang in facts.value("languages", [])}
    done = facts.get("upload.done")
    if done.known:
        m["upload_failed"] = Metric(facts.value("upload.failed", 0), done.evidence.total or 0)
    missing = facts.get("upload.missing")
    if missing.known:
        m["upload_missing"] = Metric(len(missing.value), missing.evidence.total or 0)
    contest = facts.get("contest.uploads")
    if contest.known:  # the contest stage ran (07_contest/summary.json)
        for key, metric in (("without_id", "contest_without_id"), ("not_pictured", "contest_not_pictured")):
            fact = facts.get(f"contest.{key}")
            m[metric] = Metric(fact.value, fact.evidence.total or 0)
        m["contest_ineligible"] = Metric(contest.value - facts.value("contest.eligible", 0), contest.value)
    items = facts.get("stats.items")
    if items.known:
        for name in ("image", "commons_category", "admin"):
            with_ = facts.get(f"stats.with_{name}")
            if with_.known:
                m[f"without_{name}"] = Metric(items.value - with_.value, items.value)
        if "without_coordinates" not in m and facts.get("stats.with_coordinates").known:
            m["without_coordinates"] = Metric(
                items.value - facts.value("stats.with_coordinates"), items.value)
    return m


#: Every metric a gap rule may name (documented in the YAML file's header).
METRICS = frozenset({
    "rejected_rows", "without_coordinates", "review_queue", "new_items", "upload_failed",
    "upload_missing", "held_plans", "without_label", "without_image", "without_commons_category",
    "without_admin", "identifier_unverified", "licence_not_open", "no_contact",
    "no_upload_campaign", "mapping_not_reviewed", "contest_without_id", "contest_not_pictured",
    "contest_ineligible",
})


def _fires(rule: GapRule, metric: Metric) -> bool:
    return metric.count >= rule.min_count and metric.ratio >= rule.min_ratio and metric.count > 0


def _campaign_value(campaign: Campaign, path: str) -> Any:
    value: Any = campaign
    for part in path.split("."):
        if value is None:
            return None
        value = value.get(part) if isinstance(value, Mapping) else getattr(value, part, None)
    return value


def _applies(rule: ModellingRule, campaign: Campaign) -> bool:
    if "missing" in rule.when and _campaign_value(campaign, rule.when["missing"]):
        return False
    return not ("present" in rule.when and not _campaign_value(campaign, rule.when["present"]))


def build_recommendations(
    facts: Facts, campaign: Campaign, rules: RuleBook | None = None
) -> list[Recommendation]:
    """Derive recommendations from the gaps in ``facts`` and the campaign's heritage type (pure).

    Args:
        facts: Facts of one campaign run.
        campaign: The campaign (heritage type, languages, identifier property).
        rules: The rule book (default: ``reports/data/recommendations.yaml``).

    Returns:
        Gap recommendations ordered by priority then size of the gap, then modelling advice.
    """
    book = rules or load_rules()
    heritage = campaign.report.heritage_type
    nouns = book.nouns.get(heritage, {})
    metrics = gap_metrics(facts)
    top_reason = ""
    reasons = facts.value("ingest.rejects_by_reason", {})
    if reasons:
        top_reason = max(sorted(reasons), key=lambda r: reasons[r])
    gaps: list[tuple[int, float, Recommendation]] = []
    for rule in book.gaps:
        if heritage not in rule.heritage or rule.metric not in metrics:
            continue
        found = metrics[rule.metric]
        per_lang = found.items() if isinstance(found, dict) else [(None, found)]
        for lang, metric in per_lang:
            if not _fires(rule, metric):
                continue
            params: dict[str, Any] = {"count": metric.count, "total": metric.total,
                                      "percent": Ratio(metric.count, metric.total),
                                      "property": campaign.identifier_property,
                                      "top_reason": top_reason}
            if lang is not None:
                params["language"] = lang
            rec = Recommendation(f"{rule.id}-{lang}" if lang else rule.id, "gap", rule.priority,
                                 rule.step, rule.message, params, nouns)
            gaps.append((rule.priority, -metric.ratio, rec))
    gaps.sort(key=lambda g: (g[0], g[1], g[2].id))
    modelling = [
        Recommendation(r.id, "modelling", 9, None, r.message, {}, nouns)
        for r in book.modelling if heritage in r.heritage and _applies(r, campaign)
    ]
    return [g[2] for g in gaps] + modelling


def render_recommendations(
    recommendations: list[Recommendation],
    campaign: Campaign,
    fmt: str = "md",
    lang: str = DEFAULT_LANGUAGE,
    metrics: Mapping[str, Any] | None = None,
) -> str:
    """Render recommendations as Markdown (``md``), HTML (``html``) or wikitext (``wiki``).

    Args:
        recommendations: From :func:`build_recommendations`.
        campaign: The campaign.
        fmt: ``md``, ``html`` or ``wiki``.
        lang: Report language.
        metrics: :func:`gap_metrics` output, charted in HTML (coverage per aspect).

    Returns:
        The rendered document.
    """
    from reports.rendering import render_document

    gaps = [(r, r.text(lang)) for r in recommendations if r.kind == "gap"]
    modelling = [(r, r.text(lang)) for r in recommendations if r.kind == "modelling"]
    context: dict[str, Any] = {"gaps": gaps, "modelling": modelling, "chart": None}
    if fmt == "html" and metrics:
        from reports.i18n import gettext
        from reports.report_charts import share_chart

        names = {"without_coordinates": N_("coordinates"), "without_image": N_("image"),
                 "without_commons_category": N_("Commons category"),
                 "without_admin": N_("administrative unit"), "rejected_rows": N_("valid register rows")}
        labels, shares = [], []
        for key, name in names.items():
            metric = metrics.get(key)
            if isinstance(metric, Metric) and metric.total:
                labels.append(gettext(name, lang))
                shares.append(1 - metric.ratio)
        for code, metric in (metrics.get("without_label") or {}).items():
            if metric.total:
                labels.append(gettext("label", lang) + f" ({code})")
                shares.append(1 - metric.ratio)
        if labels:
            context["chart"] = share_chart(labels, shares, gettext("Coverage", lang))
    return render_document("recommendations", fmt, lang, campaign, context)
