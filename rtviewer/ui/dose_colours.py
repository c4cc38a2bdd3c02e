"""Colours for isodose levels and the dose colourwash (no Qt: plain RGB tuples)."""

from __future__ import annotations

import numpy as np

__all__ = ["colourwash_rgba", "isodose_colour", "wash_lut"]

# Anchor colours of a cold-to-hot scale by fraction of the reference dose: the
# usual planning-system look (blue low, green mid, yellow 95 %, red 100 %+).
_ANCHORS = np.array([
    [0.00, 0, 0, 160],
    [0.30, 0, 80, 255],
    [0.50, 0, 200, 255],
    [0.70, 0, 200, 80],
    [0.80, 130, 230, 0],
    [0.90, 230, 230, 0],
    [0.95, 255, 190, 0],
    [1.00, 255, 100, 0],
    [1.05, 255, 0, 0],
    [1.07, 255, 0, 170],
    [1.20, 255, 120, 255],
])


def isodose_colour(fraction: float) -> tuple[int, int, int]:
    """RGB of an isodose line at ``fraction`` of the reference dose (1.0 = 100 %).

    Examples
    --------
    >>> isodose_colour(1.0)
    (255, 100, 0)
    """
    f = float(np.clip(fraction, _ANCHORS[0, 0], _ANCHORS[-1, 0]))
    rgb = [np.interp(f, _ANCHORS[:, 0], _ANCHORS[:, c]) for c in (1, 2, 3)]
    return (int(round(rgb[0])), int(round(rgb[1])), int(round(rgb[2])))


def wash_lut(size: int = 256) -> np.ndarray:
    """``(size, 3)`` uint8 colour table from 0 to 110 % of the reference."""
    fractions = np.linspace(0.0, 1.1, size)
    return np.array([isodose_colour(f) for f in fractions], dtype=np.uint8)


_LUT = wash_lut()


def colourwash_rgba(dose_gy: np.ndarray, *, reference_gy: float, threshold_gy: float,
                    alpha: int = 110) -> np.ndarray:
    """Translucent RGBA image of a dose plane.

    Parameters
    ----------
    dose_gy : ndarray, (rows, columns)
        Dose in Gy (NaN outside the grid).
    reference_gy : float, keyword-only
        100 % dose; the scale runs from 0 to 110 % of it.
    threshold_gy : float, keyword-only
        Doses below this are fully transparent.
    alpha : int, keyword-only
        Opacity (0-255) of washed pixels.

    Returns
    -------
    ndarray, (rows, columns, 4) uint8
    """
    if reference_gy <= 0:
        raise ValueError(f"reference_gy must be positive, got {reference_gy}")
    values = np.nan_to_num(np.asarray(dose_gy, dtype=np.float32), nan=-1.0)
    index = np.clip(values / (1.1 * reference_gy) * (len(_LUT) - 1), 0, len(_LUT) - 1)
    rgba = np.empty(values.shape + (4,), dtype=np.uint8)
    rgba[..., :3] = _LUT[index.astype(np.intp)]
    rgba[..., 3] = np.where(values >= max(threshold_gy, 1e-12), alpha, 0)
    return rgba
