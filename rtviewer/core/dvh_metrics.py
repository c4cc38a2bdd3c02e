"""DVH statistics as explicit functions (no attribute magic).

Dose and volume values interpolate linearly on the cumulative curve between bin
edges, never the nearest bin.  Dmin and Dmax are the exact extremes kept by the
:class:`~rtviewer.core.dvh.Dvh`, and D-values are clamped into ``[Dmin, Dmax]``.
An undefined value (D0.03cc of a structure smaller than 0.03 cc, anything of an empty
structure) is NaN.
"""

from __future__ import annotations

from weakref import WeakKeyDictionary

import numpy as np
from numpy.typing import NDArray

from rtviewer.core.dvh import Dvh
from rtviewer.core.grid import Grid

__all__ = [
    "dmax",
    "dmean",
    "dmin",
    "dose_at_volume_cc",
    "dose_at_volume_percent",
    "homogeneity_index",
    "isodose_volume_cc",
    "paddick_conformity_index",
    "volume_at_dose_gy",
    "volume_at_dose_percent",
]


#: Each histogram's cumulative curve, computed once: a statistics row asks for it a dozen
#: times (tens of thousands of 1 mGy bins each time).
_CUMULATIVE: WeakKeyDictionary[Dvh, NDArray[np.float64]] = WeakKeyDictionary()


def _cumulative_cc(dvh: Dvh) -> NDArray[np.float64]:
    cumulative = _CUMULATIVE.get(dvh)
    if cumulative is None:
        cumulative = _CUMULATIVE[dvh] = dvh.cumulative_cc
    return cumulative


def dmin(dvh: Dvh) -> float:
    """Minimum dose over the structure in Gy."""
    return dvh.dmin_gy


def dmax(dvh: Dvh) -> float:
    """Maximum dose over the structure in Gy."""
    return dvh.dmax_gy


def dmean(dvh: Dvh) -> float:
    """Volume-weighted mean dose in Gy (from the samples, not the bins)."""
    return dvh.dmean_gy


def dose_at_volume_cc(dvh: Dvh, volume_cc: float) -> float:
    """Minimum dose to the hottest ``volume_cc`` (e.g. D0.03cc, D2cc), in Gy.

    Parameters
    ----------
    dvh : Dvh
        The histogram.
    volume_cc : float
        Volume in cc; NaN when it exceeds the structure's volume or is not positive.

    Examples
    --------
    >>> d = Dvh(1.0, np.array([0.0, 2.0, 2.0]), 4.0, 1.0, 3.0, 2.0)
    >>> dose_at_volume_cc(d, 3.0)  # half-way through the bin [1, 2)
    1.5
    """
    total = dvh.volume_cc
    if not (0.0 < volume_cc <= total * (1 + 1e-12)):
        return float("nan")
    cumulative = _cumulative_cc(dvh)
    below = cumulative < volume_cc
    b = int(np.argmax(below))  # the first edge below: argmax stops at the first True
    if not below[b]:
        return dvh.dmax_gy
    if b == 0:
        return dvh.dmin_gy
    upper, lower = cumulative[b - 1], cumulative[b]
    dose = (b - 1 + (upper - volume_cc) / (upper - lower)) * dvh.bin_gy
    return float(min(max(dose, dvh.dmin_gy), dvh.dmax_gy))


def dose_at_volume_percent(dvh: Dvh, percent: float) -> float:
    """Minimum dose to the hottest ``percent`` of the volume (D95, D98, D2 …), in Gy."""
    if not 0.0 <= percent <= 100.0:
        raise ValueError(f"percent must be within [0, 100], got {percent}")
    if percent == 0.0:
        return dvh.dmax_gy
    return dose_at_volume_cc(dvh, dvh.volume_cc * percent / 100.0)


def volume_at_dose_gy(dvh: Dvh, dose_gy: float, *, relative: bool = False) -> float:
    """Volume receiving at least ``dose_gy`` (V20Gy …), in cc or % when ``relative``."""
    if dvh.volume_cc <= 0:
        return float("nan")
    if dose_gy <= dvh.dmin_gy:
        value = dvh.volume_cc
    elif dose_gy > dvh.dmax_gy:
        value = 0.0
    else:
        value = float(dvh.cumulative_at(dose_gy))
    return value * 100.0 / dvh.volume_cc if relative else value


def volume_at_dose_percent(dvh: Dvh, percent: float, *, reference_gy: float,
                           relative: bool = False) -> float:
    """Volume receiving at least ``percent`` % of ``reference_gy`` (V95% …), cc or %."""
    if not reference_gy > 0:
        raise ValueError(f"reference_gy must be positive, got {reference_gy}")
    return volume_at_dose_gy(dvh, reference_gy * percent / 100.0, relative=relative)


def homogeneity_index(dvh: Dvh) -> float:
    """ICRU 83 homogeneity index ``(D2 − D98) / D50`` (0 = perfectly homogeneous)."""
    d50 = dose_at_volume_percent(dvh, 50.0)
    return (dose_at_volume_percent(dvh, 2.0) - dose_at_volume_percent(dvh, 98.0)) / d50


def paddick_conformity_index(target: Dvh, reference_gy: float, *,
                             prescription_isodose_volume_cc: float) -> float:
    """Paddick conformity index ``TV_PIV² / (TV · PIV)`` for one isodose.

    Parameters
    ----------
    target : Dvh
        DVH of the target (TV = its volume).
    reference_gy : float
        The isodose level (e.g. the prescription dose).
    prescription_isodose_volume_cc : float, keyword-only
        PIV: the total volume receiving at least ``reference_gy`` (e.g. from the body's
        DVH, or :func:`isodose_volume_cc`).
    """
    tv_piv = volume_at_dose_gy(target, reference_gy)
    if target.volume_cc <= 0 or prescription_isodose_volume_cc <= 0:
        return float("nan")
    return tv_piv * tv_piv / (target.volume_cc * prescription_isodose_volume_cc)


def isodose_volume_cc(dose_gy: NDArray[np.floating], grid: Grid, level_gy: float) -> float:
    """Volume of dose-grid voxels at or above ``level_gy``, in cc (voxel counting)."""
    count = int(np.count_nonzero(dose_gy >= level_gy))
    return count * grid.voxel_volume_mm3 / 1000.0
