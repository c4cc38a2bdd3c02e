"""The smooth model's inradius search: few exact distances, the full search's answer."""

from __future__ import annotations

import numpy as np
import pytest

from rtviewer.core import smooth_model
from rtviewer.core.slab_model import build_slab_model


def _star(rng: np.random.Generator, z_mm: float, n: int = 40) -> np.ndarray:
    """A random star-shaped (concave) polygon around the origin."""
    angles = np.sort(rng.uniform(0.0, 2 * np.pi, n))
    radii = rng.uniform(3.0, 20.0, n)
    return np.column_stack([radii * np.cos(angles), radii * np.sin(angles), np.full(n, z_mm)])


def _ring(z_mm: float) -> list[np.ndarray]:
    """A disc of radius 15 mm with a 6 mm hole off centre (even-odd)."""
    t = np.linspace(0.0, 2 * np.pi, 64, endpoint=False)
    outer = np.column_stack([15 * np.cos(t), 15 * np.sin(t), np.full(64, z_mm)])
    inner = np.column_stack([4 + 6 * np.cos(t), 6 * np.sin(t), np.full(64, z_mm)])
    return [outer, inner]


@pytest.mark.parametrize("seed", range(6))
def test_pruned_search_finds_the_full_searchs_point(seed: int) -> None:
    rng = np.random.default_rng(seed)
    polygons = [_star(rng, 0.0)] if seed else _ring(0.0)
    slab = build_slab_model(polygons, plane_spacing_mm=2.0)
    assert slab is not None
    shape = smooth_model._shape(slab.planes[0], 0.05)
    u0, v0, u1, v1 = shape.bounds_uv
    pitch = max(u1 - u0, v1 - v0) / 64.0
    n_rows, n_cols = int((v1 - v0) / pitch) + 1, int((u1 - u0) / pitch) + 1
    inside = shape.raster((u0 + pitch / 2, v0 + pitch / 2), pitch, (n_rows, n_cols))
    rows, cols = np.nonzero(inside)
    uv = np.column_stack([u0 + (cols + 0.5) * pitch, v0 + (rows + 0.5) * pitch])
    full = int(np.argmax(shape.distance(uv)))
    assert smooth_model._farthest_inside(shape, inside, rows, cols, uv, pitch) == full
