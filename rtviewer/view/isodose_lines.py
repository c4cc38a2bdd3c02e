"""Isodose lines on a dose plane in view coordinates, as the slice views draw them (no Qt)."""

from __future__ import annotations

import numpy as np
from skimage.measure import find_contours

from rtviewer.view.view_geometry import PlaneImage

__all__ = ["isodose_polylines"]


def isodose_polylines(plane: PlaneImage, level_gy: float) -> tuple[np.ndarray, np.ndarray]:
    """Isodose line at ``level_gy`` on a dose plane, NaN-separated view coordinates."""
    values = np.nan_to_num(plane.values, nan=0.0)
    lines = find_contours(values, level_gy)
    if not lines:
        return np.empty(0), np.empty(0)
    gap = np.full((1, 2), np.nan)
    rc = np.concatenate([piece for line in lines for piece in (line, gap)])
    cols_rows = np.column_stack([rc[:, 1], rc[:, 0], np.ones(len(rc))])
    st = cols_rows @ plane.affine.T
    return st[:, 0], st[:, 1]
