"""Jaws and MLC conforming to a target's projection in the beam's-eye view.

The MLC is Millennium-120-like: 60 leaf pairs moving along ``Xb``, 10 mm wide for
the outer 10 pairs on each side and 5 mm for the central 40 (boundaries at the
isocentre plane from -200 to +200 mm along ``Yb``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rtviewer.core.iec61217 import BeamGeometry
from rtviewer.demo.shapes import Ellipsoid

__all__ = ["LEAF_BOUNDARIES_MM", "Aperture", "conform_aperture", "surface_points"]

FloatArray = NDArray[np.float64]

LEAF_BOUNDARIES_MM: FloatArray = np.concatenate([
    np.arange(-200.0, -100.0, 10.0), np.arange(-100.0, 100.0, 5.0), np.arange(100.0, 201.0, 10.0)
])
assert LEAF_BOUNDARIES_MM.size == 61


@dataclass(frozen=True)
class Aperture:
    """Jaws ``(X1, X2)``, ``(Y1, Y2)`` and leaf positions (bank A, bank B), mm at isocentre."""

    jaw_x_mm: tuple[float, float]
    jaw_y_mm: tuple[float, float]
    leaf_a_mm: FloatArray
    leaf_b_mm: FloatArray

    def open_rectangles(self) -> list[tuple[float, float, float, float]]:
        """The open area as disjoint rectangles ``(x1, x2, y1, y2)`` (MLC ∩ jaws)."""
        rects = []
        for n in range(self.leaf_a_mm.size):
            y1 = max(LEAF_BOUNDARIES_MM[n], self.jaw_y_mm[0])
            y2 = min(LEAF_BOUNDARIES_MM[n + 1], self.jaw_y_mm[1])
            x1 = max(self.leaf_a_mm[n], self.jaw_x_mm[0])
            x2 = min(self.leaf_b_mm[n], self.jaw_x_mm[1])
            if y2 > y1 and x2 > x1:
                rects.append((float(x1), float(x2), float(y1), float(y2)))
        return rects

    def leaf_jaw_positions(self) -> list[float]:
        """The 120 MLCX Leaf/Jaw Positions as DICOM stores them: bank A then bank B."""
        return [round(float(v), 1) for v in np.concatenate([self.leaf_a_mm, self.leaf_b_mm])]


def surface_points(shape: Ellipsoid, n_theta: int = 48, n_phi: int = 96) -> FloatArray:
    """Points (N, 3) mm on the surface of an ellipsoid (its projection's silhouette)."""
    theta = np.linspace(0.0, np.pi, n_theta)
    phi = np.linspace(0.0, 2 * np.pi, n_phi, endpoint=False)
    t, p = np.meshgrid(theta, phi, indexing="ij")
    unit = np.stack([np.sin(t) * np.cos(p), np.sin(t) * np.sin(p), np.cos(t)], axis=-1)
    return (unit * shape.semi_axes_mm + shape.center_mm).reshape(-1, 3)


def conform_aperture(geometry: BeamGeometry, target_points_mm: FloatArray, *,
                     margin_mm: float = 0.0, shrink_mm: FloatArray | None = None) -> Aperture:
    """Fit jaws and leaves to the projection of ``target_points_mm`` at the isocentre plane.

    ``margin_mm`` is added around the projection; ``shrink_mm`` (one value per leaf
    pair) closes each pair symmetrically, which the VMAT arc uses as modulation.
    Leaf pairs outside the target close at the X1 jaw, hidden under it.
    """
    uv = geometry.project_to_plane(target_points_mm)
    y1 = float(np.floor(uv[:, 1].min() - margin_mm))
    y2 = float(np.ceil(uv[:, 1].max() + margin_mm))
    x1 = float(np.floor(uv[:, 0].min() - margin_mm))
    x2 = float(np.ceil(uv[:, 0].max() + margin_mm))
    n_pairs = LEAF_BOUNDARIES_MM.size - 1
    a = np.full(n_pairs, x1)
    b = np.full(n_pairs, x1)
    for n in range(n_pairs):
        lo = max(LEAF_BOUNDARIES_MM[n], y1)
        hi = min(LEAF_BOUNDARIES_MM[n + 1], y2)
        if hi <= lo:
            continue
        # The projection is convex: its extent over the band is that of the points
        # within the band widened by the margin (the band is at most 10 mm wide).
        near = (uv[:, 1] >= lo - margin_mm) & (uv[:, 1] <= hi + margin_mm)
        if not near.any():
            continue
        a[n] = uv[near, 0].min() - margin_mm
        b[n] = uv[near, 0].max() + margin_mm
        if shrink_mm is not None:
            c, half = (a[n] + b[n]) / 2, max((b[n] - a[n]) / 2 - shrink_mm[n], 2.5)
            a[n], b[n] = c - half, c + half
    return Aperture((x1, x2), (y1, y2), np.round(a, 1), np.round(b, 1))
