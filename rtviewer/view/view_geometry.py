"""Where each of the three views looks, and how a volume's plane lands on screen.

The display follows ARCHITECTURE.md: radiological and *as positioned on the
couch*. The scanner's own image axes give that frame: a slice's row direction
(increasing column index) is screen-right as seen from the foot of the couch,
its column direction is screen-down (towards the couch top), and their cross
product points into the gantry. Reading these from the affine handles supine,
prone, head-first and feet-first without looking at Patient Position.

Each view has in-plane unit vectors ``u`` (screen right) and ``v`` (screen
down) and a normal ``n`` (the scroll axis). View coordinates are
``(s, t) = (p·u, p·v)`` in mm, so a pyqtgraph ViewBox with inverted y shows
the patient at true aspect. Every 2-D affine here maps ``(column, row, 1)`` of
a 2-D array (voxel centres at integer indices) to ``(s, t)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rtviewer.core.grid import Grid
from rtviewer.core.planes import Plane, reslice

__all__ = ["VIEWS", "DisplayFrame", "PlaneImage", "orientation_label", "slice_volume"]

VIEWS: tuple[str, ...] = ("axial", "sagittal", "coronal")

_AXIS_LETTERS = (("R", "L"), ("A", "P"), ("F", "H"))  # (negative, positive) per LPS axis


def orientation_label(direction: np.ndarray) -> str:
    """Anatomical letters for a patient-space direction, dominant axis first.

    Parameters
    ----------
    direction : ndarray, (3,)
        A direction in LPS patient coordinates (need not be normalised).

    Returns
    -------
    str
        One letter per axis whose share of the direction exceeds 0.3, e.g. ``"L"``
        for +x, ``"P"`` for +y, ``"H"`` for +z, ``"LP"`` for an oblique mix.

    Examples
    --------
    >>> orientation_label(np.array([-1.0, 0.0, 0.0]))
    'R'
    """
    d = np.asarray(direction, dtype=np.float64)
    d = d / np.linalg.norm(d)
    order = np.argsort(-np.abs(d))
    letters = [_AXIS_LETTERS[a][int(d[a] > 0)] for a in order if abs(d[a]) > 0.3]
    return "".join(letters)


def _snap(direction: np.ndarray) -> np.ndarray:
    """The patient axis (±x, ±y, ±z) closest to a direction."""
    axis = int(np.argmax(np.abs(direction)))
    out = np.zeros(3)
    out[axis] = np.sign(direction[axis])
    return out


@dataclass(frozen=True)
class DisplayFrame:
    """The couch frame the three views are built on (unit vectors, LPS).

    Attributes
    ----------
    right, down, gantry : ndarray, (3,)
        Screen-right and screen-down of the axial view, and the direction into the
        gantry (``right × down``), each a patient axis.
    """

    right: np.ndarray
    down: np.ndarray
    gantry: np.ndarray

    @classmethod
    def from_grid(cls, grid: Grid | None) -> DisplayFrame:
        """The frame of an axial acquisition's grid; HFS axes for any other grid.

        Row and column directions are snapped to the nearest patient axes so a
        slightly tilted scan still gives upright views. A grid whose slices are
        not transverse (a sagittal MR, say) carries no couch information, so the
        head-first-supine frame is used and labelled as such by the views.
        """
        if grid is None:
            return cls.hfs()
        right = _snap(grid.directions[:, 0])
        down = _snap(grid.directions[:, 1])
        gantry = np.cross(right, down)
        if abs(gantry[2]) < 0.5:
            return cls.hfs()
        return cls(right=right, down=down, gantry=gantry)

    @classmethod
    def hfs(cls) -> DisplayFrame:
        """Head-first supine: left on screen right, posterior down, head into the gantry."""
        return cls(right=np.array([1.0, 0, 0]), down=np.array([0, 1.0, 0]),
                   gantry=np.array([0, 0, 1.0]))

    def axes(self, view: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(u, v, n)`` of a view: screen-right, screen-down and the slice normal.

        Sagittal and coronal views put the gantry end of the couch at the top.
        """
        if view == "axial":
            return self.right, self.down, self.gantry
        if view == "sagittal":
            return self.down, -self.gantry, self.right
        if view == "coronal":
            return self.right, -self.gantry, self.down
        raise ValueError(f"view must be one of {VIEWS}, got {view!r}")

    def to_view(self, view: str, xyz: np.ndarray) -> np.ndarray:
        """Patient points ``(..., 3)`` mm -> ``(..., 3)`` of ``(s, t, depth)`` mm."""
        u, v, n = self.axes(view)
        view_mm: np.ndarray = np.asarray(xyz, dtype=np.float64) @ np.stack([u, v, n], axis=1)
        return view_mm

    def to_patient(self, view: str, s: float, t: float, depth: float) -> np.ndarray:
        """View coordinates ``(s, t)`` at slice position ``depth`` (mm) -> patient mm."""
        u, v, n = self.axes(view)
        return s * u + t * v + depth * n

    def edge_labels(self, view: str) -> dict[str, str]:
        """Orientation letters for the ``left``, ``right``, ``top`` and ``bottom`` edges."""
        u, v, _n = self.axes(view)
        return {"left": orientation_label(-u), "right": orientation_label(u),
                "top": orientation_label(-v), "bottom": orientation_label(v)}


@dataclass(frozen=True)
class PlaneImage:
    """A 2-D cut of a volume and where its pixels sit in view coordinates.

    Attributes
    ----------
    values : ndarray, (rows, columns)
        The sampled values (a view of the volume when no interpolation was needed).
    affine : ndarray, (2, 3)
        ``(column, row, 1)`` -> ``(s, t)`` mm; integer indices are pixel centres.
    """

    values: np.ndarray
    affine: np.ndarray


def _aligned_axis(grid: Grid, normal: np.ndarray) -> int | None:
    """The grid axis (0=i, 1=j, 2=k) parallel to ``normal``, or None if oblique."""
    dots = np.abs(grid.directions.T @ normal)
    axis = int(np.argmax(dots))
    others = np.delete(dots, axis)
    return axis if dots[axis] > 1 - 1e-4 and np.all(others < 1e-4) else None


def _take(volume: np.ndarray, axis: int, index: int) -> np.ndarray:
    """The 2-D array at ``index`` along grid axis ``axis`` (volume is ``[k, j, i]``)."""
    where: list[int | slice] = [slice(None)] * 3
    where[2 - axis] = index
    return volume[tuple(where)]  # a view, not a copy


def slice_volume(grid: Grid, volume: np.ndarray, frame: DisplayFrame, view: str,
                 depth_mm: float, *, linear: bool) -> PlaneImage | None:
    """Cut a volume at slice position ``depth_mm`` along a view's normal.

    Parameters
    ----------
    grid : Grid
        Geometry of ``volume``.
    volume : ndarray, (nk, nj, ni)
        Voxel values.
    frame : DisplayFrame
        The couch frame; ``view`` picks its axes.
    view : str
        ``"axial"``, ``"sagittal"`` or ``"coronal"``.
    depth_mm : float
        Position of the plane along the view's normal ``n`` (``p·n``), mm.
    linear : bool, keyword-only
        Interpolate linearly between the two nearest grid planes (dose); otherwise
        take the nearest plane (images show their true voxels).

    Returns
    -------
    PlaneImage or None
        None when the plane misses the volume: beyond half a voxel of the extreme
        centres for nearest sampling, beyond the extreme centres for linear.
        Grids oblique to the view are resampled trilinearly on a regular plane
        grid (``core.planes.reslice``), NaN outside.
    """
    u, v, n = frame.axes(view)
    axis = _aligned_axis(grid, n)
    if axis is None:
        return _resample_oblique(grid, volume, u, v, n, depth_mm)
    f = float(grid.patient_to_index(depth_mm * n)[axis])
    size = grid.shape[2 - axis]
    if linear and size > 1:
        if f < -1e-6 or f > size - 1 + 1e-6:
            return None
        f0 = int(min(max(np.floor(f), 0), size - 2))
        w = f - f0
        values = _take(volume, axis, f0) * np.float32(1 - w) + _take(volume, axis, f0 + 1) \
            * np.float32(w)
    else:
        index = int(np.floor(f + 0.5))
        if not 0 <= index < size or abs(f - index) > 0.5 + 1e-6:
            return None
        values, f = _take(volume, axis, index), float(index)
    col_axis, row_axis = [a for a in (0, 1, 2) if a != axis]
    a = grid.affine
    offset = a[:3, 3] + a[:3, axis] * f
    uv = np.stack([u, v])
    affine = np.column_stack([uv @ a[:3, col_axis], uv @ a[:3, row_axis], uv @ offset])
    return PlaneImage(values=values, affine=affine)


def _resample_oblique(grid: Grid, volume: np.ndarray, u: np.ndarray, v: np.ndarray,
                      n: np.ndarray, depth_mm: float) -> PlaneImage | None:
    """Resample an oblique grid (core's trilinear reslice) on a plane of its finest step."""
    corners = grid.corners_mm()
    s_range, t_range = corners @ u, corners @ v
    step = min(grid.spacing_mm)
    shape = (int(np.ptp(t_range) / step) + 1, int(np.ptp(s_range) / step) + 1)
    origin = s_range.min() * u + t_range.min() * v + depth_mm * n
    plane = Plane(origin_mm=origin, u=u, v=v, spacing_mm=(step, step), shape=shape)
    values = reslice(volume, grid, plane, outside=np.nan).astype(np.float32)
    if not np.isfinite(values).any():
        return None
    affine = np.array([[step, 0.0, s_range.min()], [0.0, step, t_range.min()]])
    return PlaneImage(values=values, affine=affine)
