"""Architecture rules: logic packages never import Prefect; flows stay thin."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOGIC = [p for pkg in ("modeling", "sparql", "reports") for p in sorted((ROOT / pkg).rglob("*.py"))]


@pytest.mark.parametrize("path", LOGIC, ids=lambda p: str(p.relative_to(ROOT)))
def test_logic_modules_do_not_import_prefect(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        assert not any(n == "prefect" or n.startswith("prefect.") for n in names), path


def test_no_grab_bag_modules() -> None:
    for pkg in ("modeling", "sparql", "reports", "pipelines", "sandbox"):
        for bad in ("utils.py", "helpers.py", "misc.py"):
            assert not (ROOT / pkg / bad).exists()
