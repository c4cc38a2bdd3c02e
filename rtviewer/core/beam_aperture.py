"""The open field of a beam in its beam-limiting-device plane: jaws and MLC leaves.

All coordinates are IEC 61217 beam limiting device ``(Xb, Yb)`` in mm at the
isocentre plane, as DICOM states Leaf/Jaw Positions. Apertures are returned as
closed polygons (first vertex not repeated), counter-clockwise or not: callers draw
outlines and test containment with even-odd, which does not care.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["aperture_polygons", "leaf_rectangles"]

FloatArray = NDArray[np.float64]

#: Leaf pairs narrower than this (mm) count as closed.
CLOSED_GAP_MM = 1e-6


def _limits(jaw: ArrayLike | None) -> tuple[float, float]:
    if jaw is None:
        return -np.inf, np.inf
    low, high = (float(v) for v in np.asarray(jaw, dtype=np.float64).reshape(2))
    return low, high


def _openings(bank_a: FloatArray, bank_b: FloatArray, boundaries: FloatArray,
              across: tuple[float, float], along: tuple[float, float]) -> list[tuple]:
    """Open intervals per leaf pair, clipped by the jaws: ``(low, high, a, b)``."""
    rows = []
    for index in range(bank_a.size):
        low = max(boundaries[index], across[0])
        high = min(boundaries[index + 1], across[1])
        a = max(bank_a[index], along[0])
        b = min(bank_b[index], along[1])
        if high - low > CLOSED_GAP_MM and b - a > CLOSED_GAP_MM:
            rows.append((low, high, a, b))
    return rows


def _staircase(rows: list[tuple]) -> FloatArray:
    """Outline of consecutive, overlapping leaf openings (along, across) as a polygon."""
    right = []
    for low, high, _a, b in rows:
        right += [(b, low), (b, high)]
    left = []
    for low, high, a, _b in reversed(rows):
        left += [(a, high), (a, low)]
    return np.array(right + left, dtype=np.float64)


def _group(rows: list[tuple]) -> list[list[tuple]]:
    """Split openings into runs of touching leaf pairs whose intervals overlap."""
    groups: list[list[tuple]] = []
    for row in rows:
        if groups:
            prev = groups[-1][-1]
            touching = abs(prev[1] - row[0]) < 1e-6
            overlapping = min(prev[3], row[3]) - max(prev[2], row[2]) > CLOSED_GAP_MM
            if touching and overlapping:
                groups[-1].append(row)
                continue
        groups.append([row])
    return groups


def aperture_polygons(
    *, jaw_x_mm: ArrayLike | None = None, jaw_y_mm: ArrayLike | None = None,
    mlc_mm: ArrayLike | None = None, leaf_boundaries_mm: ArrayLike | None = None,
    mlc_axis: str = "X",
) -> list[FloatArray]:
    """The open field as polygons in the beam limiting device plane.

    Parameters
    ----------
    jaw_x_mm, jaw_y_mm : array_like, (2,), optional
        ``(X1, X2)`` and ``(Y1, Y2)`` jaw positions (mm at isocentre); ``None`` = no
        jaw on that axis.
    mlc_mm : array_like, (2N,), optional
        Leaf positions, bank A (N values) then bank B, mm at isocentre.
    leaf_boundaries_mm : array_like, (N+1,), optional
        Leaf Position Boundaries: where each leaf pair starts and ends across its
        travel direction. Required with ``mlc_mm``.
    mlc_axis : {"X", "Y"}
        Travel direction of the leaves: ``"X"`` for MLCX, ``"Y"`` for MLCY.

    Returns
    -------
    list of ndarray, (M, 2)
        ``(Xb, Yb)`` vertices of each separate opening. A jaws-only field is one
        rectangle; an open axis without a jaw or MLC is unbounded, and raises.

    Raises
    ------
    ValueError
        When an axis is unbounded, or the MLC and boundaries do not match.

    Examples
    --------
    >>> aperture_polygons(jaw_x_mm=(-50, 50), jaw_y_mm=(-20, 30))[0].tolist()
    [[50.0, -20.0], [50.0, 30.0], [-50.0, 30.0], [-50.0, -20.0]]
    """
    if mlc_axis not in ("X", "Y"):
        raise ValueError(f"mlc_axis must be 'X' or 'Y', got {mlc_axis!r}")
    x_lim, y_lim = _limits(jaw_x_mm), _limits(jaw_y_mm)
    if mlc_mm is None:
        if not np.all(np.isfinite([*x_lim, *y_lim])):
            raise ValueError("a field without MLC needs both X and Y jaws")
        (x1, x2), (y1, y2) = x_lim, y_lim
        if x2 - x1 <= CLOSED_GAP_MM or y2 - y1 <= CLOSED_GAP_MM:
            return []
        return [np.array([[x2, y1], [x2, y2], [x1, y2], [x1, y1]], dtype=np.float64)]
    leaves = np.asarray(mlc_mm, dtype=np.float64).ravel()
    if leaf_boundaries_mm is None:
        raise ValueError("mlc_mm needs leaf_boundaries_mm")
    bounds = np.asarray(leaf_boundaries_mm, dtype=np.float64).ravel()
    pairs = leaves.size // 2
    if leaves.size != 2 * pairs or bounds.size != pairs + 1:
        raise ValueError(f"{leaves.size} leaf positions do not match {bounds.size} boundaries")
    along, across = (x_lim, y_lim) if mlc_axis == "X" else (y_lim, x_lim)
    rows = _openings(leaves[:pairs], leaves[pairs:], bounds, across, along)
    polygons = [_staircase(g) for g in _group(rows)]
    # staircases are built as (along, across); MLCX travels along X
    return polygons if mlc_axis == "X" else [p[:, ::-1].copy() for p in polygons]


def leaf_rectangles(mlc_mm: ArrayLike, leaf_boundaries_mm: ArrayLike, *,
                    mlc_axis: str = "X", reach_mm: float = 200.0) -> FloatArray:
    """Each leaf as a rectangle ``(2N, 4, 2)``: bank A then bank B, ``(Xb, Yb)`` mm.

    Bank A leaves extend from their tip to ``-reach_mm``, bank B from their tip to
    ``+reach_mm``, so a drawing shows the leaves themselves, not only the opening.
    """
    leaves = np.asarray(mlc_mm, dtype=np.float64).ravel()
    bounds = np.asarray(leaf_boundaries_mm, dtype=np.float64).ravel()
    pairs = leaves.size // 2
    if bounds.size != pairs + 1:
        raise ValueError(f"{leaves.size} leaf positions do not match {bounds.size} boundaries")
    out = np.empty((2 * pairs, 4, 2))
    for bank, (tips, end) in enumerate(((leaves[:pairs], -reach_mm),
                                        (leaves[pairs:], reach_mm))):
        for i in range(pairs):
            low, high = bounds[i], bounds[i + 1]
            tip = tips[i]
            out[bank * pairs + i] = [(tip, low), (end, low), (end, high), (tip, high)]
    if mlc_axis == "Y":
        out = out[..., ::-1].copy()
    return out
