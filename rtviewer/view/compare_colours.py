"""Colours of the comparison maps: B − A on a diverging scale, gamma pass / fail (no Qt).

The difference scale is ColorBrewer's RdBu (reversed: blue where B is below A, red where
B is above), the diverging scale physicists read in planning systems; zero is its
neutral middle and is drawn transparent, so the CT shows where the doses agree.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["DIFFERENCE_ALPHA", "DIFFERENCE_MIN_ALPHA", "FAIL_RGB", "PASS_RGB", "difference_lut",
           "difference_rgba", "gamma_lut", "gamma_rgba", "pass_fail_lut"]

#: ColorBrewer RdBu (11 classes) from -1 (B < A, dark blue) to +1 (B > A, dark red),
#: its two palest classes either side of zero left out: over a grey CT a near-white
#: tint does not read, so the smallest shown difference is already clearly blue or red
#: (its size is also told by the opacity).
_RDBU = np.array([
    (5, 48, 97), (33, 102, 172), (67, 147, 195), (146, 197, 222),
    (247, 247, 247),
    (244, 165, 130), (214, 96, 77), (178, 24, 43), (103, 0, 31),
], dtype=np.float64)
_RDBU_AT = np.array([-1.0, -0.6, -0.3, -1e-9, 0.0, 1e-9, 0.3, 0.6, 1.0])

#: Opacity of the strongest difference; smaller differences fade towards
#: :data:`DIFFERENCE_MIN_ALPHA`, and those below the floor are transparent.
DIFFERENCE_ALPHA = 220
DIFFERENCE_MIN_ALPHA = 90


def _interp_rgb(at: NDArray[np.float64], anchors_at: NDArray[np.float64],
                anchors: NDArray[np.float64]) -> NDArray[np.uint8]:
    rgb = np.stack([np.interp(at, anchors_at, anchors[:, c]) for c in range(3)], axis=-1)
    return np.round(rgb).astype(np.uint8)


def difference_lut(size: int = 64) -> NDArray[np.uint8]:
    """``(size, 3)`` RGB from −limit (index 0) through 0 to +limit (last index)."""
    return _interp_rgb(np.linspace(-1.0, 1.0, size), _RDBU_AT, _RDBU)


def difference_rgba(difference: NDArray[np.floating], *, limit: float,
                    floor: float = 0.0) -> NDArray[np.uint8]:
    """RGBA image of a difference plane (B − A), centred on zero.

    Parameters
    ----------
    difference : ndarray, (rows, columns)
        B − A in the unit of ``limit`` (Gy or %); NaN where not defined.
    limit : float, keyword-only
        The value drawn in the darkest red (−limit: darkest blue); larger values saturate.
    floor : float, keyword-only
        |B − A| below this is transparent (agreement shows the CT).

    Returns
    -------
    ndarray, (rows, columns, 4) uint8
        Opacity grows with sqrt(|B − A| / limit) from :data:`DIFFERENCE_MIN_ALPHA` to
        :data:`DIFFERENCE_ALPHA`.
    """
    if not limit > 0:
        raise ValueError(f"limit must be positive, got {limit}")
    values = np.asarray(difference, dtype=np.float64)
    finite = np.isfinite(values)
    t = np.clip(np.where(finite, values, 0.0) / limit, -1.0, 1.0)
    rgba = np.empty(values.shape + (4,), dtype=np.uint8)
    rgba[..., :3] = _interp_rgb(t, _RDBU_AT, _RDBU)
    # a square-root ramp: a tenth of the scale is already a third of the way up
    alpha = np.round(DIFFERENCE_MIN_ALPHA
                     + (DIFFERENCE_ALPHA - DIFFERENCE_MIN_ALPHA) * np.sqrt(np.abs(t)))
    shown = finite & (np.abs(np.where(finite, values, 0.0)) >= floor) & (t != 0)
    rgba[..., 3] = np.where(shown, alpha, 0).astype(np.uint8)
    return rgba


#: Gamma colours: passing from green (0) to pale yellow (1), failing orange (just above 1)
#: to dark red (the search limit).
_GAMMA_RGB = np.array([(0, 150, 60), (200, 230, 120), (255, 160, 0), (200, 0, 0)],
                      dtype=np.float64)
#: Colours of a passing and a failing voxel when only pass / fail is known (``exact=False``).
PASS_RGB = (60, 180, 90)
FAIL_RGB = (215, 40, 30)


def _gamma_anchors(max_gamma: float) -> NDArray[np.float64]:
    """Where the four gamma colours sit: 0, 1 (the pass edge), just above 1, the limit."""
    return np.array([0.0, 1.0, 1.0 + 1e-9, max(float(max_gamma), 1.0 + 2e-9)])


def gamma_lut(size: int = 64, max_gamma: float = 2.0) -> NDArray[np.uint8]:
    """``(size, 3)`` RGB from gamma 0 (index 0) to ``max_gamma`` (last index)."""
    return _interp_rgb(np.linspace(0.0, max_gamma, size), _gamma_anchors(max_gamma), _GAMMA_RGB)


def pass_fail_lut(size: int = 64) -> NDArray[np.uint8]:
    """``(size, 3)`` RGB: the lower half :data:`PASS_RGB`, the upper :data:`FAIL_RGB`."""
    lut = np.empty((size, 3), dtype=np.uint8)
    lut[: size // 2] = PASS_RGB
    lut[size // 2:] = FAIL_RGB
    return lut


def gamma_rgba(gamma: NDArray[np.floating], *, max_gamma: float = 2.0, exact: bool = True,
               alpha: int = 170) -> NDArray[np.uint8]:
    """RGBA image of a gamma plane.

    Parameters
    ----------
    gamma : ndarray, (rows, columns)
        Gamma index; NaN where not evaluated (below the low-dose cut-off): transparent.
    max_gamma : float, keyword-only
        The search limit (gammas are capped at it): darkest red.
    exact : bool, keyword-only
        False for a pass / fail gamma (``GammaCriteria.pass_rate_only``): a passing
        voxel's value is only a bound and a failing one's only says "above 1", so
        passing voxels get :data:`PASS_RGB` and failing ones :data:`FAIL_RGB`.
    alpha : int, keyword-only
        Opacity of evaluated voxels.

    Returns
    -------
    ndarray, (rows, columns, 4) uint8
    """
    values = np.asarray(gamma, dtype=np.float64)
    finite = np.isfinite(values)
    g = np.clip(np.where(finite, values, 0.0), 0.0, max_gamma)
    rgba = np.empty(values.shape + (4,), dtype=np.uint8)
    rgba[..., :3] = _interp_rgb(g, _gamma_anchors(max_gamma), _GAMMA_RGB)
    if not exact:
        rgba[(g <= 1.0) & finite, :3] = PASS_RGB
        rgba[(g > 1.0) & finite, :3] = FAIL_RGB
    rgba[..., 3] = np.where(finite, alpha, 0).astype(np.uint8)
    return rgba
