"""Beams over a slice view: field edges, central axis, arc span, label, isocentre marker.

Redrawn for the view's plane and on the beam state (visible beams, selected control
point); it never writes to the state. The geometry is :mod:`rtviewer.view.plan_geometry`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from rtviewer.ui.views.beam_state import BeamState
from rtviewer.ui.views.overlays.base import ViewOverlay
from rtviewer.ui.views.overlays.outline_curve import OutlineCurve
from rtviewer.view.label_layout import place_label
from rtviewer.view.plan_geometry import BeamDrawing, BeamSolidCache, beam_drawing
from rtviewer.view.slice_plane import SlicePlane

__all__ = ["BEAM_COLOURS", "BeamOverlay", "beam_colour", "set_text"]

BEAM_COLOURS = ((255, 80, 80), (80, 200, 255), (255, 170, 0), (150, 255, 120),
                (230, 120, 255), (255, 255, 120), (120, 255, 230), (255, 140, 190))

#: What a beam not drawn shows (one array: a curve already empty is left alone).
_NO_POINTS = np.empty((0, 2))


def beam_colour(number: int) -> tuple[int, int, int]:
    """A stable colour per Beam Number."""
    return BEAM_COLOURS[(int(number) - 1) % len(BEAM_COLOURS)]


class BeamOverlay(ViewOverlay):
    """The plan's visible beams on one :class:`~rtviewer.ui.views.slice_view.SliceView`.

    Parameters
    ----------
    beam_state : BeamState
        Which beams show and which beam and control point are selected.
    solids : BeamSolidCache, optional
        The view-independent beam geometry, shared by the three views' overlays.
    """

    name = "beams"

    def __init__(self, beam_state: BeamState, solids: BeamSolidCache | None = None) -> None:
        super().__init__()
        self.beam_state = beam_state
        self.solids = solids if solids is not None else BeamSolidCache()
        self.plan: Any = None
        self.drawings: dict[int, BeamDrawing] = {}
        self._depth = 0.0
        self._items: dict[int, tuple[OutlineCurve, ...]] = {}
        self._labels: dict[int, pg.TextItem] = {}
        self._radius: tuple[Any, float] = (None, 120.0)
        self._placed_for: object = None  # the inputs of the last label placement
        self._spots: list[dict[str, Any]] | None = None  # the isocentre markers shown
        self._sizes: dict[tuple[str, str], tuple[float, float]] = {}  # label text -> px

    def attach(self, view: Any) -> None:  # noqa: D102 - the protocol's
        super().attach(view)
        self.iso_item = pg.ScatterPlotItem(symbol="o", size=14, pxMode=True,
                                           pen=pg.mkPen((255, 0, 255), width=2), brush=None)
        self.iso_item.setZValue(12)
        view.vb.addItem(self.iso_item, ignoreBounds=True)
        self.beam_state.visibleBeamsChanged.connect(self.redraw_now)
        self.beam_state.selectionChanged.connect(self.redraw_now)
        # after the slice view has moved its letters, title and legend (on a resize, a
        # zoom or a new plane)
        view.labelsPlaced.connect(self._place_labels)

    def _beam_items(self, number: int) -> tuple[OutlineCurve, ...]:
        if number not in self._items:
            colour = beam_colour(number)
            # outline curves: their bounds, asked at every repaint after a step has set
            # the field's edges, cost one reduction per axis (``outline_curve``)
            edges = OutlineCurve(pen=pg.mkPen(colour, width=2))
            axis = OutlineCurve(pen=pg.mkPen(colour, width=1, style=QtCore.Qt.PenStyle.DashLine))
            arc = OutlineCurve(pen=pg.mkPen(colour, width=3))
            for item in (edges, axis, arc):
                item.setZValue(11)
                self.view.vb.addItem(item, ignoreBounds=True)
            # a dark backing keeps the label readable over contours, CT and dose
            label = pg.TextItem(color=colour, anchor=(0.5, 1.0), fill=(0, 0, 0, 150))
            # above the reference points' labels (z 14), whichever was made first
            label.setZValue(15)
            self.view.vb.addItem(label, ignoreBounds=True)
            self._items[number] = (edges, axis, arc)
            self._labels[number] = label
        return self._items[number]

    def redraw(self, plane: SlicePlane) -> None:
        """Recompute every beam's drawing for ``plane``."""
        scene = plane.scene
        self.plan = scene.plan
        self._depth = plane.depth_mm
        self.drawings = {}
        visible = self.beam_state.visible_beams
        selected, index = self.beam_state.selected
        for beam in getattr(self.plan, "beams", ()) or ():
            if beam.number not in visible or not beam.control_points or scene.empty:
                continue
            cp = index if beam.number == selected else 0
            radius = self._arc_radius()
            drawing = beam_drawing(self.plan, beam, scene.frame, plane.view, self._depth, cp,
                                   arc_radius_mm=radius, arc_field=beam.number == selected,
                                   solid=self.solids.get(self.plan, beam, cp, scene),
                                   fixed=self.solids.in_view(self.plan, beam, cp, scene,
                                                             plane.view, radius))
            self.drawings[beam.number] = drawing
            edges, axis, arc = self._beam_items(beam.number)
            # the field's cut moves at each step (unless the plane misses the beam); the
            # axis and arc only with the view
            for item, st in ((edges, drawing.field_st), (axis, drawing.axis_st),
                             (arc, drawing.arc_st)):
                item.set_points(st)
            # the text (long or short) is the placement's to choose; set here at every
            # step, a kept placement would show the long text in a short label's box
            label = self._labels[beam.number]
            if not label.toPlainText():  # a beam drawn again: named until it is placed
                set_text(label, drawing.label)
        for number, label in self._labels.items():
            if number not in self.drawings:  # emptied here, not before every redraw
                set_text(label, "")
                for item in self._items[number]:
                    item.set_points(_NO_POINTS)
        # the labels are placed once the view has placed its own (labelsPlaced)
        self._draw_isocentres()

    def redraw_now(self, *_args: object) -> None:
        """Redraw for the view's plane on a beam choice, and place the labels again."""
        super().redraw_now()
        self._place_labels()

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

    def _place_labels(self, *_args: object) -> None:
        """Put each beam's label once, beside where its axis starts on the source side.

        Labels keep clear of the view title, the orientation letters, the legend and
        each other, and off the anatomy where a free place is near
        (:func:`~rtviewer.view.label_layout.place_label`).
        """
        vb = self.view.vb
        bounds = vb.boundingRect()
        fixed = [self.view.title_rect(), *self.view.letter_rects()]
        for overlay in self.view.overlays.values():  # the reference points' names
            fixed += getattr(overlay, "label_rects", list)()
        taken = [_box(r) for r in fixed]
        anatomy = getattr(self.view, "placed_content", None)
        avoid = None if anatomy is None else _box(anatomy)
        # a slice step seldom moves anything a label depends on (the axes' projections
        # do not change with the depth): the last placement stands while the inputs do
        key = (tuple((n, d.label, tuple(np.round(d.axis_st[0], 1)),
                      tuple(np.round(d.isocenter_st, 1))) for n, d in self.drawings.items()),
               tuple(np.round(taken, 0).ravel()) if taken else (),
               None if avoid is None else tuple(np.round(np.asarray(avoid) / 8.0)),
               _box(bounds), tuple(vb.viewRange()[0]), tuple(vb.viewRange()[1]))
        if key == self._placed_for:
            return
        self._placed_for = key
        for number, drawing in self.drawings.items():
            start, iso = _pixels(vb, drawing.axis_st[0]), _pixels(vb, drawing.isocenter_st)
            anchor = _first_inside(start, iso, bounds)
            label = self._labels[number]
            box = None
            for text, free in ((drawing.label, True), (drawing.short_label, True),
                               (drawing.short_label, False)):
                # a pane too crowded for "name gantry" gets the names alone
                box = place_label(anchor, start - iso, self._label_size(label, text),
                                  _box(bounds.adjusted(2, 2, -2, -2)), taken, avoid,
                                  require_free=free)
                if box is not None:
                    break
            assert box is not None
            set_text(label, text)
            taken.append(tuple(box))
            # the label's anchor is its bottom centre
            label.setPos(vb.mapToView(QtCore.QPointF(box[0] + box[2] / 2, box[1] + box[3])))

    def _label_size(self, label: pg.TextItem, text: str) -> tuple[float, float]:
        """``(width, height)`` px of ``label`` showing ``text``, measured once per text and font.

        A crowded pane tries the long and the short label at each placement: setting a
        label's text to measure it lays it out again (about a millisecond).
        """
        key = (text, label.textItem.font().key())
        size = self._sizes.get(key)
        if size is None:
            set_text(label, text)
            rect = label.boundingRect()
            size = self._sizes[key] = (rect.width(), rect.height())
        return size

    def _draw_isocentres(self) -> None:
        # one marker per distinct isocentre (beams share it to well under 1 µm)
        points = {tuple(np.round(d.isocenter_st, 3)): d for d in self.drawings.values()}
        spots = [{"pos": tuple(d.isocenter_st),
                  "symbol": "o" if abs(d.isocenter_depth_mm - self._depth) < 1.0 else "x"}
                 for d in points.values()]
        if spots != self._spots:  # a side view's slice step seldom changes a marker
            self._spots = spots
            self.iso_item.setData(spots)
            # an empty scatter item still maps, culls and draws at every repaint
            self.iso_item.setVisible(bool(spots))


def _box(rect: QtCore.QRectF) -> tuple[float, float, float, float]:
    return rect.x(), rect.y(), rect.width(), rect.height()


def _pixels(vb: Any, st: np.ndarray) -> np.ndarray:
    """View mm ``(s, t)`` -> ViewBox pixels."""
    point = vb.mapFromView(QtCore.QPointF(float(st[0]), float(st[1])))
    return np.array([point.x(), point.y()])


def _first_inside(start: np.ndarray, end: np.ndarray, bounds: QtCore.QRectF) -> np.ndarray:
    """The first point from ``start`` towards ``end`` (pixels) inside ``bounds``, a margin in.

    A zoomed view may cut the axis' source side off: the label then sits where the
    axis enters the view. ``start`` when the segment never enters.
    """
    margin = 0.05 * min(bounds.width(), bounds.height())
    inner = bounds.adjusted(margin, margin, -margin, -margin)
    samples = start + np.linspace(0.0, 1.0, 60)[:, None] * (end - start)
    inside = ((samples[:, 0] >= inner.left()) & (samples[:, 0] <= inner.right())
              & (samples[:, 1] >= inner.top()) & (samples[:, 1] <= inner.bottom()))
    return samples[int(np.argmax(inside))] if inside.any() else start


def set_text(label: pg.TextItem, text: str) -> None:
    """Set a label's text only when it changes (re-layout costs a millisecond a label)."""
    if label.toPlainText() != text:
        label.setText(text)
