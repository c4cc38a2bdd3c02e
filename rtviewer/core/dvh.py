"""Dose-volume histograms of structures: computation and curves.

:func:`compute_dvh` integrates the dose over the slab-model solid with the sampling
engine of :mod:`rtviewer.core.dose_samples` and bins it finely (1 mGy, or 1/5 000 of
the maximum dose for very high doses).  Statistics are explicit functions in
:mod:`rtviewer.core.dvh_metrics`.  The histogram's total volume equals
:func:`~rtviewer.core.structure_volume.structure_volume_cc` exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rtviewer.core.dose_samples import DEFAULT_MAX_SAMPLES, DoseSamples, sample_dose
from rtviewer.core.grid import Grid
from rtviewer.core.slab_model import SlabModel
from rtviewer.core.smooth_model import SmoothModel
from rtviewer.core.structure_model import DEFAULT_MODEL, build_structure_model

__all__ = ["Dvh", "compute_dvh", "dvh_from_samples"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Dvh:
    """A structure's dose-volume histogram.

    Attributes
    ----------
    bin_gy : float
        Bin width in Gy; bin ``b`` covers ``[b·bin_gy, (b+1)·bin_gy)``.
    differential_cc : (B,) float64 ndarray
        Volume in cc per dose bin.
    volume_cc : float
        Total volume (end caps included).
    dmin_gy, dmax_gy, dmean_gy : float
        Exact extremes over the region and volume-weighted mean dose (NaN when empty).
    outside_volume_cc : float
        Part of the volume outside the dose grid (given the outside dose, usually 0).
    """

    bin_gy: float
    differential_cc: FloatArray
    volume_cc: float
    dmin_gy: float
    dmax_gy: float
    dmean_gy: float
    outside_volume_cc: float = 0.0

    @property
    def edges_gy(self) -> FloatArray:
        """Bin edges in Gy, ``(B + 1,)``, starting at 0."""
        edges: FloatArray = np.arange(len(self.differential_cc) + 1, dtype=np.float64)
        edges *= self.bin_gy
        return edges

    def edges_percent(self, reference_gy: float) -> FloatArray:
        """Bin edges as a percentage of ``reference_gy`` (e.g. the prescription)."""
        if not reference_gy > 0:
            raise ValueError(f"reference_gy must be positive, got {reference_gy}")
        edges: FloatArray = self.edges_gy * (100.0 / reference_gy)
        return edges

    @property
    def cumulative_cc(self) -> FloatArray:
        """Volume in cc receiving at least each bin edge's dose, ``(B + 1,)``."""
        cumulative = np.zeros(len(self.differential_cc) + 1)
        cumulative[:-1] = np.cumsum(self.differential_cc[::-1])[::-1]
        return np.maximum(cumulative, 0.0)  # no -1e-16 from rounding

    def cumulative_at(self, dose_gy: ArrayLike, *, relative: bool = False) -> FloatArray:
        """Volume receiving at least ``dose_gy`` (cc, or % of the volume when ``relative``).

        Linear interpolation between bin edges; 0 above the last edge.
        """
        values: FloatArray = np.interp(np.asarray(dose_gy, dtype=np.float64), self.edges_gy,
                                       self.cumulative_cc, right=0.0)
        if relative:
            values = values * (100.0 / self.volume_cc) if self.volume_cc > 0 else values * np.nan
        return values


def _bin_width(max_dose_gy: float) -> float:
    return max(1e-3, max_dose_gy / 5_000.0)


def _cumulative_at_edges(low: FloatArray, high: FloatArray, volume: FloatArray,
                         width: float, n_edges: int) -> FloatArray:
    """Exact cumulative volume at the bin edges of pieces with uniform dose in [low, high].

    A point mass (``low == high``) is counted at edges ``<= low``.  A uniform piece adds
    ``w·clip((high − e) / (high − low), 0, 1)``: a piecewise-linear function whose kinks
    (slope ``−s`` at ``low``, ``+s`` at ``high``, ``s = w / (high − low)``) are summed
    per bin and integrated twice with cumulative sums.
    """
    edges = np.arange(n_edges) * width
    point = high - low <= 1e-12 * np.maximum(1.0, high)
    bins = np.minimum(np.floor(low[point] / width).astype(np.intp), n_edges - 1)
    mass = np.bincount(bins, weights=volume[point], minlength=n_edges)
    cumulative = np.cumsum(mass[::-1])[::-1]  # mass at bins >= p: dose >= edge p
    if point.any():
        lo, hi, w = low[~point], high[~point], volume[~point]
    else:  # the usual case: no copies
        lo, hi, w = low, high, volume
    slope = w / (hi - lo)
    kinks = np.concatenate([lo, hi])
    coefficient = np.concatenate([-slope, slope])
    q = np.minimum(np.floor(kinks / width).astype(np.intp), n_edges - 1)
    s1 = np.bincount(q, weights=coefficient, minlength=n_edges)
    s0 = np.bincount(q, weights=coefficient * (edges[q] + width - kinks), minlength=n_edges)
    # value(e_p) = W + sum_{q<p} [s1_q (e_p - e_{q+1}) + s0_q]
    t1 = np.concatenate([[0.0], np.cumsum(s1)[:-1]])
    t2 = np.concatenate([[0.0], np.cumsum(s1 * (edges + width))[:-1]])
    t0 = np.concatenate([[0.0], np.cumsum(s0)[:-1]])
    result: FloatArray = cumulative + w.sum() + t1 * edges - t2 + t0
    return np.maximum(result, 0.0)


def dvh_from_samples(samples: DoseSamples, *, bin_gy: float | None = None) -> Dvh:
    """Histogram of dose pieces (see :class:`~rtviewer.core.dose_samples.DoseSamples`).

    The cumulative curve is exact at every bin edge for pieces whose dose varies
    linearly (uniform distribution between their end doses).

    Parameters
    ----------
    samples : DoseSamples
        Dose at both ends and volume of each piece, and the vertex doses for the extremes.
    bin_gy : float, optional, keyword-only
        Bin width; default 1 mGy (coarser above 5 Gy).
    """
    if len(samples.volume_mm3) == 0:
        return Dvh(bin_gy or 1e-3, np.zeros(1), 0.0, np.nan, np.nan, np.nan)
    low = np.maximum(samples.dose_low_gy, 0.0)
    high = np.maximum(samples.dose_high_gy, 0.0)
    volume_cc = samples.volume_mm3 / 1000.0
    # min and max part by part: no concatenated copy of every value (millions for a body)
    parts = (low, high, samples.extreme_dose_gy)
    lowest = np.array([p.min() for p in parts if len(p)])
    highest = np.array([p.max() for p in parts if len(p)])
    dmin = float(np.maximum(lowest, 0.0).min())
    dmax = float(np.maximum(highest, 0.0).max())
    width = bin_gy if bin_gy is not None else _bin_width(dmax)
    if width <= 0:
        raise ValueError(f"bin_gy must be positive, got {bin_gy}")
    n_edges = int(np.floor(float(high.max()) / width)) + 2
    cumulative = _cumulative_at_edges(low, high, volume_cc, width, n_edges)
    differential = cumulative[:-1] - cumulative[1:]  # the last edge lies above Dmax
    total = float(volume_cc.sum())
    mean = float(np.sum(0.5 * (low + high) * volume_cc) / total)  # no BLAS: see small_linalg
    return Dvh(bin_gy=width, differential_cc=differential, volume_cc=total, dmin_gy=dmin,
               dmax_gy=dmax, dmean_gy=mean, outside_volume_cc=samples.outside_volume_mm3 / 1000)


def compute_dvh(
    structure: SlabModel | SmoothModel | Sequence[NDArray[np.floating]],
    dose_gy: NDArray[np.floating],
    grid: Grid,
    *,
    bin_gy: float | None = None,
    outside_gy: float = 0.0,
    max_samples: int = DEFAULT_MAX_SAMPLES,
    plane_spacing_mm: float | None = None,
    model: str = DEFAULT_MODEL,
) -> Dvh:
    """Dose-volume histogram of one structure.

    Parameters
    ----------
    structure : SlabModel or sequence of (N, 3) arrays
        The structure's solid (:func:`~rtviewer.core.structure_model.build_structure_model`),
        or its CLOSED_PLANAR contours in patient mm.
    dose_gy : (nk, nj, ni) array
        Dose in Gy on ``grid``, indexed ``[k, j, i]``.
    grid : Grid
        The dose grid (any orientation).
    bin_gy : float, optional, keyword-only
        Histogram bin width (default 1 mGy).
    outside_gy : float, keyword-only
        Dose assumed where the structure leaves the dose grid.
    max_samples : int, keyword-only
        Cap on dose samples for this structure.
    plane_spacing_mm : float, optional, keyword-only
        Nominal contour spacing for the caps (see ``structure_volume_cc``).
    model : {"slab", "none", "smooth"}, keyword-only
        Structure model for contours (:mod:`rtviewer.core.structure_model`); ignored
        when ``structure`` is already a solid.

    Returns
    -------
    Dvh
    """
    if isinstance(structure, SlabModel | SmoothModel):
        solid: SlabModel | SmoothModel | None = structure
    else:
        solid = build_structure_model(structure, model, plane_spacing_mm=plane_spacing_mm)
    if solid is None:
        return Dvh(bin_gy or 1e-3, np.zeros(1), 0.0, np.nan, np.nan, np.nan)
    samples = sample_dose(solid, dose_gy, grid, outside_gy=outside_gy, max_samples=max_samples)
    return dvh_from_samples(samples, bin_gy=bin_gy)
