"""Image planes in patient space and reslicing volumes onto them.

A :class:`Plane` is a 2-D grid of pixel centres: pixel ``[r, c]`` (row, column) is at
``origin_mm + c·Δu·u + r·Δv·v``.  Default orientations follow the radiological
display of a supine patient: axial planes have ``u = +x`` (patient left to the
screen's right) and ``v = +y`` (posterior down); sagittal planes show anterior on the
left, ``u = +y`` and ``v = −z`` (superior up); coronal ``u = +x`` and ``v = −z``.
The UI may flip them for display.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rtviewer.core.grid import Grid
from rtviewer.core.interpolation import trilinear_sample
from rtviewer.core.small_linalg import project

__all__ = [
    "Plane",
    "axial_plane",
    "coronal_plane",
    "plane_through",
    "reslice",
    "sagittal_plane",
]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Plane:
    """A regular 2-D grid of pixel centres in patient space.

    Attributes
    ----------
    origin_mm : (3,) ndarray
        Patient position of the centre of pixel ``[0, 0]``.
    u, v : (3,) ndarray
        Orthonormal in-plane directions of increasing column and increasing row.
    spacing_mm : tuple of float
        ``(Δu, Δv)``: column step and row step in mm.
    shape : tuple of int
        ``(n_rows, n_columns)``.
    """

    origin_mm: FloatArray
    u: FloatArray
    v: FloatArray
    spacing_mm: tuple[float, float]
    shape: tuple[int, int]

    def __post_init__(self) -> None:
        u = np.asarray(self.u, dtype=np.float64).reshape(3)
        v = np.asarray(self.v, dtype=np.float64).reshape(3)
        if abs(np.linalg.norm(u) - 1) > 1e-6 or abs(np.linalg.norm(v) - 1) > 1e-6:
            raise ValueError("u and v must be unit vectors")
        if abs(float(u @ v)) > 1e-6:
            raise ValueError("u and v must be orthogonal")
        du, dv = (float(s) for s in self.spacing_mm)
        if du <= 0 or dv <= 0:
            raise ValueError(f"spacing_mm must be positive, got {self.spacing_mm}")
        rows, cols = (int(n) for n in self.shape)
        if rows < 1 or cols < 1:
            raise ValueError(f"shape must be positive, got {self.shape}")
        object.__setattr__(self, "origin_mm",
                           np.asarray(self.origin_mm, dtype=np.float64).reshape(3))
        object.__setattr__(self, "u", u)
        object.__setattr__(self, "v", v)
        object.__setattr__(self, "spacing_mm", (du, dv))
        object.__setattr__(self, "shape", (rows, cols))

    @property
    def normal(self) -> FloatArray:
        """Unit normal ``u × v``."""
        normal: FloatArray = np.cross(self.u, self.v)
        return normal

    def pixel_to_patient(self, rc: ArrayLike) -> FloatArray:
        """Patient ``(x, y, z)`` mm of fractional pixel positions ``(row, column)`` (..., 2)."""
        rc = np.asarray(rc, dtype=np.float64)
        du, dv = self.spacing_mm
        result: FloatArray = (self.origin_mm + rc[..., 1:2] * du * self.u
                              + rc[..., 0:1] * dv * self.v)
        return result

    def patient_to_pixel(self, xyz: ArrayLike) -> FloatArray:
        """Fractional ``(row, column)`` of patient points projected onto the plane."""
        d = np.asarray(xyz, dtype=np.float64) - self.origin_mm
        du, dv = self.spacing_mm
        return np.stack([project(d, self.v) / dv, project(d, self.u) / du], axis=-1)

    def points_mm(self) -> FloatArray:
        """All pixel centres, shape ``(n_rows, n_columns, 3)``."""
        rows, cols = self.shape
        du, dv = self.spacing_mm
        r = np.arange(rows, dtype=np.float64)[:, None, None]
        c = np.arange(cols, dtype=np.float64)[None, :, None]
        result: FloatArray = self.origin_mm + c * du * self.u + r * dv * self.v
        return result


def plane_through(
    point_mm: ArrayLike,
    u: ArrayLike,
    v: ArrayLike,
    *,
    spacing_mm: tuple[float, float],
    shape: tuple[int, int],
) -> Plane:
    """A plane whose central pixel is at ``point_mm``, with in-plane axes ``u`` and ``v``.

    Parameters
    ----------
    point_mm : (3,) array_like
        Patient position of the plane's centre.
    u, v : (3,) array_like
        In-plane directions (normalised here; ``v`` is orthogonalised against ``u``).
    spacing_mm : (float, float), keyword-only
        ``(Δu, Δv)`` in mm.
    shape : (int, int), keyword-only
        ``(n_rows, n_columns)``.
    """
    u_arr = np.asarray(u, dtype=np.float64)
    u_arr = u_arr / np.linalg.norm(u_arr)
    v_arr = np.asarray(v, dtype=np.float64)
    v_arr = v_arr - (v_arr @ u_arr) * u_arr
    if np.linalg.norm(v_arr) < 1e-9:
        raise ValueError("u and v must not be parallel")
    v_arr /= np.linalg.norm(v_arr)
    rows, cols = shape
    du, dv = spacing_mm
    origin = (np.asarray(point_mm, dtype=np.float64) - (cols - 1) / 2 * du * u_arr
              - (rows - 1) / 2 * dv * v_arr)
    return Plane(origin_mm=origin, u=u_arr, v=v_arr, spacing_mm=(du, dv), shape=(rows, cols))


def _finest_step(grid: Grid, axis: FloatArray) -> float:
    """Shortest grid step with a component along ``axis``: no detail is lost."""
    steps = grid.affine[:3, :3]
    lengths = np.linalg.norm(steps, axis=0)
    along = np.abs(axis @ steps) > 1e-6 * lengths
    return float(lengths[along].min())


def _covering_plane(grid: Grid, point: FloatArray, u: FloatArray, v: FloatArray,
                    spacing_mm: tuple[float, float] | None) -> Plane:
    """Plane through ``point`` with axes ``u, v`` covering the projection of the grid."""
    corners = grid.corners_mm()
    if spacing_mm is None:
        du, dv = _finest_step(grid, u), _finest_step(grid, v)
    else:
        du, dv = spacing_mm
    cu, cv = (corners - point) @ u, (corners - point) @ v
    cols = int(np.floor((cu.max() - cu.min()) / du + 1e-6)) + 1
    rows = int(np.floor((cv.max() - cv.min()) / dv + 1e-6)) + 1
    origin = point + cu.min() * u + cv.min() * v
    return Plane(origin_mm=origin, u=u, v=v, spacing_mm=(du, dv), shape=(rows, cols))


def _anchor(grid: Grid, axis: int, position_mm: float) -> FloatArray:
    point = grid.center_mm
    point[axis] = position_mm
    return point


def axial_plane(grid: Grid, z_mm: float, *, spacing_mm: tuple[float, float] | None = None
                ) -> Plane:
    """Axial plane at patient ``z = z_mm`` covering ``grid``; ``u = +x``, ``v = +y``."""
    return _covering_plane(grid, _anchor(grid, 2, z_mm), np.array([1.0, 0, 0]),
                           np.array([0, 1.0, 0]), spacing_mm)


def sagittal_plane(grid: Grid, x_mm: float, *, spacing_mm: tuple[float, float] | None = None
                   ) -> Plane:
    """Sagittal plane at patient ``x = x_mm`` covering ``grid``; ``u = +y``, ``v = −z``."""
    return _covering_plane(grid, _anchor(grid, 0, x_mm), np.array([0, 1.0, 0]),
                           np.array([0, 0, -1.0]), spacing_mm)


def coronal_plane(grid: Grid, y_mm: float, *, spacing_mm: tuple[float, float] | None = None
                  ) -> Plane:
    """Coronal plane at patient ``y = y_mm`` covering ``grid``; ``u = +x``, ``v = −z``."""
    return _covering_plane(grid, _anchor(grid, 1, y_mm), np.array([1.0, 0, 0]),
                           np.array([0, 0, -1.0]), spacing_mm)


def _axis_along(grid: Grid, direction: FloatArray) -> int | None:
    cosines = np.abs(grid.directions.T @ direction)
    axis = int(np.argmax(cosines))
    return axis if cosines[axis] > 1 - 1e-9 else None


def _linear_weights(index: FloatArray, size: int
                    ) -> tuple[NDArray[np.intp], FloatArray, NDArray[np.bool_]]:
    """1-D linear interpolation: lower neighbour, weight of the upper one, inside flags."""
    inside = (index >= -1e-6) & (index <= size - 1 + 1e-6)
    if size == 1:
        return np.zeros(len(index), np.intp), np.zeros(len(index)), inside
    clipped = np.clip(index, 0, size - 1)
    lower = np.minimum(clipped.astype(np.intp), size - 2)
    return lower, clipped - lower, inside


def _lerp_rows(values: FloatArray, lower: NDArray[np.intp], frac: FloatArray) -> FloatArray:
    upper = np.minimum(lower + 1, values.shape[0] - 1)
    result: FloatArray = (values[lower] * (1.0 - frac)[:, None]
                          + values[upper] * frac[:, None])
    return result


def _reslice_separable(volume: NDArray[np.floating], grid: Grid, plane: Plane,
                       axes: tuple[int, int, int], outside: float) -> FloatArray:
    """Planes whose u, v and normal run along grid axes: a lerp and two 1-D interpolations."""
    axis_u, axis_v, axis_n = axes
    rows, cols = plane.shape
    origin = grid.patient_to_index(plane.origin_mm)
    step_u = grid.inverse_affine[:3, :3] @ (plane.u * plane.spacing_mm[0])
    step_v = grid.inverse_affine[:3, :3] @ (plane.v * plane.spacing_mm[1])
    sizes = grid.shape[::-1]
    n_low, n_frac, n_in = _linear_weights(np.array([origin[axis_n]]), sizes[axis_n])
    if not n_in[0]:
        return np.full(plane.shape, outside, dtype=np.float64)
    # volume axes are (k, j, i) = grid axes (2, 1, 0)
    section = np.take(volume, int(n_low[0]), axis=2 - axis_n).astype(np.float64)
    if n_frac[0] > 0:
        above = np.take(volume, int(n_low[0]) + 1, axis=2 - axis_n)
        section += n_frac[0] * (above - section)
    remaining = [a for a in (2, 1, 0) if a != axis_n]  # grid axes in the section's order
    if remaining.index(axis_v) == 1:
        section = section.T
    v_low, v_frac, v_in = _linear_weights(origin[axis_v] + np.arange(rows) * step_v[axis_v],
                                          sizes[axis_v])
    u_low, u_frac, u_in = _linear_weights(origin[axis_u] + np.arange(cols) * step_u[axis_u],
                                          sizes[axis_u])
    result = _lerp_rows(_lerp_rows(section, v_low, v_frac).T, u_low, u_frac).T
    result[~v_in, :] = outside
    result[:, ~u_in] = outside
    return np.ascontiguousarray(result)


def reslice(volume: NDArray[np.floating], grid: Grid, plane: Plane, *, outside: float
            ) -> FloatArray:
    """Trilinearly resample a volume onto a plane's pixel centres.

    Planes whose axes run along the grid's axes (axial, sagittal and coronal planes of
    an unrotated grid, in any patient position) take a separable path: a linear
    interpolation between the two nearest grid slices, then 1-D linear interpolation
    along rows and columns -- the same values as trilinear interpolation, faster.

    Parameters
    ----------
    volume : (nk, nj, ni) array
        Values on ``grid``.
    grid : Grid
        The volume's geometry (oblique allowed).
    plane : Plane
        Where to sample.
    outside : float, keyword-only
        Value for pixels beyond the grid's outermost voxel centres.

    Returns
    -------
    ndarray, plane.shape
        ``[row, column]`` values (float64).
    """
    if tuple(volume.shape) != grid.shape:
        raise ValueError(f"volume shape {volume.shape} does not match grid {grid.shape}")
    axes = (_axis_along(grid, plane.u), _axis_along(grid, plane.v), _axis_along(grid, plane.normal))
    if None not in axes and len(set(axes)) == 3:
        return _reslice_separable(volume, grid, plane, axes, outside)  # type: ignore[arg-type]
    return trilinear_sample(volume, grid, plane.points_mm(), outside=outside)
