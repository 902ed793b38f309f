"""Campaign lists, step 2: sections → wikitext pages (split below the wiki's size limit), CSV,
GeoJSON and the offline HTML map.

Wikitext is rendered in the campaign's language (table headers from the report catalogues,
:mod:`reports.i18n`) with entity links for the target's wiki (:class:`reports.entity_links.EntityLinks`).
MediaWiki refuses pages above ``$wgMaxArticleSize`` (2,048 KiB by default): a list larger than
:data:`MAX_PAGE_BYTES` is written as numbered parts plus an index page linking them.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from core.errors import CampaignError
from modeling.campaign import Campaign
from reports.entity_links import EntityLinks
from reports.i18n import gettext, translated_environment
from reports.lists_fold import Section

STATIC_DIR = Path(__file__).resolve().parent / "static"
MAP_ASSETS = ("leaflet.js", "leaflet.css", "leaflet-LICENSE.txt", "wlk-map.js", "leaflet.markercluster.js",
              "MarkerCluster.css", "MarkerCluster.Default.css", "leaflet.markercluster-LICENSE.txt")
COLOURS = {"with": "#2e7d32", "without": "#c62828"}
#: Above this many markers the map draws on a canvas instead of one SVG element per marker.
CANVAS_FROM = 5000
URL_COLUMNS = frozenset({"upload_url", "wikidata_url"})
#: "Upload" in languages without a report catalogue (the catalogue wins where there is one).
UPLOAD_TEXT = {"sv": "Ladda upp", "en": "Upload", "de": "Hochladen", "fr": "Téléverser",
               "nl": "Uploaden", "fi": "Lataa", "nb": "Last opp", "da": "Upload"}
#: Largest wikitext page written, in UTF-8 bytes: below MediaWiki's default 2,048 KiB
#: ($wgMaxArticleSize) with room for the edit's own additions.
MAX_PAGE_BYTES = 2_000_000


def list_language(campaign: Campaign) -> str:
    """The language of the list pages: the upload description language, else the first one."""
    return campaign.lists.upload.description_language or campaign.languages[0]


def upload_text(lang: str) -> str:
    """The "Upload" link text in ``lang``."""
    text = gettext("Upload", lang)
    return UPLOAD_TEXT.get(lang, "Upload") if text == "Upload" else text


def _row_params(campaign: Campaign, columns: Sequence[str]) -> list[tuple[str, str]]:
    params = list(campaign.lists.row_params.items())
    allowed = set(columns) | {"region", "region_label"}
    for param, column in params:
        if column not in allowed:
            raise CampaignError(f"lists.row_params.{param} should name a list column "
                                f"({', '.join(sorted(allowed))}), got {column!r}")
    return params


@dataclass
class WikiRenderer:
    """Renders list sections as wikitext for one campaign and one target wiki.

    Attributes:
        campaign: Row template, header template, row params, languages.
        links: Entity links of the target wiki.
        generated_at: Timestamp written in each page's comment.
    """

    campaign: Campaign
    links: EntityLinks
    generated_at: str

    def __post_init__(self) -> None:
        self.lang = list_language(self.campaign)
        self._env = translated_environment(self.lang)

    def _render(self, name: str, **context: Any) -> str:
        return self._env.get_template(f"wikitext/lists/{name}.wiki.j2").render(**context)

    def head(self, part: dict[str, Any] | None = None) -> str:
        """The page head (generator comment, and for a part its number and index link)."""
        return self._render("page", campaign_name=self.campaign.name, generated_at=self.generated_at, part=part)

    def section(self, section: Section, continued: bool = False, count: int | None = None) -> str:
        """One region: heading with its count (``count``: the whole region's, for a run of its
        rows), then the rows (row template or generic table)."""
        columns = list(section.rows[0]) if section.rows else []
        return self._render(
            "section",
            section={"label": section.label, "qid": section.qid,
                     "count": section.count if count is None else count,
                     "rows": section.rows, "continued": continued},
            row_template=self.campaign.lists.row_template,
            header_template=self.campaign.lists.header_template,
            row_params=_row_params(self.campaign, columns) if section.rows else [],
            url_columns=URL_COLUMNS, region_columns={"region": section.qid, "region_label": section.label},
            upload_text=upload_text(self.lang), link=self.links.wikitext,
        )

    def page(self, secs: Sequence[Section]) -> str:
        """A whole page of sections, unsplit."""
        return self.head() + "".join(self.section(s) for s in secs)

    def index(self, parts: Sequence[dict[str, Any]], total: int) -> str:
        """The index page linking the parts of a split list."""
        return self._render("index", campaign_name=self.campaign.name, generated_at=self.generated_at,
                            parts=list(parts), total=total)


def render_page(campaign: Campaign, secs: Sequence[Section], generated_at: str,
                links: EntityLinks | None = None) -> str:
    """Wikitext list page: a section per region with its count, rows via the campaign's row
    template (``{{BBR|bbr=…}}``) or the generic table with localised headers (FIELD-NOTES §1.2).

    Args:
        campaign: Row template, header template, row params, languages.
        secs: Sections to include.
        generated_at: Timestamp shown in a comment.
        links: Entity links of the target wiki (default: Wikidata's ``d:`` interwiki).

    Returns:
        The page text (not split: see :class:`WikiPages`).
    """
    return WikiRenderer(campaign, links or EntityLinks(), generated_at).page(secs)


#: Rows rendered to estimate a large section's bytes per row before cutting it.
SAMPLE_ROWS = 200


def _chunks(renderer: WikiRenderer, section: Section, limit: int, continued: bool = False,
            count: int | None = None, sized: bool = False) -> Iterable[tuple[str, Section]]:
    """The section's text, in row chunks that each fit in ``limit`` bytes; every heading counts
    the whole region (``count``), later ones say "continued".

    Each row is rendered about once: a section of more than :data:`SAMPLE_ROWS` rows is sized
    from its first rows, and one that is clearly too large is cut without being rendered whole
    (a region of 125,000 monuments was rendered three times: whole, each chunk to size it,
    each chunk again with its "continued" heading). A chunk that still comes out too large is
    cut again. ``sized``: the rows were cut to fit already (rendered whole, no sample).
    """
    rows, count = section.rows, section.count if count is None else count
    if len(rows) > SAMPLE_ROWS and not sized:
        sample = renderer.section(replace(section, rows=rows[:SAMPLE_ROWS]), continued, count)
        per_row = len(sample.encode()) / SAMPLE_ROWS
        if per_row * len(rows) > limit:
            yield from _cut(renderer, section, limit, per_row, continued, count)
            return
    text = renderer.section(section, continued, count)
    size = len(text.encode())
    if size <= limit or len(rows) <= 1:
        yield text, section
        return
    yield from _cut(renderer, section, limit, size / len(rows), continued, count)


def _cut(renderer: WikiRenderer, section: Section, limit: int, per_row: float, continued: bool,
         count: int) -> Iterable[tuple[str, Section]]:
    """The section in runs of rows of about 90% of ``limit``; every run after the first is
    "continued"."""
    step = max(1, int(limit * 0.9 / per_row))
    for start in range(0, len(section.rows), step):
        part = replace(section, rows=section.rows[start:start + step])
        yield from _chunks(renderer, part, limit, continued or start > 0, count, sized=True)


def page_limit(renderer: WikiRenderer, max_bytes: int = MAX_PAGE_BYTES) -> int:
    """Bytes left for sections on a page of ``max_bytes`` once the largest part head is written."""
    return max_bytes - len(renderer.head({"number": 99999, "total": 99999, "index_title": "x" * 255}).encode())


class WikiPages:
    """Writes one list (``<stem>.wiki``, or parts plus an index) from section chunks as they come.

    Chunks (:func:`section_chunks`) are packed into pages of at most ``max_bytes`` (UTF-8), whole
    regions where they fit. Only the page being filled is held in memory: a finished page's body
    goes to a temporary file, and :meth:`close` writes the parts with their heads ("Part n of
    N" needs the number of parts) and the index, or the single page. Parts are meant to be
    published as subpages ``<list page>/1``, ``/2`` … of the page that gets ``<stem>.wiki`` (the
    index); each part links back to it.
    """

    def __init__(self, renderer: WikiRenderer, dest: Path, stem: str, max_bytes: int = MAX_PAGE_BYTES) -> None:
        self.renderer, self.dest, self.stem = renderer, dest, stem
        self.limit = page_limit(renderer, max_bytes)
        self.pages: list[dict[str, Any]] = []  # {"first", "last", "count", "bytes"} per page
        self._body: list[str] = []

    def add(self, text: str, size: int, part: Section) -> None:
        """Append one chunk (``size``: its UTF-8 bytes) of ``part``'s rows."""
        if not self.pages or self.pages[-1]["bytes"] + size > self.limit:
            self._spill()
            self.pages.append({"first": part.label, "last": part.label, "count": 0, "bytes": 0})
        page = self.pages[-1]
        self._body.append(text)
        page["bytes"] += size
        page["last"] = part.label
        page["count"] += len(part.rows)

    def _body_file(self, number: int) -> Path:
        return self.dest / f".{self.stem}-part-{number:03d}.body"

    def _spill(self) -> None:
        if self.pages:
            self._body_file(len(self.pages)).write_text("".join(self._body), encoding="utf-8")
        self._body = []

    def close(self) -> list[Path]:
        """Write the list; returns the files written (the page or index first). Parts of an earlier
        run that this one no longer has are removed (a list that shrank keeps no stale part)."""
        main = self.dest / f"{self.stem}.wiki"
        stale = re.compile(rf"^{re.escape(self.stem)}-part-(\d{{3,}})\.wiki$")
        for old in self.dest.glob(f"{self.stem}-part-*.wiki"):
            if (m := stale.match(old.name)) and int(m.group(1)) > (len(self.pages) if len(self.pages) > 1 else 0):
                old.unlink()
        if len(self.pages) <= 1:
            main.write_text(self.renderer.head() + "".join(self._body), encoding="utf-8")
            return [main]
        self._spill()
        written = [main]
        for number in range(1, len(self.pages) + 1):
            head = self.renderer.head({"number": number, "total": len(self.pages), "index_title": ".."})
            path, body = self.dest / f"{self.stem}-part-{number:03d}.wiki", self._body_file(number)
            with path.open("w", encoding="utf-8") as out, body.open(encoding="utf-8") as part:
                out.write(head)
                shutil.copyfileobj(part, out)
            body.unlink()
            written.append(path)
        parts = [{"title": f"/{n}", "number": n, "first": p["first"], "last": p["last"], "count": p["count"]}
                 for n, p in enumerate(self.pages, start=1)]
        main.write_text(self.renderer.index(parts, sum(p["count"] for p in self.pages)), encoding="utf-8")
        return written


def section_chunks(renderer: WikiRenderer, section: Section, limit: int) -> list[tuple[str, int, Section]]:
    """The section's wikitext in row chunks of at most ``limit`` bytes each: ``(text, bytes, rows)``
    (a region larger than one page is cut between rows; the later headings say "continued")."""
    return [(text, len(text.encode()), part) for text, part in _chunks(renderer, section, limit)]


def copy_map_assets(dest: Path, names: Sequence[str] = MAP_ASSETS) -> list[Path]:
    """Copy the vendored map files next to ``map.html``."""
    return [Path(shutil.copyfile(STATIC_DIR / name, dest / name)) for name in names]

