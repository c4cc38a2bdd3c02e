"""The 3-D TG-43 dose of a brachy plan's dwells on a grid around the applicator.

For plans without an RT Dose (and as an independent check of one): an axis-aligned grid
in patient coordinates covering the given structures (or the dwells ± a margin when none
is given), ``spacing_mm`` apart, each voxel centre's dose from every dwell with the
TG-43U1 2-D engine (:mod:`rtviewer.core.tg43`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from rtviewer.core import tg43
from rtviewer.core.grid import Grid
from rtviewer.model.brachy_dwells import Dwells

__all__ = ["DEFAULT_SPACING_MM", "DWELL_MARGIN_MM", "dose_grid", "dwell_dose_on_grid"]

#: Dwells per call of the engine between two progress reports.
_DWELLS_PER_STEP = 8

DEFAULT_SPACING_MM = 2.0
#: Without structures: the grid reaches this far beyond the outermost dwells (mm).
DWELL_MARGIN_MM = 50.0


def dose_grid(dwells: Dwells, polygons_mm: list[NDArray[np.float64]],
              spacing_mm: float = DEFAULT_SPACING_MM) -> Grid:
    """A grid covering ``polygons_mm`` (each ``(N, 3)`` mm) plus one voxel, or the dwells.

    Raises
    ------
    ValueError
        Neither structures nor dwells: nothing to put a grid around.
    """
    if polygons_mm:
        points = np.concatenate([np.asarray(p, dtype=np.float64) for p in polygons_mm])
        margin = spacing_mm
    elif dwells.count:
        points, margin = np.asarray(dwells.positions_mm), DWELL_MARGIN_MM
    else:
        raise ValueError("no structures and no dwells: nothing to compute a dose around")
    low = points.min(axis=0) - margin
    high = points.max(axis=0) + margin
    shape_ijk = np.ceil((high - low) / spacing_mm).astype(int) + 1
    affine = np.eye(4)
    affine[:3, :3] *= spacing_mm
    affine[:3, 3] = low
    return Grid(affine, (int(shape_ijk[2]), int(shape_ijk[1]), int(shape_ijk[0])))


def dwell_dose_on_grid(source: tg43.Tg43Source, dwells: Dwells, grid: Grid,
                       strength_u: float, *,
                       progress: Callable[[int, int], None] | None = None,
                       cancelled: Callable[[], bool] = lambda: False
                       ) -> NDArray[np.float64] | None:
    """Dose (Gy) ``[k, j, i]`` on ``grid`` from ``dwells`` for a source of ``strength_u`` U.

    ``progress(dwells done, dwells in all)`` is called every few dwells, ``cancelled``
    polled as often (None when it says so).
    """
    nk, nj, ni = grid.shape
    k, j, i = np.meshgrid(np.arange(nk), np.arange(nj), np.arange(ni), indexing="ij")
    ijk = np.stack([i.ravel(), j.ravel(), k.ravel()], axis=-1).astype(np.float64)
    points = grid.index_to_patient(ijk)
    dose = np.zeros(len(points))
    for start in range(0, dwells.count, _DWELLS_PER_STEP):
        if cancelled():
            return None
        part = slice(start, start + _DWELLS_PER_STEP)
        dose += tg43.dwell_dose_gy(source, points, dwells.positions_mm[part],
                                   dwells.axes[part], dwells.times_s[part], strength_u)
        if progress is not None:
            progress(min(start + _DWELLS_PER_STEP, dwells.count), dwells.count)
    return dose.reshape(grid.shape)
