"""The shape of the code: small modules, no import cycles, the core independent of the UI and the
evaluation code, and one error boundary in the CLI."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("rag", "ui")
MAX_LINES = 400


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def _resolve(name: str, node: ast.ImportFrom) -> list[str]:
    if node.level:  # relative import: from the module's own package
        base = name.split(".")[: len(name.split(".")) - node.level]
        head = ".".join([*base, node.module] if node.module else base)
    else:
        head = node.module or ""
    return [head] + [f"{head}.{alias.name}" for alias in node.names]


def import_time_imports(name: str, path: Path, known: set[str]) -> set[str]:
    """First-party modules ``name`` imports when it is imported (not inside functions or
    ``if TYPE_CHECKING:`` blocks, which run later or never)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    targets: set[str] = set()

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                targets.update(_resolve(name, node))
            elif isinstance(node, ast.If) and "TYPE_CHECKING" not in ast.unparse(node.test):
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try | ast.ClassDef):
                visit(node.body)

    visit(tree.body)
    return {target for target in targets if target in known and target != name}


def import_graph() -> dict[str, set[str]]:
    found = modules()
    return {name: import_time_imports(name, path, set(found)) for name, path in found.items()}


def test_no_module_is_longer_than_the_limit() -> None:
    long = {
        name: count
        for name, path in modules().items()
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_no_import_cycles() -> None:
    graph = import_graph()
    state: dict[str, str] = {}
    cycles = []

    def walk(node: str, path: list[str]) -> None:
        state[node] = "open"
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                walk(target, [*path, target])
        state[node] = "done"

    for start in graph:
        if start not in state:
            walk(start, [start])
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(cycle) for cycle in cycles)


def test_the_cycle_check_sees_a_cycle(tmp_path: Path) -> None:
    """The checker itself: two modules importing each other at import time are a cycle."""
    (tmp_path / "a.py").write_text("from rag import b\n", encoding="utf-8")
    (tmp_path / "b.py").write_text("import rag.a\n", encoding="utf-8")
    known = {"rag.a", "rag.b"}
    assert import_time_imports("rag.a", tmp_path / "a.py", known) == {"rag.b"}
    assert import_time_imports("rag.b", tmp_path / "b.py", known) == {"rag.a"}


@pytest.mark.parametrize("name", [name for name in modules() if name.startswith("rag")])
def test_the_core_does_not_import_the_ui_or_the_evaluation_code(name: str) -> None:
    path = modules()[name]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = [node for node in tree.body if isinstance(node, ast.Import | ast.ImportFrom)]
    for node in top_level:
        names = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
        assert not any(re.match(r"(ui|eval)(\.|$)", n) for n in names), f"{name} imports {names}"


def test_the_cli_has_one_error_boundary() -> None:
    sources = [path.read_text(encoding="utf-8") for path in (ROOT / "rag" / "cli").glob("*.py")]
    assert sum(len(re.findall(r"except\s*\(?[^:]*\bLitrevError\b", text)) for text in sources) == 1


def stage(module: str) -> str:
    """The package a module belongs to: ``rag.index`` for ``rag.index.store``; the root modules of
    ``rag`` (settings, errors, ...) are the package ``rag``; ``ui`` and ``eval`` are one each."""
    parts = module.split(".")
    if parts[0] == "rag" and len(parts) > 1 and (ROOT / "rag" / parts[1]).is_dir():
        return f"rag.{parts[1]}"
    return parts[0]


def package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, targets in import_graph().items():
        graph.setdefault(stage(module), set()).update(stage(t) for t in targets if stage(t) != stage(module))
    return graph


def test_no_package_imports_one_that_imports_it() -> None:
    graph = package_graph()
    reached: dict[str, set[str]] = {}

    def reach(package: str) -> set[str]:
        if package not in reached:
            reached[package] = set()
            for target in graph.get(package, ()):
                reached[package] |= {target, *reach(target)}
        return reached[package]

    cycles = sorted(package for package in graph if package in reach(package))
    assert not cycles, f"packages that import themselves through others: {cycles}"


def test_the_root_modules_import_no_stage() -> None:
    """Settings, errors and the other root modules sit under every stage: they import none."""
    assert package_graph().get("rag", set()) <= {"rag"}


def test_the_package_check_sees_a_package_cycle(monkeypatch: pytest.MonkeyPatch) -> None:
    graph = {"rag.index.store": {"rag.retrieval.retrieve"}, "rag.retrieval.retrieve": {"rag.index.library"}}
    monkeypatch.setattr(sys.modules[__name__], "import_graph", lambda: graph)
    with pytest.raises(AssertionError, match=r"rag\.index"):
        test_no_package_imports_one_that_imports_it()


def test_every_package_of_the_checkout_is_in_the_wheel() -> None:
    """``pyproject.toml`` lists the packages by hand (two folders are mapped into ``rag``): a new
    package folder must be added there, or the wheel would ship without it."""
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(path.parent.relative_to(ROOT).parts)
        for package in PACKAGES
        for path in (ROOT / package).rglob("__init__.py")
    }
    assert found <= listed, f"packages missing from pyproject.toml: {sorted(found - listed)}"
    assert "litrev_eval" in listed and {"rag.bundled.prompts", "rag.bundled.corpus"} <= listed
