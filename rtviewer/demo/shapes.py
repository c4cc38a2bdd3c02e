"""Analytic phantom shapes: axis-aligned ellipsoids and elliptic cylinders.

Everything a demo object needs is derived from these shapes exactly: CT voxels are
painted from them, contours are their sections, and the photon dose engine and DRR
use their ray intersections. Coordinates are DICOM patient ``(x, y, z)`` mm.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["Ellipsoid", "ellipse_polygon", "segment_lengths"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Ellipsoid:
    """An axis-aligned ellipsoid; an infinite ``z`` semi-axis makes an elliptic cylinder.

    Parameters
    ----------
    center_mm : (x, y, z) mm.
    semi_axes_mm : (a, b, c) mm along x, y, z; ``c`` may be ``inf``.
    z_range_mm : optional (z_min, z_max) clipping of the shape (a capped cylinder).
    """

    center_mm: tuple[float, float, float]
    semi_axes_mm: tuple[float, float, float]
    z_range_mm: tuple[float, float] = (-np.inf, np.inf)

    def grown(self, margin_mm: float) -> Ellipsoid:
        """The ellipsoid with every semi-axis longer by ``margin_mm``."""
        a, b, c = self.semi_axes_mm
        return Ellipsoid(self.center_mm, (a + margin_mm, b + margin_mm, c + margin_mm),
                         self.z_range_mm)

    def section(self, z_mm: float) -> tuple[float, float, float, float] | None:
        """The ellipse cut by the plane ``z = z_mm``: ``(cx, cy, ax, ay)`` or ``None``."""
        if not self.z_range_mm[0] <= z_mm <= self.z_range_mm[1]:
            return None
        cx, cy, cz = self.center_mm
        a, b, c = self.semi_axes_mm
        f = 1.0 - ((z_mm - cz) / c) ** 2
        if f <= 0:
            return None
        s = float(np.sqrt(f))
        return cx, cy, a * s, b * s

    def contains(self, points_mm: FloatArray) -> NDArray[np.bool_]:
        """Whether points ``(N, 3)`` mm lie inside."""
        pts = np.asarray(points_mm, dtype=np.float64).reshape(-1, 3)
        r2 = np.zeros(len(pts))
        for axis in range(3):
            if np.isfinite(self.semi_axes_mm[axis]):
                r2 += ((pts[:, axis] - self.center_mm[axis]) / self.semi_axes_mm[axis]) ** 2
        zmin, zmax = self.z_range_mm
        return (r2 <= 1.0) & (pts[:, 2] >= zmin) & (pts[:, 2] <= zmax)

    def ray_interval(self, start_mm: FloatArray,
                     end_mm: NDArray[np.floating]) -> tuple[FloatArray, FloatArray]:
        """Where segments ``start + t (end - start)`` cross the (unclipped) surface.

        ``start_mm`` is one point ``(3,)``; ``end_mm`` is coordinate-major, shape
        ``(3, N)`` (rows x, y, z: fast for millions of points). Returns ``(t_in, t_out)``
        arrays ``(N,)``, ``nan`` where the line misses.
        """
        start = np.asarray(start_mm, dtype=np.float64).reshape(3)
        inv = 1.0 / np.asarray(self.semi_axes_mm)
        p = (start - self.center_mm) * inv
        # Work in the points' own precision (float32 for the dose engine's millions).
        dtype = np.result_type(np.asarray(end_mm).dtype, np.float32)
        a = np.zeros(np.shape(end_mm)[1], dtype=dtype)
        b = np.zeros_like(a)
        for axis in range(3):
            if inv[axis] == 0.0:
                continue
            d = (end_mm[axis] - float(start[axis])) * float(inv[axis])
            a += d * d
            b += float(p[axis]) * d
        b *= 2.0
        c = float(p @ p) - 1.0
        disc = b * b - 4.0 * a * c
        with np.errstate(invalid="ignore", divide="ignore"):
            root = np.sqrt(np.where(disc > 0, disc, np.nan))
            return (-b - root) / (2.0 * a), (-b + root) / (2.0 * a)

    def chord_mm(self, start_mm: FloatArray, end_mm: NDArray[np.floating]) -> FloatArray:
        """Length (mm) inside the ellipsoid of each segment ``start (3,) → end (3, N)``."""
        t_in, t_out = self.ray_interval(start_mm, end_mm)
        length = segment_lengths(start_mm, end_mm)
        # np.minimum/np.maximum propagate nan (a miss), which then counts as zero length.
        inside = np.clip(np.minimum(t_out, 1.0) - np.maximum(t_in, 0.0), 0.0, None)
        return np.nan_to_num(inside) * length


def segment_lengths(start_mm: FloatArray, end_mm: NDArray[np.floating]) -> FloatArray:
    """Distances (mm) from one point ``(3,)`` to points given coordinate-major ``(3, N)``."""
    total = np.zeros(np.shape(end_mm)[1], dtype=np.result_type(np.asarray(end_mm).dtype,
                                                               np.float32))
    for axis in range(3):
        total += (end_mm[axis] - float(start_mm[axis])) ** 2
    return np.sqrt(total)


def ellipse_polygon(cx: float, cy: float, ax: float, ay: float, z_mm: float,
                    n_points: int = 72) -> FloatArray:
    """``n_points`` vertices (N, 3) mm of an ellipse in the plane ``z = z_mm`` (anticlockwise)."""
    t = np.linspace(0.0, 2.0 * np.pi, n_points, endpoint=False)
    return np.column_stack([cx + ax * np.cos(t), cy + ay * np.sin(t), np.full(n_points, z_mm)])
