"""A small, hand-checked contest (Swedish-style WLM): monuments, uploads, users, category files.

Every upload exercises one case the contest stage must handle; ``EXPECTED`` states the answer.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pandas as pd

from modeling.contest.frames import normalise_monuments, normalise_uploads
from modeling.contest.rules import ContestRules, rules_from_campaign

RULES = ContestRules(year=2026, start=date(2026, 9, 1), end=date(2026, 9, 30), country_code="se",
                     jurors=frozenset({"Juror Jo"}), organisers=frozenset({"Org Olle"}),
                     id_template="Monument Sweden", tracker_category="Cultural heritage monuments in Sweden with known IDs",
                     id_format="{id}")

_MON = [
    # item, id, label, region, region_label, lat, lon, image, commons_category
    ("Q101", "21300000000101", "Vreta kyrka", "Q501", "Linköping", 58.49, 15.51, None, None),
    ("Q102", "21300000000102", "Gamla bron", "Q501", "Linköping", 58.41, 15.62, "Gamla bron 1990.jpg", None),
    ("Q103", "21300000000103", "Ljungs slott", "Q502", "Norrköping", 58.52, 15.90, None, "Ljungs slott"),
    ("Q104", "21300000000104", "Väderkvarnen", "Q502", "Norrköping", 58.60, 16.18, None, "Väderkvarnen i Borg"),
    ("Q105", "21300000000105", "Fyren", "Q503", "Söderköping", 58.48, 16.32, None, None),
    ("Q106", "21300000000106", "Herrgården", "Q503", "Söderköping", 58.47, 16.30, None, None),
    ("Q107", "21300000000107", "Kvarnen", "Q503", "Söderköping", 58.46, 16.29, None, None),
]

TRACK = "Category:Cultural heritage monuments in Sweden with known IDs"
WLM = "Category:Images from Wiki Loves Monuments 2026 in Sweden"


def _up(title: str, user: str, at: str, *, ident: str | None = None, sortkey: str | None = None,
        depicts: tuple[str, ...] = (), cats: tuple[str, ...] = (), sha1: str | None = None,
        size: tuple[int, int] = (4000, 3000), mime: str = "image/jpeg", exif: str | None = "2026:09:01 12:00:00",
        usage: int = 0) -> dict[str, object]:
    text = f"=={{{{int:filedesc}}}}==\n{{{{Information|description={title}}}}}\n"
    if ident:
        text += f"{{{{Monument Sweden|{ident}}}}}\n"
    text += "{{Wiki Loves Monuments 2026|se}}\n"
    categories = [WLM, *cats] + ([TRACK] if sortkey else [])
    keys = [f"{WLM}|"] + [f"{TRACK}|{sortkey}"] if sortkey else [f"{WLM}|"]
    return {"title": title, "pageid": 0, "mediainfo_id": "", "uploader": user,
            "uploaded_at": at, "sha1": sha1 or f"sha-{title}", "width": size[0], "height": size[1],
            "size": 2_000_000, "mime": mime, "exif_datetime": exif, "categories": categories,
            "category_sortkeys": keys, "templates": ["Template:Monument Sweden"] if ident else [],
            "wikitext": text, "depicts": list(depicts), "globalusage": usage}


def build() -> SimpleNamespace:
    """Monuments, uploads, users, category files and the rules of the small contest."""
    monuments = normalise_monuments(pd.DataFrame(_MON, columns=["item", "id", "label", "region", "region_label",
                                                                "lat", "lon", "image", "commons_category"]))
    rows = [
        _up("File:Vreta kyrka 1.jpg", "Anna", "2026-09-01T08:00:00Z", ident="21300000000101",
            sortkey="21300000000101", usage=2),
        _up("File:Vreta kyrka 2.jpg", "Anna", "2026-09-01T09:00:00Z", ident="21300000000101",
            sortkey="21300000000101", depicts=("Q101",)),
        _up("File:Gamla bron SDC.jpg", "Bertil", "2026-09-02T10:00:00Z", depicts=("Q102",)),
        _up("File:Ljungs slott.jpg", "Cecilia", "2026-09-02T11:00:00Z", cats=("Category:Ljungs slott",)),
        _up("File:Okänd.jpg", "Cecilia", "2026-09-03T12:00:00Z"),
        _up("File:Fel id.jpg", "Bertil", "2026-09-03T13:00:00Z", ident="21399999999999", sortkey="21399999999999"),
        _up("File:Två.jpg", "Anna", "2026-09-04T14:00:00Z", ident="21300000000105", sortkey="21300000000105",
            depicts=("Q106",)),
        _up("File:Fyren liten.jpg", "David", "2026-09-04T15:00:00Z", ident="21300000000105",
            sortkey="21300000000105", size=(1200, 900)),
        _up("File:Fyren gammal.jpg", "David", "2026-09-05T07:00:00Z", ident="21300000000105",
            sortkey="21300000000105", exif="2019:06:01 10:00:00"),
        _up("File:Vreta kopia.jpg", "Erik", "2026-09-05T08:00:00Z", ident="21300000000101",
            sortkey="21300000000101", sha1="sha-File:Vreta kyrka 1.jpg"),
        _up("File:Herrgården jury.jpg", "Juror Jo", "2026-09-06T09:00:00Z", ident="21300000000106",
            sortkey="21300000000106"),
        _up("File:Herrgården sent.jpg", "Anna", "2026-10-01T00:30:00Z", ident="21300000000106",
            sortkey="21300000000106"),
        _up("File:Vreta kyrka.gif", "Erik", "2026-09-07T09:00:00Z", ident="21300000000101",
            sortkey="21300000000101", mime="image/gif"),
    ]
    frame = pd.DataFrame(rows)
    frame["pageid"] = range(1001, 1001 + len(frame))
    frame["mediainfo_id"] = "M" + frame["pageid"].astype(str)
    uploads = normalise_uploads(frame)
    users = pd.DataFrame({"user": ["Anna", "Bertil", "Cecilia", "David", "Erik", "Juror Jo"],
                          "registration": ["2012-03-04T10:00:00Z", "2026-09-02T08:00:00Z", None,
                                           "2026-08-20T08:00:00Z", "2026-09-05T07:30:00Z", "2010-01-01T00:00:00Z"]})
    category_files = pd.DataFrame({"category": ["Ljungs slott", "Ljungs slott", "Väderkvarnen i Borg"],
                                   "title": ["File:Ljungs slott.jpg", "File:Ljungs slott 1920.jpg",
                                             "File:Väderkvarnen 2001.jpg"]})
    return SimpleNamespace(monuments=monuments, uploads=uploads, users=users, category_files=category_files,
                           rules=RULES)


#: The hand-checked answers.
EXPECTED_STATUS = {
    "File:Vreta kyrka 1.jpg": ("matched", "Q101", "id"),
    "File:Vreta kyrka 2.jpg": ("matched", "Q101", "id;depicts"),
    "File:Gamla bron SDC.jpg": ("matched", "Q102", "depicts"),
    "File:Ljungs slott.jpg": ("matched", "Q103", "category"),
    "File:Okänd.jpg": ("unmatched", None, ""),
    "File:Fel id.jpg": ("unknown_id", None, ""),
    "File:Två.jpg": ("several_monuments", None, ""),
    "File:Fyren liten.jpg": ("matched", "Q105", "id"),
    "File:Fyren gammal.jpg": ("matched", "Q105", "id"),
    "File:Vreta kopia.jpg": ("matched", "Q101", "id"),
    "File:Herrgården jury.jpg": ("matched", "Q106", "id"),
    "File:Herrgården sent.jpg": ("matched", "Q106", "id"),
    "File:Vreta kyrka.gif": ("matched", "Q101", "id"),
}
EXPECTED_REASONS = {
    "File:Vreta kyrka 1.jpg": "",
    "File:Vreta kyrka 2.jpg": "",
    "File:Gamla bron SDC.jpg": "no_id",
    "File:Ljungs slott.jpg": "no_id",
    "File:Okänd.jpg": "no_id",
    "File:Fel id.jpg": "unknown_id",
    "File:Två.jpg": "several_monuments",
    "File:Fyren liten.jpg": "below_min_resolution",
    "File:Fyren gammal.jpg": "exif_date_outside_window",
    "File:Vreta kopia.jpg": "duplicate",
    "File:Herrgården jury.jpg": "by_juror",
    "File:Herrgården sent.jpg": "uploaded_outside_window",
    "File:Vreta kyrka.gif": "file_type",
}


def campaign_stub(**contest: object) -> SimpleNamespace:
    """A campaign-like object for :func:`rules_from_campaign` tests."""
    return SimpleNamespace(id="wlm-xx", year=2026, kind="wlm", country=SimpleNamespace(iso="SE"),
                           lists=SimpleNamespace(upload=SimpleNamespace(id_template="{id}")),
                           contest=SimpleNamespace(**contest) if contest else None)


__all__ = ["EXPECTED_REASONS", "EXPECTED_STATUS", "RULES", "build", "campaign_stub", "rules_from_campaign"]


def write_run(out, data: SimpleNamespace) -> None:
    """Write the small contest as the lists stage and the Commons fetch would (05_lists, 07_contest)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from core.contracts import CATEGORY_FILES_SCHEMA, UPLOADS_SCHEMA, USERS_SCHEMA

    (out / "05_lists").mkdir(parents=True, exist_ok=True)
    (out / "07_contest").mkdir(parents=True, exist_ok=True)
    data.monuments.to_csv(out / "05_lists" / "all.csv", index=False)
    pq.write_table(pa.Table.from_pandas(data.uploads, schema=UPLOADS_SCHEMA, preserve_index=False),
                   out / "07_contest" / "uploads.parquet")
    pq.write_table(pa.Table.from_pandas(data.users, schema=USERS_SCHEMA, preserve_index=False),
                   out / "07_contest" / "users.parquet")
    pq.write_table(pa.Table.from_pandas(data.category_files, schema=CATEGORY_FILES_SCHEMA, preserve_index=False),
                   out / "07_contest" / "category_files.parquet")
