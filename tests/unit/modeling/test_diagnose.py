"""Diagnoses instead of silent emptiness, and text normalisation at ingest (issue 15 §4, §6).

Each test is a finding of issue 15: before, ingest exited 0 with "0 ok, N rejected" and no hint.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from pyproj import Transformer

from core.errors import InputError
from modeling.crs_guess import country_extent
from modeling.ingest import ingest, source_from_options

#: Swiss cantonal monuments (real places) in WGS84; written in LV95 (EPSG:2056) as cantons do.
SWISS = [
    ("KGS-1001", "Zytglogge", 7.44774, 46.94797), ("KGS-1002", "Grossmünster", 8.54404, 47.37010),
    ("KGS-1003", "Basler Münster", 7.59250, 47.55652), ("KGS-1004", "Kapellbrücke", 8.30777, 47.05170),
    ("KGS-1005", "Cathédrale de Lausanne", 6.63543, 46.52352),
    ("KGS-1006", "Château de Chillon", 6.92750, 46.41417),
    ("KGS-1007", "Stiftsbibliothek St. Gallen", 9.37671, 47.42333),
    ("KGS-1008", "Castelgrande", 9.02090, 46.19300), ("KGS-1009", "Munot", 8.63861, 47.69944),
    ("KGS-1010", "Schloss Thun", 7.62806, 46.75917),
]


def swiss_register(tmp_path: Path, *, swap: bool = False, blank_names: bool = False) -> Path:
    to_lv95 = Transformer.from_crs("EPSG:4326", "EPSG:2056", always_xy=True)
    lines = ["KGS_NR;OBJEKT;GEMEINDE;E;N"]
    for kgs, name, lon, lat in SWISS:
        e, n = to_lv95.transform(lon, lat)
        x, y = (n, e) if swap else (e, n)
        lines.append(f"{kgs};{'' if blank_names else name};Gemeinde;{x:.1f};{y:.1f}")
    path = tmp_path / "kgs_inventar.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run(path: Path, out: Path | None = None, **flags):
    flags.setdefault("id_column", "KGS_NR")
    flags.setdefault("name_column", "OBJEKT")
    flags.setdefault("lon_column", "E")
    flags.setdefault("lat_column", "N")
    return ingest(source_from_options(path, **flags), country_bbox=country_extent("CH"),
                  country="Switzerland", out_dir=out)


def test_wrong_crs_stops_with_the_crs_that_fits(tmp_path: Path) -> None:
    # the campaign was copied from the Swedish sample and still says EPSG:3006
    path = swiss_register(tmp_path)
    with pytest.raises(InputError) as err:
        run(path, out=tmp_path / "out", crs="EPSG:3006")
    msg = str(err.value)
    assert "10 of 10 points fall outside Switzerland" in msg
    assert "with EPSG:2056 (CH1903+ / LV95) 100% of them fall inside: add --crs EPSG:2056" in msg
    summary = json.loads((tmp_path / "out" / "01_ingest" / "summary.json").read_text())
    assert summary["diagnosis"]["fix"] == "--crs EPSG:2056"
    assert summary["records_ok"] == 0


def test_the_suggested_crs_works(tmp_path: Path) -> None:
    result = run(swiss_register(tmp_path), crs="EPSG:2056")
    assert result.summary["records_ok"] == 10
    zyt = result.records.set_index("source_id").loc["KGS-1001"]
    assert abs(zyt["lon"] - 7.44774) < 1e-5 and abs(zyt["lat"] - 46.94797) < 1e-5


def test_projected_numbers_without_crs_get_suggestions(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"look projected.*with EPSG:2056 \(CH1903\+ / LV95\) "
                                         r"100% of the points fall inside Switzerland: add --crs "
                                         r"EPSG:2056"):
        run(swiss_register(tmp_path))


def test_swapped_projected_columns_are_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"10 of 10 .*swapped.*--lat-column E --lon-column N"):
        run(swiss_register(tmp_path, swap=True), crs="EPSG:2056")


def test_swapped_degree_columns_are_named(tmp_path: Path) -> None:
    lines = ["id,name,lat,lon"] + [f"{k},{n},{lon},{lat}" for k, n, lon, lat in SWISS]
    path = tmp_path / "degrees.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"columns look swapped; --lat-column lon --lon-column lat"):
        ingest(source_from_options(path, id_column="id", name_column="name", lat_column="lat",
                                   lon_column="lon"), country_bbox=country_extent("CH"))


def test_empty_name_column_names_filled_columns(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"column OBJEKT is empty in 10 of 10 rows; choose another "
                                         r"with --name-column \(columns filled in every row: "
                                         r"KGS_NR, GEMEINDE, E, N\)"):
        run(swiss_register(tmp_path, blank_names=True), crs="EPSG:2056")


def test_unparsable_coordinates_point_at_numeric_columns(tmp_path: Path) -> None:
    lines = ["id;name;breite;laenge;x;y"]
    for k, n, lon, lat in SWISS:
        lines.append(f"{k};{n};{lat:.4f}°N;{lon:.4f}°E;{lon};{lat}")
    path = tmp_path / "dms.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"holds no number in 10 of 10 rows .*Columns holding "
                                         r"numbers: x, y"):
        ingest(source_from_options(path, id_column="id", name_column="name", lat_column="breite",
                                   lon_column="laenge"), country_bbox=country_extent("CH"))


def test_a_few_bad_rows_do_not_stop_ingest(tmp_path: Path) -> None:
    path = swiss_register(tmp_path)
    text = path.read_text(encoding="utf-8").splitlines()
    text[2] = text[2].rsplit(";", 2)[0] + ";;"  # one row without coordinates
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    result = run(path, crs="EPSG:2056")
    assert (result.summary["records_ok"], result.summary["rejects"]) == (9, 1)
    assert "diagnosis" not in result.summary


def test_text_is_normalised_and_counted(tmp_path: Path) -> None:
    lines = ["id;name;adresse;E;N",
             "KGS-2001;Caf\u0065\u0301 du Pont;Rue  du Pont\u00a0 12 ;2600000;1200000",
             "KGS-2002;Zytglogge;Bim Zytglogge 1;2600500;1199700"]
    path = tmp_path / "norm.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = ingest(source_from_options(path, id_column="id", name_column="name", lat_column="N",
                                        lon_column="E", crs="EPSG:2056"),
                    country_bbox=country_extent("CH"))
    rec = result.records.set_index("source_id")
    assert rec.loc["KGS-2001", "name"] == "Caf\u00e9 du Pont"  # NFC
    assert rec.loc["KGS-2001", "adresse"] == "Rue du Pont 12"
    assert result.summary["normalised"] == {"name": 1, "adresse": 1}


def test_country_extent_comes_from_the_epsg_database() -> None:
    assert country_extent("CH") == pytest.approx((5.96, 45.82, 10.49, 47.81))
    assert country_extent("GB") is not None and country_extent("SE") is not None
    assert np.isclose(country_extent("NL")[0], 2.53)  # offshore included (wrecks, lighthouses)
