"""Reading registers: every format and every way a file can be unreadable."""

from __future__ import annotations

import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from core.errors import InputError
from modeling.campaign import Source
from modeling.sources import detect_encoding, read_source, sniff_delimiter, stringify

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "malformed"


def spec(path: Path, **kw) -> Source:
    kw.setdefault("id_column", "id")
    kw.setdefault("name_column", "name")
    return Source(path=str(path), **kw)


def write(tmp_path: Path, name: str, data: bytes | str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


# --- unreadable files ----------------------------------------------------------------------


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.csv: file not found"):
        read_source(spec(tmp_path / "nope.csv"))


def test_empty_file(tmp_path: Path) -> None:
    path = write(tmp_path, "empty.csv", b"")
    with pytest.raises(InputError, match=r"empty\.csv: file is empty \(0 bytes\)"):
        read_source(spec(path))


def test_whitespace_only_file(tmp_path: Path) -> None:
    path = write(tmp_path, "blank.csv", "\r\n  \r\n")
    with pytest.raises(InputError, match="no content"):
        read_source(spec(path))


def test_header_only(tmp_path: Path) -> None:
    path = write(tmp_path, "header.csv", "id;name;lat;lon\r\n")
    with pytest.raises(InputError, match=r"header\.csv: has a header \(4 columns\) but no records"):
        read_source(spec(path))


def test_binary_garbage(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    path = write(tmp_path, "garbage.csv", b"\x89PNG\r\n\x1a\n\x00\x00" + rng.bytes(4000))
    with pytest.raises(InputError, match=r"garbage\.csv: looks like a binary file"):
        read_source(spec(path))


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="should be a file, got a directory"):
        read_source(spec(tmp_path))


def test_unknown_extension(tmp_path: Path) -> None:
    path = write(tmp_path, "register.dbx", "x")
    with pytest.raises(InputError, match=r"format should be one of .*got '\.dbx'"):
        read_source(spec(path))


def test_broken_geojson(tmp_path: Path) -> None:
    path = FIXTURES / "broken.geojson"
    with pytest.raises(InputError, match=r"broken\.geojson: is not valid JSON: .* line \d+"):
        read_source(spec(path, id_column="id"))


def test_geojson_that_is_not_json_at_all(tmp_path: Path) -> None:
    path = write(tmp_path, "list.geojson", "id;name\n1;a\n")
    with pytest.raises(InputError, match="should start with"):
        read_source(spec(path))


def test_geojson_without_features(tmp_path: Path) -> None:
    path = write(tmp_path, "none.geojson", '{"type": "FeatureCollection", "features": []}')
    with pytest.raises(InputError, match="holds no features"):
        read_source(spec(path))


def test_unknown_encoding_name(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", "id;name\n1;x\n")
    with pytest.raises(InputError, match=r"encoding should be a known codec.*got 'klingon'"):
        read_source(spec(path, encoding="klingon"))


def test_wrong_encoding_given_says_where_and_what_to_do(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", "id;name\n1;Göteborg\n2;Malmö\n", encoding="cp1252")
    with pytest.raises(InputError, match=r"cannot be decoded as utf-8 \(byte 0xf6 on line 2\).*--encoding"):
        read_source(spec(path, encoding="utf-8"))


# --- encodings, delimiters, quoting -----------------------------------------------------------


def test_cp1252_semicolon_decimal_comma_fixture() -> None:
    frame, meta = read_source(spec(FIXTURES / "cp1252_semicolon.csv", id_column="BBR_ID"))
    assert meta.encoding == "cp1252"
    assert meta.delimiter == ";"
    assert frame["NAMN"].tolist() == ["Sankt Olofs kyrka", "Rådhuset", "Östra väderkvarnen"]
    assert frame["KOMMUNKOD"].tolist() == ["0180", "1480", "2480"]  # leading zeros kept
    assert frame["E_KOORD"].iloc[0] == "674571,87"  # decimal comma untouched (strings)
    assert frame["source_row"].tolist() == [2, 3, 4]


def test_latin1_french_text_detected(tmp_path: Path) -> None:
    text = "REF;TICO;SCLE\r\nPA00078014;Propriété de la commune;15e siècle\r\nPA1;Église;été\r\n"
    path = write(tmp_path, "merimee.csv", text, encoding="latin-1")
    frame, meta = read_source(spec(path, id_column="REF", name_column="TICO"))
    assert meta.encoding in {"cp1252", "latin-1"}
    assert frame["TICO"].tolist() == ["Propriété de la commune", "Église"]
    assert frame["SCLE"].iloc[1] == "été"


def test_cyrillic_cp1251_is_not_forced_to_cp1252(tmp_path: Path) -> None:
    text = "id;name\n1;Церква Святого Миколая\n2;Ратуша міста Бурштин\n"
    path = write(tmp_path, "ua.csv", text, encoding="cp1251")
    frame, meta = read_source(spec(path))
    assert meta.encoding.replace("_", "").lower() == "cp1251"
    assert frame["name"].iloc[0] == "Церква Святого Миколая"


def test_utf8_bom_is_stripped_from_first_column(tmp_path: Path) -> None:
    path = write(tmp_path, "bom.csv", b"\xef\xbb\xbfid,name\n1,Bo\xc3\xa5s\n")
    frame, meta = read_source(spec(path))
    assert meta.encoding == "utf-8-sig"
    assert list(frame.columns[:2]) == ["id", "name"]
    assert frame["name"].iloc[0] == "Boås"


def test_utf8_bom_with_explicit_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, "bom.csv", b"\xef\xbb\xbfid,name\n1,x\n")
    frame, _ = read_source(spec(path, encoding="utf-8"))
    assert "id" in frame.columns


def test_utf16_with_bom(tmp_path: Path) -> None:
    path = write(tmp_path, "u16.csv", "id\tname\n1\tÅre\n".encode("utf-16"))
    frame, meta = read_source(spec(path))
    assert meta.encoding == "utf-16"
    assert frame["name"].iloc[0] == "Åre"


def test_tsv_by_extension_and_by_sniffing(tmp_path: Path) -> None:
    body = "id\tname\tlat\n1\tA, B\t59.3\n2\tC\t59.4\n"
    for name in ("reg.tsv", "reg.txt"):
        frame, meta = read_source(spec(write(tmp_path, name, body)))
        assert meta.delimiter == "\t"
        assert frame["name"].tolist() == ["A, B", "C"]


def test_sniff_prefers_consistent_delimiter_over_busy_header() -> None:
    # dBase-style header: more commas than semicolons, but rows only split on ';'.
    text = "Kunta,C,100;Mjtunnus,N,10,0;I,N,31,15\nParainen;1000027683;212982\nTurku;1000027684;2\n"
    assert sniff_delimiter(text) == ";"


def test_dbase_field_declarations_are_dropped_from_header(tmp_path: Path) -> None:
    path = write(tmp_path, "h.csv", "Kunta,C,100;Mjtunnus,N,10,0;Zylä,N,14,2\nParainen;1000027683;3,5\n")
    frame, _ = read_source(spec(path))
    assert list(frame.columns) == ["Kunta", "Mjtunnus", "Zylä", "source_row"]


def test_quoted_newlines_and_delimiters(tmp_path: Path) -> None:
    text = ('id,name,note\r\n1,"Stocks\nStocks South Of Wigsey Lane","a, b"\r\n'
            '2,"Church Of St George",""\r\n3,"Buckhall, The Four Seasons Hotel",x\r\n')
    frame, _ = read_source(spec(write(tmp_path, "q.csv", text)))
    assert frame["name"].iloc[0] == "Stocks\nStocks South Of Wigsey Lane"
    assert frame["note"].iloc[0] == "a, b"
    assert frame["name"].iloc[2] == "Buckhall, The Four Seasons Hotel"
    assert frame["source_row"].tolist() == [2, 3, 4]  # records, not physical lines


def test_ragged_rows_are_reported_with_their_row(tmp_path: Path) -> None:
    text = 'id;name;x\n1;"two\nlines";3\n2;short\n3;c;3\n4;d;4;extra\n5;e;5\n'
    frame, meta = read_source(spec(write(tmp_path, "r.csv", text)))
    assert frame["id"].tolist() == ["1", "3", "5"]
    assert frame["source_row"].tolist() == [2, 4, 6]
    assert [(r["row"], r["actual"]) for r in meta.ragged] == [(3, 2), (5, 4)]
    assert meta.records_read == 5


def test_values_are_strings_and_empty_is_empty_string(tmp_path: Path) -> None:
    frame, _ = read_source(spec(write(tmp_path, "s.csv", "id,name,n\n007,a,\n008,b,1.50\n")))
    assert frame["id"].tolist() == ["007", "008"]
    assert frame["n"].tolist() == ["", "1.50"]


def test_duplicate_header_names_get_suffixes(tmp_path: Path) -> None:
    frame, _ = read_source(spec(write(tmp_path, "d.csv", "id,name,name,\n1,a,b,c\n")))
    assert list(frame.columns) == ["id", "name", "name.1", "column_4", "source_row"]


def test_detect_encoding_prefers_cp1252_for_latin_text() -> None:
    assert detect_encoding("Linköping;Göteborg;Umeå;Malmö\n".encode("cp1252")) == "cp1252"
    assert detect_encoding(b"plain ascii") == "utf-8"


# --- XLSX -----------------------------------------------------------------------------------


def test_xlsx_values_read_as_strings(tmp_path: Path) -> None:
    path = tmp_path / "reg.xlsx"
    with pd.ExcelWriter(path) as xl:
        pd.DataFrame({"id": ["0180", "0380"], "name": ["Stockholm", "Uppsala"],
                      "lat": [59.33, 59.86]}).to_excel(xl, sheet_name="kommuner", index=False)
        pd.DataFrame({"x": [1]}).to_excel(xl, sheet_name="other", index=False)
    frame, meta = read_source(spec(path))
    assert meta.format == "xlsx"
    assert frame["id"].tolist() == ["0180", "0380"]
    assert frame["lat"].tolist() == ["59.33", "59.86"]
    assert frame["source_row"].tolist() == [2, 3]
    other, _ = read_source(spec(path, layer="other"))
    assert other["x"].tolist() == ["1"]


def test_xlsx_garbage(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.xlsx", b"PK\x03\x04 not really a zip")
    with pytest.raises(InputError, match=r"bad\.xlsx: is not a readable XLSX workbook"):
        read_source(spec(path))


# --- GIS formats ----------------------------------------------------------------------------


def _areas() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": ["2000001", "2000002"], "name": ["Judarskogen", "Grimsta"],
         "wdpa": [555514026.0, np.nan], "area": [12.5, 3.0]},
        geometry=[box(666000, 6582000, 667000, 6583000), box(663000, 6582000, 664000, 6583000)],
        crs="EPSG:3006")


def test_zipped_shapefile(tmp_path: Path) -> None:
    _areas().to_file(tmp_path / "reserves.shp")
    zpath = tmp_path / "reserves.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for part in tmp_path.glob("reserves.*"):
            if part.suffix != ".zip":
                zf.write(part, part.name)
    frame, meta = read_source(spec(zpath))
    assert meta.format == "shapefile"
    assert meta.crs_in == "EPSG:3006"
    assert frame["name"].tolist() == ["Judarskogen", "Grimsta"]
    assert frame["wdpa"].tolist() == ["555514026", ""]  # float id re-stringified, null -> ""
    assert frame["area"].tolist() == ["12.5", "3"]
    assert frame["source_row"].tolist() == [1, 2]


def test_gpkg_with_two_layers_needs_a_layer(tmp_path: Path) -> None:
    path = tmp_path / "nvr.gpkg"
    _areas().to_file(path, layer="naturreservat")
    gpd.GeoDataFrame({"id": ["1"], "name": ["Ek"]}, geometry=[Point(674000, 6580000)],
                     crs="EPSG:3006").to_file(path, layer="naturminne")
    with pytest.raises(InputError, match=r"has 2 layers \((naturreservat, naturminne|naturminne, "
                                         r"naturreservat)\); choose one with --layer"):
        read_source(spec(path))
    frame, meta = read_source(spec(path, layer="naturminne"))
    assert frame["name"].tolist() == ["Ek"]
    assert meta.layer == "naturminne"
    with pytest.raises(InputError, match=r"layer should be one of .*got 'nope'"):
        read_source(spec(path, layer="nope"))


def test_geojson_crs_member_is_detected(tmp_path: Path) -> None:
    frame, meta = read_source(spec(FIXTURES / "projected_no_crs.geojson"))
    assert meta.crs_declared is False
    assert meta.crs_in is None
    declared = write(tmp_path, "d.geojson", (FIXTURES / "projected_no_crs.geojson").read_text()
                     .replace('"features"', '"crs": {"type": "name", "properties": {"name": '
                              '"urn:ogc:def:crs:EPSG::3006"}},\n"features"', 1))
    _, meta2 = read_source(spec(declared))
    assert meta2.crs_declared is True
    assert meta2.crs_in == "EPSG:3006"
    assert len(frame) == 2


def test_geojson_text_dates_stay_as_written(tmp_path: Path) -> None:
    path = write(tmp_path, "d.geojson", '{"type": "FeatureCollection", "features": [{"type": '
                 '"Feature", "properties": {"id": "1", "name": "A", "URSBESLDAT": "1998/10/20"}, '
                 '"geometry": {"type": "Point", "coordinates": [18.0, 59.3]}}]}')
    frame, _ = read_source(spec(path))
    assert frame["URSBESLDAT"].iloc[0] == "1998/10/20"


def test_stringify_keeps_identifiers_whole() -> None:
    s = pd.Series([555514026.0, 2.5, np.nan])
    assert stringify(s).tolist() == ["555514026", "2.5", ""]
    assert stringify(pd.Series([1, 2])).tolist() == ["1", "2"]
    assert stringify(pd.Series(["a", None], dtype=object)).tolist() == ["a", ""]


def test_geojson_latin1_detected_or_wrong_encoding_named(tmp_path: Path) -> None:
    text = ('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": '
            '{"id": "1", "name": "Mijnkoloniën Brunssum"}, "geometry": {"type": "Point", '
            '"coordinates": [5.97, 50.94]}}]}')
    path = write(tmp_path, "nl.geojson", text, encoding="latin-1")
    frame, meta = read_source(spec(path))
    assert meta.encoding in {"cp1252", "latin-1"}
    assert frame["name"].iloc[0] == "Mijnkoloniën Brunssum"
    with pytest.raises(InputError, match=r"nl\.geojson: attribute text cannot be decoded as utf-8"):
        read_source(spec(path, encoding="utf-8"))
