"""WDQS's ``SERVICE`` extensions, rewritten into plain SPARQL before the store sees the query.

pyoxigraph evaluates ``SERVICE <iri>`` by sending an HTTP request to that IRI. The endpoint
must never do that, so every ``SERVICE`` clause is handled here, from the lexer's tokens:

- ``wikibase:label`` → ``BIND(<fn:label>(?x, "langs") AS ?xLabel)`` at the end of the group
  holding the service (WDQS runs the label service last too), for every ``?xLabel`` /
  ``?xDescription`` / ``?xAltLabel`` the query mentions and every explicit
  ``?x rdfs:label|schema:description|skos:altLabel ?v`` inside the service; the languages are
  tried in the order given, then ``mul`` (the multilingual code), as WDQS does;
- ``wikibase:around`` / ``wikibase:box`` → with the store's spatial index, when the pattern is
  one triple and the center/corners are constants or come from a ``VALUES`` block of the group:
  the matching triples as ``VALUES`` rows (:mod:`sandbox.wdqs_geo`); otherwise the service's
  triple pattern in place, plus a distance ``BIND`` + ``FILTER`` (around) or a box ``FILTER``
  at the end of the group (same rows, every coordinate tested);
- ``bd:sample`` → a sub-select with the requested ``LIMIT``;
- ``hint:`` statements are dropped;
- any other ``SERVICE`` (``wikibase:mwapi``, ``<http://…>``, ``?var``) → :class:`QueryRefused`.

The functions named here (``urn:x-wlkit:fn:*``) are defined in :mod:`sandbox.wdqs_functions`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sandbox.sparql_lexer import (
    QueryRefused,
    Token,
    declared_prefixes,
    expand,
    match_brackets,
    tokenize,
)
from sandbox.wdqs_geo import GeoLookup, GeoRewrite

WIKIBASE = "http://wikiba.se/ontology#"
BD = "http://www.bigdata.com/rdf#"
HINT = "http://www.bigdata.com/queryHints#"
FN = "urn:x-wlkit:fn:"
#: The multilingual language code; the label service falls back to it after the asked languages.
MUL = "mul"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
LABEL_PREDICATES = {RDFS_LABEL: "label", "http://schema.org/description": "description",
                    "http://www.w3.org/2004/02/skos/core#altLabel": "altLabel"}
SUFFIXES = (("AltLabel", "altLabel"), ("Label", "label"), ("Description", "description"))
SUPPORTED = "wikibase:label, wikibase:around, wikibase:box and bd:sample"
_LANG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
XSD_DOUBLE = "<http://www.w3.org/2001/XMLSchema#double>"


@dataclass
class _Service:
    """One ``SERVICE`` clause: token indexes of the keyword, the body's braces, the group end."""

    iri: str
    name: str
    first: int
    open: int
    close: int
    group_open: int
    group_close: int
    statements: list[list[Token]] = field(default_factory=list)


class _Rewrite:
    """Text edits collected over the token list, applied back to front."""

    def __init__(self, query: str, tokens: list[Token]) -> None:
        self.query, self.tokens = query, tokens
        self.edits: list[tuple[int, int, int, str]] = []

    def replace(self, first: int, last: int, text: str) -> None:
        """Replace tokens ``first..last`` (inclusive) with ``text``."""
        self.edits.append((self.tokens[first].start, self.tokens[last].end, len(self.edits),
                           text))

    def before(self, index: int, text: str) -> None:
        """Insert ``text`` before token ``index``."""
        pos = self.tokens[index].start
        self.edits.append((pos, pos, len(self.edits), f" {text} "))

    def text(self, tokens: list[Token]) -> str:
        """The query text spanned by ``tokens``."""
        return self.query[tokens[0].start:tokens[-1].end] if tokens else ""

    def apply(self) -> str:
        """The query with every edit applied."""
        out = self.query
        for start, end, _, text in sorted(self.edits, reverse=True):
            out = out[:start] + text + out[end:]
        return out


def rewrite_query(query: str, prefixes: dict[str, str], uselang: str = "en",
                  spatial: GeoLookup | None = None) -> str:
    """``query`` with WDQS's services and hints turned into plain, local SPARQL.

    Args:
        query: The query as the user wrote it for WDQS.
        prefixes: Predeclared prefixes (the query's own ``PREFIX`` lines take precedence).
        uselang: What ``[AUTO_LANGUAGE]`` stands for.
        spatial: The store's spatial index: around/box services it can answer become
            ``VALUES`` rows (:mod:`sandbox.wdqs_geo`); without it, or when it cannot, a
            ``FILTER`` over every coordinate gives the same rows.

    Raises:
        QueryRefused: too deeply nested, unbalanced, or a ``SERVICE`` that cannot run locally.
    """
    tokens = tokenize(query)
    pairs = match_brackets(tokens)
    if not any(t.kind == "word" and (t.text.upper() == "SERVICE" or t.text.startswith("hint:"))
               for t in tokens):
        return query
    px = {**prefixes, "hint": HINT, **declared_prefixes(tokens)}
    edits = _Rewrite(query, tokens)
    services = _find_services(tokens, pairs, px)
    _drop_hints(tokens, px, edits)
    labels = [s for s in services if s.iri == WIKIBASE + "label"]
    geo = None if spatial is None else GeoRewrite(
        query, tokens, pairs, px, spatial, lambda first, last: edits.replace(first, last, " "))
    for svc in services:
        if svc.iri == BD + "sample":
            _sample(svc, px, edits)
        elif svc.iri != WIKIBASE + "label":
            (_around if svc.iri == WIKIBASE + "around" else _box)(svc, px, edits, geo)
    if labels:
        _labels(labels, tokens, px, uselang, edits)
    return edits.apply()


def _find_services(tokens: list[Token], pairs: dict[int, int], px: dict[str, str]
                   ) -> list[_Service]:
    groups: list[int] = []
    found: list[_Service] = []
    for i, tok in enumerate(tokens):
        if tok.kind == "open" and tok.text == "{":
            groups.append(i)
        elif tok.kind == "close" and tok.text == "}":
            groups.pop()
        if not (tok.kind == "word" and tok.text.upper() == "SERVICE"):
            continue
        j = i + 1
        if j < len(tokens) and tokens[j].text.upper() == "SILENT":
            j += 1
        if j + 1 >= len(tokens) or tokens[j + 1].text != "{" or not groups:
            raise QueryRefused(f"SERVICE at character {tok.start} should be followed by a "
                               "service IRI and a group { … }")
        name = tokens[j].text
        iri = expand(name, px) if tokens[j].kind != "var" else None
        if iri not in (WIKIBASE + "label", WIKIBASE + "around", WIKIBASE + "box",
                       BD + "sample"):
            raise QueryRefused(
                f"SERVICE {name} is not available on the local endpoint: it never sends "
                f"requests to other services; only {SUPPORTED} run here")
        if found and i < found[-1].close:
            raise QueryRefused(f"SERVICE {name} inside SERVICE {found[-1].name} is not supported")
        svc = _Service(iri, name, i, j + 1, pairs[j + 1], groups[-1], pairs[groups[-1]])
        svc.statements = _statements(tokens[j + 2:pairs[j + 1]])
        found.append(svc)
    return found


def _statements(body: list[Token]) -> list[list[Token]]:
    """The body's triples statements, split on top-level ``.``."""
    out: list[list[Token]] = [[]]
    depth = 0
    for tok in body:
        depth += {"open": 1, "close": -1}.get(tok.kind, 0)
        if depth == 0 and tok.text == ".":
            out.append([])
        else:
            out[-1].append(tok)
    return [s for s in out if s]


def _params(svc: _Service, px: dict[str, str], edits: _Rewrite
            ) -> tuple[dict[str, list[str]], list[list[Token]]]:
    """(param local name → object texts, the other statements) of a service body."""
    params: dict[str, list[str]] = {}
    others: list[list[Token]] = []
    for stmt in svc.statements:
        if expand(stmt[0].text, px) != BD + "serviceParam":
            others.append(stmt)
            continue
        for part in _split(stmt[1:], ";"):
            if len(part) < 2:
                raise QueryRefused(f"incomplete bd:serviceParam in SERVICE {svc.name}")
            pred = expand(part[0].text, px) or part[0].text
            local = pred.rsplit("#", 1)[-1] if pred.startswith((WIKIBASE, BD)) else pred
            params.setdefault(local, []).append(edits.text(part[1:]))
    return params, others


def _split(tokens: list[Token], sep: str) -> list[list[Token]]:
    out: list[list[Token]] = [[]]
    depth = 0
    for tok in tokens:
        depth += {"open": 1, "close": -1}.get(tok.kind, 0)
        if depth == 0 and tok.text == sep:
            out.append([])
        else:
            out[-1].append(tok)
    return [p for p in out if p]


def _one(params: dict[str, list[str]], key: str, svc: _Service) -> str:
    values = params.get(key) or []
    if len(values) != 1:
        raise QueryRefused(f"SERVICE {svc.name} needs exactly one bd:serviceParam "
                           f"wikibase:{key}, got {len(values)}")
    return values[0]


def _pattern(svc: _Service, others: list[list[Token]], edits: _Rewrite) -> str:
    """The location triple of around/box: ``?item <pred> ?location``; returns ?location."""
    if len(others) != 1 or others[0][-1].kind != "var":
        raise QueryRefused(f"SERVICE {svc.name} should hold one pattern "
                           "'?item wdt:P625 ?location' besides its bd:serviceParam lines")
    edits.replace(svc.first, svc.close, edits.text(others[0]) + " .")
    return others[0][-1].text


def _around(svc: _Service, px: dict[str, str], edits: _Rewrite, geo: GeoRewrite | None) -> None:
    params, others = _params(svc, px, edits)
    center, radius = _one(params, "center", svc), _one(params, "radius", svc)
    asked = params["distance"][0] if params.get("distance") else None
    if geo is not None and len(others) == 1:
        text = geo.around((svc.group_open, svc.group_close), others[0], center, radius, asked)
        if text is not None:
            edits.replace(svc.first, svc.close, text)
            return
    location = _pattern(svc, others, edits)
    dist = asked or f"?__wlkit_dist{svc.first}"
    edits.before(svc.group_close,
                 f"BIND(<{FN}distance>({location}, {center}) AS {dist}) "
                 f"FILTER({dist} <= {XSD_DOUBLE}({radius}))")


def _box(svc: _Service, px: dict[str, str], edits: _Rewrite, geo: GeoRewrite | None) -> None:
    params, others = _params(svc, px, edits)
    if "cornerSouthWest" in params or "cornerNorthEast" in params:
        a, b = _one(params, "cornerSouthWest", svc), _one(params, "cornerNorthEast", svc)
        mode = "sw-ne"
    else:
        a, b = _one(params, "cornerWest", svc), _one(params, "cornerEast", svc)
        mode = "w-e"
    if geo is not None and len(others) == 1:
        text = geo.box((svc.group_open, svc.group_close), others[0], a, b, mode)
        if text is not None:
            edits.replace(svc.first, svc.close, text)
            return
    location = _pattern(svc, others, edits)
    edits.before(svc.group_close, f'FILTER(<{FN}inbox>({location}, {a}, {b}, "{mode}"))')


def _sample(svc: _Service, px: dict[str, str], edits: _Rewrite) -> None:
    params, others = _params(svc, px, edits)
    limit = (params.get("sample.limit") or ["1000"])[0].strip("\"'")
    if not limit.isdigit() or not others:
        raise QueryRefused(f"SERVICE {svc.name} needs triple patterns and a numeric "
                           f"bd:sample.limit, got {limit!r}")
    body = " . ".join(edits.text(s) for s in others)
    edits.replace(svc.first, svc.close, f"{{ SELECT * WHERE {{ {body} }} LIMIT {limit} }}")


def _drop_hints(tokens: list[Token], px: dict[str, str], edits: _Rewrite) -> None:
    i = 0
    while i + 2 < len(tokens):
        subj, pred = tokens[i], tokens[i + 1]
        if i and tokens[i - 1].text.upper() == "PREFIX":  # "PREFIX hint: <…#>" is no hint
            i += 1
        elif (subj.kind == "word" and (expand(subj.text, px) or "").startswith(HINT)
                and (expand(pred.text, px) or "").startswith(HINT)):
            last = i + 2
            if last + 1 < len(tokens) and tokens[last + 1].text == ".":
                last += 1
            edits.replace(i, last, " ")
            i = last + 1
        else:
            i += 1


def _labels(services: list[_Service], tokens: list[Token], px: dict[str, str], uselang: str,
            edits: _Rewrite) -> None:
    inside = {k for s in services for k in range(s.first, s.close + 1)}
    names = {t.text[1:] for k, t in enumerate(tokens) if t.kind == "var" and k not in inside}
    names_bound = _bound_by_query(tokens, inside)
    wanted: dict[int, list[tuple[str, str, str]]] = {}
    langs: dict[int, str] = {}
    for svc in services:
        langs[id(svc)], wanted[id(svc)] = _label_params(svc, px, uselang, edits)
    explicit_targets = {t for lst in wanted.values() for _, _, t in lst}
    for name in sorted(names):
        for suffix, fn in SUFFIXES:
            base = name[:-len(suffix)]
            if (name.endswith(suffix) and base in names and f"?{name}" not in explicit_targets
                    and name not in names_bound):
                owner = _owner(services, tokens, base)
                if owner is not None:
                    wanted[id(owner)].append((fn, f"?{base}", f"?{name}"))
                break
    for svc in services:
        binds = " ".join(f'BIND(<{FN}{fn}>({subj}, "{langs[id(svc)]}") AS {target})'
                         for fn, subj, target in wanted[id(svc)])
        edits.replace(svc.first, svc.close, " ")
        if binds:
            edits.before(svc.group_close, binds)


_CLAUSE_END = {"WHERE", "LIMIT", "OFFSET", "VALUES", "SELECT", "CONSTRUCT", "ASK", "DESCRIBE"}


def _bound_by_query(tokens: list[Token], skip: set[int]) -> set[str]:
    """Variables the query binds itself (triple patterns, ``VALUES``, ``BIND … AS``).

    The label service leaves those alone, so ``?item rdfs:label ?itemLabel`` next to the
    service keeps working.
    """
    bound: set[str] = set()
    braces = parens = 0
    clause = False  # inside a projection or a GROUP/ORDER BY/HAVING list
    for k, tok in enumerate(tokens):
        word = tok.text.upper() if tok.kind == "word" else ""
        if word in ("SELECT", "GROUP", "ORDER", "HAVING"):
            clause = True
        elif word in _CLAUSE_END or tok.text in ("{", "}"):
            clause = False
        if tok.kind == "open":
            braces += tok.text == "{"
            parens += tok.text == "("
        elif tok.kind == "close":
            braces -= tok.text == "}"
            parens -= tok.text == ")"
        elif tok.kind == "var" and k not in skip and braces > 0:
            after_as = k > 0 and tokens[k - 1].text.upper() == "AS"
            if (parens == 0 and not clause) or (after_as and not clause):
                bound.add(tok.text[1:])
    return bound


def _label_params(svc: _Service, px: dict[str, str], uselang: str, edits: _Rewrite
                  ) -> tuple[str, list[tuple[str, str, str]]]:
    """The label service's language chain (then ``mul``, as WDQS) and its explicit lines."""
    params, others = _params(svc, px, edits)
    langs: list[str] = []
    for value in params.get("language", []):
        for lang in value.strip("\"'").split(","):
            lang = lang.strip().replace("[AUTO_LANGUAGE]", uselang)
            if lang and not _LANG.fullmatch(lang):
                raise QueryRefused(f"wikibase:language should list language codes, got {lang!r}")
            if lang and lang not in langs:
                langs.append(lang)
    explicit = []
    for stmt in others:
        for part in _split(stmt[1:], ";"):
            fn = LABEL_PREDICATES.get(expand(part[0].text, px) or "")
            if fn is None or len(part) != 2 or part[1].kind != "var":
                raise QueryRefused(
                    f"SERVICE {svc.name} accepts bd:serviceParam and '?x rdfs:label|"
                    f"schema:description|skos:altLabel ?var' lines, got {edits.text(stmt)!r}")
            explicit.append((fn, stmt[0].text, part[1].text))
    langs = langs or [uselang]
    if MUL not in langs:
        langs.append(MUL)  # WDQS tries the multilingual code after the requested languages
    return ",".join(langs), explicit


def _owner(services: list[_Service], tokens: list[Token], base: str) -> _Service | None:
    """The innermost label service whose group mentions ``?base``."""
    best = None
    for svc in services:
        mentioned = any(tokens[k].kind == "var" and tokens[k].text[1:] == base
                        for k in range(svc.group_open, svc.group_close))
        if mentioned and (best is None or svc.group_open > best.group_open):
            best = svc
    return best
