"""A NaN-separated outline curve that costs little when its data change at every slice step."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyqtgraph as pg

__all__ = ["OutlineCurve"]


class OutlineCurve(pg.PlotCurveItem):
    """``pg.PlotCurveItem(connect="finite")`` for structure outlines and isodose lines.

    A slice step gives each of some forty curves new data, and Qt asks each for its
    bounding rectangle. The library's bounds pass wraps ``nanmin``/``nanmax`` in a
    ``warnings.catch_warnings`` block per axis, and maps a pixel back through the
    device transform for the padding of every curve at every step. Here the bounds
    are one NaN-ignoring ``fmin``/``fmax`` reduction per axis, and the pixel size is
    kept until the view's transform changes (zoom, pan, resize), which is when the
    library itself would find another one. Anything else (fill levels, step mode,
    percentile or masked ranges, infinities) takes the library's path.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("connect", "finite")
        super().__init__(*args, **kwargs)
        self._pixel_vectors: tuple[Any, Any] | None = None
        self._points: np.ndarray | None = None  # what set_points gave last

    def set_points(self, st: np.ndarray) -> None:
        """Show the NaN-separated points ``st`` ``(N, 2)`` (view mm); hidden when empty.

        Left alone when the curve has them already: the same array (a beam's axis and
        arc on one view, kept from step to step) or the same values (an empty cut). An
        update costs the library's data checks, a bounds reset and a repaint of the
        item; a hidden item is neither asked for its bounds nor painted.
        """
        if st is not self._points:
            s, t = st[:, 0], st[:, 1]
            if not (self.xData is not None and self.xData.shape == s.shape
                    and np.array_equal(self.xData, s, equal_nan=True)
                    and np.array_equal(self.yData, t, equal_nan=True)):
                self.setData(s, t, connect="finite")
            self._points = st
        self.setVisible(len(st) > 0)

    def dataBounds(self, ax: int, frac: float = 1.0,  # noqa: N802 - pyqtgraph's name
                   orthoRange: Any = None) -> tuple[float | None, float | None]:  # noqa: N803
        """``(min, max)`` of the finite data along axis ``ax``, pen-padded as the library does."""
        cache = self._boundsCache[ax]
        if cache is not None and cache[0] == (frac, orthoRange):
            return tuple(cache[1])
        data = self.xData if ax == 0 else self.yData
        if (frac < 1.0 or orthoRange is not None or self.opts["fillLevel"] is not None
                or self.opts["stepMode"] or data is None or len(data) == 0):
            return super().dataBounds(ax, frac, orthoRange)
        low, high = float(np.fmin.reduce(data)), float(np.fmax.reduce(data))
        if not (math.isfinite(low) and math.isfinite(high)):  # all NaN, or infinities
            return super().dataBounds(ax, frac, orthoRange)
        no_pen = pg.QtCore.Qt.PenStyle.NoPen
        for pen in (self.opts["pen"], self.opts["shadowPen"]):  # non-cosmetic: in data units
            if pen is not None and not pen.isCosmetic() and pen.style() != no_pen:
                low, high = low - pen.widthF() * 0.7072, high + pen.widthF() * 0.7072
        self._boundsCache[ax] = [(frac, orthoRange), (low, high)]
        return low, high

    def pixelVectors(self, direction: Any = None) -> tuple[Any, Any]:  # noqa: N802
        """The library's pixel vectors, kept until the view transform changes."""
        if direction is not None:
            return super().pixelVectors(direction)
        if self._pixel_vectors is None or self._pixel_vectors[0] is None:
            self._pixel_vectors = super().pixelVectors()
        px, py = self._pixel_vectors
        # copies: the library's callers may change what they receive
        return (None if px is None else pg.Point(px), None if py is None else pg.Point(py))

    def viewTransformChanged(self) -> None:  # noqa: N802 - pyqtgraph's name
        """Forget the pixel size (zoom, pan or resize), then as the library does."""
        self._pixel_vectors = None
        super().viewTransformChanged()
