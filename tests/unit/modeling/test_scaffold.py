"""`wlkit init` on registers the kit has never seen (issue 15 §1).

Registers are generated here in each country's own projected CRS, with the column names those
registers use; the CRS is never given: init must suggest it, and the campaign it writes must load
and ingest every row inside the country.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from pyproj import Transformer

from modeling.campaign import load_campaign
from modeling.crs_guess import country_extent
from modeling.ingest import ingest, resolve_source
from modeling.scaffold import inspect_register, resolve_country
from modeling.scaffold_yaml import PLACEHOLDERS, render_campaign

#: iso, CRS, delimiter, header (id, name, x, y, unit code), area (lon/lat box inside the country)
REGISTERS = {
    "CH": ("EPSG:2056", ";", ("KGS_NR", "OBJEKT", "E", "N", "BFS_NR"), (6.2, 46.3, 9.8, 47.6)),
    "SE": ("EPSG:3006", ";", ("RAA_ID", "NAMN", "E_KOORD", "N_KOORD", "KOMMUNKOD"),
           (12.0, 56.0, 20.0, 66.0)),
    "FR": ("EPSG:2154", ",", ("REF", "TICO", "X", "Y", "INSEE"), (-1.5, 43.5, 6.5, 50.0)),
    "NL": ("EPSG:28992", ";", ("monumentnummer", "naam", "x", "y", "gemeentecode"),
           (4.0, 51.5, 6.8, 53.2)),
    "GB": ("EPSG:27700", ",", ("ListEntry", "Name", "Easting", "Northing", "DistrictCode"),
           (-4.5, 50.8, 0.5, 55.5)),
}
NAMES = ["Kirche", "Schloss", "Brücke", "Mühle", "Rathaus", "Kapelle", "Turm", "Hof"]


def generated_register(tmp_path: Path, iso: str, n: int = 60) -> Path:
    crs, delim, (idc, namec, xc, yc, unitc), box = REGISTERS[iso]
    rng = np.random.default_rng(len(iso) * 7 + ord(iso[0]))
    lon, lat = rng.uniform(box[0], box[2], n), rng.uniform(box[1], box[3], n)
    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    lines = [delim.join((idc, namec, xc, yc, unitc))]
    for i in range(n):
        name = f"{NAMES[i % len(NAMES)]} {i + 1}"
        lines.append(delim.join((f"{iso}-{100000 + i}", name, f"{x[i]:.2f}", f"{y[i]:.2f}",
                                 f"{(i % 9) + 1:04d}")))
    path = tmp_path / f"register_{iso.lower()}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("iso", sorted(REGISTERS))
def test_init_suggests_the_projected_crs_and_writes_a_working_campaign(tmp_path: Path,
                                                                      iso: str) -> None:
    crs, _, (idc, namec, xc, yc, unitc), _ = REGISTERS[iso]
    register = generated_register(tmp_path, iso)
    prop = inspect_register(register, iso=iso)
    assert (prop.id_column, prop.name_column) == (idc, namec)
    assert (prop.lon_column, prop.lat_column) == (xc, yc)
    assert prop.crs == crs and prop.crs_candidates[0].code == crs
    assert prop.unit_column == unitc
    out = tmp_path / "campaigns" / "new.yaml"
    _, qid = resolve_country(iso)
    text = render_campaign(prop, iso=iso, qid=qid, out_path=out)
    assert "SUGGESTED, not detected" in text and f"crs: {crs}     # CONFIRM" in text
    out.parent.mkdir()
    out.write_text(text, encoding="utf-8")
    camp = load_campaign(out)
    assert camp.source.crs == crs and camp.country.qid == qid
    assert camp.mapping.reference.stated_in == PLACEHOLDERS["stated_in"]
    spec, base, bbox = resolve_source(out)
    result = ingest(spec, base_dir=base, country_bbox=bbox)
    assert result.summary["records_ok"] == 60 and result.summary["rejects"] == 0


def test_swapped_easting_northing_columns_are_put_right(tmp_path: Path) -> None:
    register = generated_register(tmp_path, "CH")
    lines = register.read_text(encoding="utf-8").splitlines()
    rows = [ln.split(";") for ln in lines]
    swapped = [";".join([r[0], r[1], r[3], r[2], r[4]]) for r in rows]  # header E,N stay put
    swapped[0] = "KGS_NR;OBJEKT;KOORD_1;KOORD_2;BFS_NR"
    register.write_text("\n".join(swapped) + "\n", encoding="utf-8")
    prop = inspect_register(register, iso="CH")
    assert (prop.lon_column, prop.lat_column, prop.crs) == ("KOORD_2", "KOORD_1", "EPSG:2056")


def test_json_records_in_degrees(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    records = [{"objektnummer": f"D-1-{i}", "bezeichnung": f"Baudenkmal {i}",
                "breite": float(rng.uniform(47.5, 54.5)), "laenge": float(rng.uniform(6.5, 14.5)),
                "kategorie": "Baudenkmal"} for i in range(30)]
    path = tmp_path / "denkmaeler.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    prop = inspect_register(path, iso="DE")
    assert (prop.format, prop.id_column, prop.name_column) == ("json", "objektnummer", "bezeichnung")
    assert (prop.lon_column, prop.lat_column, prop.crs) == ("laenge", "breite", "EPSG:4326")
    assert prop.inside == 1.0


def test_country_as_qid_or_iso() -> None:
    assert resolve_country("ch") == ("CH", "Q39")
    assert resolve_country("Q142") == ("FR", "Q142")
    assert resolve_country("KE") == ("KE", None)
    assert country_extent("KE") is not None


#: Real registers (../shared/data, see each PROVENANCE.md): file, country, expected proposal, records.
SHARED = [
    ("gb-nhle-trafford/trafford_listed_buildings_2023.csv", "GB",
     {"name_column": "Name", "lon_column": "Easting", "lat_column": "Northing",
      "crs": "EPSG:27700", "crs_declared": False}, 261),
    ("nl-rce-stads-dorpsgezichten/StadsEnDorpsgezichten.geojson", "NL",  # 28992 without 'crs'
     {"id_column": "BRON_ID", "name_column": "NAAM", "crs": "EPSG:28992", "crs_declared": False},
     478),
    ("fi-museovirasto-hylyt/hylyt.csv", "FI",
     {"id_column": "Mjtunnus", "name_column": "Kohdenimi", "lon_column": "I", "lat_column": "P",
      "crs": "EPSG:3067"}, 1633),  # PROVENANCE: 5 rows at (0, 0)
    ("de-northsea-protected-areas/nlwkn_nationalparks/Nationalparke_DTK25.shp", "DE",
     {"id_column": "KENNZ_FFN", "name_column": "NAME", "crs": "EPSG:4647", "crs_declared": True},
     2),  # 5 rows, 2 parks: dissolve proposed
]


@pytest.mark.parametrize(("name", "iso", "expected", "ok"), SHARED)
def test_real_registers_get_a_working_campaign(shared_data: Path, tmp_path: Path, name: str,
                                               iso: str, expected: dict, ok: int) -> None:
    prop = inspect_register(shared_data / name, iso=iso)
    assert {k: getattr(prop, k) for k in expected} == expected
    out = tmp_path / "campaign.yaml"
    out.write_text(render_campaign(prop, iso=iso, qid=resolve_country(iso)[1], out_path=out),
                   encoding="utf-8")
    spec, base, bbox = resolve_source(out)
    assert ingest(spec, base_dir=base, country_bbox=bbox).summary["records_ok"] == ok


def test_without_country_the_points_name_it(tmp_path: Path) -> None:
    rng = np.random.default_rng(9)
    lines = ["id,name,lat,lon"] + [f"N-{i},Kerk {i},{rng.uniform(51.5, 53.2):.5f},"
                                   f"{rng.uniform(4.5, 6.8):.5f}" for i in range(40)]
    path = tmp_path / "kerken.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    prop = inspect_register(path)
    assert prop.country_guess == "NL"
    assert "run again with --country NL" in " ".join(prop.notes)
