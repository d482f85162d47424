"""The house rules of dilemmaboard/, checked from its own imports (README: Where things live).

- no import circle between modules;
- the domain (everything but the web layer, views, forms, commands and the
  factory) never reads Flask's request state and never commits: the view or
  the command owns the unit of work;
- nothing imports a command-line module but the factory;
- a module stays readable in one sitting (at most MAX_LINES lines).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "dilemmaboard"
MAX_LINES = 350
REQUEST_STATE = {"request", "current_app", "session", "g"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


# Modules of a feature that face the request: its routes, forms, commands, the door
# that checks a login (`access`) and the markup of its charts. The factory and the
# Flask extensions are the app's wiring.
EDGE = {"views", "forms", "cli", "access", "charts", "factory", "extensions"}


def is_domain(name: str) -> bool:
    return not (name.startswith("dilemmaboard.web") or name.rsplit(".", 1)[-1] in EDGE)


def imports_of(name: str) -> list[tuple[str, list[str]]]:
    """(module, names) for every import in the module, resolved to dilemmaboard modules."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [alias.name for alias in node.names]
            found.append((node.module, names))
            # `from dilemmaboard.web import caching` imports a module, too.
            found += [(f"{node.module}.{n}", []) for n in names if f"{node.module}.{n}" in MODULES]
    return found


def internal_graph() -> dict[str, set[str]]:
    return {name: {m for m, _names in imports_of(name) if m in MODULES and m != name}
            for name in MODULES}


def test_no_import_circle():
    graph = internal_graph()
    state: dict[str, int] = {}
    circles = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                circles.append(path[path.index(target):] + [target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert circles == []


@pytest.mark.parametrize("name", sorted(n for n in MODULES if is_domain(n)))
def test_the_domain_does_not_read_the_request(name):
    for module, names in imports_of(name):
        if module == "flask":
            assert not REQUEST_STATE & set(names), f"{name} imports {REQUEST_STATE & set(names)}"
        assert not module.startswith("dilemmaboard.web"), f"{name} imports {module}"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if is_domain(n)))
def test_the_domain_never_commits(name):
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    commits = [node.lineno for node in ast.walk(tree)
               if isinstance(node, ast.Attribute) and node.attr in {"commit", "rollback"}]
    assert commits == [], f"{name} commits or rolls back at lines {commits}"


def test_only_the_factory_imports_the_command_line():
    for name in MODULES:
        if name == "dilemmaboard.factory" or name.endswith(".cli"):
            continue
        for module, _names in imports_of(name):
            assert not module.endswith(".cli"), f"{name} imports {module}"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_stay_readable_in_one_sitting(name):
    lines = MODULES[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{name} has {lines} lines"
