"""Scene defaults: where the crosshair starts, the reference dose, slice stepping."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from factories.phantom import make_phantom

from rtviewer.view.scene import Scene


def _plan(isocentre, prescription_gy=None):
    cp = SimpleNamespace(isocenter_mm=np.array(isocentre, dtype=float))
    return SimpleNamespace(beams=(SimpleNamespace(control_points=(cp,)),),
                           prescription=SimpleNamespace(dose_gy=prescription_gy,
                                                        source="Target Prescription Dose"))


def test_isocentre_inside_the_data_is_the_default_position():
    image, structures, dose = make_phantom()
    scene = Scene(image=image, structures=structures, dose=dose, plan=_plan((5, -3, 2), 18.0))
    position, why = scene.default_position()
    assert np.allclose(position, (5, -3, 2)) and why == "plan isocentre"
    reference = scene.reference_dose()
    assert reference.dose_gy == 18.0 and "18 Gy" in reference.source


def test_isocentre_outside_everything_falls_back_to_the_dose_centre():
    image, structures, dose = make_phantom()
    scene = Scene(structures=structures, dose=dose, plan=_plan((100, 100, 100)))
    position, why = scene.default_position()
    assert np.allclose(position, dose.grid.center_mm)
    assert "outside" in why and "(100.0, 100.0, 100.0)" in why
    reference = scene.reference_dose()
    assert reference.dose_gy == pytest.approx(dose.max_gy)
    assert reference.source == ("dose maximum, no prescription "
                                "(the plan states no prescription)")
    assert not reference.is_prescription


def test_a_single_image_slice_steps_through_the_dose_grid():
    image, structures, dose = make_phantom()
    scene = Scene(image=image, dose=dose)
    assert scene.base_grid is image.grid
    one_slice = type(image)(paths=(), series_instance_uid="1", modality="CT",
                            grid=type(image.grid)(affine=image.grid.affine,
                                                  shape=(1, *image.grid.shape[1:])),
                            voxels=image.voxels[:1], rescales=image.rescales)
    scene = Scene(image=one_slice, dose=dose)
    assert scene.base_grid is dose.grid
    assert scene.step_depth("axial", 0.0, 1) == pytest.approx(2.0)  # dose z = -40 + 3k
