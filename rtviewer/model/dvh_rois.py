"""Which ROIs of a structure set a DVH table holds: those with a closed planar contour.

``rtviewer dvh`` and the review report's DVH table choose the same way; each says in its
own words which ROIs it leaves out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rtviewer.model.structure import Roi, StructureSet

__all__ = ["DvhRois", "dvh_rois"]


@dataclass(frozen=True)
class DvhRois:
    """The ROIs a DVH table holds, and why the others are not in it.

    Attributes
    ----------
    rois : tuple of Roi
        With at least one CLOSED_PLANAR contour (those asked for, when names were given),
        in the file's order.
    without_closed_contour : tuple of Roi
        Markers and open contours only: no volume, so no DVH.
    unknown_names : tuple of str
        Names asked for that no ROI with a closed contour has.
    """

    rois: tuple[Roi, ...]
    without_closed_contour: tuple[Roi, ...]
    unknown_names: tuple[str, ...]

    def polygons(self) -> list[tuple[int, str, list[NDArray[np.float64]]]]:
        """``(ROI number, name, closed polygons in patient mm)`` of each ROI, for the DVHs."""
        return [(roi.roi_number, roi.name, roi.closed_polygons_mm()) for roi in self.rois]


def dvh_rois(structure_set: StructureSet, names: Sequence[str] | None = None) -> DvhRois:
    """The ROIs of ``structure_set`` a DVH table holds.

    Parameters
    ----------
    structure_set : StructureSet
    names : sequence of str, optional
        Only these ROIs (by exact name); all with a closed contour when None or empty.

    Returns
    -------
    DvhRois
    """
    has_closed = [any(c.is_closed for c in r.contours) for r in structure_set.rois]
    closed = tuple(r for r, ok in zip(structure_set.rois, has_closed, strict=True) if ok)
    without = tuple(r for r, ok in zip(structure_set.rois, has_closed, strict=True) if not ok)
    if not names:
        return DvhRois(closed, without, ())
    known = {roi.name for roi in closed}
    unknown = tuple(n for n in names if n not in known)
    return DvhRois(tuple(r for r in closed if r.name in set(names)), without, unknown)
