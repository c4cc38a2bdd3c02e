"""Plan overlay of one slice view: beams (field edges, axis, arc, label, isocentre) and brachy.

The overlay adds its items to the view's ViewBox and redraws when the view's
slice moves, the scene changes, or the beam state (visible beams, selected
control point) changes. It never writes to the state.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from rtviewer.ui.views.beam_state import BeamState
from rtviewer.view.dose_colours import clear_colour
from rtviewer.view.plan_geometry import (
    BeamDrawing,
    BeamSolidCache,
    beam_drawing,
    brachy_drawing,
)
from rtviewer.view.reference_points import (
    Marker,
    ReferencePoint,
    markers_on_view,
    reference_points,
)

#: Marker symbol by point source: dose reference diamond, user point cross, ROI triangle.
_POINT_SYMBOLS = {"dose reference": "d", "user point": "+"}

__all__ = ["PlanOverlay", "BEAM_COLOURS"]

BEAM_COLOURS = ((255, 80, 80), (80, 200, 255), (255, 170, 0), (150, 255, 120),
                (230, 120, 255), (255, 255, 120), (120, 255, 230), (255, 140, 190))


def beam_colour(number: int) -> tuple[int, int, int]:
    """A stable colour per Beam Number."""
    return BEAM_COLOURS[(int(number) - 1) % len(BEAM_COLOURS)]


class PlanOverlay(QtCore.QObject):
    """Draws the plan on one :class:`~rtviewer.ui.views.slice_view.SliceView`."""

    def __init__(self, slice_view: Any, beam_state: BeamState,
                 solids: BeamSolidCache | None = None) -> None:
        super().__init__(slice_view)
        self.view, self.beam_state = slice_view, beam_state
        self.solids = solids if solids is not None else BeamSolidCache()
        self.plan: Any = None
        self.drawings: dict[int, BeamDrawing] = {}
        self._depth: float | None = None
        self._items: dict[int, tuple[pg.PlotCurveItem, ...]] = {}
        self._labels: dict[int, pg.TextItem] = {}
        self._radius: tuple[Any, float] = (None, 120.0)
        self.iso_item = pg.ScatterPlotItem(symbol="o", size=14, pxMode=True,
                                           pen=pg.mkPen((255, 0, 255), width=2), brush=None)
        self.paths_item = pg.PlotCurveItem(pen=pg.mkPen((255, 255, 255, 200), width=2),
                                           connect="finite")
        self.faded_paths_item = pg.PlotCurveItem(pen=pg.mkPen((255, 255, 255, 70), width=1),
                                                 connect="finite")
        self.dwell_item = pg.ScatterPlotItem(pxMode=True)
        self.points_item = pg.ScatterPlotItem(pxMode=True)
        self._point_labels: list[pg.TextItem] = []
        self.markers: list[Marker] = []
        self.user_points: tuple[ReferencePoint, ...] = ()
        for z, item in ((12, self.iso_item), (11, self.paths_item), (13, self.dwell_item),
                        (11, self.faded_paths_item), (13, self.points_item)):
            item.setZValue(z)
            slice_view.vb.addItem(item, ignoreBounds=True)
        slice_view.state.crosshairChanged.connect(self._on_crosshair)
        beam_state.visibleBeamsChanged.connect(lambda _v: self.redraw())
        beam_state.selectionChanged.connect(lambda _b, _i: self.redraw())
        slice_view.vb.sigRangeChanged.connect(lambda *_a: self._place_labels())
        # after the slice view has moved its letters and title (connected before this)
        slice_view.vb.sigResized.connect(lambda *_a: self._place_labels())

    def set_plan(self, plan: Any) -> None:
        """Draw ``plan`` (or nothing)."""
        self.plan = plan
        self.redraw()

    def set_user_points(self, points: tuple[ReferencePoint, ...]) -> None:
        """The user's own points (Points tab), drawn with the reference points."""
        self.user_points = tuple(points)
        self._draw_reference_points()

    def _on_crosshair(self, _xyz: np.ndarray) -> None:
        if self._depth is None or abs(self.view.depth_mm() - self._depth) > 1e-9:
            self.redraw()

    def _beam_items(self, number: int) -> tuple[pg.PlotCurveItem, ...]:
        if number not in self._items:
            colour = beam_colour(number)
            edges = pg.PlotCurveItem(pen=pg.mkPen(colour, width=2), connect="finite")
            axis = pg.PlotCurveItem(pen=pg.mkPen(colour, width=1,
                                                 style=QtCore.Qt.PenStyle.DashLine),
                                    connect="finite")
            arc = pg.PlotCurveItem(pen=pg.mkPen(colour, width=3), connect="finite")
            for item in (edges, axis, arc):
                item.setZValue(11)
                self.view.vb.addItem(item, ignoreBounds=True)
            # a dark backing keeps the label readable over contours, CT and dose
            label = pg.TextItem(color=colour, anchor=(0.5, 1.0), fill=(0, 0, 0, 150))
            label.setZValue(14)
            self.view.vb.addItem(label, ignoreBounds=True)
            self._items[number] = (edges, axis, arc)
            self._labels[number] = label
        return self._items[number]

    def redraw(self) -> None:
        """Recompute every drawing for the view's current slice."""
        scene = self.view.scene
        self._depth = self.view.depth_mm()
        self.drawings = {}
        for number in self._items:
            for item in self._items[number]:
                item.setData([], [])
        visible = self.beam_state.visible_beams
        selected, index = self.beam_state.selected
        beams = getattr(self.plan, "beams", ()) or ()
        for beam in beams:
            if beam.number not in visible or not beam.control_points or scene.empty:
                continue
            cp = index if beam.number == selected else 0
            drawing = beam_drawing(self.plan, beam, scene.frame, self.view.view, self._depth, cp,
                                   arc_radius_mm=self._arc_radius(),
                                   arc_field=beam.number == selected,
                                   solid=self.solids.get(self.plan, beam, cp, scene))
            self.drawings[beam.number] = drawing
            edges, axis, arc = self._beam_items(beam.number)
            for item, st in ((edges, drawing.field_st), (axis, drawing.axis_st),
                             (arc, drawing.arc_st)):
                item.setData(st[:, 0], st[:, 1], connect="finite")
            _set_text(self._labels[beam.number], drawing.label)
        for number, label in self._labels.items():
            if number not in self.drawings:
                _set_text(label, "")
        self._place_labels()
        self._draw_isocentres()
        self._draw_brachy()
        self._draw_reference_points()

    def _arc_radius(self) -> float:
        """Arc spans drawn at 40 % of the view's smaller extent (mm), so they stay in view.

        Computed once per scene: the extent comes from every contour point.
        """
        scene = self.view.scene
        if self._radius[0] is not scene:
            corners = self.view._extent_corners()
            radius = 120.0
            if corners is not None:
                st = self.view.patient_to_view(corners)
                radius = float(0.4 * np.min(np.ptp(st, axis=0)))
            self._radius = (scene, radius)
        return self._radius[1]

    def _place_labels(self) -> None:
        """Put each beam's label on its axis, on the source side, wholly inside the view.

        Labels keep clear of the view title, the orientation letters and each other.
        """
        vb = self.view.vb
        (x0, x1), (y0, y1) = vb.viewRange()
        mx, my = 0.08 * (x1 - x0), 0.06 * (y1 - y0)
        taken = [self.view.title_rect(), *self.view.letter_rects()]
        for number, drawing in self.drawings.items():
            # between the axis' source-side start and the isocentre (the exit side may
            # end at the body outline)
            start, iso = drawing.axis_st[0], drawing.isocenter_st
            samples = start + np.linspace(0.0, 1.0, 60)[:, None] * (iso - start)
            inside = ((samples[:, 0] > x0 + mx) & (samples[:, 0] < x1 - mx)
                      & (samples[:, 1] > y0 + my) & (samples[:, 1] < y1 - my))
            point = samples[np.argmax(inside)] if inside.any() else drawing.label_st
            label = self._labels[number]
            box = _free_box(vb.mapFromView(QtCore.QPointF(*map(float, point))),
                            label.boundingRect(), vb.boundingRect(), taken)
            taken.append(box)
            # the label's anchor is its bottom centre
            label.setPos(vb.mapToView(QtCore.QPointF(box.center().x(), box.bottom())))

    def _plane_depth(self) -> float:
        """The depth drawn last (set before each redraw), else the view's own."""
        return self._depth if self._depth is not None else self.view.depth_mm()

    def _draw_isocentres(self) -> None:
        # one marker per distinct isocentre (beams share it to well under 1 µm)
        points = {tuple(np.round(d.isocenter_st, 3)): d for d in self.drawings.values()}
        spots = [{"pos": tuple(d.isocenter_st),
                  "symbol": "o" if abs(d.isocenter_depth_mm - self._plane_depth()) < 1.0 else "x"}
                 for d in points.values()]
        self.iso_item.setData(spots)

    def _draw_brachy(self) -> None:
        scene = self.view.scene
        if self.plan is None or getattr(self.plan, "brachy", None) is None or scene.empty:
            for item in (self.paths_item, self.faded_paths_item):
                item.setData([], [])
            self.dwell_item.setData([])
            return
        half = 0.5 * scene.slab_mm(self.view.view)
        drawing = brachy_drawing(self.plan, scene.frame, self.view.view, self._plane_depth(),
                                 half)
        for item, st in ((self.paths_item, drawing.paths_st),
                         (self.faded_paths_item, drawing.faded_paths_st)):
            item.setData(st[:, 0], st[:, 1], connect="finite")
        self.dwell_drawing = drawing
        top = float(drawing.dwell_time_s.max()) if drawing.dwell_time_s.size else 1.0
        # small hollow rings in a colour no structure or isodose has: filled red discs
        # merged into one blob over a red CTV outline
        state = self.view.state
        rgb = clear_colour((*state.structure_colours, *state.isodose_colours()))
        spots = []
        for st, time_s, alpha in zip(drawing.dwell_st, drawing.dwell_time_s, drawing.alpha,
                                     strict=True):
            near = alpha >= 1.0
            spots.append({"pos": st, "size": 4.0 + 6.0 * np.sqrt(time_s / top),
                          "pen": pg.mkPen((*rgb, int(255 * alpha)), width=1.5 if near else 1),
                          "brush": QtGui.QBrush(QtGui.QColor(0, 0, 0, 0))})
        self.dwell_item.setData(spots)

    def _draw_reference_points(self) -> None:
        """Dose reference points and RTSTRUCT points near the plane, labelled."""
        scene = self.view.scene
        points = reference_points(self.plan, scene.structures) + self.user_points \
            if not scene.empty else ()
        half = 0.5 * scene.slab_mm(self.view.view)
        self.markers = markers_on_view(points, scene.frame, self.view.view,
                                       self._plane_depth(), half)
        self.points_item.setData([
            {"pos": m.st, "symbol": _POINT_SYMBOLS.get(m.source, "t"), "size": 11,
             "pen": pg.mkPen((0, 255, 140, int(255 * m.alpha)), width=2), "brush": None}
            for m in self.markers])
        while len(self._point_labels) < len(self.markers):
            label = pg.TextItem(anchor=(0.0, 1.0), fill=(0, 0, 0, 120))
            label.setZValue(14)
            self.view.vb.addItem(label, ignoreBounds=True)
            self._point_labels.append(label)
        for index, label in enumerate(self._point_labels):
            if index >= len(self.markers):
                _set_text(label, "")
                continue
            marker = self.markers[index]
            label.setColor(QtGui.QColor(0, 255, 140, int(255 * marker.alpha)))
            _set_text(label, marker.label)
            label.setPos(*marker.st)


def _free_box(anchor: QtCore.QPointF, size: QtCore.QRectF, view: QtCore.QRectF,
              taken: list[QtCore.QRectF]) -> QtCore.QRectF:
    """A label box (ViewBox pixels) near ``anchor`` (its bottom centre), inside ``view``.

    Moved a line down (or up, at the bottom) at a time until it overlaps no ``taken`` box;
    when no line is free it stays at the first place (overlap beats a missing label).
    """
    w, h = size.width(), size.height()
    x = min(max(anchor.x() - w / 2, view.left() + 4), view.right() - w - 8)
    y = min(max(anchor.y() - h, view.top() + 2), view.bottom() - h - 2)
    first = QtCore.QRectF(x, y, w, h)
    for step in (h, -h):
        box = QtCore.QRectF(first)
        while view.top() <= box.top() and box.bottom() <= view.bottom():
            if not any(box.intersects(other) for other in taken):
                return box
            box.translate(0, step)
    return first


def _set_text(label: pg.TextItem, text: str) -> None:
    """Set a label's text only when it changes (re-layout costs a millisecond a label)."""
    if label.toPlainText() != text:
        label.setText(text)
