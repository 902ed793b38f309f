"""Commons file pages of a sample contest: wikitext, the categories and templates it produces,
and the structured data UploadWizard adds — in the conventions real contests use.

A page is assembled from an :class:`Upload` (what the photographer did) and the contest's
conventions (:class:`Conventions`): ``{{Information}}`` with the ID template in the description,
``{{Wiki Loves Monuments YYYY|cc}}`` (or Earth) filing the file into the contest category, the
ID template filing it into the tracker category "… with known IDs" sorted by the ID, a licence,
``{{Location}}``, and the categories the uploader typed (a monument's own Commons category).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from modeling import datavalues as dv

#: Items structured data uses (Wikidata's ids).
CC_BY_SA_40 = "Q18199165"
COPYRIGHTED = "Q50423863"
OWN_WORK = "Q66458942"


@dataclass(frozen=True)
class Conventions:
    """How the contest's files are tagged (from the campaign's ``contest:`` and ``lists:``)."""

    contest_template: str          # "Wiki Loves Monuments 2026"
    country_code: str              # "se"
    contest_category: str          # "Images from Wiki Loves Monuments 2026 in Sweden"
    id_template: str               # "Monument Sweden"
    tracker_category: str          # "Cultural heritage monuments in Sweden with known IDs"
    upload_campaign: str           # "wlm-se-bbr"
    language: str                  # description language


@dataclass
class Upload:
    """One file as its uploader made it."""

    title: str
    pageid: int
    uploader: str
    timestamp: str                 # UTC ISO
    exif: str | None               # "YYYY:MM:DD HH:MM:SS"
    width: int
    height: int
    mime: str
    sha1: str
    description: str
    ids: list[str] = field(default_factory=list)          # ID template parameters
    depicts: list[str] = field(default_factory=list)      # P180 items
    categories: list[str] = field(default_factory=list)   # typed by the uploader
    location: tuple[float, float] | None = None
    globalusage: list[tuple[str, str]] = field(default_factory=list)
    in_contest: bool = True


def _wikitext(u: Upload, c: Conventions) -> str:
    ids = "".join(f"{{{{{c.id_template}|{i}}}}}" for i in u.ids)
    date = (u.exif or u.timestamp)[:10].replace(":", "-")
    lines = ["=={{int:filedesc}}==", "{{Information",
             f"|description={{{{{c.language}|1={u.description}}}}}{ids}",
             f"|date={{{{Taken on|{date}}}}}", "|source={{own}}",
             f"|author=[[User:{u.uploader}|{u.uploader}]]", "}}"]
    if u.location:
        lines.append(f"{{{{Location|{u.location[0]}|{u.location[1]}}}}}")
    lines += ["", "=={{int:license-header}}==", "{{self|cc-by-sa-4.0}}", ""]
    if u.in_contest:
        lines.append(f"{{{{{c.contest_template}|{c.country_code}}}}}")
    lines += [f"[[Category:{cat}]]" for cat in u.categories]
    return "\n".join(lines) + "\n"


def _links(u: Upload, c: Conventions) -> tuple[list[list[str]], list[str]]:
    """(categories as [name, sortkey prefix], templates) the page's wikitext produces."""
    cats: list[list[str]] = [["CC-BY-SA-4.0", ""], ["Self-published work", ""]]
    templates = ["Template:Information", "Template:Taken on", "Template:Own", "Template:Self",
                 "Template:Cc-by-sa-4.0", f"Template:{c.language.capitalize()}"]
    if u.ids:
        templates.append(f"Template:{c.id_template}")
        cats += [[c.tracker_category, i] for i in u.ids[:1]]  # one sort key per category
    if u.location:
        templates.append("Template:Location")
    if u.in_contest:
        templates.append(f"Template:{c.contest_template}")
        cats += [[c.contest_category, ""], [f"Uploaded via Campaign:{c.upload_campaign}", ""]]
    cats += [[cat, ""] for cat in u.categories]
    return cats, sorted(set(templates))


def _item(pid: str, qid: str) -> dict[str, Any]:
    return dv.snak(pid, "wikibase-item", dv.item(qid))


def _statement(pageid: int, n: int, snak: dict[str, Any],
               qualifiers: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    st: dict[str, Any] = {"id": f"M{pageid}$00000000-0000-4000-8000-{n:012d}", "mainsnak": snak,
                          "type": "statement", "rank": "normal"}
    if qualifiers:
        st["qualifiers"] = {q["property"]: [q] for q in qualifiers}
        st["qualifiers-order"] = [q["property"] for q in qualifiers]
    return st


def structured_data(u: Upload) -> dict[str, list[dict[str, Any]]]:
    """The MediaInfo statements UploadWizard adds, plus P180 and P1259 when the uploader set them."""
    author = [dv.snak("P4174", "external-id", dv.string(u.uploader))]
    sts = [_statement(u.pageid, 1, dv.snak("P170", "wikibase-item", None, "somevalue"), author),
           _statement(u.pageid, 2, _item("P275", CC_BY_SA_40)),
           _statement(u.pageid, 3, _item("P6216", COPYRIGHTED)),
           _statement(u.pageid, 4, _item("P7482", OWN_WORK))]
    sts += [_statement(u.pageid, 10 + k, _item("P180", q)) for k, q in enumerate(u.depicts)]
    if u.location:
        sts.append(_statement(u.pageid, 9, dv.snak(
            "P1259", "globe-coordinate", dv.globecoordinate(*u.location, 1e-05))))
    out: dict[str, list[dict[str, Any]]] = {}
    for st in sts:
        out.setdefault(st["mainsnak"]["property"], []).append(st)
    return out


def file_record(u: Upload, c: Conventions) -> dict[str, Any]:
    """The ``file`` record the local Commons loads (``POST /admin/load``)."""
    cats, templates = _links(u, c)
    return {"kind": "file", "title": u.title, "pageid": u.pageid, "uploader": u.uploader,
            "timestamp": u.timestamp, "sha1": u.sha1, "width": u.width, "height": u.height,
            "size": int(u.width * u.height * 0.42) if u.mime != "application/pdf" else 2_400_000,
            "mime": u.mime, "exif_datetime": u.exif, "wikitext": _wikitext(u, c),
            "categories": cats, "templates": templates,
            "globalusage": [{"wiki": w, "title": t} for w, t in u.globalusage],
            "statements": structured_data(u)}
