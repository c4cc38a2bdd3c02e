"""Shared fixtures: the real corpus, its read-only guard, and an isolated cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from testsupport import REPO_ROOT, corpus_root  # noqa: F401  (re-exported)


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    snap = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            p = Path(dirpath) / name
            st = p.stat()
            snap[str(p.relative_to(root))] = (st.st_size, st.st_mtime_ns)
    return snap


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The corpus folder; skips locally and fails under CI when it is absent."""
    root = corpus_root()
    if not root.is_dir():
        reason = f"DICOM-RT corpus not found at {root} (set RTVIEWER_TEST_DATA)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return root


@pytest.fixture(scope="session", autouse=True)
def _corpus_is_never_modified():
    """Fail the run if any test changed a file of the corpus (size or mtime)."""
    root = corpus_root()
    before = _snapshot(root) if root.is_dir() else None
    yield
    if before is not None:
        after = _snapshot(root)
        assert after == before, "the test suite modified the read-only DICOM corpus"


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Every test gets its own cache directory so no test sees another's index."""
    cache = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("RTVIEWER_CACHE_DIR", str(cache))
    return cache


@pytest.fixture(autouse=True)
def _no_process_pool_outlives_its_test():
    """Close every worker process pool a test opened (the scan's readers, DVH workers)."""
    yield
    from rtviewer.process_pool import close_all_pools

    close_all_pools()
