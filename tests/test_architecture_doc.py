"""docs/ARCHITECTURE.md names only files that exist (its "where a new thing goes" lists)."""

from __future__ import annotations

import re

from testsupport import REPO_ROOT

DOC = REPO_ROOT / "docs" / "ARCHITECTURE.md"


def _named_files() -> set[str]:
    """Backticked ``*.py`` / ``*.json`` / ``*.md`` paths, without NAME or glob placeholders."""
    quoted = re.findall(r"`([\w./-]+\.(?:py|json|md))`", DOC.read_text(encoding="utf-8"))
    return {q for q in quoted if "NAME" not in q and "*" not in q}


def test_every_file_the_architecture_names_exists():
    named = _named_files()
    assert len(named) > 40
    # a bare module name is one of a package's (the doc names the package beside it)
    bases = [REPO_ROOT, REPO_ROOT / "rtviewer",
             *(p for p in (REPO_ROOT / "rtviewer").rglob("*") if p.is_dir())]
    missing = sorted(name for name in named if not any((b / name).exists() for b in bases))
    assert missing == []
