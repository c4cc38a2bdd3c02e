"""From a structure set's ROIs to DVH rows, one unit of work per ROI.

``rtviewer dvh`` reads the structure set only up to its ROIs
(:func:`~rtviewer.dicom.structure.read_structure_head`: the pydicom parse and the ROI
sequences, a few hundredths of a second), then shares the ROIs with a forked copy of
itself (:mod:`rtviewer.cli.fork_share`): each process decodes an ROI's contours, builds
its solid and computes its DVH in one go, largest ROI first.  Decoding the contours and
building the solids was a serial third of the 30-ROI benchmark when the whole
structure set was read before any DVH.  The numbers are those of
:func:`~rtviewer.cli.dvh_table.compute_rows` on
:func:`~rtviewer.dicom.structure.read_structure_set`'s ROIs, whichever process
computes an ROI.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rtviewer.cli.dvh_table import DvhRow, dependence_reason
from rtviewer.cli.fork_share import forked_map
from rtviewer.core.dvh import Dvh, compute_dvh
from rtviewer.core.grid import Grid
from rtviewer.core.structure_model import DEFAULT_MODEL, prepare_models
from rtviewer.model.structure import Roi, StructureSet

__all__ = ["RoiOutcome", "RoiSource", "roi_outcomes", "rows_of", "source_of"]


@dataclass(frozen=True)
class RoiSource:
    """Where the ROIs come from: ``read(i)`` gives ROI ``i`` of ``count``.

    ``costs[i]`` orders the work, largest first (any unit: only the order counts).
    """

    count: int
    read: Callable[[int], Roi]
    costs: tuple[float, ...]


def source_of(structures: object) -> RoiSource:
    """A :class:`RoiSource` of a :class:`StructureSet` or a ``StructureSetHead``."""
    from rtviewer.dicom.structure import StructureSetHead, read_roi

    if isinstance(structures, StructureSet):
        rois = structures.rois
        return RoiSource(len(rois), rois.__getitem__,
                         tuple(float(sum(len(c.points_mm) for c in r.contours)) for r in rois))
    if isinstance(structures, StructureSetHead):
        head = structures
        return RoiSource(len(head.entries), lambda i: read_roi(head, i),
                         tuple(float(e.contour_bytes) for e in head.entries))
    raise TypeError(f"not a structure set: {type(structures).__name__}")


@dataclass(frozen=True, eq=False)
class RoiOutcome:
    """What one ROI gave: its DVH when it has closed contours and was asked for.

    Attributes
    ----------
    roi_number : int
    name : str
    closed : bool
        Whether it has a CLOSED_PLANAR contour (markers and open contours have no DVH).
    dvh : Dvh or None
        Under the model asked for; None when not closed or not asked for.
    model_note : str or None
        :func:`~rtviewer.cli.dvh_table.dependence_reason`, when asked for and due.
    polygons : tuple of ndarray
        The closed polygons (patient mm) when ``model_note`` is due, else empty: the
        note computes the ROI under every model.
    """

    roi_number: int
    name: str
    closed: bool
    dvh: Dvh | None = None
    model_note: str | None = None
    polygons: tuple[NDArray[np.float64], ...] = ()


def roi_outcomes(source: RoiSource, dose_gy: np.ndarray, grid: Grid, *,
                 names: Sequence[str] | None = None, model: str = DEFAULT_MODEL,
                 notes: bool = False) -> list[RoiOutcome]:
    """Every ROI of ``source`` read and, when closed and asked for, its DVH.

    Parameters
    ----------
    source : RoiSource
    dose_gy : ndarray, (k, j, i)
        Dose in Gy on ``grid``.
    grid : Grid
    names : sequence of str, optional, keyword-only
        Only these ROIs get a DVH (exact names); all closed ones when None or empty.
    model : str, keyword-only
        Structure model of the DVHs.
    notes : bool, keyword-only
        Also say which ROIs need the model-dependence note (and keep their polygons).

    Returns
    -------
    list of RoiOutcome
        In the source's order (the file's).
    """
    wanted = set(names or ())

    def outcome(i: int) -> RoiOutcome:
        roi = source.read(i)
        closed = any(c.is_closed for c in roi.contours)
        if not closed or (wanted and roi.name not in wanted):
            return RoiOutcome(roi.roi_number, roi.name, closed)
        polygons = roi.closed_polygons_mm()
        dvh = compute_dvh(polygons, dose_gy, grid, model=model)
        note = dependence_reason(polygons) if notes else None
        return RoiOutcome(roi.roi_number, roi.name, True, dvh, note,
                          tuple(polygons) if note else ())

    if source.count:
        prepare_models([model])
    largest_first = sorted(range(source.count), key=lambda i: -source.costs[i])
    done = forked_map(outcome, largest_first)
    return [done[i] for i in range(source.count)]


def rows_of(outcomes: Sequence[RoiOutcome]) -> list[DvhRow]:
    """The DVH rows of the outcomes that have a DVH, in ROI Number order."""
    with_dvh = sorted((o for o in outcomes if o.dvh is not None), key=lambda o: o.roi_number)
    return [DvhRow(o.roi_number, o.name, o.dvh) for o in with_dvh if o.dvh is not None]
