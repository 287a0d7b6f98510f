"""No module of circles/ or models/ imports itself back, even through a function-level import.

A cycle hidden in a function body (``def f(): from x import y``) still ties the modules
together: neither can be understood, tested or split without the other. The graph is read
from the source with ast, so it also sees the imports no test happens to run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("circles", "models")


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            if "versions" not in path.parts:  # migration scripts are loaded by Alembic, not imported
                found[_module_name(path)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_nodes(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import that runs: at module level or in a function, but not under TYPE_CHECKING."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                yield from _import_nodes(ast.Module(body=[child], type_ignores=[]))
            continue
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        yield from _import_nodes(node)


def _within(name: str, modules: dict[str, Path]) -> str | None:
    """``name``, or the nearest package above it, if it is one of ours."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _edges(module: str, path: Path, modules: dict[str, Path]) -> set[str]:
    # An import names what it loads: `from a import b` loads a.b when that is a module, else
    # a itself. Parent packages run first, but they are not what the importer depends on.
    is_package = path.name == "__init__.py"
    targets: set[str] = set()
    for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                anchor = anchor[: len(anchor) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, *([base] if base else [])])
            names = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names
            ]
        targets.update(t for t in (_within(n, modules) for n in names) if t is not None and t != module)
    return targets


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _edges(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _path_through(graph: dict[str, set[str]], group: list[str]) -> list[str]:
    """One cycle inside the group, as the chain of imports a person can follow."""
    members = set(group)
    start = group[0]
    trail = [start]
    seen = {start}
    while True:
        step = sorted(n for n in graph[trail[-1]] if n in members)
        back = [n for n in step if n == start]
        if back and len(trail) > 1:
            return [*trail, start]
        fresh = [n for n in step if n not in seen]
        if not fresh:
            return [*trail, "..."]
        trail.append(fresh[0])
        seen.add(fresh[0])


def test_the_graph_sees_function_level_imports() -> None:
    """The check can fail: it sees an import hidden in a function body."""
    code = "def f():\n    from circles.services import rotation\n"
    nodes = list(_import_nodes(ast.parse(code)))
    assert [n.module for n in nodes if isinstance(n, ast.ImportFrom)] == ["circles.services"]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_module_imports_itself_back() -> None:
    graph = import_graph()
    assert "circles.services.sessions" in graph  # the walk found the code
    found = cycles(graph)
    assert found == [], "import cycles: " + "; ".join(" -> ".join(_path_through(graph, g)) for g in found)
