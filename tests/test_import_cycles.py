"""No import loops between the modules of ``rtviewer/``.

The rule: every ``import`` statement in a module -- at the top, inside a function, or
under ``if TYPE_CHECKING`` -- is an edge to the rtviewer module it names
(``from a.b import c`` names ``a.b.c`` when that is a module, else ``a.b``; relative
imports are resolved against the importing module's package). A loop of such edges
between two or more modules fails the test, even when a function-local import keeps it
from failing at run time: a loop means neither module can be understood, tested or
moved without the other. The implicit import of a package's ``__init__`` when one of
its submodules is imported is not an edge (it is Python's, not the module's, choice).
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
from scipy.sparse import coo_array
from scipy.sparse.csgraph import connected_components
from testsupport import REPO_ROOT


def module_files(package_dir: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file under ``package_dir``."""
    modules = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(package_dir.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def _imported(node: ast.Import | ast.ImportFrom, package: str, modules: dict) -> set[str]:
    """The modules of ``modules`` that one import statement names."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join(anchor + ([node.module] if node.module else []))
        names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                 for alias in node.names]
    found = set()
    for name in names:
        while name and name not in modules:  # `import a.b.c` of a non-module c -> a.b
            name = name.rpartition(".")[0]
        if name:
            found.add(name)
    return found


def import_graph(package_dir: Path) -> dict[str, set[str]]:
    """Module -> the package's modules it imports anywhere in its body."""
    modules = module_files(package_dir)
    graph = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        edges: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                edges |= _imported(node, package, modules)
        graph[name] = edges - {name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of two or more modules (scipy's csgraph)."""
    names = sorted(graph)
    number = {name: i for i, name in enumerate(names)}
    rows = [number[a] for a in names for _ in graph[a]]
    cols = [number[b] for a in names for b in graph[a]]
    adjacency = coo_array((np.ones(len(rows)), (rows, cols)), shape=(len(names),) * 2)
    _count, labels = connected_components(adjacency, directed=True, connection="strong")
    groups: dict[int, list[str]] = {}
    for name, label in zip(names, labels, strict=True):
        groups.setdefault(int(label), []).append(name)
    return sorted(group for group in groups.values() if len(group) > 1)


def test_rtviewer_has_no_import_cycle():
    graph = import_graph(REPO_ROOT / "rtviewer")
    # the parser sees function-local and TYPE_CHECKING imports (else this test proves little)
    assert "rtviewer.dicom.header_full" in graph["rtviewer.dicom.header"]
    assert "rtviewer.view.chain" in graph["rtviewer.ui.render.common"]
    loops = cycles(graph)
    assert loops == [], "import loops: " + "; ".join(" <-> ".join(c) for c in loops)


def test_a_loop_through_a_function_local_import_is_found(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from pkg.sub import b\n")
    (pkg / "sub" / "b.py").write_text("def f():\n    from .. import c\n")
    (pkg / "c.py").write_text("from typing import TYPE_CHECKING\n"
                              "if TYPE_CHECKING:\n    import pkg.a\n")
    (pkg / "d.py").write_text("import pkg.a\n")  # imports into the loop, not part of it
    assert cycles(import_graph(pkg)) == [["pkg.a", "pkg.c", "pkg.sub.b"]]
