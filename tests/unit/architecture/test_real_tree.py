"""The real tree keeps every layout rule (see floor_rules.py; each rule is shown failing in test_floors.py)."""

from __future__ import annotations

from pathlib import Path

import floor_rules as rules
import pytest

ROOT = Path(__file__).resolve().parents[3]



@pytest.mark.parametrize(
    "rule",
    [
        rules.package_cycles,
        rules.module_cycles,
        rules.upward_imports,
        rules.oversized_modules,
        rules.long_functions,
        rules.stray_stage_paths,
    ],
    ids=lambda f: f.__name__,
)
def test_real_tree_keeps_the_rule(rule) -> None:
    assert rule(ROOT) == []


def test_core_is_the_ground_floor() -> None:
    """Nothing in core/ imports another project package (strictest form of the floor rule)."""
    for path in (ROOT / "core").rglob("*.py"):
        tops = {m.split(".")[0] for m, _ in rules.imports_of(ROOT, path)}
        assert not tops & (set(rules.PACKAGES) - {"core"}), path


