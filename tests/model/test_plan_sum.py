"""Plan sums of RT Doses: the proton BEAM doses add up to their PLAN dose; the rules."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from rtviewer.core.dose_sum import covering_grid
from rtviewer.core.grid import Grid
from rtviewer.errors import IncompatibleDataError
from rtviewer.model.dose import Dose, DoseSummationType, DoseType, DoseUnits
from rtviewer.model.plan_sum import WeightedDose, plan_sum

PLAN03 = "aptg-proton/plan03_ramp_full"


def _proton_doses(corpus):
    from rtviewer.dicom.dose import read_dose

    doses = [read_dose(p) for p in sorted((corpus / PLAN03).glob("RD*.dcm"))]
    plan = next(d for d in doses if d.summation_type is DoseSummationType.PLAN)
    beams = [d for d in doses if d.summation_type is DoseSummationType.BEAM]
    return plan, beams


def _scaling(path):
    import pydicom

    return float(pydicom.dcmread(path, stop_before_pixels=True).DoseGridScaling)


def test_proton_beam_doses_sum_to_the_plan_dose(corpus):
    plan, beams = _proton_doses(corpus)
    assert len(beams) == 2
    total = plan_sum([WeightedDose(b) for b in beams])
    assert total.grid.same_geometry(plan.grid)
    assert total.summation_type is DoseSummationType.PLAN
    assert total.referenced_plan_uid == plan.referenced_plan_uid
    error = np.abs(total.dose_gy.astype(np.float64) - plan.dose_gy)
    # Each file stores 16-bit integers x Dose Grid Scaling: three roundings of half a step
    # each bound the difference; 112 of 1.3 M voxels reach 2.08e-5 of the maximum that way.
    steps = [_scaling(d.path) for d in (plan, *beams)]
    assert error.max() <= sum(steps) / 2 * (1 + 1e-4)
    assert np.percentile(error, 99.99) / plan.max_gy < 2e-5
    assert error.mean() / plan.max_gy < 1e-5  # 4.1e-6: rounding, not resampling
    # The beams overlap: their sum is far from either beam alone.
    assert plan.max_gy > 1.1 * max(b.max_gy for b in beams)


def test_plan_dose_and_its_own_beam_dose_are_refused(corpus):
    plan, beams = _proton_doses(corpus)
    with pytest.raises(IncompatibleDataError, match="already contains"):
        plan_sum([WeightedDose(plan), WeightedDose(beams[0])])


def test_fraction_weight_scales(corpus):
    plan, _ = _proton_doses(corpus)
    total = plan_sum([WeightedDose(plan, 30.0)])
    np.testing.assert_allclose(total.dose_gy, 30 * plan.dose_gy, rtol=1e-6)
    with pytest.raises(IncompatibleDataError, match="twice"):
        plan_sum([WeightedDose(plan), WeightedDose(plan)])
    with pytest.raises(IncompatibleDataError, match="positive"):
        plan_sum([WeightedDose(plan, -1.0)])


def _dose(grid, values, **changes):
    name, uid = changes.pop("name", "RD.dcm"), changes.pop("uid", "1")
    base = Dose(path=f"/x/{name}", sop_instance_uid=uid,
                grid=grid, dose_gy=values, units=DoseUnits.GY, dose_type=DoseType.PHYSICAL,
                summation_type=DoseSummationType.PLAN, referenced_plan_uid="P")
    return dataclasses.replace(base, **changes)


def _linear(grid):
    nk, nj, ni = grid.shape
    k, j, i = np.meshgrid(np.arange(nk), np.arange(nj), np.arange(ni), indexing="ij")
    p = grid.index_to_patient(np.stack([i, j, k], axis=-1))
    return (1 + 0.1 * p[..., 0] + 0.05 * p[..., 2]).astype(np.float32)


def test_sum_on_the_finest_covering_grid():
    a_grid = Grid(affine=np.diag([2.0, 2.0, 3.0, 1.0]), shape=(5, 10, 10),
                  frame_of_reference_uid="F")
    b_affine = np.diag([1.0, 4.0, 3.0, 1.0])
    b_affine[:3, 3] = [4.0, 0.0, 3.0]
    b_grid = Grid(affine=b_affine, shape=(3, 5, 20), frame_of_reference_uid="F")
    target = covering_grid([a_grid, b_grid])
    assert target.spacing_mm == (1.0, 2.0, 3.0)
    assert target.shape == (5, 10, 24)  # x from 0 to 23 mm
    a = _dose(a_grid, _linear(a_grid), name="a.dcm", uid="a")
    b = _dose(b_grid, _linear(b_grid), name="b.dcm", uid="b", referenced_plan_uid="Q")
    total = plan_sum([WeightedDose(a, 2.0), WeightedDose(b, 3.0)])
    assert total.summation_type is DoseSummationType.MULTI_PLAN
    assert total.referenced_plan_uids == ("P", "Q")
    expected = _linear(target)
    ijk = np.stack(np.meshgrid(np.arange(24), np.arange(10), np.arange(5), indexing="xy"), -1)
    xyz = target.index_to_patient(ijk.transpose(2, 0, 1, 3))
    in_a = (xyz[..., 0] <= 18 + 1e-6)
    in_b = (xyz[..., 0] >= 4 - 1e-6) & (xyz[..., 1] <= 16 + 1e-6) & (xyz[..., 2] >= 3 - 1e-6) \
        & (xyz[..., 2] <= 9 + 1e-6)
    want = 2 * expected * in_a + 3 * expected * in_b
    np.testing.assert_allclose(total.dose_gy, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(("change", "message"), [
    ({"units": DoseUnits.RELATIVE}, "RELATIVE"),
    ({"dose_type": DoseType.EFFECTIVE}, "different quantities"),
    ({"frame": "G"}, "registration"),
])
def test_incompatible_doses_are_refused_with_the_reason(change, message):
    grid = Grid(affine=np.eye(4), shape=(2, 2, 2), frame_of_reference_uid="F")
    a = _dose(grid, np.ones(grid.shape, np.float32), name="a.dcm", uid="a")
    if "frame" in change:
        other = grid.with_frame_of_reference(change.pop("frame"))
        b = _dose(other, np.ones(grid.shape, np.float32), name="b.dcm", uid="b")
    else:
        b = _dose(grid, np.ones(grid.shape, np.float32), name="b.dcm", uid="b", **change)
    with pytest.raises(IncompatibleDataError, match=message) as info:
        plan_sum([WeightedDose(a), WeightedDose(b)])
    assert "b.dcm" in str(info.value)
