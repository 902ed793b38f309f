"""CRS parsing, vectorised reprojection and polygon statistics."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from pyproj import Geod

from core.errors import InputError
from modeling.geo import crs_label, in_bbox, looks_projected, parse_crs, polygon_stats, to_wgs84


def test_parse_crs_forms() -> None:
    assert crs_label(parse_crs("EPSG:3006")) == "EPSG:3006"
    assert crs_label(parse_crs("3006")) == "EPSG:3006"
    assert crs_label(parse_crs("urn:ogc:def:crs:EPSG::28992")) == "EPSG:28992"


def test_parse_crs_rejects_nonsense() -> None:
    with pytest.raises(InputError, match=r"reg\.csv: crs should be a coordinate reference system "
                                         r"like EPSG:3006, got 'EPSG:0'"):
        parse_crs("EPSG:0", file="reg.csv")


def test_to_wgs84_is_vectorised_and_keeps_nan() -> None:
    # Finnish register point, independently converted (Sukeltaja-App coordinates.py):
    # I=212982 P=6680394 (EPSG:3067) -> lon 21.82583323067464, lat 60.159199609202005
    lon, lat = to_wgs84(np.array([212982.0, np.nan]), np.array([6680394.0, 1.0]), parse_crs("EPSG:3067"))
    assert lon[0] == pytest.approx(21.82583323067464, abs=1e-7)
    assert lat[0] == pytest.approx(60.159199609202005, abs=1e-7)
    assert np.isnan(lon[1])


def test_zone_prefixed_easting_read_with_the_wrong_crs_is_not_finite() -> None:
    lon, lat = to_wgs84(np.array([32_500_000.0]), np.array([6_000_000.0]), parse_crs("EPSG:25832"))
    assert not (np.isfinite(lon[0]) and abs(lon[0]) <= 180 and abs(lat[0]) <= 90)
    lon, lat = to_wgs84(np.array([32_500_000.0]), np.array([6_000_000.0]), parse_crs("EPSG:4647"))
    assert lon[0] == pytest.approx(9.0, abs=0.01)


def test_looks_projected() -> None:
    assert looks_projected(np.array([674032.0, 319800.0]), np.array([6580822.0, 6399700.0]))
    assert not looks_projected(np.array([18.07, 11.97]), np.array([59.33, 57.7]))
    # typos in degrees and (0, 0) placeholders are rejects, not a CRS problem
    assert not looks_projected(np.array([18.0, 181.0, 0.0]), np.array([95.0, 59.0, 0.0]))
    assert not looks_projected(np.array([np.nan]), np.array([np.nan]))


def test_in_bbox() -> None:
    got = in_bbox(np.array([18.0, 2.35]), np.array([59.3, 48.85]), (10.5, 55.0, 24.3, 69.1))
    assert got.tolist() == [True, False]


def test_polygon_stats_area_matches_geodesic_and_centroid_is_inside() -> None:
    crescent = shapely.difference(shapely.Point(18.0, 59.0).buffer(0.05),
                                  shapely.Point(18.03, 59.0).buffer(0.045))
    geoms = np.array([crescent, shapely.Point(1, 1), None], dtype=object)
    lon, lat, area = polygon_stats(geoms)
    truth = abs(Geod(ellps="WGS84").geometry_area_perimeter(crescent)[0])
    assert area[0] == pytest.approx(truth, rel=1e-4)
    assert crescent.contains(shapely.Point(lon[0], lat[0]))
    assert np.isnan(area[1:]).all() and np.isnan(lon[1:]).all()
