"""Load ``sparql/<name>.rq`` and fill its parameters safely.

A ``.rq`` file is plain SPARQL whose header comment declares its parameters::

    # Purpose: campaign scope ...
    # @param idprop pid           identifier property (used as wdt:$idprop)
    # @param designations qid[]?  P1435 values; optional
    # Columns: item, id, ...

Parameters appear in the body in three ways, and nowhere else:

* inline ``$name`` (a SPARQL variable token, so the raw file still parses): replaced by the typed
  term — ``qid`` → ``wd:Q34``, ``pid`` → ``P1260`` (bare, to follow a prefix: ``wdt:$idprop``),
  ``literal`` → ``"escaped"`` (or ``"x"@sv`` for a :func:`literal` term with a language),
  ``integer`` → ``42``, ``iri`` → ``<http://…>``, ``point`` → ``"Point(lon lat)"^^geo:wktLiteral``;
* a line ``#VALUES ?var $name`` (list types): replaced by ``VALUES ?var { … }``;
* a line ``#IN ?var $name`` (list types): replaced by ``FILTER(?var IN (…))``, for a variable
  already bound by the patterns before it (a few designations, languages). Oxigraph joins an
  inline ``VALUES`` in the middle of a group with everything around it, which cost the lists'
  scope 3× and the label batches 3× at 10⁶ items; a filter only tests each solution;
* ``#IF $name`` … ``#ELSE`` … ``#END`` line blocks: kept when the parameter is given and
  non-empty (an optional parameter may then be left out).

Values go through the typed helpers :func:`qid`, :func:`pid`, :func:`literal`, :func:`integer`,
:func:`iri`, :func:`point` (strings passed to :func:`render` are converted by the declared type, so the same
checks apply). Unknown, missing or ill-typed parameters raise :class:`QueryError`; nothing is
ever pasted with ``str.format``. PREFIX lines for the WDQS prefixes a query uses are added, built
from the target's entity base, so the text runs on WDQS, QLever and Oxigraph alike.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from core.errors import QueryError
from core.settings import WIKIDATA_ENTITY_BASE

QUERY_DIR = Path(__file__).resolve().parent
_QID = re.compile(r"^Q[1-9]\d*$")
_PID = re.compile(r"^P[1-9]\d*$")
_LANG = re.compile(r"^[a-zA-Z]{1,8}(?:-[a-zA-Z0-9]{1,8})*$")
_IRI_BAD = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_PARAM_DECL = re.compile(r"^#\s*@param\s+(\w+)\s+(\w+)(\[\])?(\?)?")
_MARKER = re.compile(r"\$([A-Za-z_]\w*)")
_VALUES_LINE = re.compile(r"^(\s*)#VALUES\s+((?:\?\w+\s*)+?)\s*\$(\w+)\s*$")
_IN_LINE = re.compile(r"^(\s*)#IN\s+(\?\w+)\s+\$(\w+)\s*$")
_IF_LINE = re.compile(r"^\s*#IF\s+\$(\w+)\s*$")
_ELSE_LINE = re.compile(r"^\s*#ELSE\s*$")
_END_LINE = re.compile(r"^\s*#END\s*$")
_TYPES = ("qid", "pid", "literal", "integer", "iri", "point")


@dataclass(frozen=True)
class Term:
    """A SPARQL term already checked and serialised by one of the typed helpers."""

    kind: str
    text: str

    def __str__(self) -> str:
        return self.text


def qid(value: str) -> Term:
    """An item id as ``wd:Q…``.

    >>> str(qid("Q34"))
    'wd:Q34'
    """
    if not isinstance(value, str) or not _QID.match(value):
        raise QueryError(f"qid should be an item id like Q42, got {value!r}")
    return Term("qid", f"wd:{value}")


def pid(value: str) -> Term:
    """A property id, bare (``P1260``), to follow a prefix such as ``wdt:`` or ``p:``.

    >>> str(pid("P1260"))
    'P1260'
    """
    if not isinstance(value, str) or not _PID.match(value):
        raise QueryError(f"pid should be a property id like P31, got {value!r}")
    return Term("pid", value)


def literal(value: str, lang: str | None = None) -> Term:
    """A string literal, escaped per the SPARQL grammar (ECHAR), optionally language-tagged.

    >>> str(literal('a "b"\\n', lang="sv"))
    '"a \\\\"b\\\\"\\\\n"@sv'
    """
    if not isinstance(value, str):
        raise QueryError(f"literal should be a string, got {type(value).__name__} {value!r}")
    text = (
        value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        .replace("\r", "\\r").replace("\t", "\\t").replace("\b", "\\b").replace("\f", "\\f")
    )
    if lang is not None:
        if not _LANG.match(lang):
            raise QueryError(f"literal language should be a language tag like sv, got {lang!r}")
        return Term("literal", f'"{text}"@{lang}')
    return Term("literal", f'"{text}"')


def integer(value: int) -> Term:
    """An integer literal (bools rejected).

    >>> str(integer(42))
    '42'
    """
    if isinstance(value, bool) or not isinstance(value, int):
        raise QueryError(f"integer should be an int, got {value!r}")
    return Term("integer", str(value))


def iri(value: str) -> Term:
    """An absolute IRI in angle brackets (characters illegal in IRIREF rejected).

    >>> str(iri("http://www.wikidata.org/entity/Q34"))
    '<http://www.wikidata.org/entity/Q34>'
    """
    if not isinstance(value, str) or not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", value) or _IRI_BAD.search(value):
        raise QueryError(f"iri should be an absolute IRI without spaces or <>\"{{}}|^`\\, got {value!r}")
    return Term("iri", f"<{value}>")


def point(value: tuple[float, float]) -> Term:
    """A WGS84 point ``(lon, lat)`` in degrees as a WKT literal (WDQS's coordinate form).

    >>> str(point((18.0686, 59.3293)))
    '"Point(18.0686 59.3293)"^^geo:wktLiteral'
    """
    try:
        lon, lat = (float(v) for v in value)
    except (TypeError, ValueError):
        raise QueryError(f"point should be a (lon, lat) pair of numbers, got {value!r}") from None
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise QueryError(f"point should be lon in [-180, 180] and lat in [-90, 90], got {value!r}")
    return Term("point", f'"Point({lon!r} {lat!r})"^^geo:wktLiteral')


_HELPERS: dict[str, Callable[[Any], Term]] = {
    "qid": qid, "pid": pid, "literal": literal, "integer": integer, "iri": iri, "point": point,
}


@dataclass(frozen=True)
class Param:
    """One declared parameter of a .rq file."""

    name: str
    type: str
    many: bool
    optional: bool


def wdqs_prefixes(entity_base: str = WIKIDATA_ENTITY_BASE) -> dict[str, str]:
    """The WDQS default prefixes, with entity namespaces built from ``entity_base``.

    Args:
        entity_base: Concept-URI base, e.g. ``http://www.wikidata.org``.

    Returns:
        Prefix → namespace IRI.
    """
    b = entity_base.rstrip("/")
    return {
        "wd": f"{b}/entity/", "wds": f"{b}/entity/statement/", "wdv": f"{b}/value/",
        "wdref": f"{b}/reference/", "wdt": f"{b}/prop/direct/", "wdtn": f"{b}/prop/direct-normalized/",
        "p": f"{b}/prop/", "ps": f"{b}/prop/statement/", "psv": f"{b}/prop/statement/value/",
        "psn": f"{b}/prop/statement/value-normalized/", "pq": f"{b}/prop/qualifier/",
        "pqv": f"{b}/prop/qualifier/value/", "pqn": f"{b}/prop/qualifier/value-normalized/",
        "pr": f"{b}/prop/reference/", "prv": f"{b}/prop/reference/value/",
        "prn": f"{b}/prop/reference/value-normalized/", "wdno": f"{b}/prop/novalue/",
        "wdata": f"{b}/wiki/Special:EntityData/",
        "wikibase": "http://wikiba.se/ontology#", "schema": "http://schema.org/",
        "prov": "http://www.w3.org/ns/prov#", "skos": "http://www.w3.org/2004/02/skos/core#",
        "owl": "http://www.w3.org/2002/07/owl#", "geo": "http://www.opengis.net/ont/geosparql#",
        "geof": "http://www.opengis.net/def/function/geosparql/",
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "xsd": "http://www.w3.org/2001/XMLSchema#",
        "ontolex": "http://www.w3.org/ns/lemon/ontolex#", "dct": "http://purl.org/dc/terms/",
    }


@lru_cache(maxsize=256)
def _load(path: Path, mtime: float) -> tuple[str, tuple[Param, ...]]:
    text = path.read_text(encoding="utf-8")
    params: list[Param] = []
    for line in text.splitlines():
        m = _PARAM_DECL.match(line.strip())
        if m:
            name, typ, many, opt = m.groups()
            if typ not in _TYPES:
                raise QueryError(f"{path.name}: @param {name} type should be one of {_TYPES}, got {typ!r}")
            params.append(Param(name, typ, bool(many), bool(opt)))
    return text, tuple(params)


def query_path(name: str) -> Path:
    """Path of ``sparql/<name>.rq`` (``name`` without extension; no path separators).

    Raises:
        QueryError: if the name is malformed or the file does not exist.
    """
    if not re.match(r"^[A-Za-z0-9_]+$", name):
        raise QueryError(f"query name should be a .rq file stem like lists_labels, got {name!r}")
    path = QUERY_DIR / f"{name}.rq"
    if not path.is_file():
        raise QueryError(f"query {name!r} not found: {path} does not exist")
    return path


def _coerce(name: str, param: Param, value: Any) -> Term | list[Term] | None:
    def one(v: Any) -> Term:
        if isinstance(v, Term):
            if v.kind != param.type:
                raise QueryError(
                    f"parameter ${param.name} of {name}.rq should be {param.type}, got a {v.kind} term {v}"
                )
            return v
        return _HELPERS[param.type](v)

    if value is None:
        return None
    if param.many:
        if isinstance(value, (str, bytes, Term)) or not isinstance(value, Iterable):
            raise QueryError(f"parameter ${param.name} of {name}.rq should be a list of {param.type}, got {value!r}")
        return [one(v) for v in value]
    return one(value)


def _given(value: Term | list[Term] | None) -> bool:
    return value is not None and (not isinstance(value, list) or len(value) > 0)


def _conditionals(name: str, lines: list[str], values: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    stack: list[tuple[bool, bool]] = []  # (condition, in_else)
    for line in lines:
        if m := _IF_LINE.match(line):
            if m.group(1) not in values:
                raise QueryError(f"{name}.rq: #IF ${m.group(1)} names an undeclared parameter")
            stack.append((_given(values[m.group(1)]), False))
            continue
        if _ELSE_LINE.match(line):
            if not stack:
                raise QueryError(f"{name}.rq: #ELSE without #IF")
            stack[-1] = (stack[-1][0], True)
            continue
        if _END_LINE.match(line):
            if not stack:
                raise QueryError(f"{name}.rq: #END without #IF")
            stack.pop()
            continue
        if all(cond != in_else for cond, in_else in stack):
            out.append(line)
    if stack:
        raise QueryError(f"{name}.rq: #IF without #END")
    return out


def render(name: str, /, *, entity_base: str = WIKIDATA_ENTITY_BASE, **params: Any) -> str:
    """Render ``sparql/<name>.rq`` with typed parameters and the PREFIX lines it needs.

    Args:
        name: File stem in ``sparql/`` (e.g. ``"lists_campaign_items"``).
        entity_base: Concept-URI base for the ``wd:``/``wdt:``… prefixes.
        **params: Values for the declared ``# @param`` names: :class:`Term` objects from the
            typed helpers, or plain values converted by the declared type (lists for ``[]``).

    Returns:
        The query text, ready to send.

    Raises:
        QueryError: unknown, missing or ill-typed parameters; malformed markers.
    """
    path = query_path(name)
    text, declared = _load(path, path.stat().st_mtime)
    values = _bind(name, declared, params)
    by_name = {p.name: p for p in declared}
    body = [
        rendered
        for line in _conditionals(name, text.splitlines(), values)
        if (rendered := _render_line(name, line, by_name, values)) is not None
    ]
    query = "\n".join(line for line in body if line.strip())
    return _prefix_head(query, entity_base) + query + "\n"


def _bind(name: str, declared: tuple[Param, ...], params: dict[str, Any]) -> dict[str, Term | list[Term] | None]:
    """Check ``params`` against the declared ``@param`` lines and coerce each to its type."""
    by_name = {p.name: p for p in declared}
    unknown = sorted(set(params) - set(by_name))
    if unknown:
        raise QueryError(f"{name}.rq has no parameter {', '.join('$' + u for u in unknown)}; declared: "
                         f"{', '.join('$' + p for p in by_name) or 'none'}")
    values: dict[str, Term | list[Term] | None] = {}
    for p in declared:
        values[p.name] = _coerce(name, p, params.get(p.name))
        if not p.optional and not _given(values[p.name]):
            raise QueryError(f"{name}.rq needs parameter ${p.name} ({p.type}{'[]' if p.many else ''})")
    return values


def _render_line(
    name: str, line: str, by_name: dict[str, Param], values: dict[str, Term | list[Term] | None]
) -> str | None:
    """One query line with its ``$markers`` filled, a ``#VALUES`` line expanded, or None to drop it."""
    if m := _VALUES_LINE.match(line):
        indent, variables, pname = m.group(1), m.group(2).split(), m.group(3)
        if pname not in by_name or not by_name[pname].many:
            raise QueryError(f"{name}.rq: #VALUES ${pname} should name a declared list parameter")
        terms = values[pname]
        if not _given(terms):
            return None  # optional VALUES left out: the #IF blocks decide the rest
        if len(variables) != 1:
            raise QueryError(f"{name}.rq: #VALUES takes one variable, got {variables}")
        assert isinstance(terms, list)
        return f"{indent}VALUES {variables[0]} {{ {' '.join(t.text for t in terms)} }}"
    if m := _IN_LINE.match(line):
        indent, variable, pname = m.groups()
        if pname not in by_name or not by_name[pname].many:
            raise QueryError(f"{name}.rq: #IN ${pname} should name a declared list parameter")
        terms = values[pname]
        if not _given(terms):
            return None  # optional filter left out
        assert isinstance(terms, list)
        return f"{indent}FILTER({variable} IN ({', '.join(t.text for t in terms)}))"
    if line.lstrip().startswith("#"):
        return None  # comments are dropped: shorter requests, no stray markers

    def sub(m: re.Match[str]) -> str:
        pname = m.group(1)
        if pname not in by_name:
            raise QueryError(f"{name}.rq uses ${pname}, which is not a declared @param")
        value = values[pname]
        if isinstance(value, list):
            raise QueryError(f"{name}.rq: list parameter ${pname} only goes in a #VALUES line")
        if value is None:
            raise QueryError(f"{name}.rq uses optional ${pname} outside an #IF ${pname} block")
        return value.text

    return _MARKER.sub(sub, line).rstrip()


def _prefix_head(query: str, entity_base: str) -> str:
    """PREFIX lines for every WDQS prefix the query uses and does not declare itself."""
    prefixes = wdqs_prefixes(entity_base)
    # One pass collects every prefixed name's prefix (also after '/', '^' or '|' in paths).
    found = set(_PREFIXED_NAME.findall(query))
    used = [p for p in prefixes if p in found]
    declared_here = set(re.findall(r"(?im)^\s*PREFIX\s+(\w*):", query))
    return "".join(f"PREFIX {p}: <{prefixes[p]}>\n" for p in used if p not in declared_here)


_PREFIXED_NAME = re.compile(r"(?<![\w.-])([A-Za-z][\w-]*):")


def available() -> list[str]:
    """Stems of every ``sparql/*.rq`` file, sorted."""
    return sorted(p.stem for p in QUERY_DIR.glob("*.rq"))
