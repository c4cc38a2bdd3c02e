"""MU-weighted fluence of a beam: open aperture × meterset weight, summed over its delivery.

Coordinates are IEC 61217 beam limiting device ``(Xb, Yb)`` mm at the isocentre
plane. Between two control points the leaves and jaws move linearly with the
meterset (DICOM's model of dynamic delivery, PS3.3 C.8.8.14.5), so each segment is
split into sub-steps short enough that no leaf moves more than a pixel, each
weighted by its share of the segment's meterset weight increment. Step-and-shoot
segments (no motion) take one sub-step. This is the primary fluence a plan
review shows (no transmission, tongue-and-groove or penumbra): what the leaves
let through, not a dose.

Each pixel row is sampled at its centre across the leaves (leaf boundaries fall
on pixel edges when they are multiples of the pixel size) and integrated exactly
along the direction of travel and across the jaws.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rtviewer.core.beam_aperture import MlcLayer

__all__ = ["ApertureState", "FluenceMap", "fluence_map"]

FloatArray = NDArray[np.float64]

#: At most this many sub-steps per control point segment (a leaf crossing the whole
#: field between two control points still moves at most a pixel per sub-step).
MAX_SUBSTEPS = 256


@dataclass(frozen=True, eq=False)
class ApertureState:
    """The collimation at one control point (mm at the isocentre plane).

    ``jaw_x_mm`` / ``jaw_y_mm`` are ``(low, high)`` or ``None`` (no jaw on that
    axis); ``layers`` the MLC layers (all travelling along ``mlc_axis``).
    """

    jaw_x_mm: tuple[float, float] | None
    jaw_y_mm: tuple[float, float] | None
    layers: tuple[MlcLayer, ...] = ()
    mlc_axis: str = "X"


@dataclass(frozen=True, eq=False)
class FluenceMap:
    """A fluence on a regular grid in the beam limiting device plane.

    ``values[r, c]`` is the meterset weight (or MU, as the caller scaled) that
    passed through the pixel centred at ``(x_mm[c], y_mm[r])``; ``open_fraction``
    the largest fraction of each pixel ever open (the union of all apertures).
    """

    values: FloatArray
    open_fraction: FloatArray
    x_mm: FloatArray
    y_mm: FloatArray
    pixel_mm: float
    substeps: int


def _along_across(state: ApertureState) -> tuple[tuple[float, float], tuple[float, float]]:
    x = state.jaw_x_mm if state.jaw_x_mm is not None else (-np.inf, np.inf)
    y = state.jaw_y_mm if state.jaw_y_mm is not None else (-np.inf, np.inf)
    return (x, y) if state.mlc_axis == "X" else (y, x)


def _row_openings(state: ApertureState, rows_mm: FloatArray, pairs: list[np.ndarray]
                  ) -> tuple[FloatArray, FloatArray]:
    """Open interval ``[a, b]`` along the travel direction for each pixel row."""
    along, _across = _along_across(state)
    a = np.full(rows_mm.size, along[0], dtype=np.float64)
    b = np.full(rows_mm.size, along[1], dtype=np.float64)
    for layer, index in zip(state.layers, pairs, strict=True):
        n = layer.boundaries_mm.size - 1
        inside = (index >= 0) & (index < n)
        k = np.clip(index, 0, n - 1)
        a = np.where(inside, np.maximum(a, layer.positions_mm[k]), np.inf)
        b = np.where(inside, np.minimum(b, layer.positions_mm[n + k]), -np.inf)
    return a, b


def _accumulate(out: FloatArray, union: FloatArray, state: ApertureState, centres: FloatArray,
                pixel: float, pairs: list[np.ndarray], weight: float) -> None:
    """Add ``weight`` × the open fraction of each pixel to ``out`` (across, along order).

    Only the rows and columns the opening touches are computed: a small SRS field on
    a grid sized for the whole bank costs what its own size costs.
    """
    a, b = _row_openings(state, centres, pairs)
    _along, across = _along_across(state)
    height = np.clip(np.minimum(across[1], centres + pixel / 2.0)
                     - np.maximum(across[0], centres - pixel / 2.0), 0.0, pixel) / pixel
    rows = np.flatnonzero((height > 0) & (b > a))
    if rows.size == 0:
        return
    r0, r1 = rows[0], rows[-1] + 1
    lo, hi = float(np.min(a[rows])), float(np.max(b[rows]))
    c0 = int(np.clip(np.searchsorted(centres + pixel / 2.0, lo), 0, centres.size))
    c1 = int(np.clip(np.searchsorted(centres - pixel / 2.0, hi), 0, centres.size))
    if c1 <= c0:
        return
    cols = centres[c0:c1]
    width = np.clip(np.minimum(b[r0:r1, None], cols[None, :] + pixel / 2.0)
                    - np.maximum(a[r0:r1, None], cols[None, :] - pixel / 2.0), 0.0,
                    pixel) / pixel
    cover = width * height[r0:r1, None]
    out[r0:r1, c0:c1] += weight * cover
    np.maximum(union[r0:r1, c0:c1], cover, out=union[r0:r1, c0:c1])


def _blend(s0: ApertureState, s1: ApertureState, t: float) -> ApertureState:
    """The collimation a fraction ``t`` of the way from ``s0`` to ``s1``."""
    def mix(p: tuple[float, float] | None,
            q: tuple[float, float] | None) -> tuple[float, float] | None:
        if p is None or q is None:
            return p if q is None else q
        return (p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]))

    layers = tuple(MlcLayer(la.positions_mm + t * (lb.positions_mm - la.positions_mm),
                            la.boundaries_mm)
                   for la, lb in zip(s0.layers, s1.layers, strict=True))
    return ApertureState(mix(s0.jaw_x_mm, s1.jaw_x_mm), mix(s0.jaw_y_mm, s1.jaw_y_mm), layers,
                         s0.mlc_axis)


def _travel(s0: ApertureState, s1: ApertureState) -> float:
    moves = [0.0]
    for p, q in ((s0.jaw_x_mm, s1.jaw_x_mm), (s0.jaw_y_mm, s1.jaw_y_mm)):
        if p is not None and q is not None:
            moves.append(float(np.max(np.abs(np.subtract(q, p)))))
    moves += [float(np.max(np.abs(lb.positions_mm - la.positions_mm)))
              for la, lb in zip(s0.layers, s1.layers, strict=True)]
    return max(moves)


def _compatible(s0: ApertureState, s1: ApertureState) -> bool:
    return (s0.mlc_axis == s1.mlc_axis and len(s0.layers) == len(s1.layers)
            and all(la.positions_mm.size == lb.positions_mm.size
                    for la, lb in zip(s0.layers, s1.layers, strict=True)))


def fluence_map(states: list[ApertureState], cumulative_weights: ArrayLike, *,
                half_width_mm: float, pixel_mm: float = 1.0) -> FluenceMap:
    """Sum each segment's open aperture × its meterset weight increment.

    Parameters
    ----------
    states : list of ApertureState
        One per control point, in delivery order.
    cumulative_weights : array_like, (N,)
        Cumulative Meterset Weight per control point (any scale: the result is
        in the same units; multiply by MU / final weight for MU).
    half_width_mm : float
        The grid covers ``[-h, h]`` on both axes.
    pixel_mm : float

    Returns
    -------
    FluenceMap

    Examples
    --------
    A 20 × 10 mm jaw field held for a weight of 2 gives 2 inside, 0 outside:

    >>> s = ApertureState((-10.0, 10.0), (-5.0, 5.0))
    >>> f = fluence_map([s, s], [0.0, 2.0], half_width_mm=20.0, pixel_mm=1.0)
    >>> float(f.values.max()), float(f.values.sum())
    (2.0, 400.0)
    """
    weights = np.asarray(cumulative_weights, dtype=np.float64)
    if len(states) != weights.size:
        raise ValueError(f"{len(states)} control points but {weights.size} weights")
    count = int(np.ceil(2.0 * half_width_mm / pixel_mm))
    centres: FloatArray = (-0.5 * count * pixel_mm
                           + (np.arange(count, dtype=np.float64) + 0.5) * pixel_mm)
    values = np.zeros((count, count))  # (across, along) until the end
    union = np.zeros((count, count))
    most = 1
    axis = states[0].mlc_axis if states else "X"
    for s0, s1, w0, w1 in zip(states[:-1], states[1:], weights[:-1], weights[1:], strict=True):
        step = w1 - w0
        if not np.isfinite(step) or step <= 0:
            continue
        if not _compatible(s0, s1):
            s1 = s0  # a layout change between control points: hold the first
        n = int(np.clip(np.ceil(_travel(s0, s1) / pixel_mm), 1, MAX_SUBSTEPS))
        most = max(most, n)
        pairs = [np.searchsorted(layer.boundaries_mm, centres) - 1 for layer in s0.layers]
        for k in range(n):
            state = _blend(s0, s1, (k + 0.5) / n) if n > 1 else s0
            _accumulate(values, union, state, centres, pixel_mm, pairs, step / n)
    if axis == "Y":  # rows were along X: turn back to (Yb rows, Xb columns)
        values, union = values.T, union.T
    return FluenceMap(values, union, centres, centres, pixel_mm, most)
