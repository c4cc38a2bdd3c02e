"""What the comparison overlays cut on a view's plane, and read under the cursor (no Qt).

B's isodoses come from B's own grid (moved into A's frame by a registration when there
was one: its affine, nothing resampled); B − A and gamma live on A's grid, where the
comparison computed them.  Cuts are trilinear, as the dose's own.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from rtviewer.core.interpolation import trilinear_sample
from rtviewer.view.view_geometry import DisplayFrame, PlaneImage, slice_volume

if TYPE_CHECKING:  # the comparison's module (gamma, structure overlap) loads with it
    from rtviewer.model.plan_compare import DoseComparison

__all__ = ["b_dose_plane", "compare_readout", "difference_plane", "gamma_plane"]


def b_dose_plane(comparison: DoseComparison, frame: DisplayFrame, view: str,
                 depth_mm: float) -> PlaneImage | None:
    """B in Gy on the plane (None where the plane misses B's grid)."""
    b = comparison.evaluated
    return slice_volume(b.grid, b.dose_gy, frame, view, depth_mm, linear=True)


def difference_plane(comparison: DoseComparison, volume: NDArray[np.floating],
                     frame: DisplayFrame, view: str, depth_mm: float) -> PlaneImage | None:
    """``volume`` (B − A on A's grid, in Gy or %) on the plane."""
    return slice_volume(comparison.reference.grid, volume, frame, view, depth_mm, linear=True)


def gamma_plane(comparison: DoseComparison, frame: DisplayFrame, view: str,
                depth_mm: float) -> PlaneImage | None:
    """Gamma on the plane (NaN below the cut-off); None without gamma.

    Nearest voxel, not interpolated: a gamma between a passing and a failing voxel
    means nothing, and NaN voxels (not evaluated) must stay NaN.
    """
    gamma = comparison.gamma
    if gamma is None:
        return None
    return slice_volume(gamma.grid, gamma.gamma, frame, view, depth_mm, linear=False)


def compare_readout(comparison: DoseComparison, xyz_mm: NDArray[np.float64]) -> str | None:
    """``"B 12.345 Gy  B−A +0.123 Gy  γ 0.42"`` at a patient point, None off A's grid.

    B and B − A are trilinear at the point; gamma is the nearest evaluated voxel's.
    """
    point = np.asarray(xyz_mm, dtype=np.float64).reshape(1, 3)
    a = comparison.reference
    difference = float(trilinear_sample(comparison.difference_gy, a.grid, point,
                                        outside=math.nan)[0])
    b = comparison.evaluated
    b_gy = float(trilinear_sample(b.dose_gy, b.grid, point, outside=math.nan)[0])
    if not (math.isfinite(difference) or math.isfinite(b_gy)):
        return None
    parts = []
    if math.isfinite(b_gy):
        parts.append(f"B {b_gy:.3f} Gy")
    if math.isfinite(difference):
        parts.append(f"B−A {difference:+.3f} Gy")
    gamma = comparison.gamma
    if gamma is not None:
        ijk = np.rint(gamma.grid.patient_to_index(point)[0]).astype(int)
        inside = all(0 <= ijk[n] < gamma.grid.shape[2 - n] for n in range(3))
        value = float(gamma.gamma[ijk[2], ijk[1], ijk[0]]) if inside else math.nan
        parts.append(_gamma_text(value, gamma.criteria.pass_rate_only))
    return "  ".join(parts)


def _gamma_text(value: float, pass_fail: bool) -> str:
    """``"γ 0.42"``; a pass / fail gamma says only which (its values are bounds)."""
    if not math.isfinite(value):
        return "γ below cut-off"
    if pass_fail:
        return "γ ≤ 1 (pass)" if value <= 1.0 else "γ > 1 (fail)"
    return f"γ {value:.2f}"
