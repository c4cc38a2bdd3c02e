"""The beam's-eye view's fluence heat map and union-of-apertures outline.

The fluence takes about half a second for a 100-control-point beam, so the window
computes it in a worker thread (``rtviewer render`` in place) and caches it per beam.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui
from skimage.measure import find_contours

from rtviewer.core.iec61217 import rotation_z
from rtviewer.ui.workers.background_results import BackgroundResults
from rtviewer.view.beam_fluence import BeamFluence, beam_fluence

__all__ = ["FluenceLayer", "union_outlines"]


def union_outlines(result: BeamFluence) -> list[np.ndarray]:
    """Outlines of every area ever open, ``(Xb, Yb)`` mm (half-open pixel edges)."""
    f = result.fluence
    padded = np.pad(f.open_fraction, 1)
    out = []
    for contour in find_contours(padded, 0.5):
        rows, cols = contour[:, 0] - 1.0, contour[:, 1] - 1.0
        out.append(np.column_stack([f.x_mm[0] + cols * f.pixel_mm,
                                    f.y_mm[0] + rows * f.pixel_mm]))
    return out


def _image_transform(result: BeamFluence) -> QtGui.QTransform:
    """Pixel (column, row) → gantry ``(Xg, Yg)`` mm: BLD grid turned by the collimator."""
    f = result.fluence
    m = rotation_z(result.collimator_deg)[:2, :2]
    p = f.pixel_mm
    t = m @ np.array([f.x_mm[0] - p / 2.0, f.y_mm[0] - p / 2.0])
    return QtGui.QTransform(m[0, 0] * p, m[1, 0] * p, m[0, 1] * p, m[1, 1] * p, t[0], t[1])


class FluenceLayer(BackgroundResults):
    """Heat map and union outline of one beam, drawn on a ViewBox when asked for.

    ``updated(str)`` carries the sentence describing what is drawn once a
    background computation arrives.
    """

    def __init__(self, vb: pg.ViewBox, *, asynchronous: bool = True) -> None:
        super().__init__(vb, asynchronous=asynchronous)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(pg.colormap.get("inferno").getLookupTable(nPts=256))
        self.image.setOpacity(0.8)
        self.image.setZValue(2)
        vb.addItem(self.image)
        self.outline = pg.PlotCurveItem(pen=pg.mkPen((255, 255, 255), width=2,
                                                     style=QtCore.Qt.PenStyle.DashLine),
                                        connect="finite")
        self.outline.setZValue(7)
        vb.addItem(self.outline)
        self.show_fluence = False
        self.show_union = False

    def result(self, beam: Any) -> BeamFluence | str | None:
        """The computed fluence of ``beam`` (or why there is none), if available."""
        return self._cache.get(self._key(beam))

    @staticmethod
    def _key(beam: Any) -> tuple:
        return (id(beam), beam.number)

    def show(self, beam: Any) -> str:
        """Draw what is switched on for ``beam``; returns a sentence (empty: nothing on)."""
        if beam is None or not (self.show_fluence or self.show_union):
            self._wanted = None
            self._clear()
            return ""
        key = self._key(beam)
        self._wanted = key
        if key not in self._cache:
            if not self.asynchronous:
                self._cache[key] = _compute(beam)
            else:
                self._start(key, _compute, beam)
                self._clear()
                return "Computing the fluence…"
        return self._draw(self._cache[key])

    def _present(self, key: tuple) -> str:
        return self._draw(self._cache[key])

    def _clear(self) -> None:
        self.image.clear()
        self.outline.setData([], [])

    def _draw(self, result: BeamFluence | str) -> str:
        self._clear()
        if isinstance(result, str):
            return result
        f = result.fluence
        top = float(f.values.max())
        lines = []
        if self.show_fluence:
            self.image.setImage(f.values, autoLevels=False, levels=(0.0, max(top, 1e-9)))
            self.image.setTransform(_image_transform(result))
            lines.append(f"Fluence (heat map, black 0 – yellow {top:.4g} {result.unit}): "
                         "open aperture × meterset weight increment, summed over the control "
                         f"points ({f.pixel_mm:g} mm pixels, leaves moving linearly between "
                         "control points).")
        if self.show_union:
            m = rotation_z(result.collimator_deg)[:2, :2]
            pieces = []
            for outline in union_outlines(result):
                pieces += [outline @ m.T, np.full((1, 2), np.nan)]
            if pieces:
                xy = np.concatenate(pieces)
                self.outline.setData(xy[:, 0], xy[:, 1], connect="finite")
            lines.append("Dashed white: the union of all control points' apertures.")
        return " ".join(lines + list(result.notes))


def _compute(beam: Any) -> BeamFluence | str:
    try:
        return beam_fluence(beam)
    except ValueError as exc:
        return f"No fluence: {exc}."
