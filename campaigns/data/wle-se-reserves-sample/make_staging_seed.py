"""Generate ``staging_seed.jsonl``: areas "already on Wikidata" for the bundled WLE sample.

Run ``.venv/bin/python campaigns/data/wle-se-reserves-sample/make_staging_seed.py``; it rewrites
the file byte for byte. Same kinds as the BBR sample's seed (see
``../wlm-se-bbr-sample/make_staging_seed.py``, whose generic code this script reuses), scaled to
this 39-record register: 4 with the identifier (P3613; 2 complete-ish, 2 minimal, one deprecated),
2 geo (name variant, right class, coordinate inside the polygon), 1 ambiguous, 1 duplicate id,
1 unrelated (a church named like the reserve, inside it).
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location(
    "bbr_staging_seed", HERE.parent / "wlm-se-bbr-sample" / "make_staging_seed.py"
)
assert _spec and _spec.loader
_generic = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = _generic  # dataclasses need the module registered
_spec.loader.exec_module(_generic)

PLAN = replace(
    _generic.PLAN,
    campaign=_generic.ROOT / "campaigns" / "wle-se-reserves-sample.yaml",
    out=HERE / "staging_seed.jsonl",
    seed=20260815,
    first_id=190_200_001,
    n_id=4,
    n_geo=2,
    n_ambiguous=1,
    unrelated_class="Q16970",  # church building: never a candidate for a nature reserve
    desc_sv="skyddat område i {municipality}",
    desc_en="protected area in {municipality}, Sweden",
)

if __name__ == "__main__":
    _generic.write_seed(PLAN)
