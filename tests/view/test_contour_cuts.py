"""The fast cut path (edge index, sparse staircase) draws exactly what the dense grid draws."""

from __future__ import annotations

import numpy as np

from rtviewer.core.slab_model import build_slab_model
from rtviewer.view.contour_geometry import (
    CutTable,
    _dense_staircase,
    _sparse_staircase,
    roi_outline,
)
from rtviewer.view.view_geometry import DisplayFrame


def _square(cx: float, half: float, z: float) -> np.ndarray:
    return np.array([[cx - half, -half, z], [cx + half, -half, z], [cx + half, half, z],
                     [cx - half, half, z]], dtype=float)


def test_sparse_staircase_equals_the_dense_grid_for_rings_touching_and_stacked_rows():
    # rows 0-1-2 joined (3 mm slabs), row 3 apart; a ring (4 crossings), a repeated
    # crossing (two polygons touching at w=5) and intervals that only partly overlap
    lo = np.array([0.0, 3.0, 6.0, 20.0])
    hi = np.array([3.0, 6.0, 9.0, 23.0])
    row_of = np.array([0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3])
    w = np.array([-10, 10, -10, -2, 2, 10, -4, 5, 5, 12, 0, 1], dtype=float)
    rng = np.random.default_rng(3)
    shuffle = rng.permutation(w.size)  # crossings come in edge order, not sorted
    sparse = _sparse_staircase(row_of[shuffle], w[shuffle], lo, hi)
    dense = _dense_staircase(row_of[shuffle], w[shuffle], lo, hi)
    assert np.array_equal(sparse[0], dense[0], equal_nan=True)
    assert np.array_equal(sparse[1], dense[1])
    # row 2 is covered on [-4, 12] (the touching point at 5 is no vertical edge)
    verticals = sparse[0][np.isclose(sparse[0][:, 0, 0], sparse[0][:, 1, 0])]
    row2 = verticals[np.isclose(verticals[:, 0, 1], 6.0)][:, 0, 0]
    assert sorted(row2.tolist()) == [-4.0, 12.0]


def test_indexed_crossings_equal_testing_every_edge():
    polygons = [_square(0, 10 + 3 * np.sin(z), z) for z in np.arange(0, 30, 3.0)]
    polygons += [_square(40, 5, z) for z in np.arange(0, 30, 3.0)]
    model = build_slab_model(polygons)
    assert model is not None
    table = CutTable.from_model(model)
    normal_uv, along_uv = np.array([model.u[0], model.v[0]]), np.array([model.u[1], model.v[1]])
    fa, fb, _wa, _wb = table.projections(normal_uv, along_uv)
    for level in np.concatenate([np.linspace(-20, 50, 281), fa[:20]]):  # vertices exactly
        expected = np.flatnonzero((fa - level > 0) != (fb - level > 0))
        assert np.array_equal(table.crossing_edges(normal_uv, along_uv, level), expected)
    frame = DisplayFrame.from_grid(None)
    outline = roi_outline(model, frame, "sagittal", 40.0, table)
    assert not outline.empty
    assert np.nanmax(outline.t) - np.nanmin(outline.t) > 0
