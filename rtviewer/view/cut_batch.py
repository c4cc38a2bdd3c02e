"""Sagittal and coronal cuts of many structures in one vectorised pass (no Qt).

A slice step across axial contours cuts every visible structure. Cut one at a
time (``contour_geometry.cut_across``) each costs some sixty small numpy calls,
which for thirty structures was most of a redraw. Here the structures' edges are
one table (``CutTable.concatenate``): the edges the plane crosses are found by one
binary search, the crossings of all structures are interpolated together, and the
staircase of all their slabs is built in one pass, rows of two structures never
joined. The outline of each structure is then its rows' share: the same numbers
in the same order as the one-structure cut (``tests/view/test_cut_batch.py``).

Written here because the staircase model is this project's own
(``contour_geometry``); no library cuts it.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from rtviewer.core.slab_model import SlabModel
from rtviewer.view.contour_geometry import (
    EMPTY_OUTLINE,
    CutTable,
    RoiOutline,
    across_view,
    cut_across,
    sparse_staircase_parts,
)

__all__ = ["CutBatch", "batches"]


@dataclass(frozen=True)
class CutBatch:
    """Structures whose contours share one plane orientation, cut together.

    Attributes
    ----------
    numbers : tuple of int
        ROI numbers, in table order.
    models : tuple of SlabModel
        Their slab models (one normal and in-plane axes for all).
    tables : tuple of CutTable
        Their own edge tables (for the rare structure cut one at a time).
    joined : CutTable
        All their edges; plane ``p`` belongs to structure ``plane_roi[p]``.
    plane_roi : ndarray, (P,) int
        Index into ``numbers`` of each plane of ``joined``.
    """

    numbers: tuple[int, ...]
    models: tuple[SlabModel, ...]
    tables: tuple[CutTable, ...]
    joined: CutTable
    plane_roi: np.ndarray

    @classmethod
    def of(cls, items: Sequence[tuple[int, SlabModel, CutTable]]) -> CutBatch:
        """A batch of ``(roi_number, model, table)`` whose models share their axes."""
        numbers, models, tables = zip(*items, strict=True)
        plane_roi = np.repeat(np.arange(len(tables)), [t.offset.size for t in tables])
        return cls(tuple(numbers), tuple(models), tuple(tables),
                   CutTable.concatenate(list(tables)), plane_roi)

    def outlines(self, u: np.ndarray, v: np.ndarray, n: np.ndarray, depth_mm: float,
                 wanted: Collection[int]) -> dict[int, RoiOutline] | None:
        """Outlines of the ``wanted`` structures of this batch on the plane ``p·n = depth``.

        Parameters
        ----------
        u, v, n : ndarray, (3,)
            Screen-right, screen-down and normal of the view (patient LPS).
        depth_mm : float
            The plane's position along ``n``, mm.
        wanted : collection of int
            ROI numbers to draw (others are left out, and cost nothing).

        Returns
        -------
        dict or None
            ROI number -> outline, equal to ``section_outline`` of each; None when the
            view does not cut the contour planes straight across (the caller cuts
            each structure on its own).
        """
        model = self.models[0]
        if not across_view(model, n):
            return None
        axes = self.joined.cut_axes(model, n)
        if abs(axes.tilt) > 1e-12:  # cut_across's tilted path: per structure
            return None
        chosen = np.array([number in wanted for number in self.numbers])
        result = {number: EMPTY_OUTLINE
                  for number, on in zip(self.numbers, chosen, strict=True) if on}
        if not result or not axes.low_mm <= depth_mm <= axes.high_mm:
            return result
        fa, fb, wa, wb = self.joined.projections(axes.normal_uv, axes.along_uv)
        crossing = self.joined.crossing_edges(axes.normal_uv, axes.along_uv, depth_mm)
        crossing = crossing[chosen[self.plane_roi[self.joined.plane[crossing]]]]
        fc, gc = fa[crossing] - depth_mm, fb[crossing] - depth_mm
        w = wa[crossing] + fc / (fc - gc) * (wb[crossing] - wa[crossing])
        plane = self.joined.plane[crossing]
        rows, row_of = np.unique(plane, return_inverse=True)
        counts = np.bincount(row_of)
        rows, keep = rows[counts >= 2], counts[row_of] >= 2  # a lone tangent point: nothing
        plane, w = plane[keep], w[keep]
        odd = np.unique(self.plane_roi[rows][np.bincount(np.searchsorted(rows, plane)) % 2 == 1])
        for k in odd:  # an odd row: the dense staircase, one structure at a time
            result[self.numbers[k]] = cut_across(self.models[k], u, v, n, depth_mm,
                                                 self.tables[k])
        even = ~np.isin(self.plane_roi[plane], odd)
        plane, w = plane[even], w[even]
        if plane.size:
            result.update(self._staircases(plane, w, axes.in_plane_axis, u, v, n, depth_mm))
        return result

    def _staircases(self, plane: np.ndarray, w: np.ndarray, in_plane_axis: np.ndarray,
                    u: np.ndarray, v: np.ndarray, n: np.ndarray, depth_mm: float
                    ) -> dict[int, RoiOutline]:
        """Each structure's staircase from the crossings ``(plane, w)`` of all of them."""
        rows = np.unique(plane)
        row_of = np.searchsorted(rows, plane)
        roi_of_row = self.plane_roi[rows]
        lo, hi = self.joined.lower[rows], self.joined.upper[rows]
        # rows r and r + 1 share a face only within one structure
        joins_next = np.append((np.abs(hi[:-1] - lo[1:]) < 1e-6)
                               & (roi_of_row[:-1] == roi_of_row[1:]), False)
        parts, part_rows, cells, cell_rows = sparse_staircase_parts(row_of, w, lo, hi,
                                                                    joins_next)
        model = self.models[0]
        # (w, h): w along in_plane_axis, h along the model normal -> view (s, t)
        basis = np.array([[in_plane_axis @ u, in_plane_axis @ v],
                          [model.normal @ u, model.normal @ v]])
        shift = depth_mm * np.array([n @ u, n @ v])
        # every part is sorted by row, so by structure: a stable sort by structure puts
        # each one's lower faces, upper faces and verticals together, in that order
        roi = np.concatenate([roi_of_row[r] for r in part_rows])
        order = np.argsort(roi, kind="stable")
        roi = roi[order]
        # one (N, 2) product, not one per (3, 2) segment: numpy's stacked matmul loops
        st = np.concatenate(parts)[order].reshape(-1, 2) @ basis + shift
        cell_st = (cells.reshape(-1, 2) @ basis + shift).reshape(-1, 4, 2)
        cell_roi = roi_of_row[cell_rows]
        out = {}
        for k in np.unique(roi):
            first, last = np.searchsorted(roi, [k, k + 1])
            cell_first, cell_last = np.searchsorted(cell_roi, [k, k + 1])
            mine = st[3 * first:3 * last]  # three rows per segment (the third NaN)
            out[self.numbers[k]] = RoiOutline(mine[:, 0], mine[:, 1],
                                              cell_st[cell_first:cell_last])
        return out


def batches(items: Sequence[tuple[int, SlabModel, CutTable]]) -> list[CutBatch]:
    """The structures ``(roi_number, model, table)`` in batches of one plane orientation.

    Contours of one structure set normally share the image's axial planes; a set
    drawn on several series (or a tilted one) gives one batch per orientation.
    """
    groups: dict[bytes, list[tuple[int, SlabModel, CutTable]]] = {}
    for number, model, table in items:
        key = np.concatenate([model.normal, model.u, model.v]).tobytes()
        groups.setdefault(key, []).append((number, model, table))
    return [CutBatch.of(group) for group in groups.values()]
