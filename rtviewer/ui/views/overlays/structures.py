"""The visible structures' outlines on the plane (optionally filled); the ROIs at a point."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from rtviewer.ui.views.overlays.base import ViewOverlay
from rtviewer.ui.views.overlays.outline_curve import OutlineCurve
from rtviewer.view.contour_geometry import RoiOutline, open_polylines
from rtviewer.view.readout_text import inside_text
from rtviewer.view.slice_plane import SlicePlane

__all__ = ["StructureOverlay"]


class StructureOverlay(ViewOverlay):
    """One curve and one fill per ROI, cut from the structure model the DVHs use."""

    name = "structures"

    def attach(self, view: Any) -> None:  # noqa: D102 - the protocol's
        super().attach(view)
        self.curves: dict[int, pg.PlotCurveItem] = {}
        self.fills: dict[int, QtWidgets.QGraphicsPathItem] = {}
        self._spare: list[tuple[pg.PlotCurveItem, QtWidgets.QGraphicsPathItem]] = []
        self._pens: dict[pg.PlotCurveItem, tuple[tuple[int, int, int], float]] = {}
        # curves (with their fills) emptied and hidden by _clear and not drawn since: a
        # slice step leaves them alone (most structures miss most sagittal and coronal
        # slices, step after step)
        self._cleared: set[pg.PlotCurveItem] = set()
        self._scene: Any = None
        view.state.visibleRoisChanged.connect(self.redraw_now)
        view.state.fillChanged.connect(self.redraw_now)

    def redraw(self, plane: SlicePlane) -> None:  # noqa: D102 - the protocol's
        scene = plane.scene
        if scene is not self._scene:
            self._recycle()
            self._scene = scene
        structures = scene.structures
        rois = structures.rois if structures is not None else ()
        visible = self.view.state.visible_rois if structures is not None else frozenset()
        # every visible structure cut at once (one vectorised pass across the planes)
        outlines = scene.structure_outlines(plane.view, plane.depth_mm,
                                            [roi.roi_number for roi in rois
                                             if roi.roi_number in visible])
        for roi in rois:
            curve = self._roi_curve(roi.roi_number, roi.color_rgb)
            fill = self.fills[roi.roi_number]
            if roi.roi_number not in visible:
                self._clear(curve, fill)
                continue
            self._draw_roi(plane, roi.roi_number, curve, fill, outlines[roi.roi_number])

    def _draw_roi(self, plane: SlicePlane, number: int, curve: pg.PlotCurveItem,
                  fill: QtWidgets.QGraphicsPathItem, outline: RoiOutline) -> None:
        scene, view, depth = plane.scene, plane.view, plane.depth_mm
        s, t = outline.s, outline.t
        open_pts = scene.open_contours_mm(number)
        if open_pts:
            half = 0.5 * scene.slab_mm(view)
            os_, ot = open_polylines(open_pts, scene.frame, view, depth, half)
            s, t = np.concatenate([s, [np.nan], os_]), np.concatenate([t, [np.nan], ot])
        if s.size == 0:  # most structures miss most sagittal and coronal slices
            self._clear(curve, fill)
            return
        self._cleared.discard(curve)
        curve.setData(s, t, connect="finite")
        curve.setVisible(True)
        if self.view.state.fill:
            fill.setPath(_fill_path(outline.fill_polygons))
            fill.setVisible(True)
        else:
            _clear_fill(fill)

    def _recycle(self) -> None:
        """Keep the previous scene's items for reuse (see :meth:`_roi_curve`), emptied."""
        self._spare = list(zip(self.curves.values(), self.fills.values(), strict=True))
        self.curves.clear()
        self.fills.clear()
        for curve, fill in self._spare:
            self._clear(curve, fill)

    def _clear(self, curve: pg.PlotCurveItem, fill: QtWidgets.QGraphicsPathItem) -> None:
        """:func:`_clear` a ROI's items, unless they are empty and hidden already."""
        if curve not in self._cleared:
            _clear(curve, fill)
            self._cleared.add(curve)

    def _roi_curve(self, roi_number: int, rgb: tuple[int, int, int]) -> pg.PlotCurveItem:
        """The ROI's curve (and fill), reusing items of earlier scenes.

        Items are never removed from the ViewBox: removal disconnects signals, and
        PySide6 6.12.0 leaks a reference to ``True`` on every ``disconnect``.
        """
        if roi_number not in self.curves:
            if self._spare:
                curve, fill = self._spare.pop()
            else:
                curve = OutlineCurve()
                curve.setZValue(6)
                self.view.vb.addItem(curve, ignoreBounds=True)
                fill = QtWidgets.QGraphicsPathItem()
                fill.setPen(QtGui.QPen(QtCore.Qt.PenStyle.NoPen))
                fill.setZValue(4)
                self.view.vb.addItem(fill, ignoreBounds=True)
            fill.setBrush(QtGui.QBrush(QtGui.QColor(*rgb, 70)))
            self.curves[roi_number], self.fills[roi_number] = curve, fill
        curve = self.curves[roi_number]
        width = 2 * self.view.line_scale  # presenter mode widens every line
        if self._pens.get(curve) != (rgb, width):  # asking the pen costs more than this
            self._pens[curve] = (rgb, width)
            if (curve.opts["pen"].widthF() != width
                    or curve.opts["pen"].color().getRgb()[:3] != rgb):
                curve.setPen(pg.mkPen(rgb, width=width))
        return curve

    def hit_test(self, xyz_mm: np.ndarray) -> str | None:  # noqa: D102 - the protocol's
        return inside_text(self.view.scene.containing(xyz_mm))

    def drawn_at(self, xyz_mm: np.ndarray) -> list[tuple[str, tuple[int, int, int]]]:
        """(name, colour) of the drawn (visible) structures containing a patient point.

        The hit test's containment, restricted to what this overlay draws: the names
        written beside the pointer (``ui/views/hover_names.py``).
        """
        structures = self.view.scene.structures
        inside = set(self.view.scene.containing(xyz_mm))
        if structures is None or not inside:
            return []
        visible = self.view.state.visible_rois
        return [(roi.name, roi.color_rgb) for roi in structures.rois
                if roi.roi_number in visible and roi.name in inside]


def _clear(curve: pg.PlotCurveItem, fill: QtWidgets.QGraphicsPathItem) -> None:
    """Empty a ROI's curve and fill, and hide them; left alone when already empty.

    An update of an empty item still costs pyqtgraph's data checks and a bounds
    invalidation, for each of the structures a slice misses; a hidden item is not
    asked for its bounds nor painted (an empty one was, at every repaint).
    """
    if curve.xData is None or len(curve.xData):
        curve.setData([], [])
    curve.setVisible(False)
    _clear_fill(fill)


def _clear_fill(fill: QtWidgets.QGraphicsPathItem) -> None:
    """Empty and hide a ROI's fill (an empty path set again still asks for a repaint)."""
    if not fill.path().isEmpty():
        fill.setPath(QtGui.QPainterPath())
    fill.setVisible(False)


def _fill_path(polygons: tuple[np.ndarray, ...] | np.ndarray) -> QtGui.QPainterPath:
    """Even-odd painter path of closed ``(N, 2)`` view-coordinate polygons."""
    path = QtGui.QPainterPath()
    path.setFillRule(QtCore.Qt.FillRule.OddEvenFill)
    for polygon in polygons:
        path.addPolygon(QtGui.QPolygonF([QtCore.QPointF(float(a), float(b))
                                         for a, b in polygon]))
        path.closeSubpath()
    return path
