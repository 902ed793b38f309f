"""``wikibase:around`` / ``wikibase:box`` answered from the spatial index, as ``VALUES``.

When the service's pattern is one triple ``?s <pred> ?location``, its radius is a constant and
its center (corners) are constants or variables bound by a ``VALUES`` block of the same group,
the service is evaluated here, before the store sees the query: for every center (pair of
corners) the index (:class:`sandbox.spatial_index.SpatialIndex`) gives the matching triples,
and the service becomes ``VALUES (?center ?s ?location ?distance) { … }`` followed by the
triple pattern itself (so a triple removed since is never returned). The store then starts
from those few rows — what WDQS does with its geospatial index and ``hint:runFirst`` — instead
of testing every coordinate it holds. Anything else falls back to the ``FILTER`` rewrite of
:mod:`sandbox.wdqs_services`, which gives the same rows, only slower.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from sandbox.sparql_lexer import Token, expand

if TYPE_CHECKING:
    from sandbox.spatial_index import GeoHit

XSD_DOUBLE_IRI = "http://www.w3.org/2001/XMLSchema#double"
_STRING = re.compile(r"""^\s*(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")


class GeoLookup(Protocol):
    """What the rewrite needs from the index (:class:`sandbox.spatial_index.SpatialIndex`)."""

    def within(self, predicate: str, center: tuple[float, float], radius_km: float
               ) -> list[tuple[GeoHit, float]]: ...

    def in_box(self, predicate: str, a: tuple[float, float], b: tuple[float, float], mode: str
               ) -> list[GeoHit]: ...

    def point(self, wkt: str) -> tuple[float, float] | None: ...


class GeoRewrite:
    """Index-backed rewrite of the geographic services of one query."""

    def __init__(self, query: str, tokens: list[Token], pairs: dict[int, int],
                 px: dict[str, str], index: GeoLookup, drop: Callable[[int, int], None]) -> None:
        """``drop(first, last)`` removes tokens ``first..last`` from the rewritten query."""
        self.query, self.tokens, self.pairs, self.px = query, tokens, pairs, px
        self.index, self.drop = index, drop
        self._dropped: set[int] = set()
        self._pending: tuple[int, int] | None = None

    def around(self, group: tuple[int, int], pattern: list[Token], center: str, radius: str,
               distance: str | None) -> str | None:
        """The ``VALUES`` + pattern text replacing an around service, or None (fall back)."""
        triple = self._triple(pattern)
        radius_km = _number(radius)
        rows = self._bindings(group, [center])
        if triple is None or radius_km is None or rows is None:
            return None
        subject, pred, location = triple
        out_vars = [v for v in (center, subject, location) if v.startswith("?")]
        out_vars += [distance] if distance else []
        values: list[list[str]] = []
        found: dict[str, list[tuple[GeoHit, float]]] = {}
        for (center_text,) in rows:
            point = self._point(center_text)
            if point is None:
                return None  # e.g. a coordinate value node: the FILTER rewrite reads those
            if center_text not in found:
                found[center_text] = self.index.within(pred, point, radius_km)
            for hit, km in found[center_text]:
                if hit.blank:
                    return None  # blank subjects cannot go in VALUES
                if not self._subject_ok(subject, hit):
                    continue
                row = [center_text] if center.startswith("?") else []
                row += [hit.subject] if subject.startswith("?") else []
                row += [hit.location] + ([f'"{km!r}"^^<{XSD_DOUBLE_IRI}>'] if distance else [])
                values.append(row)
        return self._done(_values_text(out_vars, values) + f" {subject} <{pred}> {location} .")

    def box(self, group: tuple[int, int], pattern: list[Token], a: str, b: str, mode: str
            ) -> str | None:
        """The ``VALUES`` + pattern text replacing a box service, or None (fall back)."""
        triple = self._triple(pattern)
        rows = self._bindings(group, [a, b])
        if triple is None or rows is None:
            return None
        subject, pred, location = triple
        corner_vars = [v for v in (a, b) if v.startswith("?")]
        out_vars = list(dict.fromkeys(corner_vars)) + [
            v for v in (subject, location) if v.startswith("?")]
        values: list[list[str]] = []
        for a_text, b_text in rows:
            pa, pb = self._point(a_text), self._point(b_text)
            if pa is None or pb is None:
                return None
            for hit in self.index.in_box(pred, pa, pb, mode):
                if hit.blank:
                    return None
                if not self._subject_ok(subject, hit):
                    continue
                row = list(dict.fromkeys(t for v, t in ((a, a_text), (b, b_text))
                                         if v.startswith("?")))
                row += [hit.subject] if subject.startswith("?") else []
                values.append([*row, hit.location])
        return self._done(_values_text(out_vars, values) + f" {subject} <{pred}> {location} .")

    def _triple(self, pattern: list[Token]) -> tuple[str, str, str] | None:
        """(subject text, predicate IRI, location variable) of a one-triple pattern."""
        if len(pattern) != 3 or pattern[2].kind != "var" or pattern[1].kind not in ("word", "iri"):
            return None
        pred = expand(pattern[1].text, self.px)
        subject = pattern[0]
        if pred is None or subject.kind not in ("var", "word", "iri"):
            return None
        if subject.kind == "var":
            return "?" + subject.text[1:], pred, "?" + pattern[2].text[1:]
        iri = expand(subject.text, self.px)
        return (None if iri is None else (f"<{iri}>", pred, "?" + pattern[2].text[1:]))

    @staticmethod
    def _subject_ok(subject: str, hit: GeoHit) -> bool:
        return subject.startswith("?") or hit.subject == subject

    def _point(self, text: str) -> tuple[float, float] | None:
        m = _STRING.match(text)
        return None if m is None else self.index.point(m.group(1) or m.group(2) or "")

    def _bindings(self, group: tuple[int, int], names: list[str]) -> list[tuple[str, ...]] | None:
        """Rows of term texts for ``names`` (constants, or variables of one ``VALUES`` block).

        A block binding only those variables is dropped from the query: the service's rows
        carry them, one row per block row (duplicates kept), so the join with the block would
        change nothing — and the store would start from the block (every center) instead.
        """
        self._pending = None
        names = ["?" + n[1:] if n[:1] in "?$" else n for n in names]
        wanted = [n for n in names if n.startswith("?")]
        if not wanted:
            return [tuple(names)]
        block = self._values_block(group, wanted)
        if block is None:
            return None
        variables, rows, span = block
        keep_duplicates = set(variables) == set(wanted) and span[0] not in self._dropped
        out: list[tuple[str, ...]] = []
        for row in rows:
            terms = dict(zip(variables, row, strict=True))
            picked = [terms[n] if n.startswith("?") else n for n in names]
            if any(t is None for t in picked):
                return None  # UNDEF: the service would need the variable bound elsewhere
            out.append(tuple(t for t in picked if t is not None))
        if keep_duplicates:
            self._pending = span
            return out
        return list(dict.fromkeys(out))

    def _done(self, text: str) -> str:
        """Drop the ``VALUES`` block the rows just built replace (see :meth:`_bindings`)."""
        if self._pending is not None:
            self._dropped.add(self._pending[0])
            self.drop(*self._pending)
        return text

    def _values_block(self, group: tuple[int, int], wanted: list[str]
                      ) -> tuple[list[str], list[list[str | None]], tuple[int, int]] | None:
        """The ``VALUES`` block directly in ``group`` binding every variable of ``wanted``."""
        i, end = group[0] + 1, group[1]
        while i < end:
            tok = self.tokens[i]
            if tok.kind == "word" and tok.text.upper() == "VALUES":
                parsed = self._parse_values(i + 1)
                if parsed is None:
                    return None
                variables, rows, after = parsed
                if all(w in variables for w in wanted):
                    return variables, rows, (i, after - 1)
                i = after
            elif tok.kind == "open" and tok.text == "{":
                i = self.pairs[i] + 1  # a nested group: not this group's bindings
            else:
                i += 1
        return None

    def _parse_values(self, i: int) -> tuple[list[str], list[list[str | None]], int] | None:
        toks = self.tokens
        if toks[i].kind == "var":
            variables, i = ["?" + toks[i].text[1:]], i + 1
            single = True
        elif toks[i].text == "(":
            close = self.pairs[i]
            variables = ["?" + t.text[1:] for t in toks[i + 1:close] if t.kind == "var"]
            i, single = close + 1, False
        else:
            return None
        if toks[i].text != "{":
            return None
        end = self.pairs[i]
        if single:
            terms = self._terms(i + 1, end)
            return None if terms is None else (variables, [[t] for t in terms], end + 1)
        rows: list[list[str | None]] = []
        k = i + 1
        while k < end:
            if toks[k].text != "(":
                return None
            row = self._terms(k + 1, self.pairs[k])
            if row is None or len(row) != len(variables):
                return None
            rows.append(row)
            k = self.pairs[k] + 1
        return variables, rows, end + 1

    def _terms(self, i: int, end: int) -> list[str | None] | None:
        """The RDF terms between tokens ``i`` and ``end`` (exclusive) as texts; UNDEF → None."""
        out: list[str | None] = []
        toks = self.tokens
        while i < end:
            tok = toks[i]
            if tok.kind == "word" and tok.text.upper() == "UNDEF":
                out.append(None)
                i += 1
                continue
            if tok.kind not in ("string", "iri", "word", "num"):
                return None  # a sign, a nested bracket…: not a plain term, fall back
            j = i + 1
            if tok.kind == "string" and j + 1 < end and toks[j].text in ("^^", "@"):
                j += 2
            out.append(self.query[tok.start:toks[j - 1].end])
            i = j
        return out


def _number(text: str) -> float | None:
    m = _STRING.match(text)
    raw = (m.group(1) or m.group(2) or "") if m else text.strip()
    try:
        return float(raw)
    except ValueError:
        return None


def _values_text(variables: list[str], rows: list[list[str]]) -> str:
    body = " ".join("(" + " ".join(row) + ")" for row in rows)
    return f"VALUES ({' '.join(variables)}) {{ {body} }}"
