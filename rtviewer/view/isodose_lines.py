"""Isodose lines on a dose plane in view coordinates, as the slice views draw them (no Qt)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rtviewer.view.view_geometry import PlaneImage

__all__ = ["isodose_polylines", "isodose_polylines_levels"]


def isodose_polylines(plane: PlaneImage, level_gy: float) -> tuple[np.ndarray, np.ndarray]:
    """Isodose line at ``level_gy`` on a dose plane, NaN-separated view coordinates."""
    return isodose_polylines_levels(plane, (level_gy,))[0]


def isodose_polylines_levels(plane: PlaneImage, levels_gy: Sequence[float]
                             ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Isodose lines at each of ``levels_gy`` on a dose plane (one ``(s, t)`` per level).

    The plane is cleaned of NaN once and cut down to the box of the pixels at or
    above the lowest level, one pixel wider on each side (clipped to the plane):
    marching squares finds no crossing outside it, and the pixels around the high
    dose are the few that a slice step has to search (a 300 mm dose plane is mostly
    low dose). Within the box every line is the one ``find_contours`` finds on the
    whole plane, shifted by the box's corner; a level above the box's highest pixel
    has none and is not searched.

    Parameters
    ----------
    plane : PlaneImage
        The dose cut in Gy (NaN outside the dose grid: no dose).
    levels_gy : sequence of float
        Isodose levels, Gy.

    Returns
    -------
    list of (ndarray, ndarray)
        Per level, view coordinates ``(s, t)`` mm of NaN-separated polylines.
    """
    # scikit-image loads with the first line drawn, not before the window's first image
    from skimage.measure import find_contours

    empty = (np.empty(0), np.empty(0))
    if not len(levels_gy):
        return []
    values = np.nan_to_num(plane.values, nan=0.0)
    above = values >= min(levels_gy)
    rows = np.flatnonzero(above.any(axis=1))
    if rows.size == 0:
        return [empty for _level in levels_gy]
    cols = np.flatnonzero(above.any(axis=0))
    r0, c0 = max(int(rows[0]) - 1, 0), max(int(cols[0]) - 1, 0)
    crop = values[r0:int(rows[-1]) + 2, c0:int(cols[-1]) + 2]
    corner = np.array([r0, c0], dtype=np.float64)
    # a level above every pixel has no crossing: marching squares would search the whole
    # crop for nothing (the 105 % line misses most slices of a plan)
    top = float(crop.max())
    return [_view_polylines(plane, find_contours(crop, level), corner) if level <= top
            else empty for level in levels_gy]


def _view_polylines(plane: PlaneImage, lines: list[np.ndarray], corner: np.ndarray
                    ) -> tuple[np.ndarray, np.ndarray]:
    """``(row, column)`` polylines of a crop at ``corner`` -> NaN-separated ``(s, t)`` mm."""
    if not lines:
        return np.empty(0), np.empty(0)
    gap = np.full((1, 2), np.nan)
    rc = np.concatenate([piece for line in lines for piece in (line, gap)]) + corner
    cols_rows = np.column_stack([rc[:, 1], rc[:, 0], np.ones(len(rc))])
    st = cols_rows @ plane.affine.T
    return st[:, 0], st[:, 1]
