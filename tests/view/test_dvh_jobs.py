"""DVHs computed in worker processes equal the in-process computation; cancelling works."""

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest

from rtviewer.core.dvh import Dvh, compute_dvh
from rtviewer.dicom.dose import read_dose
from rtviewer.dicom.structure import read_structure_set
from rtviewer.view import dvh_jobs
from rtviewer.view.dvh_jobs import DvhJobs


@pytest.fixture(scope="module")
def dicompyler(request):
    corpus = request.getfixturevalue("corpus")
    folder = corpus / "dicompyler-core"
    structures = read_structure_set(folder / "rtss.dcm")
    dose = read_dose(folder / "rtdose.dcm")
    return structures, dose


class _Collector:
    def __init__(self) -> None:
        self.results: dict[int, Dvh] = {}
        self.lock = threading.Lock()

    def __call__(self, roi_number: int, dvh: Dvh) -> None:
        with self.lock:
            self.results[roi_number] = dvh


def _assert_same(a: Dvh, b: Dvh) -> None:
    assert np.array_equal(a.differential_cc, b.differential_cc)
    assert (a.bin_gy, a.volume_cc, a.dmin_gy, a.dmax_gy, a.dmean_gy, a.outside_volume_cc) == (
        b.bin_gy, b.volume_cc, b.dmin_gy, b.dmax_gy, b.dmean_gy, b.outside_volume_cc)


@pytest.mark.parametrize("processes", [True, False])
def test_pool_dvhs_equal_the_in_process_computation(dicompyler, processes):
    structures, dose = dicompyler
    rois = [r for r in structures.rois if r.closed_polygons_mm()][:4]
    collect = _Collector()
    jobs = DvhJobs(dose.dose_gy, dose.grid, collect, processes=processes)
    try:
        assert jobs.uses_processes is processes
        for roi in rois:
            jobs.submit(roi.roi_number, roi.closed_polygons_mm())
        assert jobs.wait(120)
    finally:
        jobs.close()
    assert set(collect.results) == {r.roi_number for r in rois}
    for roi in rois:
        expected = compute_dvh(roi.closed_polygons_mm(), dose.dose_gy, dose.grid)
        _assert_same(collect.results[roi.roi_number], expected)
        assert collect.results[roi.roi_number].volume_cc > 0


def test_cancel_drops_queued_structures_and_reports_nothing_after(dicompyler):
    structures, dose = dicompyler
    rois = [r for r in structures.rois if r.closed_polygons_mm()]
    collect = _Collector()
    jobs = DvhJobs(dose.dose_gy, dose.grid, collect)
    for _ in range(5):
        for roi in rois:
            jobs.submit(roi.roi_number, roi.closed_polygons_mm())
    jobs.cancel()
    with collect.lock:
        seen = dict(collect.results)
    jobs.submit(rois[0].roi_number, rois[0].closed_polygons_mm())  # ignored once cancelled
    jobs.close()
    assert jobs.pending() == 0
    assert collect.results == seen
    assert len(seen) < len(rois)  # the pool had no time for the whole queue


def test_a_broken_pool_falls_back_to_a_thread(dicompyler, monkeypatch):
    structures, dose = dicompyler
    roi = next(r for r in structures.rois if r.closed_polygons_mm())
    # every worker dies in its initializer (sys.exit with two arguments raises)
    monkeypatch.setattr(dvh_jobs, "_set_dose", sys.exit)
    collect = _Collector()
    jobs = DvhJobs(dose.dose_gy, dose.grid, collect)
    try:
        jobs.submit(roi.roi_number, roi.closed_polygons_mm())
        assert jobs.wait(120)
        assert not jobs.uses_processes
    finally:
        jobs.close()
    expected = compute_dvh(roi.closed_polygons_mm(), dose.dose_gy, dose.grid)
    _assert_same(collect.results[roi.roi_number], expected)
