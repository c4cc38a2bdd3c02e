"""Jaw and MLC positions of a beam, control point by control point (isocentre plane, mm)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from rtviewer.model.beam import Beam, ControlPoint

__all__ = ["positions_by_cp", "jaw_sizes_mm", "jaw_limits_mm", "open_area_mm2"]

#: The device types that position the jaws along IEC X and Y.
JAWS = {"X": ("ASYMX", "X"), "Y": ("ASYMY", "Y")}


def positions_by_cp(beam: Beam) -> Iterator[tuple[ControlPoint, dict[str, np.ndarray]]]:
    """Each control point with the device positions in force there (carried forward)."""
    current: dict[str, np.ndarray] = {}
    for cp in beam.control_points:
        for dp in cp.device_positions:
            current[dp.device_type] = np.asarray(dp.positions_mm, dtype=float)
        yield cp, dict(current)


def jaw_sizes_mm(positions: dict[str, np.ndarray]) -> dict[str, float]:
    """Jaw opening along X and Y (mm at the isocentre plane) when the jaws are stated."""
    sizes = {}
    for axis in JAWS:
        lo, hi = jaw_limits_mm(positions, axis)
        if np.isfinite(lo) and np.isfinite(hi):
            sizes[axis] = hi - lo
    return sizes


def jaw_limits_mm(positions: dict[str, np.ndarray], axis: str) -> tuple[float, float]:
    """The jaw pair's positions along ``axis`` ("X" or "Y"); ±inf when no jaw is stated."""
    for name in JAWS[axis]:
        if name in positions and len(positions[name]) == 2:
            return float(positions[name][0]), float(positions[name][1])
    return -np.inf, np.inf


def open_area_mm2(beam: Beam, positions: dict[str, np.ndarray]) -> float | None:
    """Area (mm², isocentre plane) open through both the jaws and the MLC; None without MLC."""
    mlc = beam.mlc
    if mlc is None or mlc.leaf_position_boundaries_mm is None or mlc.device_type not in positions:
        return None
    leaves = positions[mlc.device_type]
    n = len(leaves) // 2
    bounds = np.asarray(mlc.leaf_position_boundaries_mm, dtype=float)
    if n == 0 or len(bounds) != n + 1:
        return None
    travel, across = ("X", "Y") if mlc.mlc_axis == "X" else ("Y", "X")
    t_lo, t_hi = jaw_limits_mm(positions, travel)
    a_lo, a_hi = jaw_limits_mm(positions, across)
    lo = np.maximum(leaves[:n], t_lo)
    hi = np.minimum(leaves[n:], t_hi)
    width = np.clip(np.minimum(bounds[1:], a_hi) - np.maximum(bounds[:-1], a_lo), 0, None)
    return float(np.sum(np.clip(hi - lo, 0, None) * width))
