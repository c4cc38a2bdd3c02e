"""One demo generation per test session, shared read-only by the demo tests."""

from __future__ import annotations

import time
from pathlib import Path

import pydicom
import pytest

from rtviewer.demo.generate import generate_demo


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory) -> tuple[Path, list[Path], float]:
    """(folder, files, CPU seconds) of one generation.

    CPU time, not wall time: the build machine is shared, and other processes'
    load must not make the generation-time test flaky.
    """
    out = tmp_path_factory.mktemp("demo") / "out"
    start = time.process_time()
    files = generate_demo(out)
    return out, files, time.process_time() - start


@pytest.fixture(scope="session")
def demo_dir(demo_run) -> Path:
    return demo_run[0]


@pytest.fixture(scope="session")
def demo_headers(demo_run) -> dict[Path, pydicom.Dataset]:
    """Every generated file's header (no pixels)."""
    return {p: pydicom.dcmread(p, stop_before_pixels=True) for p in demo_run[1]}


def _find(headers: dict[Path, pydicom.Dataset], **match) -> list[Path]:
    return sorted(p for p, ds in headers.items()
                  if all(ds.get(k) == v for k, v in match.items()))


@pytest.fixture(scope="session")
def find():
    """``find(headers, Keyword=value, ...)``: matching paths, sorted."""
    return _find
