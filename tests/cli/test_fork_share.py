"""forked_map: the same results as one process, whatever the child does."""

from __future__ import annotations

import os
import sys
import threading
import time

import numpy as np
import pytest

from rtviewer.cli import fork_share
from rtviewer.cli.fork_share import forked_map

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="forks only on Linux")


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fork even on a one-core runner and with the test runner's threads."""
    monkeypatch.setattr(fork_share, "usable_cores", lambda: 2)
    monkeypatch.setattr(fork_share.threading, "active_count", lambda: 1)


def test_results_of_both_processes_come_back_in_full(two_cores: None) -> None:
    me = os.getpid()

    def item(n: int) -> tuple[int, int, np.ndarray]:
        time.sleep(0.005)  # long enough for the child to start taking items
        return n, os.getpid(), np.full(n + 1, float(n) ** 0.5)

    results = forked_map(item, list(range(40))[::-1])
    assert sorted(results) == list(range(40))
    for n, (m, _, values) in results.items():
        assert m == n and np.array_equal(values, np.full(n + 1, float(n) ** 0.5))
    pids = {pid for _, pid, _ in results.values()}
    assert me in pids and len(pids) == 2  # both processes took items


def test_an_item_the_child_fails_is_computed_again_by_the_parent(two_cores: None) -> None:
    me = os.getpid()

    def item(n: int) -> int:
        if os.getpid() != me:
            raise RuntimeError("the child fails every item")
        return n * n

    assert forked_map(item, [3, 1, 2, 0]) == {3: 9, 1: 1, 2: 4, 0: 0}


def test_a_failing_item_raises_in_the_parent(two_cores: None) -> None:
    def item(n: int) -> int:
        if n == 2:
            raise ValueError("item 2 cannot be computed")
        return n

    with pytest.raises(ValueError, match="item 2"):
        forked_map(item, [0, 1, 2, 3])


def test_no_fork_with_other_threads_or_one_core(monkeypatch: pytest.MonkeyPatch) -> None:
    me = os.getpid()

    def item(n: int) -> int:
        return os.getpid()

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        monkeypatch.setattr(fork_share, "usable_cores", lambda: 2)
        assert set(forked_map(item, list(range(8))).values()) == {me}
    finally:
        stop.set()
        other.join()
    monkeypatch.setattr(fork_share, "usable_cores", lambda: 1)
    monkeypatch.setattr(fork_share.threading, "active_count", lambda: 1)
    assert set(forked_map(item, list(range(8))).values()) == {me}


def _square(z_mm: float, half_mm: float) -> np.ndarray:
    return np.array([[-half_mm, -half_mm, z_mm], [half_mm, -half_mm, z_mm],
                     [half_mm, half_mm, z_mm], [-half_mm, half_mm, z_mm]])


def test_dvh_rows_and_model_note_are_the_same_forked_or_not(
        two_cores: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from rtviewer.cli import dvh_table
    from rtviewer.core.grid import Grid

    affine = np.eye(4)
    affine[:3, 3] = -20.0
    grid = Grid(affine, (41, 41, 41))
    k, j, i = np.meshgrid(*(np.arange(41.0),) * 3, indexing="ij")
    dose_gy = 2.0 + 0.1 * i + 0.05 * j - 0.02 * k  # a gradient: every model differs
    rois = [(1, "PTV", [_square(z, 5.0) for z in range(-5, 5)]),
            (2, "small", [_square(z, 2.0) for z in range(0, 3)]),   # 0.05 cc
            (3, "thin", [_square(z, 8.0) for z in (0.0, 2.5)])]     # 2 planes
    forked = (dvh_table.compute_rows(rois, dose_gy, grid),
              dvh_table.model_dependence(rois, dose_gy, grid))
    monkeypatch.setattr(fork_share.threading, "active_count", lambda: 2)  # no fork
    alone = (dvh_table.compute_rows(rois, dose_gy, grid),
             dvh_table.model_dependence(rois, dose_gy, grid))
    assert dvh_table.statistics_csv(forked[0]) == dvh_table.statistics_csv(alone[0])
    assert forked[1] == alone[1]
    assert [line.split("'")[1] for line in forked[1]] == ["small", "thin"]
    assert "0.048 cc (slab model)" in forked[1][0] and "2 contour planes" in forked[1][1]
