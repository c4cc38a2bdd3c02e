"""The comparison over one slice view: B's isodoses dashed, the B − A map, the gamma map.

Three overlays, each with the shape of the slice-view overlay protocol of issue 15
(``name``, ``attach(view)``, ``redraw()``, ``legend_entries()``, ``hit_test(xyz)``), fed
by :class:`~rtviewer.ui.views.compare_state.CompareState` and the view's ViewState.
Until that protocol is the slice view's own they are attached from outside, as the plan
overlay is (:func:`attach_compare_overlays`), and redraw when the view's plane moves.
Their Qt-free cuts are :mod:`rtviewer.view.compare_planes`; colours
:mod:`rtviewer.view.compare_colours`.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from rtviewer.printable import printable
from rtviewer.ui.views.compare_state import CompareState
from rtviewer.view.compare_colours import difference_lut, difference_rgba, gamma_lut, gamma_rgba
from rtviewer.view.compare_planes import (
    b_dose_plane,
    compare_readout,
    difference_plane,
    gamma_plane,
)
from rtviewer.view.isodose_lines import isodose_polylines
from rtviewer.view.view_geometry import PlaneImage

__all__ = ["B_PEN_STYLE", "CompareIsodoseOverlay", "DifferenceMapOverlay", "GammaMapOverlay",
           "GradientBar", "attach_compare_overlays"]

#: B's isodose lines: A's colours and levels, this dash.
B_PEN_STYLE = QtCore.Qt.PenStyle.DashLine
_BAR_WIDTH = 14


@functools.lru_cache(maxsize=512)
def _b_pen(rgb: tuple[int, int, int]) -> QtGui.QPen:
    pen = pg.mkPen(rgb, width=1.8)
    pen.setStyle(B_PEN_STYLE)
    return pen


def _plane_transform(affine: np.ndarray) -> QtGui.QTransform:
    from rtviewer.ui.views.overlays.image import plane_transform

    return plane_transform(affine)


class GradientBar(QtWidgets.QGraphicsRectItem):
    """A vertical colour bar with labels, at the right edge of a view (ViewBox pixels).

    Parameters
    ----------
    parent : QGraphicsItem
        The view's ViewBox.
    """

    def __init__(self, parent: QtWidgets.QGraphicsItem) -> None:
        super().__init__(parent)
        self.setZValue(25)
        self.setPen(QtGui.QPen(QtGui.QColor(200, 200, 200)))
        self.title = QtWidgets.QGraphicsSimpleTextItem(self)
        self.title.setBrush(QtGui.QBrush(QtGui.QColor(230, 230, 230)))
        self.labels: list[tuple[float, QtWidgets.QGraphicsSimpleTextItem]] = []
        self._lut = np.zeros((2, 3), np.uint8)
        self.setVisible(False)

    def set_scale(self, lut: np.ndarray, title: str,
                  labels: list[tuple[float, str]]) -> None:
        """Colours bottom to top, a title above, ``(fraction from bottom, text)`` labels."""
        self._lut = np.asarray(lut, np.uint8)
        self.title.setText(title)
        while len(self.labels) < len(labels):
            item = QtWidgets.QGraphicsSimpleTextItem(self)
            item.setBrush(QtGui.QBrush(QtGui.QColor(230, 230, 230)))
            self.labels.append((0.0, item))
        for index, (_f, item) in enumerate(self.labels):
            if index < len(labels):
                item.setText(labels[index][1])
                self.labels[index] = (labels[index][0], item)
            else:
                item.setText("")
        self._paint()

    def place(self, view_rect: QtCore.QRectF) -> None:
        """Against the right edge, the middle half of the height."""
        height = max(40.0, 0.5 * view_rect.height())
        x = view_rect.width() - _BAR_WIDTH - 62
        self.setRect(QtCore.QRectF(x, 0.25 * view_rect.height(), _BAR_WIDTH, height))
        self._paint()

    def _paint(self) -> None:
        rect = self.rect()
        gradient = QtGui.QLinearGradient(rect.bottomLeft(), rect.topLeft())
        for index, rgb in enumerate(self._lut):
            gradient.setColorAt(index / max(len(self._lut) - 1, 1),
                                QtGui.QColor(*(int(c) for c in rgb)))
        self.setBrush(QtGui.QBrush(gradient))
        for fraction, item in self.labels:
            y = rect.bottom() - fraction * rect.height()
            item.setPos(rect.right() + 2, y - item.boundingRect().height() / 2)
        self.title.setPos(rect.left() - 20, rect.top() - self.title.boundingRect().height() - 2)


class _CompareOverlay:
    """What the three share: the compare state, the view, redraw on either's change."""

    name = ""

    def __init__(self, compare_state: CompareState) -> None:
        self.compare_state = compare_state
        self.view: Any = None

    def attach(self, view: Any) -> None:
        """Add the items to ``view.vb`` (never removed) and follow the comparison."""
        self.view = view
        self._build()
        self.compare_state.comparisonChanged.connect(lambda _c: self.redraw())
        self.compare_state.displayChanged.connect(self.redraw)

    def _build(self) -> None:
        raise NotImplementedError

    def _plane_args(self) -> tuple[Any, str, float]:
        view = self.view
        return view.scene.frame, view.view, view.depth_mm()

    def redraw(self) -> None:  # noqa: D102 - per overlay
        raise NotImplementedError

    def legend_entries(self) -> list[tuple[tuple[int, int, int], str]]:
        """Legend rows this overlay adds (none but the isodoses')."""
        return []

    def hit_test(self, xyz_mm: np.ndarray) -> str | None:
        """What the readout adds at patient ``xyz_mm`` (the isodose overlay speaks for all)."""
        return None

    def place(self, rect: QtCore.QRectF) -> None:
        """Lay out pixel-positioned items in a view of size ``rect``."""


class CompareIsodoseOverlay(_CompareOverlay):
    """B's isodoses at A's levels and colours, dashed; a key saying which is which."""

    name = "compare_isodoses"

    def _build(self) -> None:
        self.curves: list[pg.PlotCurveItem] = []
        self.key = QtWidgets.QGraphicsTextItem(self.view.vb)
        self.key.setZValue(21)
        self.key.setVisible(False)
        state = self.view.state
        for signal in (state.isodoseLevelsChanged, state.isodoseAbsoluteChanged,
                       state.referenceDoseChanged):
            signal.connect(lambda *_a: self.redraw())

    def redraw(self) -> None:  # noqa: D102 - the protocol's
        comparison = self.compare_state.comparison
        on = comparison is not None and self.compare_state.b_isodoses
        plane = b_dose_plane(comparison, *self._plane_args()) if on else None  # type: ignore[arg-type]
        levels = self.view.state.isodose_levels_gy() if plane is not None else ()
        colours = self.view.state.isodose_colours() if levels else []
        while len(self.curves) < len(levels):
            curve = pg.PlotCurveItem(connect="finite")
            curve.setZValue(5)
            self.view.vb.addItem(curve, ignoreBounds=True)
            self.curves.append(curve)
        for index, curve in enumerate(self.curves):
            if index >= len(levels) or plane is None:
                curve.setData([], [])
                continue
            rgb = colours[index]
            curve.setPen(_b_pen((int(rgb[0]), int(rgb[1]), int(rgb[2]))))
            curve.setData(*isodose_polylines(plane, levels[index]), connect="finite")
        self._show_key(comparison if on else None)

    def _show_key(self, comparison: Any) -> None:
        if comparison is None:
            self.key.setVisible(False)
            return
        a = printable(self.compare_state.a_label)
        b = printable(self.compare_state.b_label)
        self.key.setHtml(
            "<div style='background-color: rgba(0,0,0,160); color: #e6e6e6; "
            "font-size: 9pt'>isodoses: ━━ A " + _short(a) + "<br>"
            "╌╌╌ B " + _short(b) + "</div>")
        self.key.setToolTip(f"A (solid): {a}\nB (dashed): {b}")
        self.key.setVisible(True)
        self.place(self.view.vb.boundingRect())

    def place(self, rect: QtCore.QRectF) -> None:  # noqa: D102
        if self.key.isVisible():
            width = self.key.boundingRect().width()
            # below the top orientation letter and the title
            self.key.setPos(max(4.0, rect.width() - width - 4), 40)

    def legend_entries(self) -> list[tuple[tuple[int, int, int], str]]:  # noqa: D102
        if self.compare_state.comparison is None or not self.compare_state.b_isodoses:
            return []
        return [((230, 230, 230), f"solid: A {self.compare_state.a_label}"),
                ((230, 230, 230), f"dashed: B {self.compare_state.b_label}")]

    def hit_test(self, xyz_mm: np.ndarray) -> str | None:  # noqa: D102
        comparison = self.compare_state.comparison
        return None if comparison is None else compare_readout(comparison, xyz_mm)


def _short(name: str, limit: int = 28) -> str:
    return name if len(name) <= limit else "…" + name[-(limit - 1):]


class _MapOverlay(_CompareOverlay):
    """An RGBA image under the isodoses and its colour bar."""

    kind = ""

    def _build(self) -> None:
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(1.5)  # over the dose wash (1), under isodoses (5)
        self.view.vb.addItem(self.image, ignoreBounds=True)
        self.bar = GradientBar(self.view.vb)

    def redraw(self) -> None:  # noqa: D102 - the protocol's
        comparison = self.compare_state.comparison
        shown = comparison is not None and self.compare_state.map == self.kind
        plane = self._plane() if shown else None
        self.bar.setVisible(plane is not None)
        if plane is None:
            self.image.clear()
            return
        self.image.setImage(self._rgba(plane), autoLevels=False, levels=(0, 255))
        self.image.setTransform(_plane_transform(plane.affine))
        self.place(self.view.vb.boundingRect())

    def place(self, rect: QtCore.QRectF) -> None:  # noqa: D102
        if self.bar.isVisible():
            self.bar.place(rect)

    def _plane(self) -> PlaneImage | None:
        raise NotImplementedError

    def _rgba(self, plane: PlaneImage) -> np.ndarray:
        raise NotImplementedError


class DifferenceMapOverlay(_MapOverlay):
    """B − A on A's grid (Gy or % of A's maximum), blue below zero, red above."""

    name, kind = "difference_map", "difference"

    def _plane(self) -> PlaneImage | None:
        comparison = self.compare_state.comparison
        volume = self.compare_state.difference_volume()
        if comparison is None or volume is None:
            return None
        return difference_plane(comparison, volume, *self._plane_args())

    def _rgba(self, plane: PlaneImage) -> np.ndarray:
        limit, unit = self.compare_state.difference_limit(), self.compare_state.unit
        # agreement within 1 % of the scale is left clear: the CT shows through
        self.bar.set_scale(difference_lut(), f"B−A ({unit})",
                           [(1.0, f"+{limit:.3g}"), (0.5, "0"), (0.0, f"−{limit:.3g}")])
        return difference_rgba(plane.values, limit=limit, floor=0.01 * limit)


class GammaMapOverlay(_MapOverlay):
    """The gamma index on A's grid: green to yellow passing, orange to red failing."""

    name, kind = "gamma_map", "gamma"

    def _plane(self) -> PlaneImage | None:
        comparison = self.compare_state.comparison
        return None if comparison is None else gamma_plane(comparison, *self._plane_args())

    def _rgba(self, plane: PlaneImage) -> np.ndarray:
        comparison = self.compare_state.comparison
        assert comparison is not None and comparison.gamma is not None  # _plane was not None
        criteria = comparison.gamma.criteria
        top = criteria.max_gamma
        exact = not criteria.pass_rate_only
        self.bar.set_scale(gamma_lut(64, top), f"γ {criteria.dose_percent:g}%/"
                           f"{criteria.distance_mm:g}mm",
                           [(1.0, f"≥{top:g}"), (1.0 / top, "1" if exact else "1 (pass)"),
                            (0.0, "0")])
        return gamma_rgba(plane.values, max_gamma=top, exact=exact)


def attach_compare_overlays(slice_view: Any, compare_state: CompareState
                            ) -> dict[str, _CompareOverlay]:
    """The three comparison overlays on one slice view, redrawn when its plane moves."""
    overlays: dict[str, _CompareOverlay] = {}
    for cls in (DifferenceMapOverlay, GammaMapOverlay, CompareIsodoseOverlay):
        overlay = cls(compare_state)
        overlay.attach(slice_view)
        overlays[overlay.name] = overlay
    depth: list[float | None] = [None]

    def on_crosshair(_xyz: object) -> None:
        if compare_state.comparison is None:
            return
        now = slice_view.depth_mm()
        if depth[0] is None or abs(now - depth[0]) > 1e-9:
            depth[0] = now
            for overlay in overlays.values():
                overlay.redraw()

    def on_resize(*_args: object) -> None:
        rect = slice_view.vb.boundingRect()
        for overlay in overlays.values():
            overlay.place(rect)

    slice_view.state.crosshairChanged.connect(on_crosshair)
    compare_state.comparisonChanged.connect(lambda _c: depth.__setitem__(0, None))
    slice_view.vb.sigResized.connect(on_resize)
    return overlays
