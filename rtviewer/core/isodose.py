"""Isodose lines and filled isodose bands on a dose plane.

Lines come from ``skimage.measure.find_contours`` (marching squares, linear
interpolation between pixel centres) run on the crop of the plane where the level is
crossed, then mapped to patient millimetres through the :class:`~rtviewer.core.planes.Plane`.
Pixels outside the dose grid (NaN) are masked out, so no line is drawn along the grid's
border.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import skimage.measure
from numpy.typing import ArrayLike, NDArray

from rtviewer.core.planes import Plane

__all__ = ["IsodoseLine", "isodose_bands", "isodose_lines", "levels_from_percent"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class IsodoseLine:
    """All polylines of one isodose level on one plane.

    Attributes
    ----------
    level_gy : float
        The isodose level in Gy.
    polylines_rc : tuple of (N, 2) ndarray
        Each polyline as fractional pixel ``(row, column)``; closed ones repeat their
        first point at the end.
    polylines_mm : tuple of (N, 3) ndarray
        The same polylines in patient ``(x, y, z)`` mm.
    """

    level_gy: float
    polylines_rc: tuple[FloatArray, ...]
    polylines_mm: tuple[FloatArray, ...]


def levels_from_percent(percent: ArrayLike, reference_gy: float) -> FloatArray:
    """Isodose levels in Gy from percentages of a reference dose (e.g. the prescription)."""
    if not reference_gy > 0:
        raise ValueError(f"reference_gy must be positive, got {reference_gy}")
    levels: FloatArray = np.asarray(percent, dtype=np.float64) * (reference_gy / 100.0)
    return levels


def _lines_for_level(dose: NDArray[np.floating], finite: NDArray[np.bool_] | None,
                     level: float) -> list[FloatArray]:
    above = dose >= level
    if finite is not None:
        above &= finite
    rows = np.flatnonzero(above.any(axis=1))
    if len(rows) == 0 or bool(above.all()):
        return []
    cols = np.flatnonzero(above.any(axis=0))
    r0, r1 = max(rows[0] - 1, 0), min(rows[-1] + 2, dose.shape[0])
    c0, c1 = max(cols[0] - 1, 0), min(cols[-1] + 2, dose.shape[1])
    crop = dose[r0:r1, c0:c1]
    mask = None if finite is None else finite[r0:r1, c0:c1]
    lines = skimage.measure.find_contours(crop, level, mask=mask)
    offset = np.array([r0, c0], dtype=np.float64)
    return [line + offset for line in lines]


def isodose_lines(
    dose_plane_gy: NDArray[np.floating], plane: Plane, levels_gy: Sequence[float]
) -> list[IsodoseLine]:
    """Isodose polylines on a dose plane for several levels.

    Parameters
    ----------
    dose_plane_gy : (n_rows, n_columns) array
        Dose in Gy at the plane's pixel centres (e.g. from
        :func:`~rtviewer.core.planes.reslice`); NaN where there is no dose.
    plane : Plane
        Geometry of the dose plane.
    levels_gy : sequence of float
        Levels in Gy (use :func:`levels_from_percent` for percentages).

    Returns
    -------
    list of IsodoseLine
        One entry per level, in the order given.
    """
    dose = np.asarray(dose_plane_gy, dtype=np.float64)
    if dose.shape != plane.shape:
        raise ValueError(f"dose_plane_gy shape {dose.shape} does not match plane {plane.shape}")
    finite_all = np.isfinite(dose)
    finite = None if bool(finite_all.all()) else finite_all
    if finite is not None:
        dose = np.where(finite_all, dose, 0.0)
    result = []
    for level in levels_gy:
        rc = _lines_for_level(dose, finite, float(level))
        mm = tuple(plane.pixel_to_patient(line) for line in rc)
        result.append(IsodoseLine(float(level), tuple(rc), mm))
    return result


def isodose_bands(dose_plane_gy: NDArray[np.floating], levels_gy: Sequence[float]
                  ) -> NDArray[np.uint8]:
    """Label image for a colourwash: band ``b`` holds ``levels[b-1] <= dose < levels[b]``.

    Parameters
    ----------
    dose_plane_gy : (n_rows, n_columns) array
        Dose in Gy; NaN is treated as no dose.
    levels_gy : sequence of float
        Increasing levels (at most 255).

    Returns
    -------
    uint8 ndarray
        0 below the lowest level (or NaN), ``len(levels)`` at or above the highest.

    Examples
    --------
    >>> isodose_bands(np.array([[0.5, 1.0, 2.5, 9.0]]), [1.0, 2.0, 5.0]).tolist()
    [[0, 1, 2, 3]]
    """
    levels = np.asarray(levels_gy, dtype=np.float64)
    if levels.ndim != 1 or len(levels) > 255 or np.any(np.diff(levels) <= 0):
        raise ValueError("levels_gy must be at most 255 strictly increasing values")
    dose = np.asarray(dose_plane_gy, dtype=np.float64)
    bands = np.searchsorted(levels, np.where(np.isfinite(dose), dose, -np.inf), side="right")
    return bands.astype(np.uint8)
