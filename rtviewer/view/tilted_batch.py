"""Many structures cut by a view tilted against their contour planes, in one pass (no Qt).

``slab_section.tilted_section`` cuts one slab model; a view tilted against the
contours of thirty structures (a set drawn on a tilted series) made some forty small
numpy calls per structure at every slice step, over every edge of every polygon
whose range met the plane's band. Here each structure first picks, by a binary search
in its edges sorted once per view, the few edges that can meet their slab's strip
on this plane; the picked edges of all structures are then clipped, and the slab
faces' crossings found and paired, in one vectorised pass. Each structure keeps its own
plane frame (their normals agree only to rounding): the per-structure numbers of the
view map (``k``, ``h0``, the in-plane to view matrix) are made as
``tilted_section`` makes them, and every per-edge operation is the same elementwise
operation on the same values, so each outline equals the one-structure cut bit for
bit (``tests/view/test_cut_batch.py``). The fill is made only when it is shown, by the
one-structure cut.

Written here because the slab model is this project's own (``core.slab_model``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from rtviewer.core.slab_model import SlabModel
from rtviewer.view.slab_section import (
    SectionTable,
    ViewMap,
    clipped_edges,
    face_crossings,
    face_height_index,
    tilted_section,
)

__all__ = ["TiltedBatch"]


@dataclass(frozen=True)
class _Along:
    """What a view direction fixes for one structure's slices (``ViewMap`` at depth 0).

    ``packed`` is ``SectionTable.along(k)``; ``low`` (sorted, with ``order``, the edge
    of each) and ``span`` find the edges that can meet their plane's strip: an edge
    with ``min(ka, kb) - upper > -h0`` or ``max(ka, kb) - lower < -h0`` neither lies in
    it nor crosses one of its faces, and ``max - lower`` exceeds ``min - upper`` by at
    most ``span``.
    """

    view: ViewMap
    n_uv: np.ndarray
    n_normal: float
    k2: float
    e: np.ndarray
    packed: np.ndarray
    low: np.ndarray
    order: np.ndarray
    span: float

    @classmethod
    def of(cls, model: SlabModel, table: SectionTable, u: np.ndarray, v: np.ndarray,
           n: np.ndarray) -> _Along:
        view = ViewMap.of(model, u, v, n, 0.0)  # k and st_of_ab do not depend on depth
        k2 = float(view.k @ view.k)
        packed = table.along(view.k)[0]
        plane = packed[:, 6].astype(np.intp)
        low = np.minimum(packed[:, 0], packed[:, 1]) - table.upper[plane]
        high = np.maximum(packed[:, 0], packed[:, 1]) - table.lower[plane]
        order = np.argsort(low, kind="stable")
        return cls(view, np.array([n @ model.u, n @ model.v]), float(n @ model.normal), k2,
                   np.array([-view.k[1], view.k[0]]) / np.sqrt(k2), packed, low[order],
                   order, float(np.max(high - low)) if low.size else 0.0)

    def edges(self, h0: float) -> np.ndarray:
        """The edges (ascending) that can meet their strip on the plane of this ``h0``."""
        margin = 1e-6  # mm: far above rounding, so no edge that meets it is left out
        start = np.searchsorted(self.low, -h0 - self.span - margin, side="left")
        stop = np.searchsorted(self.low, -h0 + margin, side="right")
        return np.sort(self.order[start:stop])


@dataclass(frozen=True)
class TiltedBatch:
    """Structures cut together by views tilted against their contours.

    Attributes
    ----------
    models : tuple of SlabModel
        The structures.
    tables : tuple of SectionTable
        Their own polygon tables (``CutTable.section``).
    joined : SectionTable
        All their polygons (``SectionTable.concatenate``: the face numbers of all).
    plane_owner : ndarray, (N,) int
        Index into ``models`` of each plane of ``joined``.
    """

    models: tuple[SlabModel, ...]
    tables: tuple[SectionTable, ...]
    joined: SectionTable
    plane_owner: np.ndarray
    _views: dict[tuple[bytes, int], _Along] = field(default_factory=dict, repr=False,
                                                    compare=False)

    @classmethod
    def of(cls, items: Sequence[tuple[SlabModel, SectionTable]]) -> TiltedBatch:
        """A batch of ``(model, table)`` pairs (any contour normals)."""
        models, tables = zip(*items, strict=True)
        owner = np.repeat(np.arange(len(tables)), [t.lower.size for t in tables])
        return cls(tuple(models), tuple(tables), SectionTable.concatenate(list(tables)), owner)

    def _along(self, index: int, u: np.ndarray, v: np.ndarray, n: np.ndarray) -> _Along:
        key = (np.concatenate([u, v, n]).tobytes(), index)
        if key not in self._views:
            self._views[key] = _Along.of(self.models[index], self.tables[index], u, v, n)
        return self._views[key]

    def sections(self, u: np.ndarray, v: np.ndarray, n: np.ndarray, depth_mm: float,
                 wanted: np.ndarray
                 ) -> dict[int, tuple[np.ndarray, Callable[[], tuple[np.ndarray, ...]]]]:
        """``tilted_section`` of each wanted structure on the plane ``p·n = depth_mm``.

        Parameters
        ----------
        u, v, n : ndarray, (3,)
            The view's screen-right, screen-down and normal (unit, patient LPS).
        depth_mm : float
            The plane's position along ``n``, mm.
        wanted : ndarray, (S,) bool
            Which structures to cut; each must be tilted against the view
            (``contour_geometry.section_kind``).

        Returns
        -------
        dict
            Structure index -> ``(segments, fill)`` as ``tilted_section`` returns them,
            for the wanted structures with a segment on the plane.
        """
        plane_base = np.cumsum([0] + [t.lower.size for t in self.tables])
        columns: list[list[np.ndarray]] = [[], [], [], []]  # picked, end, lo, hi
        h0 = np.zeros(len(self.models))
        alongs: dict[int, _Along] = {}
        for index in np.flatnonzero(wanted).tolist():
            along = alongs[index] = self._along(index, u, v, n)
            table = self.tables[index]
            # h0 exactly as ViewMap.of makes it for this depth
            ab0 = depth_mm * along.n_uv
            h0[index] = float(depth_mm * along.n_normal - along.view.k @ ab0)
            edges = along.edges(float(h0[index]))
            picked = along.packed[edges]
            plane = picked[:, 6].astype(np.intp)
            columns[0].append(picked)
            columns[1].append(table.end[edges])
            columns[2].append(table.lower[plane] - h0[index])
            columns[3].append(table.upper[plane] - h0[index])
            picked[:, 6] += plane_base[index]  # a copy (fancy index): the joined plane
        if not alongs:
            return {}
        picked, end, lo, hi = (np.concatenate(c) for c in columns)
        ka, kb, wa, wb = picked[:, 0], picked[:, 1], picked[:, 2], picked[:, 3]
        plane = picked[:, 6].astype(np.intp)
        sides, kept = clipped_edges(picked[:, 4:6], end, ka, kb, lo, hi)
        faces, face_owner = self._faces(alongs, h0, ka, kb, wa, wb, plane)
        owner = np.concatenate([self.plane_owner[plane[kept]], face_owner])
        segments = np.concatenate([sides, faces])
        # each structure's sides, then its faces: the one-structure cut's order
        order = np.argsort(owner, kind="stable")
        owner = owner[order]
        result = {}
        for index in np.unique(owner).tolist():
            first, last = np.searchsorted(owner, [index, index + 1])
            mine = segments[order[first:last]]
            view = alongs[index].view
            # ViewMap.to_st at this depth, on the rows of the one-structure cut
            ab0 = depth_mm * alongs[index].n_uv
            st = ((mine.reshape(-1, 2) - ab0) @ view.st_of_ab.T).reshape(-1, 2, 2)
            out = np.full((st.shape[0], 3, 2), np.nan)
            out[:, :2] = st
            result[index] = (out, self._fill(index, u, v, n, depth_mm))
        return result

    def _faces(self, alongs: dict[int, _Along], h0: np.ndarray, ka: np.ndarray,
               kb: np.ndarray, wa: np.ndarray, wb: np.ndarray, plane: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
        """``slab_section._face_segments`` of every structure at once, and their owners."""
        table = self.joined
        row, w = face_crossings(table, ka, kb, wa, wb, plane, h0[self.plane_owner][plane])
        owner = self.plane_owner[row // 2]  # a face joins two planes of one structure
        # a tangent vertex exactly on a face: a structure with an odd count drops its
        # unpaired positions (as the one-structure cut does)
        odd_owner = np.bincount(owner, minlength=len(self.models)) % 2 == 1
        if odd_owner.any():
            odd_row = np.bincount(row) % 2 == 1
            keep = ~(odd_row[row] & odd_owner[owner])
            row, w, owner = row[keep], w[keep], owner[keep]
        pair = owner[0::2]
        height = np.concatenate([table.lower, table.upper])[face_height_index(table, row[0::2])]
        k = np.zeros((len(self.models), 2))
        k2, e = np.ones(len(self.models)), np.zeros((len(self.models), 2))
        for index, along in alongs.items():
            k[index], k2[index], e[index] = along.view.k, along.k2, along.e
        base = ((height - h0[pair]) / k2[pair])[:, None] * k[pair]
        e = e[pair]
        return np.stack([base + w[0::2, None] * e, base + w[1::2, None] * e], axis=1), pair

    def _fill(self, index: int, u: np.ndarray, v: np.ndarray, n: np.ndarray,
              depth_mm: float) -> Callable[[], tuple[np.ndarray, ...]]:
        """The structure's fill polygons, cut on their own when a fill is shown."""
        def fill() -> tuple[np.ndarray, ...]:
            _segments, polygons = tilted_section(self.models[index], self.tables[index],
                                                 u, v, n, depth_mm)
            return polygons()
        return fill
