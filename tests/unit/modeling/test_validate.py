"""Validation: geometry building, CRS rules, per-row rejects, dates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Geod

from core.errors import InputError
from modeling.campaign import Source
from modeling.sources import read_source
from modeling.validate import REASONS, REJECT_COLUMNS, detect_decimal, parse_date, validate

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "malformed"
SWEDEN = (10.5, 55.0, 24.3, 69.1)


def run(tmp_path: Path, text: str, name: str = "r.csv", bbox=None, encoding: str = "utf-8", **kw):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    kw.setdefault("id_column", "id")
    kw.setdefault("name_column", "name")
    source = Source(path=str(path), **kw)
    frame, meta = read_source(source)
    return validate(frame, meta, source, country_bbox=bbox)


def reasons(result) -> list[tuple[int, str]]:
    return list(zip(result.rejects["source_row"], result.rejects["reason"], strict=True))


LATLON = {"lat_column": "lat", "lon_column": "lon"}


def test_missing_column_names_it_and_lists_available(tmp_path: Path) -> None:
    with pytest.raises(InputError) as err:
        run(tmp_path, "id,namn,lat,lon\n1,a,59,18\n", **LATLON)
    msg = str(err.value)
    assert "column 'name' (source.name_column) not found" in msg
    assert "available columns: id, namn, lat, lon" in msg
    assert err.value.field == "name"


def test_missing_column_suggests_case_mismatch(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"column 'ID' .*did you mean 'id'\?"):
        run(tmp_path, "id,name,lat,lon\n1,a,59,18\n", id_column="ID", **LATLON)


def test_mapped_and_filter_columns_are_checked(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"'KOMMUN' \(source.columns.municipality\)"):
        run(tmp_path, "id,name,lat,lon\n1,a,59,18\n", columns={"municipality": "KOMMUN"}, **LATLON)
    with pytest.raises(InputError, match=r"'status' \(source.filter.status\)"):
        run(tmp_path, "id,name,lat,lon\n1,a,59,18\n", filter={"status": ["ok"]}, **LATLON)


def test_csv_without_geometry_columns(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="has no geometry: give lat_column and lon_column"):
        run(tmp_path, "id,name\n1,a\n")


def test_all_duplicate_rows_are_reported(tmp_path: Path) -> None:
    text = "id,name,lat,lon\nA,a,59,18\nB,b,59,18\nA,c,59,18\nC,d,59,18\nA,e,59,18\nB,f,59,18\n"
    result = run(tmp_path, text, **LATLON)
    assert reasons(result) == [(2, "duplicate_id"), (3, "duplicate_id"), (4, "duplicate_id"),
                               (6, "duplicate_id"), (7, "duplicate_id")]
    assert result.records["source_id"].tolist() == ["C"]


def test_empty_and_blank_ids_and_names(tmp_path: Path) -> None:
    text = 'id,name,lat,lon\n,a,59,18\n"  ",b,59,18\n3,,59,18\n4, ,59,18\n5,ok ,59,18\n'
    result = run(tmp_path, text, **LATLON)
    assert reasons(result) == [(2, "missing_id"), (3, "missing_id"), (4, "missing_name"),
                               (5, "missing_name")]
    assert result.records["name"].tolist() == ["ok"]  # stripped


def test_out_of_range_and_unparseable_coordinates(tmp_path: Path) -> None:
    text = ("id,name,lat,lon\n1,a,59.3,18.1\n2,b,95.0,18.0\n3,c,59.3,abc\n4,d,,18\n"
            "5,e,59.3,181\n6,f,0,0\n")
    result = run(tmp_path, text, **LATLON)
    got = result.rejects[["source_row", "field", "reason", "value"]].values.tolist()
    assert got == [[3, "lon,lat", "out_of_range", "18.0 95.0"], [4, "lon", "bad_coordinate", "abc"],
                   [5, "lat", "missing_coordinates", ""], [6, "lon,lat", "out_of_range", "181 59.3"],
                   [7, "lon,lat", "zero_coordinates", "0 0"]]
    assert result.records["source_id"].tolist() == ["1"]
    assert result.crs_in == "EPSG:4326"


def test_swapped_lat_lon_detected_with_country_bbox(tmp_path: Path) -> None:
    text = "id,name,lat,lon\n1,ok,59.33,18.07\n2,swapped,18.07,59.33\n3,abroad,48.85,2.35\n"
    result = run(tmp_path, text, bbox=SWEDEN, **LATLON)
    assert reasons(result) == [(3, "swapped_coordinates"), (4, "outside_country")]


def test_swapped_projected_coordinates(tmp_path: Path) -> None:
    text = "id;name;E;N\n1;ok;674032,5;6580822,2\n2;swapped;6580822,2;674032,5\n"
    result = run(tmp_path, text, bbox=SWEDEN, lat_column="N", lon_column="E", crs="EPSG:3006")
    assert reasons(result) == [(3, "swapped_coordinates")]


def test_decimal_comma_and_reprojection(tmp_path: Path) -> None:
    result = run(tmp_path, (FIXTURES / "cp1252_semicolon.csv").read_bytes().decode("cp1252"),
                 encoding="cp1252", id_column="BBR_ID", name_column="NAMN", lat_column="N_KOORD",
                 lon_column="E_KOORD", crs="EPSG:3006", bbox=SWEDEN)
    assert result.decimal == ","
    assert result.rejects.empty
    rec = result.records.iloc[0]
    # SWEREF 99 TM 674571.87 / 6580743.01 is central Stockholm, 59.3293 N 18.0686 E (the real-data
    # tests check reprojection against independent answers: tests/unit/modeling/test_ingest_shared.py)
    assert rec["lat"] == pytest.approx(59.3293, abs=2e-4)
    assert rec["lon"] == pytest.approx(18.0686, abs=2e-4)
    assert rec.geometry.x == rec["lon"]


def test_thousands_spaces_and_decimal_detection() -> None:
    import pandas as pd

    assert detect_decimal(pd.Series(["59,33", "18,07", ""])) == ","
    assert detect_decimal(pd.Series(["376909.953, 376909.953", "380230.26"])) == "."


def test_projected_numbers_without_crs_ask_for_crs(tmp_path: Path) -> None:
    text = "id;name;E;N\n1;a;674032;6580822\n2;b;319800;6399700\n"
    with pytest.raises(InputError) as err:
        run(tmp_path, text, lat_column="N", lon_column="E")
    assert "look projected (x 319,800…674,032, y 6,399,700…6,580,822)" in str(err.value)
    assert "--crs EPSG:<code>" in str(err.value)


def test_geojson_projected_without_crs_member_asks_for_crs() -> None:
    source = Source(path=str(FIXTURES / "projected_no_crs.geojson"), id_column="id",
                    name_column="name")
    frame, meta = read_source(source)
    with pytest.raises(InputError, match=r"no 'crs' member.*RFC 7946.*--crs"):
        validate(frame, meta, source)
    ok = validate(frame, meta, source.model_copy(update={"crs": "EPSG:3006"}), country_bbox=SWEDEN)
    # 1 km² of SWEREF 99 TM at 18° E: the true (geodesic) area is k⁻² ≈ 1.0001 times larger.
    geod = Geod(ellps="WGS84")
    truth = [abs(geod.geometry_area_perimeter(g)[0]) for g in ok.records.geometry]
    assert ok.records["area_m2"].to_numpy() == pytest.approx(truth, rel=1e-5)
    assert truth[0] == pytest.approx(1.0001e6, rel=5e-5)
    assert ok.crs_in == "EPSG:3006"


def test_a_few_stray_numbers_are_rejects_not_a_crs_error(tmp_path: Path) -> None:
    rows = "".join(f"{i},n{i},59.{i},18.{i}\n" for i in range(1, 10))
    result = run(tmp_path, "id,name,lat,lon\n" + rows + "99,x,6580822,674032\n", **LATLON)
    assert reasons(result) == [(11, "out_of_range")]


def test_null_and_empty_geometry(tmp_path: Path) -> None:
    text = ('{"type": "FeatureCollection", "features": ['
            '{"type": "Feature", "properties": {"id": "1", "name": "A"}, "geometry": null},'
            '{"type": "Feature", "properties": {"id": "2", "name": "B"}, '
            '"geometry": {"type": "Point", "coordinates": [18.06, 59.33]}}]}')
    result = run(tmp_path, text, name="g.geojson")
    assert reasons(result) == [(1, "empty_geometry")]
    assert result.records["source_row"].tolist() == [2]


def test_wkt_column(tmp_path: Path) -> None:
    text = ('id;name;wkt\n1;a;POINT (674032 6580822)\n2;b;POINT (oops)\n3;c;\n'
            '4;d;POLYGON ((663000 6582000, 664000 6582000, 664000 6583000, 663000 6583000, '
            '663000 6582000))\n')
    result = run(tmp_path, text, wkt_column="wkt", crs="EPSG:3006")
    assert reasons(result) == [(3, "bad_geometry"), (4, "empty_geometry")]
    assert result.records["lat"].round(3).tolist() == [59.330, 59.349]
    assert np.isnan(result.records["area_m2"].iloc[0])
    assert result.records["area_m2"].iloc[1] == pytest.approx(1e6, rel=1e-3)


def test_polygon_centroid_lies_inside_u_shape(tmp_path: Path) -> None:
    u = "POLYGON ((0 0, 3000 0, 3000 3000, 2000 3000, 2000 1000, 1000 1000, 1000 3000, 0 3000, 0 0))"
    moved = shapely.affinity.translate(shapely.from_wkt(u), 660000, 6580000).wkt
    result = run(tmp_path, f"id;name;wkt\n1;U;{moved}\n", wkt_column="wkt", crs="EPSG:3006")
    rec = result.records.iloc[0]
    assert rec.geometry.contains(shapely.Point(rec["centroid_lon"], rec["centroid_lat"]))
    assert (rec["lon"], rec["lat"]) == (rec["centroid_lon"], rec["centroid_lat"])
    assert rec["area_m2"] == pytest.approx(abs(Geod(ellps="WGS84").geometry_area_perimeter(
        rec.geometry)[0]), rel=1e-5)


def test_ragged_rows_become_rejects_with_their_id(tmp_path: Path) -> None:
    result = run(tmp_path, "id;name;lat;lon\n1;a;59;18\n2;b;59\n3;c;59;18;x\n", **LATLON)
    rej = result.rejects
    assert rej["reason"].tolist() == ["ragged_row", "ragged_row"]
    assert rej["source_id"].tolist() == ["2", "3"]
    assert rej["value"].iloc[0].startswith("expected 4 fields, got 3: 2;b;59")


def test_filter_keeps_listed_values_only(tmp_path: Path) -> None:
    text = "id,name,lat,lon,status\n1,a,59,18,gällande\n2,b,59,18,upphävd\n2,c,59,18,gällande\n"
    result = run(tmp_path, text, filter={"status": ["gällande"]}, **LATLON)
    assert result.filtered == 1
    assert result.records["source_id"].tolist() == ["1", "2"]  # the withdrawn twin is not a dup


def test_records_keep_mapped_columns_as_strings(tmp_path: Path) -> None:
    text = "id,name,lat,lon,KOD,BYGGAR\n1,a,59.3,18.0,0180,1780-talet\n2,b,59.3,18.0,0380,x\n"
    result = run(tmp_path, text, columns={"code": "KOD", "built": "BYGGAR"},
                 date_columns=["built"], **LATLON)
    rec = result.records
    assert list(rec.columns) == ["source_id", "name", "source_row", "code", "built", "lat", "lon",
                                 "geometry"]
    assert rec["code"].tolist() == ["0180", "0380"]
    assert str(rec["code"].dtype) == "str"
    assert rec.crs.to_epsg() == 4326
    assert result.warnings == {"unparsed_date:built": 1}


def test_without_mapping_every_column_is_kept(tmp_path: Path) -> None:
    result = run(tmp_path, "id,name,lat,lon,lat2,geometry\n1,a,59,18,x,y\n", **LATLON)
    assert {"lat2", "src_geometry"} <= set(result.records.columns)


def test_reject_frame_shape_and_vocabulary(tmp_path: Path) -> None:
    result = run(tmp_path, "id,name,lat,lon\n1,a,59,18\n", **LATLON)
    assert list(result.rejects.columns) == REJECT_COLUMNS
    assert result.rejects.empty
    assert {"missing_id", "duplicate_id", "swapped_coordinates", "ragged_row"} <= set(REASONS)


@pytest.mark.parametrize(("raw", "expected"), [
    ("1998/10/20", ("+1998-10-20T00:00:00Z", 11)),
    ("1998-10-20", ("+1998-10-20T00:00:00Z", 11)),
    ("1986-11-17T00:00:00Z", ("+1986-11-17T00:00:00Z", 11)),
    ("1998-10", ("+1998-10-00T00:00:00Z", 10)),
    ("1998", ("+1998-00-00T00:00:00Z", 9)),
    ("1780-talet", ("+1780-00-00T00:00:00Z", 8)),
    ("20.10.1998", ("+1998-10-20T00:00:00Z", 11)),
    ("26.01.16", ("+2016-01-26T00:00:00Z", 11)),
    ("03.05.87", ("+1987-05-03T00:00:00Z", 11)),
    ("25-Jun-98", ("+1998-06-25T00:00:00Z", 11)),
    ("2021-02-29", None),
    ("2020-02-29", ("+2020-02-29T00:00:00Z", 11)),
    ("32.01.2001", None),
    ("ei määritelty", None),
    ("", None),
])
def test_parse_date(raw: str, expected) -> None:
    assert parse_date(raw) == expected


def test_geographic_crs_given_for_projected_numbers(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"crs 'SWEREF' is in degrees .* look projected"):
        run(tmp_path, "id;name;E;N\n1;a;674032;6580822\n", lat_column="N", lon_column="E",
            crs="SWEREF")


def test_dissolve_merges_parts_sharing_an_id(tmp_path: Path) -> None:
    text = ("id;name;zone;wkt\n"
            "P1;Park;I;POLYGON ((660000 6580000, 661000 6580000, 661000 6581000, 660000 6581000, "
            "660000 6580000))\n"
            "P1;Park;II;POLYGON ((661000 6580000, 662000 6580000, 662000 6581000, 661000 6581000, "
            "661000 6580000))\n"
            "P2;Other;I;POLYGON ((670000 6580000, 671000 6580000, 671000 6581000, 670000 6581000, "
            "670000 6580000))\n")
    plain = run(tmp_path, text, wkt_column="wkt", crs="EPSG:3006")
    assert reasons(plain) == [(2, "duplicate_id"), (3, "duplicate_id")]
    merged = run(tmp_path, text, wkt_column="wkt", crs="EPSG:3006", dissolve=True)
    assert merged.rejects.empty and merged.dissolved == 1
    rec = merged.records.set_index("source_id")
    assert rec.loc["P1", "zone"] == "I"  # first row's attributes
    assert rec.loc["P1", "area_m2"] == pytest.approx(2 * rec.loc["P2", "area_m2"], rel=1e-3)
    assert rec.loc["P1"].geometry.geom_type == "Polygon"  # touching parts became one polygon


def test_mapped_names_cannot_shadow_record_columns(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"source\.columns keys should not be record column names.*got lat"):
        run(tmp_path, "id,name,y,x\n1,a,59,18\n", lat_column="y", lon_column="x",
            columns={"lat": "y"})
