"""The package arrows stay one-way: no import cycle between app/ packages, and moderation/ stands alone.

Read from the source with ast, so deferred imports inside functions count too:
a cycle hidden in a function is still a cycle. Each package under app/ is one
node, and so is each top-level module (app/db.py, app/main.py, ...).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"


def _node(module: str) -> str | None:
    """The graph node of an imported module: app.<package> or app.<module>; None outside app."""
    parts = module.split(".")
    if parts[0] != "app" or len(parts) < 2:
        return None
    if (APP / parts[1]).is_dir() or (APP / f"{parts[1]}.py").exists():
        return f"app.{parts[1]}"
    return None


def _source_node(path: Path) -> str:
    first = path.relative_to(APP).parts[0]
    return f"app.{first.removesuffix('.py')}"


def _imported(path: Path) -> set[str]:
    """Every module a file imports, relative imports resolved."""
    tree = ast.parse(path.read_text(), str(path))
    package = ".".join(path.relative_to(ROOT).parts[:-1])
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            modules.add(base)
            modules.update(f"{base}.{alias.name}" for alias in node.names)
    return modules


def import_graph() -> dict[str, dict[str, set[str]]]:
    """node -> imported node -> the files that import it."""
    graph: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for path in sorted(APP.rglob("*.py")):
        source = _source_node(path)
        graph[source]  # noqa: B018  (every module is a node, even one that imports nothing)
        for module in _imported(path):
            target = _node(module)
            if target is not None and target != source:
                graph[source][target].add(str(path.relative_to(ROOT)))
    return graph


def find_cycles(graph: dict[str, dict[str, set[str]]]) -> list[list[str]]:
    """Every strongly connected component of more than one node (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return cycles


def test_no_import_cycle_between_app_packages() -> None:
    graph = import_graph()
    cycles = find_cycles(graph)
    details = [
        f"{a} -> {b} ({', '.join(sorted(graph[a][b]))})"
        for cycle in cycles for a in cycle for b in cycle if b in graph[a]
    ]
    assert not cycles, "import cycles between app/ packages:\n" + "\n".join(details)


def test_the_graph_sees_deferred_imports_and_finds_a_cycle() -> None:
    """The checker itself: an import inside a function counts, and a two-node loop is reported."""
    graph = import_graph()
    assert "app.main" in graph and "app.accounts" in graph["app.main"]  # main imports routers inside a function
    looped = {**graph, "app.db": {**graph["app.db"], "app.forum": {"made-up.py"}}}
    assert any({"app.db", "app.forum"} <= set(cycle) for cycle in find_cycles(looped))


def test_core_modules_import_no_domain() -> None:
    """settings, db, errors, i18n, security, pagination and web/ sit below every domain."""
    graph = import_graph()
    domains = {f"app.{p.name}" for p in APP.iterdir() if p.is_dir() and (p / "__init__.py").exists()} - {"app.web"}
    for core in ("app.settings", "app.db", "app.errors", "app.i18n", "app.security", "app.pagination",
                 "app.content_notes", "app.helplines", "app.web"):
        assert not set(graph[core]) & domains, f"{core} imports {sorted(set(graph[core]) & domains)}"


def test_moderation_depends_on_nothing_in_app() -> None:
    for path in (ROOT / "moderation").rglob("*.py"):
        modules = _imported(path)
        assert not {m for m in modules if m == "app" or m.startswith("app.")}, path
