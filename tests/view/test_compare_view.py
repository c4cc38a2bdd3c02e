"""The comparison's Qt-free parts: colours centred on zero, frame routes, table cells."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from factories.phantom import make_phantom

from rtviewer.core.gamma import PASS_FAIL_LIMIT, GammaCancelled, GammaCriteria
from rtviewer.model.plan_compare import compare_doses
from rtviewer.model.registration import FrameTransform, SpatialRegistration
from rtviewer.view.compare_colours import (
    DIFFERENCE_ALPHA,
    DIFFERENCE_MIN_ALPHA,
    FAIL_RGB,
    PASS_RGB,
    difference_lut,
    difference_rgba,
    gamma_rgba,
    pass_fail_lut,
)
from rtviewer.view.compare_frames import frame_route
from rtviewer.view.compare_rows import DOSE_HIGHLIGHT_FRACTION, gamma_summary, metric_table


def test_difference_scale_is_centred_on_zero():
    lut = difference_lut(65)
    assert tuple(lut[32]) == (247, 247, 247)  # RdBu's neutral middle
    assert lut[0][2] > lut[0][0] and lut[-1][0] > lut[-1][2]  # blue low, red high
    rgba = difference_rgba(np.array([[-2.0, -1.0, 0.0, 0.5, 1.0, 3.0, np.nan]]), limit=2.0,
                           floor=0.1)
    assert rgba[0, 2, 3] == 0 and rgba[0, 6, 3] == 0  # agreement and no value: clear
    assert rgba[0, 0, 3] == rgba[0, 5, 3] == DIFFERENCE_ALPHA  # +-limit and beyond saturate
    assert tuple(rgba[0, 0, :3]) == (5, 48, 97) and tuple(rgba[0, 5, :3]) == (103, 0, 31)
    # symmetric: -1 and +1 equally opaque, mirrored colours
    assert rgba[0, 1, 3] == rgba[0, 4, 3] == round(
        DIFFERENCE_MIN_ALPHA + (DIFFERENCE_ALPHA - DIFFERENCE_MIN_ALPHA) * np.sqrt(0.5))
    # the smallest difference shown is clearly red (or blue), never a near-white tint
    small = difference_rgba(np.array([[0.02, -0.02]]), limit=2.0)
    assert small[0, 0, 0] > 240 and small[0, 0, 2] < 140
    assert small[0, 1, 2] > 215 and small[0, 1, 0] < 150
    assert difference_rgba(np.array([[0.05]]), limit=2.0, floor=0.1)[0, 0, 3] == 0


def test_gamma_colours_pass_and_fail():
    rgba = gamma_rgba(np.array([[0.0, 1.0, 1.5, 2.0, np.nan]]))
    assert rgba[0, 4, 3] == 0 and rgba[0, 0, 3] > 0
    assert rgba[0, 1, 1] > rgba[0, 1, 0] * 0.9  # pale yellow-green at the edge
    assert tuple(rgba[0, 3, :3]) == (200, 0, 0)
    bounded = gamma_rgba(np.array([[0.3, 0.9, PASS_FAIL_LIMIT, 1.7]]), exact=False)
    assert tuple(bounded[0, 0, :3]) == tuple(bounded[0, 1, :3]) == PASS_RGB
    assert tuple(bounded[0, 2, :3]) == tuple(bounded[0, 3, :3]) == FAIL_RGB
    lut = pass_fail_lut(8)
    assert tuple(lut[0]) == PASS_RGB and tuple(lut[-1]) == FAIL_RGB


def _registration(frames: dict[str, np.ndarray]) -> SpatialRegistration:
    return SpatialRegistration(Path("REG.dcm"), "9", "FOR-A",
                               tuple(FrameTransform(f, m) for f, m in frames.items()))


def test_frame_routes():
    assert frame_route("F", "F", "B.dcm").allowed
    assert "no Frame of Reference" in frame_route(None, "F", "B.dcm").note
    refused = frame_route("FOR-A", "FOR-B", "B.dcm")
    assert not refused.allowed and "needs a Spatial Registration" in refused.refusal
    assert "none connecting them was found" in refused.refusal
    deformable = frame_route("FOR-A", "FOR-B", "B.dcm", deformable=[Path("DREG.dcm")])
    assert "out of scope" in deformable.refusal and "DREG.dcm" in deformable.refusal
    shift = np.eye(4)
    shift[:3, 3] = (10.0, -5.0, 2.0)  # B's frame -> registered frame (= A's)
    route = frame_route("FOR-A", "FOR-B", "B.dcm",
                        registrations=[_registration({"FOR-B": shift})],
                        deformable=[Path("DREG.dcm")])
    assert route.allowed and route.registration is not None
    np.testing.assert_allclose(route.matrix, shift)
    assert "REG.dcm" in route.note and "10.0000" in route.note
    other = frame_route("FOR-A", "FOR-C", "B.dcm", registrations=[_registration({"FOR-B": shift})])
    assert not other.allowed


def test_metric_table_cells_are_the_comparison_numbers():
    _image, structures, dose_a = make_phantom()
    dose_b = dataclasses.replace(dose_a, path=Path("b"), dose_gy=dose_a.dose_gy * 1.1)
    result = compare_doses(dose_a, dose_b, structures.rois,
                           criteria=GammaCriteria(3.0, 3.0, 10.0, pass_rate_only=True))
    headers, rows = metric_table(result, ("Dmean", "V20Gy"))
    assert headers[:4] == ["ROI", "Dmean A (Gy)", "Dmean B (Gy)", "Dmean B−A (Gy)"]
    assert headers[4] == "V20Gy A (%)" and headers[-1] == "γ pass (%)"
    ring = next(s for s in result.structures if s.name == "PTV ring")
    row = next(r for r in rows if r[0].text == "PTV ring")
    dmean = next(m for m in ring.metrics if m.name == "Dmean")
    assert float(row[1].text) == pytest.approx(dmean.a, abs=5e-4)
    assert float(row[3].text) == pytest.approx(0.1 * dmean.a, abs=2e-3)  # a 10 % scaling
    assert row[3].highlight == (0.1 * dmean.a > DOSE_HIGHLIGHT_FRACTION * dose_a.max_gy)
    assert float(row[-1].text) == pytest.approx(100 * ring.gamma_pass_rate, abs=0.05)
    assert "pass" in gamma_summary(result) and "3%/3mm global" in gamma_summary(result)


def test_a_cancelled_gamma_leaves_the_rest_of_the_comparison():
    _image, structures, dose_a = make_phantom()
    dose_b = dataclasses.replace(dose_a, path=Path("b"), dose_gy=dose_a.dose_gy * 1.1)
    slabs = []

    def cancel_at_first_slab(done, total):
        slabs.append((done, total))
        if done == 1:
            raise GammaCancelled("gamma cancelled")

    result = compare_doses(dose_a, dose_b, structures.rois,
                           criteria=GammaCriteria(3.0, 3.0, 10.0, pass_rate_only=True),
                           gamma_progress=cancel_at_first_slab)
    assert slabs[:2] == [(0, slabs[0][1]), (1, slabs[0][1])]
    assert result.gamma is None and result.gamma_note == "gamma cancelled"
    assert gamma_summary(result) == "Gamma cancelled: no gamma."
    assert result.structures and all(s.gamma_pass_rate is None for s in result.structures)
    assert result.max_abs_difference_gy == pytest.approx(0.1 * dose_a.max_gy, rel=1e-4)
    headers, _rows = metric_table(result, ("Dmean",))
    assert "γ pass (%)" not in headers


def test_a_pass_fail_gamma_reads_as_pass_or_fail():
    from rtviewer.view.compare_planes import compare_readout

    _image, structures, dose_a = make_phantom()
    dose_b = dataclasses.replace(dose_a, path=Path("b"), dose_gy=dose_a.dose_gy * 1.1)
    result = compare_doses(dose_a, dose_b, (),
                           criteria=GammaCriteria(3.0, 3.0, 10.0, pass_rate_only=True))
    gamma = result.gamma
    assert gamma is not None
    failing = np.argwhere(gamma.evaluated & (gamma.gamma > 1))[0]
    assert gamma.gamma[tuple(failing)] == PASS_FAIL_LIMIT
    point = dose_a.grid.index_to_patient(failing[::-1].astype(float)[None])[0]
    assert "γ > 1 (fail)" in compare_readout(result, point)


def test_a_gamma_map_says_how_failing_values_were_searched():
    _image, structures, dose_a = make_phantom()
    dose_b = dataclasses.replace(dose_a, path=Path("b"), dose_gy=dose_a.dose_gy * 1.1)
    result = compare_doses(dose_a, dose_b, (), criteria=GammaCriteria(3.0, 3.0, 10.0))
    assert "failing voxels' values searched beyond the DTA at DTA/5" in gamma_summary(result)
    gamma = result.gamma
    assert gamma is not None
    failing = gamma.gamma[gamma.evaluated & (gamma.gamma > 1)]
    assert failing.size and failing.max() <= 2.0 and failing.min() > 1.0
