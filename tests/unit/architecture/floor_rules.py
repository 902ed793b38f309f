"""The layout rules of the project, as plain functions over a source tree.

Each rule takes the project root and returns the list of violations it finds, as readable strings,
so a test can assert ``== []`` on the real tree and assert a violation on a deliberately broken one.
The floors (README, "Development"):

    core        errors, settings and targets, stage layout and contracts, log redaction
    clients     one client per remote service (Wikibase Action API, Commons)      -> core
    sparql      .rq files, their rendering, the SPARQL client                      -> core
    modeling    pure logic: receives data, returns data                            -> core, sparql (not its client)
    reports     renders what it is given, never calls an API                       -> core, modeling,
                                                                                      sparql (not its client)
    pipelines   Prefect flows and the CLI: the only floor that wires I/O to logic  -> everything
    sandbox     the local services (a separate product, the `sandbox` extra)       -> core, clients, modeling, sparql
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

PACKAGES = ("core", "clients", "sparql", "modeling", "reports", "pipelines", "sandbox")

#: Which packages each floor may import (besides itself).
ALLOWED: dict[str, frozenset[str]] = {
    "core": frozenset(),
    "clients": frozenset({"core"}),
    "sparql": frozenset({"core"}),
    "modeling": frozenset({"core", "sparql"}),
    "reports": frozenset({"core", "modeling", "sparql"}),
    "pipelines": frozenset(PACKAGES) - {"pipelines"},
    "sandbox": frozenset({"core", "clients", "modeling", "sparql"}),
}

#: Modules a floor may not import even though it may import their package: the fetching ones.
FORBIDDEN_MODULES: dict[str, tuple[str, ...]] = {
    "modeling": ("sparql.client",),
    "reports": ("sparql.client", "requests", "httpx", "urllib.request", "wikibaseintegrator"),
}

MAX_MODULE_LINES = 400
MAX_MEDIAN_LINES = 150
MAX_FUNCTION_LINES = 60
#: A longer function says why in its docstring, on a line starting with this word.
LONG_REASON = "Length:"

#: Stage folder and file names belong to the layout module only.
LAYOUT_MODULES = ("core/layout.py", "core/contracts.py")
STAGE_NAME = re.compile(
    r"^(0[1-9]_(ingest|reconcile|plan|upload|lists|reports|contest))(/|$)"
    r"|^(records\.parquet|rejects\.csv|decisions\.csv|plans\.(jsonl|parquet)|ledger\.sqlite)$"
)


def product_modules(root: Path) -> Iterator[Path]:
    """Every Python file of the product packages under ``root`` (tests, bench, notebooks excluded)."""
    for pkg in PACKAGES:
        base = root / pkg
        if base.is_dir():
            yield from sorted(
                p for p in base.rglob("*.py")
                if not {"__pycache__", "build", "node_modules"} & set(p.relative_to(root).parts)
            )


def module_name(root: Path, path: Path) -> str:
    """Dotted module name of ``path`` (``pkg/sub/mod.py`` -> ``pkg.sub.mod``)."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _type_checking_lines(tree: ast.Module) -> set[int]:
    """Line numbers inside ``if TYPE_CHECKING:`` blocks (annotations only, no runtime edge)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imports_of(root: Path, path: Path) -> list[tuple[str, int]]:
    """``(imported module, line)`` for every runtime import in ``path``, wherever it is placed.

    Imports inside functions count like any other: hiding an import in a function does not remove
    the dependency, it only hides a cycle. Relative imports are resolved against the module.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_lines(tree)
    here = module_name(root, path).split(".")
    is_pkg = path.name == "__init__.py"
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skip:
            continue
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here if is_pkg else here[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((module, node.lineno))
            found += [(f"{module}.{alias.name}", node.lineno) for alias in node.names]
    return found


def _internal_graph(root: Path) -> dict[str, set[str]]:
    """Module -> project modules it imports (names resolved to existing modules)."""
    paths = {module_name(root, p): p for p in product_modules(root)}
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in paths.items():
        graph[name]
        for imported, _line in imports_of(root, path):
            target = imported
            while target and target not in paths:
                target = target.rpartition(".")[0]
            if target and target != name and not name.startswith(target + "."):
                graph[name].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    item = stack.pop()
                    on_stack.discard(item)
                    component.append(item)
                    if item == node:
                        break
                if len(component) > 1:
                    result.append(sorted(component))
    return result


def module_cycles(root: Path) -> list[str]:
    """Import cycles between modules (files)."""
    return [" <-> ".join(c) for c in _cycles(_internal_graph(root))]


def package_cycles(root: Path) -> list[str]:
    """Import cycles between the top-level packages."""
    graph: dict[str, set[str]] = defaultdict(set)
    for module, targets in _internal_graph(root).items():
        top = module.split(".")[0]
        graph[top] |= {t.split(".")[0] for t in targets} - {top}
    return [" <-> ".join(c) for c in _cycles(graph)]


def upward_imports(root: Path) -> list[str]:
    """Imports that reach a floor the importing package may not stand on."""
    problems = []
    for path in product_modules(root):
        pkg = path.relative_to(root).parts[0]
        for imported, line in imports_of(root, path):
            top = imported.split(".")[0]
            where = f"{path.relative_to(root)}:{line}"
            if top in PACKAGES and top != pkg and top not in ALLOWED[pkg]:
                problems.append(f"{where} imports {imported} ({pkg} may not import {top})")
            for banned in FORBIDDEN_MODULES.get(pkg, ()):
                if imported == banned or imported.startswith(banned + "."):
                    problems.append(f"{where} imports {imported} ({pkg} does no I/O)")
    return sorted(set(problems))


def oversized_modules(root: Path) -> list[str]:
    """Modules over the size limit, and a median module size over its limit."""
    sizes = {p: len(p.read_text(encoding="utf-8").splitlines()) for p in product_modules(root)}
    problems = [
        f"{p.relative_to(root)} has {n} lines (limit {MAX_MODULE_LINES})"
        for p, n in sizes.items()
        if n > MAX_MODULE_LINES
    ]
    counted = sorted(n for p, n in sizes.items() if p.name != "__init__.py")
    if counted:
        median = counted[len(counted) // 2]
        if median > MAX_MEDIAN_LINES:
            problems.append(f"median module size {median} lines (limit {MAX_MEDIAN_LINES})")
    return problems


def long_functions(root: Path) -> list[str]:
    """Functions over the length limit whose docstring gives no ``Length:`` reason."""
    problems = []
    for path in product_modules(root):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            doc = ast.get_docstring(node) or ""
            if length > MAX_FUNCTION_LINES and LONG_REASON not in doc:
                problems.append(f"{path.relative_to(root)}:{node.lineno} {node.name}() {length} lines")
    return problems


def stray_stage_paths(root: Path) -> list[str]:
    """String literals naming a stage folder or stage file outside the layout module."""
    problems = []
    for path in product_modules(root):
        rel = path.relative_to(root).as_posix()
        if rel in LAYOUT_MODULES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(n.body[0].value)
            for n in ast.walk(tree)
            if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and n.body
            and isinstance(n.body[0], ast.Expr)
            and isinstance(n.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and STAGE_NAME.search(node.value)
            ):
                problems.append(f"{rel}:{node.lineno} writes out {node.value!r}")
    return problems
