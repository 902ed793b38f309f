"""Links to entity pages on the wiki a run targets (lists, map, dry-run report).

On Wikidata a list published on a Wikimedia wiki links items with the ``d:`` interwiki
(``[[:d:Q42|…]]``). Any other target — the local staging Wikibase, test.wikidata.org or a custom
Wikibase — gets full URLs built from its own Action API location: ``Special:EntityPage/<id>``
resolves items, properties and lexemes whatever the wiki's namespace setup. The local target shares
Wikidata's concept IRIs (so the same ``.rq`` files run), so the link base never comes from the
IRIs: an item created on a staging wiki must never be linked as if it were a Wikidata item.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from core.settings import Target
from reports.filters import wikitext

WIKIDATA_API = "https://www.wikidata.org/w/api.php"


@dataclass(frozen=True)
class EntityLinks:
    """How to link an entity id on one target.

    Attributes:
        page_base: URL prefix of entity pages (the id is appended).
        interwiki: Interwiki prefix for wikitext links (``d`` on Wikidata), or None for URLs.
    """

    page_base: str = "https://www.wikidata.org/wiki/"
    interwiki: str | None = "d"

    @classmethod
    def for_target(cls, target: Target) -> EntityLinks:
        """The links of ``target``: Wikidata's interwiki there, page URLs anywhere else.

        >>> EntityLinks.for_target(Target(name="local", api_url="http://127.0.0.1:8181/w/api.php",
        ...     sparql_url="http://127.0.0.1:7878/query")).url("Q5")
        'http://127.0.0.1:8181/wiki/Special:EntityPage/Q5'
        """
        api = target.api_url.rstrip("/")
        if api == WIKIDATA_API:
            return cls()
        parts = urlsplit(api)
        path = parts.path
        script = path.rsplit("/", 1)[0] if path.endswith("/api.php") else path
        # MediaWiki's default: scripts under /w, articles under /wiki.
        articles = script[: -len("/w")] + "/wiki/" if script.endswith("/w") else script + "/index.php/"
        return cls(page_base=f"{parts.scheme}://{parts.netloc}{articles}Special:EntityPage/", interwiki=None)

    def url(self, entity_id: str) -> str:
        """Full URL of the entity's page."""
        return self.page_base + quote(entity_id)

    def wikitext(self, entity_id: str, text: str | None = None) -> str:
        """A wikitext link to the entity, showing ``text`` (escaped) or the id.

        >>> EntityLinks().wikitext("Q5", "human")
        '[[:d:Q5|human]]'
        """
        shown = wikitext(text) if text else entity_id
        if self.interwiki:
            return f"[[:{self.interwiki}:{entity_id}|{shown}]]"
        return f"[{self.url(entity_id)} {shown}]"
