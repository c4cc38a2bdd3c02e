"""The open field of a beam in its beam-limiting-device plane: jaws and MLC leaves.

All coordinates are IEC 61217 beam limiting device ``(Xb, Yb)`` in mm at the
isocentre plane, as DICOM states Leaf/Jaw Positions. Apertures are returned as
closed polygons (first vertex not repeated), counter-clockwise or not: callers draw
outlines and test containment with even-odd, which does not care.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["MlcLayer", "aperture_polygons", "closed_pairs", "layered_aperture",
           "leaf_rectangles", "pair_strips", "strip_openings"]

FloatArray = NDArray[np.float64]

#: Leaf pairs narrower than this (mm) count as closed.
CLOSED_GAP_MM = 1e-6


def _limits(jaw: ArrayLike | None) -> tuple[float, float]:
    if jaw is None:
        return -np.inf, np.inf
    low, high = (float(v) for v in np.asarray(jaw, dtype=np.float64).reshape(2))
    return low, high


@dataclass(frozen=True, eq=False)
class MlcLayer:
    """One leaf bank pair of an MLC at one control point (mm at the isocentre plane).

    Attributes
    ----------
    positions_mm : ndarray, (2N,)
        Leaf/Jaw Positions: bank A (N values, the negative side) then bank B.
    boundaries_mm : ndarray, (N+1,)
        Leaf Position Boundaries across the direction of travel.
    """

    positions_mm: FloatArray
    boundaries_mm: FloatArray

    def __post_init__(self) -> None:
        leaves = np.asarray(self.positions_mm, dtype=np.float64).ravel()
        bounds = np.asarray(self.boundaries_mm, dtype=np.float64).ravel()
        if leaves.size % 2 or bounds.size != leaves.size // 2 + 1:
            raise ValueError(f"{leaves.size} leaf positions do not match {bounds.size} "
                             "boundaries")
        if np.any(np.diff(bounds) <= 0):
            raise ValueError("Leaf Position Boundaries do not increase")
        object.__setattr__(self, "positions_mm", leaves)
        object.__setattr__(self, "boundaries_mm", bounds)


#: ``(low, high, a, b)``: a strip ``[low, high]`` across the leaves, open ``[a, b]`` along.
Opening = tuple[float, float, float, float]


def strip_openings(layers: list[MlcLayer], across: tuple[float, float],
                   along: tuple[float, float]) -> list[Opening]:
    """Open intervals of the intersection of MLC layers and jaws, strip by strip.

    The strips are cut at every leaf boundary of every layer (a dual-layer MLC's
    banks are offset by half a leaf) and at the jaws across the leaves' travel;
    in each strip the opening is the overlap of every layer's leaf pair there.
    Outside a layer's outermost boundaries the layer is taken as closed (the
    fixed collimation behind the bank). Consecutive strips lying under the same
    leaf pairs are merged, so a single layer gives one row per open leaf pair; with
    several layers, consecutive strips with the same opening are merged too.

    Returns
    -------
    list of tuple
        ``(low, high, a, b)``: strip ``[low, high]`` across, open ``[a, b]`` along.
    """
    cuts = np.unique(np.concatenate([layer.boundaries_mm for layer in layers]))
    cuts = np.unique(np.clip(cuts, across[0], across[1]))
    rows: list[Opening] = []
    keys: list[tuple[int, ...]] = []
    for low, high in zip(cuts[:-1], cuts[1:], strict=False):
        if high - low <= CLOSED_GAP_MM:
            continue
        middle = 0.5 * (low + high)
        a, b, key = along[0], along[1], []
        for layer in layers:
            pairs = layer.boundaries_mm.size - 1
            index = int(np.searchsorted(layer.boundaries_mm, middle)) - 1
            if not 0 <= index < pairs:
                a, b = np.inf, -np.inf
                break
            a = max(a, float(layer.positions_mm[index]))
            b = min(b, float(layer.positions_mm[pairs + index]))
            key.append(index)
        if b - a <= CLOSED_GAP_MM:
            continue
        same = keys[-1] == tuple(key) or (len(layers) > 1 and rows[-1][2:] == (a, b)) \
            if rows else False
        if same and abs(rows[-1][1] - low) < 1e-9:
            rows[-1] = (rows[-1][0], float(high), a, b)
            continue
        rows.append((float(low), float(high), a, b))
        keys.append(tuple(key))
    return rows


def _staircase(rows: list[Opening]) -> FloatArray:
    """Outline of consecutive, overlapping leaf openings (along, across) as a polygon."""
    right = []
    for low, high, _a, b in rows:
        right += [(b, low), (b, high)]
    left = []
    for low, high, a, _b in reversed(rows):
        left += [(a, high), (a, low)]
    return np.array(right + left, dtype=np.float64)


def _group(rows: list[Opening]) -> list[list[Opening]]:
    """Split openings into runs of touching leaf pairs whose intervals overlap."""
    groups: list[list[Opening]] = []
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
    if leaf_boundaries_mm is None:
        raise ValueError("mlc_mm needs leaf_boundaries_mm")
    layer = MlcLayer(np.asarray(mlc_mm, dtype=np.float64), np.asarray(leaf_boundaries_mm,
                                                                       dtype=np.float64))
    return layered_aperture(jaw_x_mm=jaw_x_mm, jaw_y_mm=jaw_y_mm, layers=[layer],
                            mlc_axis=mlc_axis)


def layered_aperture(*, jaw_x_mm: ArrayLike | None = None, jaw_y_mm: ArrayLike | None = None,
                     layers: list[MlcLayer], mlc_axis: str = "X") -> list[FloatArray]:
    """The open field of jaws and one or more MLC layers travelling along one axis.

    A dual-layer MLC (Halcyon, Ethos: ``MLCX1`` and ``MLCX2``) lets radiation
    through only where both layers are open, and within the jaws: the result is
    the intersection of every layer's opening and the jaw rectangle.

    Parameters
    ----------
    jaw_x_mm, jaw_y_mm : array_like, (2,), optional
        Jaw positions (mm at isocentre); ``None`` = no jaw on that axis.
    layers : list of MlcLayer
        At least one; all travel along ``mlc_axis``.
    mlc_axis : {"X", "Y"}

    Returns
    -------
    list of ndarray, (M, 2)
        ``(Xb, Yb)`` vertices of each separate opening.

    Examples
    --------
    Two layers whose pairs are offset by half a leaf: only the overlap is open.

    >>> top = MlcLayer(np.array([-10., -10, 10, 10]), np.array([-10., 0, 10]))
    >>> low = MlcLayer(np.array([0., 0, 20, 20]), np.array([-5., 5, 15]))
    >>> layered_aperture(layers=[top, low])[0].tolist()
    [[10.0, -5.0], [10.0, 10.0], [0.0, 10.0], [0.0, -5.0]]
    """
    if mlc_axis not in ("X", "Y"):
        raise ValueError(f"mlc_axis must be 'X' or 'Y', got {mlc_axis!r}")
    if not layers:
        raise ValueError("layered_aperture needs at least one MLC layer")
    x_lim, y_lim = _limits(jaw_x_mm), _limits(jaw_y_mm)
    along, across = (x_lim, y_lim) if mlc_axis == "X" else (y_lim, x_lim)
    rows = strip_openings(layers, across, along)
    polygons = [_staircase(g) for g in _group(rows)]
    # staircases are built as (along, across); MLCX travels along X
    return polygons if mlc_axis == "X" else [p[:, ::-1].copy() for p in polygons]


def closed_pairs(layer: MlcLayer, across: tuple[float, float],
                 along: tuple[float, float]) -> NDArray[np.bool_]:
    """Which leaf pairs let no radiation through: gap closed, or behind the jaws.

    A pair is closed when its gap is at most :data:`CLOSED_GAP_MM` wide, when the gap
    lies outside the jaw opening ``along`` the leaves' travel, or when the pair's strip
    lies outside the jaw opening ``across`` it (the same notion of open as
    :func:`strip_openings`).

    Parameters
    ----------
    layer : MlcLayer
    across, along : (float, float)
        Jaw opening across and along the leaves' travel (mm at the isocentre plane;
        ``(-inf, inf)`` without a jaw).

    Returns
    -------
    ndarray of bool, (N,)
        One value per leaf pair, in Leaf Position Boundaries order.
    """
    pairs = layer.boundaries_mm.size - 1
    a, b = layer.positions_mm[:pairs], layer.positions_mm[pairs:]
    low, high = layer.boundaries_mm[:-1], layer.boundaries_mm[1:]
    open_along = np.minimum(b, along[1]) - np.maximum(a, along[0]) > CLOSED_GAP_MM
    open_across = np.minimum(high, across[1]) - np.maximum(low, across[0]) > CLOSED_GAP_MM
    return ~(open_along & open_across)


def pair_strips(boundaries_mm: ArrayLike, mask: ArrayLike, *, mlc_axis: str = "X",
                reach_mm: float = 200.0) -> FloatArray:
    """The strips ``(K, 4, 2)`` ``(Xb, Yb)`` mm of the leaf pairs selected by ``mask``.

    Each strip spans ``±reach_mm`` along the travel (both banks and the gap between).
    """
    bounds = np.asarray(boundaries_mm, dtype=np.float64).ravel()
    chosen = np.nonzero(np.asarray(mask, dtype=bool))[0]
    low, high = bounds[chosen], bounds[chosen + 1]
    out = np.stack([np.stack([np.full_like(low, -reach_mm), low], axis=1),
                    np.stack([np.full_like(low, reach_mm), low], axis=1),
                    np.stack([np.full_like(low, reach_mm), high], axis=1),
                    np.stack([np.full_like(low, -reach_mm), high], axis=1)], axis=1)
    return out[..., ::-1].copy() if mlc_axis == "Y" else out


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
