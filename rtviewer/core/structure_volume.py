"""The one function that gives a structure's volume: readers, DVH and UI all call it."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from rtviewer.core.structure_model import DEFAULT_MODEL, build_structure_model

__all__ = ["structure_volume_cc"]


def structure_volume_cc(
    polygons_mm: Sequence[NDArray[np.floating]],
    *,
    plane_spacing_mm: float | None = None,
    model: str = DEFAULT_MODEL,
) -> float:
    """Volume of one structure from its closed planar contours, in cc.

    The solid is the slab model of :mod:`rtviewer.core.slab_model`: even-odd (XOR)
    within each contour plane, slabs meeting mid-way between planes, and flat end
    caps of half a contour spacing beyond the first and last planes.  The DVH engine
    integrates over exactly this solid.

    Parameters
    ----------
    polygons_mm : sequence of (N, 3) arrays
        The ROI's CLOSED_PLANAR contours in patient ``(x, y, z)`` mm.  Open contours and
        points must not be passed.
    plane_spacing_mm : float, optional, keyword-only
        Nominal contour spacing (e.g. the image slice thickness) used for the end caps;
        default the median spacing of the contour planes.  A single-plane structure
        without it has volume 0.
    model : str, keyword-only
        Structure model (:mod:`rtviewer.core.structure_model`); default ``slab``.

    Returns
    -------
    float
        Volume in cm³ (0.0 for no contour with area).

    Examples
    --------
    >>> square = np.array([[0, 0, 0], [10, 0, 0], [10, 10, 0], [0, 10, 0]], float)
    >>> stack = [square + [0, 0, z] for z in (0.0, 2.0, 4.0, 6.0, 8.0)]
    >>> round(structure_volume_cc(stack), 6)  # 10 x 10 x (8 + 2) mm
    1.0
    """
    solid = build_structure_model(polygons_mm, model, plane_spacing_mm=plane_spacing_mm)
    if solid is None:
        return 0.0
    return solid.volume_mm3 / 1000.0
