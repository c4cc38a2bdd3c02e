"""No module imports another module's private name (``from rtviewer.x import _y``).

A private helper used elsewhere gets a public name in the layer it belongs to; the
review report's builder borrowed five from other subcommands before issue 15.
"""

from __future__ import annotations

import ast
from pathlib import Path

import rtviewer

PACKAGE = Path(rtviewer.__file__).parent


def test_no_private_name_crosses_a_module() -> None:
    crossing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("rtviewer"):
                crossing += [f"{path.relative_to(PACKAGE)}:{node.lineno} {node.module}.{a.name}"
                             for a in node.names
                             if a.name.startswith("_") and not a.name.startswith("__")]
    assert crossing == []
