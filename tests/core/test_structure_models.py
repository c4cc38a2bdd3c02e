"""The three structure models on analytic solids contoured on axial planes (issue 13.2).

``slab`` and ``none`` are checked against their own exact solid (each plane's exact
polygon area extruded, with or without half-spacing caps); ``smooth`` against the true
solid the contours were cut from: a sphere, a cylinder lying along y, a cone tilted by
30° and a torus.  Linear doses make every D-metric analytic.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import brentq

from rtviewer.core.dvh import compute_dvh
from rtviewer.core.dvh_metrics import dose_at_volume_percent
from rtviewer.core.grid import Grid
from rtviewer.core.structure_model import MODEL_NAMES, build_structure_model, contains


def _circle(radius, z, n=256, centre=(0.0, 0.0)):
    a = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return np.column_stack([centre[0] + radius * np.cos(a), centre[1] + radius * np.sin(a),
                            np.full(n, z)])


def _planes(half_extent, dz, z0):
    """Contour planes ``z0 + k·dz`` strictly inside ``(-half_extent, half_extent)``."""
    k = np.arange(np.ceil((-half_extent - z0) / dz), np.floor((half_extent - z0) / dz) + 1)
    zs = z0 + dz * k
    return zs[np.abs(zs) < half_extent - 1e-6]


def sphere(radius, dz, z0):
    polygons = [_circle(np.sqrt(radius**2 - z**2), z) for z in _planes(radius, dz, z0)]
    def fraction_above(z):
        z = np.clip(z, -radius, radius)
        return (radius - z) ** 2 * (2 * radius + z) / (4 * radius**3)
    return polygons, 4 / 3 * np.pi * radius**3, np.array([0, 0, 1.0]), fraction_above


def lying_cylinder(radius, length, dz, z0):
    polygons = []
    for z in _planes(radius, dz, z0):
        w = np.sqrt(radius**2 - z**2)
        polygons.append(np.array([[-w, -length / 2, z], [w, -length / 2, z],
                                  [w, length / 2, z], [-w, length / 2, z]]))

    def fraction_above(z):
        z = np.clip(z, -radius, radius)
        return (radius**2 * np.arccos(z / radius) - z * np.sqrt(radius**2 - z**2)) / (
            np.pi * radius**2)
    return polygons, np.pi * radius**2 * length, np.array([0, 0, 1.0]), fraction_above


def tilted_cone(radius, height, tilt_deg, dz, z0, n=512):
    """Cone with its base centred at the origin, axis tilted by ``tilt_deg`` in x-z."""
    t = np.radians(tilt_deg)
    axis = np.array([np.sin(t), 0.0, np.cos(t)])
    e1, e2 = np.array([np.cos(t), 0.0, -np.sin(t)]), np.array([0.0, 1.0, 0.0])
    phi = np.linspace(0, 2 * np.pi, n, endpoint=False)
    low, high = -radius * np.sin(t), height * np.cos(t)
    zs = z0 + dz * np.arange(np.ceil((low - z0) / dz), np.floor((high - z0) / dz) + 1)
    polygons = []
    for z in zs[(zs > low + 1e-6) & (zs < high - 1e-6)]:
        # lateral surface: h·axis + R(1 − h/H)(cos φ e1 + sin φ e2) at height z
        h = (z + radius * np.sin(t) * np.cos(phi)) / (np.cos(t) + radius / height
                                                        * np.sin(t) * np.cos(phi))
        lateral = h[:, None] * axis + (radius * (1 - h / height))[:, None] * (
            np.cos(phi)[:, None] * e1 + np.sin(phi)[:, None] * e2)
        keep = (h >= 0) & (h <= height)
        # base disc (h = 0) where the plane cuts it: rho·(cos φ e1 + sin φ e2), z = −rho sin t cos φ
        with np.errstate(divide="ignore", invalid="ignore"):
            rho = -z / (np.sin(t) * np.cos(phi))
        base = rho[:, None] * (np.cos(phi)[:, None] * e1 + np.sin(phi)[:, None] * e2)
        on_base = ~keep & (rho >= 0) & (rho <= radius)
        points = np.vstack([lateral[keep], base[on_base]])
        centre = points[:, :2].mean(axis=0)
        order = np.argsort(np.arctan2(points[:, 1] - centre[1], points[:, 0] - centre[0]))
        polygons.append(points[order])

    def fraction_above(s):  # s along the axis from the base
        return np.clip((height - s) / height, 0, 1) ** 3
    return polygons, np.pi * radius**2 * height / 3, axis, fraction_above


def torus(major, minor, dz, z0):
    polygons = []
    for z in _planes(minor, dz, z0):
        w = np.sqrt(minor**2 - z**2)
        polygons += [_circle(major + w, z), _circle(major - w, z)[::-1]]
    return polygons, 2 * np.pi**2 * major * minor**2, None, None


def _linear_dose(direction, d0=20.0, gradient=0.5, half=40):
    """Dose ``d0 + gradient·(p · direction)`` Gy on a 1 mm grid (trilinear is exact)."""
    grid = Grid.from_dicom_geometry(image_position_mm=(-half, -half, -half),
                                    image_orientation=(1, 0, 0, 0, 1, 0),
                                    pixel_spacing_mm=(1, 1), slice_step_mm=(0, 0, 1),
                                    shape=(2 * half + 1,) * 3)
    ijk = np.indices(grid.shape)[::-1].transpose(1, 2, 3, 0).astype(float)
    dose = d0 + gradient * grid.index_to_patient(ijk) @ direction
    return dose.astype(np.float32), grid


def _truth_d(fraction_above, percent, d0=20.0, gradient=0.5, span=(-60, 60)):
    """Dose covering ``percent`` % of the true solid under the linear dose."""
    s = brentq(lambda x: fraction_above(x) - percent / 100.0, *span)
    return d0 + gradient * s


SOLIDS = {
    "sphere R9 every 3 mm": sphere(9.0, 3.0, 0.7),
    "sphere R5 every 2 mm": sphere(5.0, 2.0, 0.3),
    "cylinder R8 L30 along y every 3 mm": lying_cylinder(8.0, 30.0, 3.0, 1.1),
    "cone R10 H25 tilted 30 deg every 2 mm": tilted_cone(10.0, 25.0, 30.0, 2.0, 0.5),
    "torus 20/6 every 2 mm": torus(20.0, 6.0, 2.0, 0.4),
}


def _stack_truth(polygons, cap_fraction):
    """Exact volume and cumulative DVH (SI gradient) of the extruded stack."""
    zs = np.array([p[0, 2] for p in polygons])
    planes = np.unique(np.round(zs, 6))
    area = np.zeros(len(planes))
    for p, z in zip(polygons, zs, strict=True):
        x, y = p[:, 0], p[:, 1]
        signed = 0.5 * (x @ np.roll(y, -1) - y @ np.roll(x, -1))
        area[np.argmin(np.abs(planes - z))] += signed  # holes run the other way
    area = np.abs(area)
    spacing = float(np.median(np.diff(planes)))
    mid = 0.5 * (planes[:-1] + planes[1:])
    lower = np.concatenate([[planes[0] - cap_fraction * spacing], mid])
    upper = np.concatenate([mid, [planes[-1] + cap_fraction * spacing]])
    volume = float(np.sum(area * (upper - lower)))

    def fraction_above(z):
        return float(np.sum(area * np.clip(upper - np.maximum(lower, z), 0, None))) / volume
    return volume, fraction_above, (lower[0], upper[-1])


@pytest.mark.parametrize("model", ["slab", "none"])
@pytest.mark.parametrize("name", list(SOLIDS))
def test_stack_models_are_their_exact_extrusion(name, model):
    polygons = SOLIDS[name][0]
    volume, fraction_above, (bottom, top) = _stack_truth(polygons, 0.5 if model == "slab"
                                                         else 0.0)
    solid = build_structure_model(polygons, model)
    assert solid.volume_mm3 == pytest.approx(volume, rel=1e-4)
    dose, grid = _linear_dose(np.array([0, 0, 1.0]))
    dvh = compute_dvh(solid, dose, grid)
    assert dvh.volume_cc == pytest.approx(volume / 1000, rel=1e-6)
    assert dvh.dmin_gy == pytest.approx(20 + 0.5 * bottom, abs=1e-4)
    assert dvh.dmax_gy == pytest.approx(20 + 0.5 * top, abs=1e-4)
    for percent in (95, 50, 5):
        truth = _truth_d(fraction_above, percent, span=(bottom, top))
        assert dose_at_volume_percent(dvh, percent) == pytest.approx(truth, abs=0.01)


@pytest.mark.parametrize("name", list(SOLIDS))
def test_smooth_model_follows_the_true_solid(name):
    polygons, volume, direction, fraction_above = SOLIDS[name]
    solid = build_structure_model(polygons, "smooth")
    slab = build_structure_model(polygons, "slab")
    assert solid.volume_mm3 == pytest.approx(volume, rel=0.015)
    if direction is None:
        return
    dose, grid = _linear_dose(direction)
    dvh = compute_dvh(solid, dose, grid)
    assert dvh.volume_cc == pytest.approx(solid.volume_mm3 / 1000, rel=1e-9)
    slab_dvh = compute_dvh(slab, dose, grid)
    for percent in (99, 95, 50, 5, 1):
        truth = _truth_d(fraction_above, percent)
        ours = dose_at_volume_percent(dvh, percent)
        assert ours == pytest.approx(truth, abs=0.06), (percent, ours, truth)
        # never worse than the stack of slabs by more than sampling noise
        assert abs(ours - truth) <= abs(dose_at_volume_percent(slab_dvh, percent) - truth) + 0.05


def test_models_differ_where_they_should_and_contains_agrees_with_the_volume():
    polygons, volume, _, _ = SOLIDS["sphere R9 every 3 mm"]
    volumes = {m: build_structure_model(polygons, m).volume_mm3 for m in MODEL_NAMES}
    assert volumes["none"] < volumes["smooth"] < volumes["slab"] * 1.02
    rng = np.random.default_rng(13)
    points = rng.uniform(-12, 12, size=(60000, 3))
    for model in MODEL_NAMES:
        solid = build_structure_model(polygons, model)
        inside = contains(solid, points)
        estimate = inside.mean() * 24.0**3
        assert estimate == pytest.approx(solid.volume_mm3, rel=0.04), model
    centre_and_far = np.array([[0.0, 0.0, 0.7], [0.0, 0.0, 30.0]])
    assert contains(build_structure_model(polygons, "smooth"), centre_and_far).tolist() == [
        True, False]


def test_a_single_plane_needs_a_spacing_and_none_has_no_volume():
    square = np.array([[0, 0, 0], [10, 0, 0], [10, 10, 0], [0, 10, 0]], float)
    assert build_structure_model([square], "slab").volume_mm3 == 0.0
    assert build_structure_model([square], "slab", plane_spacing_mm=2.0).volume_mm3 == \
        pytest.approx(200.0)
    assert build_structure_model([square], "smooth", plane_spacing_mm=2.0).volume_mm3 == \
        pytest.approx(200.0, rel=0.01)
    assert build_structure_model([square], "none", plane_spacing_mm=2.0).volume_mm3 == 0.0
    with pytest.raises(ValueError, match="unknown structure model"):
        build_structure_model([square], "convex")
