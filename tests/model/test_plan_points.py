"""Doses at points: analytic linear-gradient doses (trilinear is exact) and corpus values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rtviewer.core.grid import Grid
from rtviewer.dicom.dose import read_dose
from rtviewer.dicom.plan import read_plan
from rtviewer.dicom.plan_bundle import load_bundle, plan_bundles
from rtviewer.model.dose import Dose, DoseSummationType, DoseType, DoseUnits
from rtviewer.model.plan_points import (
    PlanPoint,
    collect_points,
    doses_at_points,
    point_row,
)

pytestmark = pytest.mark.corpus

GRADIENT = np.array([0.01, -0.02, 0.03])  # Gy per mm along x, y, z


def _linear(x, y, z):
    return 20.0 + GRADIENT[0] * x + GRADIENT[1] * y + GRADIENT[2] * z


def _linear_dose(centre_mm, summation=DoseSummationType.PLAN, oblique=False,
                 dose_type=DoseType.PHYSICAL) -> Dose:
    """A dose grid (2.5 × 3 × 2 mm, optionally rotated 30° about z) holding _linear."""
    c, s = (np.cos(np.radians(30)), np.sin(np.radians(30))) if oblique else (1.0, 0.0)
    shape = (60, 70, 80)
    origin = np.asarray(centre_mm) - np.array([c * 100 - s * 105, s * 100 + c * 105, 60])
    grid = Grid.from_dicom_geometry(image_position_mm=tuple(origin),
                                    image_orientation=(c, s, 0, -s, c, 0),
                                    pixel_spacing_mm=(3.0, 2.5), slice_step_mm=(0, 0, 2),
                                    shape=shape)
    k, j, i = np.meshgrid(*(np.arange(n) for n in shape), indexing="ij")
    xyz = grid.index_to_patient(np.stack([i, j, k], axis=-1).reshape(-1, 3)).reshape(
        *shape, 3)
    values = _linear(xyz[..., 0], xyz[..., 1], xyz[..., 2]).astype(np.float32)
    return Dose(path=Path("RD.linear.dcm"), sop_instance_uid="1", grid=grid, dose_gy=values,
                units=DoseUnits.GY, dose_type=dose_type, summation_type=summation)


@pytest.fixture(scope="module")
def proton(corpus):
    plans, headers = plan_bundles(corpus / "aptg-proton" / "plan03_ramp_full")
    return load_bundle(plans[0], headers, with_doses=False)


@pytest.mark.parametrize("oblique", [False, True])
def test_linear_gradient_is_exact_at_every_point(proton, oblique):
    dose = _linear_dose((3.0, -2.0, 1.0), oblique=oblique)
    user = PlanPoint("my point", "user", (12.34, -5.67, 8.9))
    points = collect_points(proton.plan, proton.structure_set, None, (user,))
    labels = [p.label for p in points]
    assert labels == ["Beam Dose Point3", "Beam dose point (beams 1, 2)", "LoPo", "my point"]
    for result in doses_at_points(points, dose, proton.plan):
        assert result.dose_gy == pytest.approx(_linear(*result.point.xyz_mm), abs=2e-5)


def test_difference_in_gy_and_percent(proton):
    dose = _linear_dose((0.0, 0.0, 0.0))
    result = doses_at_points(collect_points(proton.plan, None), dose, proton.plan)[1]
    planned = 0.943323 + 0.9349596  # Σ Beam Dose of the file, 1 fraction
    assert result.planned_gy == pytest.approx(planned)
    assert result.dose_gy == pytest.approx(20.0, abs=2e-5)
    assert result.difference_gy == pytest.approx(20.0 - planned, abs=2e-5)
    assert result.difference_percent == pytest.approx(100 * (20.0 - planned) / planned,
                                                      rel=1e-5)
    row = point_row(result)
    assert row["planned_from"] == "Σ Beam Dose × 1 fractions"


def test_fraction_dose_compares_per_fraction(corpus):
    plan = read_plan(corpus / "dicompyler-core" / "rtplan.dcm")
    calc = collect_points(plan, None)[0]
    assert calc.label == "CALC POINT" and calc.planned_gy == pytest.approx(11.3113869239676)
    dose = _linear_dose(calc.xyz_mm, summation=DoseSummationType.FRACTION)
    result = doses_at_points((calc,), dose, plan)[0]
    assert result.planned_gy == pytest.approx(11.3113869239676 / 7)
    beam = _linear_dose(calc.xyz_mm, summation=DoseSummationType.BEAM)
    part = doses_at_points((calc,), beam, plan)[0]
    assert part.planned_gy is None and "BEAM dose" in part.note


def test_point_outside_the_grid_has_no_dose():
    dose = _linear_dose((0.0, 0.0, 0.0))
    far = PlanPoint("far", "user", (500.0, 0.0, 0.0))
    result = doses_at_points((far,), dose)[0]
    assert result.dose_gy is None and result.note == "outside the dose grid"


def test_eclipse_reference_point_matches_our_trilinear_dose(corpus):
    """Eclipse wrote the CALC POINT's dose as its Target Prescription Dose: 11.3113869 Gy."""
    folder = corpus / "dicompyler-core"
    plan = read_plan(folder / "rtplan.dcm")
    dose = read_dose(folder / "rtdose.dcm")
    result = doses_at_points(collect_points(plan, None, dose), dose, plan)[0]
    assert abs(result.difference_gy) < 1e-4  # the RT Dose is stored to ~2e-7 Gy here


def test_effective_ion_dose_against_physical_beam_doses_is_named(corpus, proton):
    folder = corpus / "aptg-proton" / "plan03_ramp_full"
    dose = read_dose(next(folder.glob("RD*3000*.dcm")))
    result = doses_at_points(collect_points(proton.plan, None), dose, proton.plan)[1]
    assert "EFFECTIVE" in result.note and "ratio 1.100" in result.note
