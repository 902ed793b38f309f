"""The floors hold: no cycles, no upward imports, modules sized to one idea, stage paths in one place.

Each rule runs on the real tree (must be clean) and on a small tree broken on purpose (must fail),
so a rule that silently stopped working would be noticed.
"""

from __future__ import annotations

from pathlib import Path

import floor_rules as rules

ROOT = Path(__file__).resolve().parents[3]


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for pkg in rules.PACKAGES:
        (tmp_path / pkg).mkdir(exist_ok=True)
        (tmp_path / pkg / "__init__.py").touch()
    return tmp_path


# --- each rule fails on a deliberate break ------------------------------------------------------


def test_package_cycle_is_found_even_inside_a_function(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "sparql/client.py": "def run():\n    from modeling import checks\n",
            "modeling/checks.py": "from sparql.client import run\n",
        },
    )
    assert rules.package_cycles(root) == ["modeling <-> sparql"]


def test_module_cycle_is_found(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "modeling/items.py": "from modeling.checks import run_checks\n",
            "modeling/checks.py": "def f():\n    from modeling import items\n",
        },
    )
    assert rules.module_cycles(root) == ["modeling.checks <-> modeling.items"]


def test_relative_import_cycle_is_found(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {"reports/a.py": "from . import b\n", "reports/b.py": "from .a import x\n"},
    )
    assert rules.module_cycles(root) == ["reports.a <-> reports.b"]


def test_upward_import_is_found(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"core/errors.py": "from modeling.items import Plan\n"})
    assert rules.upward_imports(root) == [
        "core/errors.py:1 imports modeling.items (core may not import modeling)",
        "core/errors.py:1 imports modeling.items.Plan (core may not import modeling)",
    ]


def test_reports_calling_an_api_is_found(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"reports/facts.py": "import requests\n"})
    assert rules.upward_imports(root) == ["reports/facts.py:1 imports requests (reports does no I/O)"]


def test_logic_fetching_through_the_sparql_client_is_found(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"modeling/lookups.py": "from sparql import client\n"})
    assert "modeling/lookups.py:1 imports sparql.client (modeling does no I/O)" in rules.upward_imports(
        root
    )


def test_type_checking_import_is_not_a_dependency(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "modeling/upload.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                "    from pipelines.cli import app\n"
            )
        },
    )
    assert rules.upward_imports(root) == []


def test_oversized_module_is_found(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"modeling/big.py": "x = 1\n" * (rules.MAX_MODULE_LINES + 1)})
    assert rules.oversized_modules(root)[0] == (
        f"modeling/big.py has {rules.MAX_MODULE_LINES + 1} lines (limit {rules.MAX_MODULE_LINES})"
    )


def test_median_over_the_limit_is_found(tmp_path: Path) -> None:
    body = "x = 1\n" * (rules.MAX_MEDIAN_LINES + 10)
    root = _tree(tmp_path, {f"modeling/m{i}.py": body for i in range(3)})
    assert rules.oversized_modules(root) == [
        f"median module size {rules.MAX_MEDIAN_LINES + 10} lines (limit {rules.MAX_MEDIAN_LINES})"
    ]


def test_long_function_needs_a_reason(tmp_path: Path) -> None:
    body = "    x = 1\n" * rules.MAX_FUNCTION_LINES
    root = _tree(
        tmp_path,
        {
            "modeling/a.py": f"def long():\n{body}",
            "modeling/b.py": f'def ok():\n    """Length: one table, kept whole."""\n{body}',
        },
    )
    assert rules.long_functions(root) == [f"modeling/a.py:1 long() {rules.MAX_FUNCTION_LINES + 1} lines"]


def test_stray_stage_path_is_found(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "pipelines/lists.py": (
                '"""Writes 05_lists/ (a docstring may name it)."""\n'
                'from pathlib import Path\nOUT = Path("out") / "05_lists"\n'
            ),
            "core/layout.py": 'LISTS = "05_lists"\n',
        },
    )
    assert rules.stray_stage_paths(root) == ["pipelines/lists.py:3 writes out '05_lists'"]
