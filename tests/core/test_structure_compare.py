"""Dice, volume difference and surface distances of analytic spheres."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rtviewer.core.structure_compare import compare_masks, compare_structures
from rtviewer.core.structure_model import build_structure_model


def _sphere_contours(radius, centre=(0.0, 0.0, 0.0), spacing=1.0, n=180):
    cx, cy, cz = centre
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    polygons = []
    for dz in np.arange(-radius + spacing / 2, radius, spacing):
        r = math.sqrt(radius**2 - dz**2)
        polygons.append(np.column_stack([cx + r * np.cos(t), cy + r * np.sin(t),
                                         np.full(n, cz + dz)]))
    return polygons


def _compare(ra, rb, centre_b=(0.0, 0.0, 0.0)):
    pa, pb = _sphere_contours(ra), _sphere_contours(rb, centre_b)
    a, b = build_structure_model(pa, "slab"), build_structure_model(pb, "slab")
    return compare_structures(a, b, np.vstack(pa), np.vstack(pb), voxel_mm=0.5)


def test_concentric_spheres():
    result = _compare(15.0, 18.0)
    va, vb = 4 / 3 * math.pi * 15**3 / 1000, 4 / 3 * math.pi * 18**3 / 1000
    assert result.volume_a_cc == pytest.approx(va, rel=0.02)
    assert result.volume_difference_cc == pytest.approx(vb - va, rel=0.04)
    assert result.dice == pytest.approx(2 * va / (va + vb), rel=0.01)
    # Every surface point is 3 mm from the other surface (up to a voxel).
    assert result.mean_surface_mm == pytest.approx(3.0, abs=0.5)
    assert result.hausdorff95_mm == pytest.approx(3.0, abs=0.6)


def test_shifted_spheres():
    r, d = 15.0, 6.0
    result = _compare(r, r, (d, 0.0, 0.0))
    lens = math.pi * (4 * r + d) * (2 * r - d) ** 2 / 12  # intersection of two balls
    assert result.dice == pytest.approx(lens / (4 / 3 * math.pi * r**3), abs=0.015)
    assert result.hausdorff_mm == pytest.approx(d, abs=0.75)
    assert 0 < result.mean_surface_mm < result.hausdorff95_mm <= result.hausdorff_mm


def test_identical_and_empty_masks():
    a = np.zeros((10, 10, 10), bool)
    a[2:8, 2:8, 2:8] = True
    same = compare_masks(a, a, (2.0, 1.0, 1.0))
    assert same.dice == 1.0 and same.hausdorff_mm == 0.0
    assert same.volume_a_cc == pytest.approx(216 * 2 / 1000)
    empty = compare_masks(a, np.zeros_like(a), (1.0, 1.0, 1.0))
    assert empty.dice == 0.0 and math.isnan(empty.hausdorff95_mm)
