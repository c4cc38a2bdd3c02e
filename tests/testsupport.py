"""Paths shared by tests: the repository root and the real corpus.

Importable from any test module as ``from testsupport import ...`` (pytest's
``pythonpath`` includes ``tests/``); conftest files are not importable by name
reliably because several exist.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def corpus_root() -> Path:
    """Where the real DICOM-RT corpus lives (``RTVIEWER_TEST_DATA`` or ``../shared/data``)."""
    configured = os.environ.get("RTVIEWER_TEST_DATA")
    if configured:
        return Path(configured).resolve()
    return (REPO_ROOT / ".." / "shared" / "data").resolve()
