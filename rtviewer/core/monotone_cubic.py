"""The monotone piecewise cubic (PCHIP, Fritsch & Carlson 1980) through points.

The same interpolant as :class:`scipy.interpolate.PchipInterpolator` -- the
derivatives by Fritsch–Butland's weighted harmonic mean, the end derivatives by
Moler's one-sided three-point rule (``pchiptx.m``), the cubics in the power basis
of each interval, evaluated as scipy evaluates them -- so that the smooth structure
model's numbers do not change with it.

Written here because importing :mod:`scipy.interpolate` for these few lines costs
0.2–0.8 s of CPU time (scipy 1.17 builds its array-API wrappers and parses
docstrings at import), more than ``rtviewer dvh``'s whole DVH computation on the
30-ROI benchmark; the smooth model is built for every small structure's
model-dependence note.  ``tests/core/test_monotone_cubic.py`` checks it against
scipy on random data.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = ["MonotoneCubic"]

FloatArray = NDArray[np.float64]


def _end_derivative(h0: float, h1: float, m0: float, m1: float) -> float:
    """One-sided three-point derivative at an end, kept monotone (Moler, ``pchiptx.m``)."""
    d = ((2 * h0 + h1) * m0 - h0 * m1) / (h0 + h1)
    if np.sign(d) != np.sign(m0):
        return 0.0
    if np.sign(m0) != np.sign(m1) and abs(d) > 3.0 * abs(m0):
        return 3.0 * m0
    return float(d)


class MonotoneCubic:
    """``f(x)`` through ``(x_k, y_k)``: piecewise cubic, C¹, monotone where the data are.

    Parameters
    ----------
    x : (n,) array
        Strictly increasing abscissae, ``n >= 2`` (two points: the straight line).
    y : (n,) array
        Values at ``x``.

    Beyond ``x[0]`` and ``x[-1]`` the end cubics are extrapolated, as scipy does.
    """

    def __init__(self, x: ArrayLike, y: ArrayLike) -> None:
        self.x = np.asarray(x, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        if self.x.ndim != 1 or self.x.shape != y.shape or len(self.x) < 2:
            raise ValueError("x and y must be 1-D, of the same length, at least 2 points")
        if not np.all(np.diff(self.x) > 0):
            raise ValueError("x must be strictly increasing")
        h = self.x[1:] - self.x[:-1]
        m = (y[1:] - y[:-1]) / h
        d = self._derivatives(h, m)
        # Hermite data to power-basis coefficients, as scipy's CubicHermiteSpline
        slope = np.diff(y) / h
        t = (d[:-1] + d[1:] - 2 * slope) / h
        self._c = (t / h, (slope - d[:-1]) / h - t, d[:-1], y[:-1])

    @staticmethod
    def _derivatives(h: FloatArray, m: FloatArray) -> FloatArray:
        d = np.zeros(len(h) + 1)
        if len(h) == 1:  # two points: the line
            d[:] = m[0]
            return d
        sign = np.sign(m)
        flat = (sign[1:] != sign[:-1]) | (m[1:] == 0) | (m[:-1] == 0)
        w1 = 2 * h[1:] + h[:-1]
        w2 = h[1:] + 2 * h[:-1]
        with np.errstate(divide="ignore", invalid="ignore"):  # only where ``flat``
            harmonic = (w1 / m[:-1] + w2 / m[1:]) / (w1 + w2)
        d[1:-1][~flat] = 1.0 / harmonic[~flat]
        d[0] = _end_derivative(h[0], h[1], m[0], m[1])
        d[-1] = _end_derivative(h[-1], h[-2], m[-1], m[-2])
        return d

    def __call__(self, x: ArrayLike) -> FloatArray:
        """The interpolant at ``x`` (any shape)."""
        x = np.asarray(x, dtype=np.float64)
        # the interval with x[i] <= x < x[i+1]; the end intervals beyond the ends
        i = np.clip(np.searchsorted(self.x, x, side="right") - 1, 0, len(self.x) - 2)
        s = x - self.x[i]
        c3, c2, c1, c0 = self._c
        # the order of scipy's evaluation: a sum of powers of s, lowest first
        result: FloatArray = c0[i] + c1[i] * s + c2[i] * (s * s) + c3[i] * (s * s * s)
        return result
