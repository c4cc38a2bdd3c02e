"""Reference points over a slice view: dose references, RTSTRUCT points and user points.

Points within half a slab of the plane are drawn full, farther ones faded, each with
its label. The geometry is :mod:`rtviewer.view.reference_points`.
"""

from __future__ import annotations

from typing import Any

import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from rtviewer.ui.views.overlays.base import ViewOverlay
from rtviewer.ui.views.overlays.beams import set_text
from rtviewer.view.label_layout import stacked_lifts
from rtviewer.view.reference_points import (
    Marker,
    ReferencePoint,
    markers_on_view,
    reference_points,
)
from rtviewer.view.slice_plane import SlicePlane

__all__ = ["ReferencePointOverlay"]

#: Marker symbol by point source: dose reference diamond, user point cross, ROI triangle.
_POINT_SYMBOLS = {"dose reference": "d", "user point": "+"}


class ReferencePointOverlay(ViewOverlay):
    """The plan's and structure set's points, and the user's own, on one slice view."""

    name = "reference points"

    def __init__(self) -> None:
        super().__init__()
        self.markers: list[Marker] = []
        self.user_points: tuple[ReferencePoint, ...] = ()

    def attach(self, view: Any) -> None:  # noqa: D102 - the protocol's
        super().attach(view)
        self.points_item = pg.ScatterPlotItem(pxMode=True)
        self.points_item.setZValue(13)
        view.vb.addItem(self.points_item, ignoreBounds=True)
        self._point_labels: list[pg.TextItem] = []
        self._points_for: tuple[tuple[Any, ...], tuple[ReferencePoint, ...]] | None = None
        self._spots: list[dict[str, Any]] | None = None  # the markers last set

    def _points(self, scene: Any) -> tuple[ReferencePoint, ...]:
        """The scene's reference and ROI points and the user's (kept while they stand)."""
        if scene.empty:
            return ()
        key = (scene.plan, scene.structures, self.user_points)
        if self._points_for is None or any(a is not b for a, b in
                                           zip(key, self._points_for[0], strict=True)):
            self._points_for = (key, reference_points(scene.plan, scene.structures)
                                + self.user_points)
        return self._points_for[1]

    def set_user_points(self, points: tuple[ReferencePoint, ...]) -> None:
        """The user's own points (Points tab), drawn with the reference points."""
        self.user_points = tuple(points)
        self.redraw_now()

    def label_rects(self) -> list[QtCore.QRectF]:
        """The shown point labels' rectangles in ViewBox pixels (beam labels keep clear).

        The labels are stacked first (:meth:`stack_labels`): the view asks for these
        rectangles at each placement pass (slice step, zoom, resize).
        """
        self.stack_labels()
        vb = self.view.vb
        return [label.mapRectToItem(vb, label.boundingRect()) for label in self._point_labels
                if label.toPlainText()]

    def stack_labels(self) -> None:
        """Labels that would cover one another go one above the other, at this zoom.

        The corpus proton plan's dose reference point 'Beam Dose Point3' and the
        structure set's 'LoPo' point sit at one place: their labels, each at its
        marker, were written over one another ("LoPo Dose Point3").
        """
        vb = self.view.vb
        shown = [(label, marker) for label, marker in zip(self._point_labels, self.markers,
                                                          strict=False)
                 if label.toPlainText()]
        if not shown:
            return
        anchors = [vb.mapFromView(QtCore.QPointF(*marker.st)) for _label, marker in shown]
        sizes = [(label.boundingRect().width(), label.boundingRect().height())
                 for label, _marker in shown]
        rows = stacked_lifts([(p.x(), p.y()) for p in anchors], sizes)
        for (label, _marker), row in zip(shown, rows, strict=True):
            anchor = (0.0, 1.0 + row)  # bottom-left at the marker, ``row`` heights higher
            if tuple(label.anchor) != anchor:
                label.setAnchor(anchor)

    def redraw(self, plane: SlicePlane) -> None:
        """Dose reference points and RTSTRUCT points near the plane, labelled."""
        scene = plane.scene
        points = self._points(scene)
        half = 0.5 * scene.slab_mm(plane.view)
        self.markers = markers_on_view(points, scene.frame, plane.view, plane.depth_mm, half)
        spots = [{"pos": m.st, "symbol": _POINT_SYMBOLS.get(m.source, "t"), "size": 11,
                  "alpha": int(255 * m.alpha)} for m in self.markers]
        if spots != self._spots:  # most slice steps pass no point: nothing to set
            self._spots = spots
            self.points_item.setData([
                {"pos": spot["pos"], "symbol": spot["symbol"], "size": spot["size"],
                 "pen": pg.mkPen((0, 255, 140, spot["alpha"]), width=2), "brush": None}
                for spot in spots])
            # an empty scatter item still maps, culls and draws at every repaint
            self.points_item.setVisible(bool(spots))
        while len(self._point_labels) < len(self.markers):
            label = pg.TextItem(anchor=(0.0, 1.0), fill=(0, 0, 0, 120))
            label.setZValue(14)
            self.view.vb.addItem(label, ignoreBounds=True)
            self._point_labels.append(label)
        for index, label in enumerate(self._point_labels):
            if index >= len(self.markers):
                set_text(label, "")
                continue
            marker = self.markers[index]
            colour = QtGui.QColor(0, 255, 140, int(255 * marker.alpha))
            if label.color != colour:  # a colour set again repaints the label
                label.setColor(colour)
            set_text(label, marker.label)
            label.setPos(*marker.st)
        self.stack_labels()
