"""Graphics items drawing beam accessories on the beam's-eye view."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from rtviewer.ui.views.bev_items import polygons_path
from rtviewer.view.beam_accessories import AccessoryShape

__all__ = ["AccessoryItems", "ACCESSORY_PENS"]

_DASH, _DOT = QtCore.Qt.PenStyle.DashLine, QtCore.Qt.PenStyle.DotLine
#: Pen (colour, style) per accessory kind; wedge arrows and labels share one colour.
ACCESSORY_PENS = {"block": ((255, 150, 0), None), "block_face": ((255, 150, 0), _DASH),
                  "applicator": ((0, 220, 120), None), "compensator": ((200, 120, 255), _DOT),
                  "wedge": ((0, 230, 255), None)}


class AccessoryItems:
    """Block, applicator and compensator outlines, wedge arrows with their labels."""

    def __init__(self, vb: pg.ViewBox) -> None:
        self.vb = vb
        self.paths: dict[str, QtWidgets.QGraphicsPathItem] = {}
        for kind, (rgb, style) in ACCESSORY_PENS.items():
            if kind == "wedge":
                continue
            item = QtWidgets.QGraphicsPathItem()
            pen = pg.mkPen(rgb, width=2)
            if style is not None:
                pen.setStyle(style)
            item.setPen(pen)
            item.setZValue(8)
            vb.addItem(item)
            self.paths[kind] = item
        self.arrows = pg.PlotCurveItem(pen=pg.mkPen(ACCESSORY_PENS["wedge"][0], width=3),
                                       connect="finite")
        self.arrows.setZValue(8)
        vb.addItem(self.arrows, ignoreBounds=True)
        self.labels: list[pg.TextItem] = []

    def show(self, shapes: list[AccessoryShape]) -> None:
        """Draw ``shapes`` (``(Xg, Yg)`` mm), replacing what was drawn."""
        for kind, item in self.paths.items():
            item.setPath(polygons_path([s.points_mm for s in shapes if s.kind == kind]))
        for label in self.labels:
            self.vb.removeItem(label)
        self.labels = []
        xs: list[float] = []
        ys: list[float] = []
        for shape in shapes:
            if shape.kind != "wedge":
                continue
            for x, y in _arrow(shape.points_mm):
                xs.append(x)
                ys.append(y)
            # the label past the toe, on the side the arrow points to
            toward_left = shape.points_mm[1][0] < shape.points_mm[0][0] - 1e-6
            label = pg.TextItem(shape.label, color=ACCESSORY_PENS["wedge"][0],
                                anchor=(1 if toward_left else 0, 1))
            label.setPos(*shape.points_mm[1])
            label.setZValue(11)
            self.vb.addItem(label, ignoreBounds=True)
            self.labels.append(label)
        self.arrows.setData(np.array(xs), np.array(ys), connect="finite")


def _arrow(points: np.ndarray) -> list[tuple[float, float]]:
    """A shaft from heel to toe and a head at the toe, NaN-separated (mm)."""
    heel, toe = np.asarray(points[0], dtype=float), np.asarray(points[1], dtype=float)
    axis = toe - heel
    length = float(np.hypot(*axis)) or 1.0
    unit = axis / length
    side = np.array([-unit[1], unit[0]])
    head = 0.18 * length
    left = toe - head * unit + 0.5 * head * side
    right = toe - head * unit - 0.5 * head * side
    nan = (np.nan, np.nan)
    return [tuple(heel), tuple(toe), nan, tuple(left), tuple(toe), tuple(right), nan]
