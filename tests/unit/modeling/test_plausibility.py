"""Points far from their administrative unit are flagged for review (issue 15, "Plausibility").

Finding: a record geocoded to a town of the same name 300 km away passed, because only the
country's bounding box was checked.
"""

from __future__ import annotations

from modeling import datavalues as dv
from modeling.plausibility import far_from_units, haversine_km, record_units


def _plan(source_id: str, unit: str, lat: float, lon: float) -> dict:
    claims = {"P131": [dv.statement(dv.snak("P131", "wikibase-item", dv.item(unit)))],
              "P625": [dv.statement(dv.snak("P625", "globe-coordinate",
                                            dv.globecoordinate(lat, lon, 0.0001)))]}
    return {"source_id": source_id, "desired": {"claims": claims}}


UNITS = {"Q910000351": (46.9480, 7.4474),     # Bern
         "Q910000261": (47.3769, 8.5417)}     # Zürich


def test_a_point_geocoded_to_a_namesake_far_away_is_flagged() -> None:
    plans = [_plan("KGS-1", "Q910000351", 46.9501, 7.4402),   # in Bern
             _plan("KGS-2", "Q910000261", 47.3700, 8.5400),   # in Zürich
             # "Bern" geocoded to the namesake street in Geneva (pyproj Geod: 129.7 km from the unit)
             _plan("KGS-3", "Q910000351", 46.2044, 6.1432),
             _plan("KGS-4", "Q910000999", 45.0, 7.0)]         # unit without coordinates: skipped
    far = far_from_units(list(record_units(plans)), UNITS, max_km=50)
    assert [(f["source_id"], f["unit"]) for f in far] == [("KGS-3", "Q910000351")]
    assert abs(far[0]["km"] - 129.7) < 0.5


def test_threshold_is_the_campaigns() -> None:
    pairs = list(record_units([_plan("KGS-3", "Q910000351", 46.2044, 6.1432)]))
    assert far_from_units(pairs, UNITS, max_km=200) == []


def test_haversine_matches_a_known_distance() -> None:
    # Bern–Zürich is 95.5 km as the crow flies
    assert abs(float(haversine_km(46.9480, 7.4474, 47.3769, 8.5417)) - 95.5) < 0.5


def test_plans_without_p131_or_p625_are_ignored() -> None:
    assert list(record_units([{"source_id": "x", "desired": {"claims": {}}}, {"source_id": "y"}])) == []
