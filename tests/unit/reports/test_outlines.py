"""The map's country outline comes from the shipped Natural Earth data, picked by the points."""

from __future__ import annotations

import json

from reports.outlines import outlines_for


def _main(points):
    result = outlines_for(points)
    return [f["properties"]["name"] for f in result["features"] if f["properties"]["main"]], result


def test_the_country_holding_most_points_is_the_main_outline():
    names, result = _main([(18.07, 59.33), (13.0, 55.6), (20.2, 67.8), (11.97, 57.7)])
    assert names == ["Sweden"]
    others = {f["properties"]["name"] for f in result["features"] if not f["properties"]["main"]}
    assert {"Norway", "Finland", "Denmark"} <= others
    assert len(json.dumps(result)) < 100_000  # neighbours clipped: no whole Russia in the page


def test_a_swiss_register_gets_switzerland():
    names, _ = _main([(8.54, 47.37), (7.45, 46.95), (6.14, 46.2), (8.95, 46.0)])
    assert names == ["Switzerland"]


def test_no_points_no_outline():
    assert outlines_for([]) == {"type": "FeatureCollection", "features": []}
