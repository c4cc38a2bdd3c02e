"""One passive slice view (axial, sagittal or coronal) of a :class:`Scene`.

The view reads the shared :class:`ViewState` and redraws itself when it
changes; user actions (click, wheel, keys, right-drag) only write to the state.
Everything is placed in view coordinates ``(s, t)`` mm (see
``view_geometry``), so images, contours and isodoses share one true-aspect
ViewBox whose y axis points down.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from rtviewer.ui.views.colour_bar import ColourBar
from rtviewer.ui.views.gradient_bar import bar_rect
from rtviewer.ui.views.hover_names import HoverNames, hover_html
from rtviewer.ui.views.overlays.dose_wash import DoseWashOverlay
from rtviewer.ui.views.overlays.image import ImageOverlay
from rtviewer.ui.views.overlays.isodoses import IsodoseOverlay
from rtviewer.ui.views.overlays.protocol import SliceOverlay
from rtviewer.ui.views.overlays.structures import StructureOverlay
from rtviewer.ui.views.view_labels import ViewLabels
from rtviewer.ui.views.view_legend import ViewLegend
from rtviewer.ui.views.view_state import ViewState
from rtviewer.ui.views.window_drag import WindowDragViewBox
from rtviewer.view.scene import Scene
from rtviewer.view.slice_plane import SlicePlane
from rtviewer.view.undrawn import undrawn_notes

__all__ = ["SliceView"]



class _SliceViewBox(WindowDragViewBox):
    """ViewBox whose wheel scrolls slices, left click sets the crosshair, right-drag W/L."""

    clicked = QtCore.Signal(float, float)
    shiftClicked = QtCore.Signal(float, float)  # a user point (Points tab)
    scrolled = QtCore.Signal(int)

    def wheelEvent(self, ev, axis=None):  # noqa: D102 - Qt override
        if ev.modifiers() & QtCore.Qt.KeyboardModifier.ControlModifier:
            super().wheelEvent(ev, axis)
            return
        self.scrolled.emit(1 if ev.delta() > 0 else -1)
        ev.accept()

    def mouseClickEvent(self, ev):  # noqa: D102 - Qt override
        if ev.button() == QtCore.Qt.MouseButton.LeftButton:
            point = self.mapSceneToView(ev.scenePos())
            if ev.modifiers() & QtCore.Qt.KeyboardModifier.ShiftModifier:
                self.shiftClicked.emit(point.x(), point.y())
            else:
                self.clicked.emit(point.x(), point.y())
            ev.accept()
            return
        super().mouseClickEvent(ev)


class SliceView(QtWidgets.QWidget):
    """A slice view bound to a :class:`ViewState`, drawing its overlays in order.

    The image, dose wash, isodoses and structures are its own overlays; others (beams,
    brachy sources, reference points) are added with :meth:`add_overlay`. Each follows
    :class:`~rtviewer.ui.views.overlays.protocol.SliceOverlay`.

    Parameters
    ----------
    state : ViewState
        Shared state; read on every change, written on user actions.
    view : str
        ``"axial"``, ``"sagittal"`` or ``"coronal"``.
    """

    #: Shift+click: a user point at patient ``(x, y, z)`` mm.
    userPointRequested = QtCore.Signal(float, float, float)
    #: The title, letters and legend have been placed (labels of overlays follow them).
    labelsPlaced = QtCore.Signal()
    #: Contour and isodose line widths are multiplied by this (presenter mode: a projector).
    line_scale = 1.0

    def __init__(self, state: ViewState, view: str,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.state, self.view = state, view
        self.scene = Scene()
        self._depth: float | None = None
        self._plane: SlicePlane | None = None
        self._fitted = False
        self._held = 0  # hold_redraws() depth
        self._pending = False  # a redraw was asked for while held
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
        self.graphics = pg.GraphicsLayoutWidget(self)
        self.graphics.setBackground("k")
        self.graphics.ci.setContentsMargins(0, 0, 0, 0)
        # Qt's default BSP index is for many static items: a slice step moves some forty
        # (new outlines, isodoses, a beam's cut) and each move updated the tree; a
        # hundred items are found faster by a walk. Drawing order is the stacking order
        # either way (the pictures are the same).
        self.graphics.scene().setItemIndexMethod(
            QtWidgets.QGraphicsScene.ItemIndexMethod.NoIndex)
        self.vb = _SliceViewBox(lockAspect=True, invertY=True, enableMenu=False)
        self.graphics.addItem(self.vb)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics)
        # what the chain holds that this view cannot draw (issue 14: never silent)
        self.undrawn = QtWidgets.QLabel()
        self.undrawn.setWordWrap(True)
        self.undrawn.setStyleSheet("color: #ffcc66; background: black; padding: 1px 4px;")
        self.undrawn.setVisible(False)
        layout.addWidget(self.undrawn)
        self._build_items()
        self._connect()
        #: The overlays by name, in drawing (and readout) order.
        self.overlays: dict[str, SliceOverlay] = {}
        for overlay in (ImageOverlay(), DoseWashOverlay(), IsodoseOverlay(),
                        StructureOverlay()):
            self.add_overlay(overlay)

    # -- construction -------------------------------------------------------------------
    def _build_items(self) -> None:
        pen = pg.mkPen((255, 255, 0, 150), width=1, style=QtCore.Qt.PenStyle.DashLine)
        self.h_line = pg.InfiniteLine(angle=0, movable=False, pen=pen)
        self.v_line = pg.InfiniteLine(angle=90, movable=False, pen=pen)
        for line in (self.h_line, self.v_line):
            line.setZValue(10)
            self.vb.addItem(line, ignoreBounds=True)
        self.colour_bar = ColourBar(self.vb)
        self.labels = ViewLabels(self.vb)
        self.legend = ViewLegend(self.vb)  # isodose levels, scale bar, W/L on the picture
        self.hover = HoverNames(self.vb)  # structure names beside the pointer
        self.edge_labels = self.labels.items  # letters and the "info" title
        self.title_bar = self.labels.title_bar

    def _connect(self) -> None:
        self.state.crosshairChanged.connect(self._on_crosshair)
        self.vb.clicked.connect(self._on_click)
        self.vb.shiftClicked.connect(self._on_shift_click)
        self.vb.scrolled.connect(self.scroll)
        self.vb.windowDragged.connect(self._on_window_drag)
        self.vb.sigResized.connect(self.place_labels)
        self.vb.sigRangeChanged.connect(lambda *_a: self.place_labels())
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)

    # -- public -------------------------------------------------------------------------
    def add_overlay(self, overlay: SliceOverlay) -> None:
        """Draw ``overlay`` over the others from now on (and now, if a scene is shown)."""
        if overlay.name in self.overlays:
            raise ValueError(f"{self.view} view already has a {overlay.name!r} overlay")
        self.overlays[overlay.name] = overlay
        overlay.attach(self)
        if self._depth is not None:
            overlay.redraw(self.plane())
            self.refresh_legend()

    def plane(self) -> SlicePlane:
        """The plane shown now (the same object until the slice or the scene changes)."""
        depth = self.depth_mm()
        plane = self._plane
        if plane is None or plane.scene is not self.scene or abs(plane.depth_mm - depth) > 1e-9:
            plane = self._plane = SlicePlane(self.scene, self.view, depth)
        return plane

    def refresh_legend(self) -> None:
        """Collect every overlay's legend rows (an overlay calls this when its rows change)."""
        rows = [entry for overlay in self.overlays.values()
                for entry in overlay.legend_entries()]
        if self.legend.set_isodoses(rows):
            self.place_labels()

    def hit_test(self, xyz_mm: np.ndarray) -> list[str | None]:
        """Each overlay's readout part at patient ``(x, y, z)`` mm, in overlay order."""
        return [overlay.hit_test(xyz_mm) for overlay in self.overlays.values()]

    def set_scene(self, scene: Scene, *, reset_zoom: bool = True) -> None:
        """Show another scene: every overlay, the labels and (unless told not) a fitted range."""
        self.scene = scene
        self._depth = None
        self._plane = None
        self.hover.hide()
        notes = undrawn_notes(scene)
        self.undrawn.setText("Not drawn as stored: " + "; ".join(notes) + "." if notes else "")
        self.undrawn.setToolTip("\n".join(notes))
        self.undrawn.setVisible(bool(notes))
        labels = scene.frame.edge_labels(self.view)
        for edge, text in labels.items():
            self.edge_labels[edge].setText(text)
        self.legend.set_window(*self.state.window_level, scene.image is not None)
        self.redraw()
        # a partial scene (the plan read, the structures still loading) had nothing but
        # the plan to fit: the completed scene is fitted even when the view is kept
        if reset_zoom or not self._fitted:
            self.reset_zoom()

    def depth_mm(self) -> float:
        """The slice position of this view along its normal (mm), from the crosshair."""
        _u, _v, n = self.scene.frame.axes(self.view)
        return float(self.state.crosshair_mm @ n)

    def view_to_patient(self, s: float, t: float) -> np.ndarray:
        """View coordinates on the current slice -> patient mm."""
        return self.scene.frame.to_patient(self.view, s, t, self.depth_mm())

    def patient_to_view(self, xyz: np.ndarray) -> np.ndarray:
        """Patient mm -> ``(s, t)`` view mm."""
        return self.scene.frame.to_view(self.view, xyz)[..., :2]

    def reset_zoom(self) -> None:
        """Fit the image (without one: the dose grid and the contours) into the view."""
        corners = self.scene.extent_corners_mm()
        self._fitted = corners is not None and not self.scene.plan_only
        if corners is None:
            return
        st = self.patient_to_view(corners)
        lo, hi = st.min(axis=0), st.max(axis=0)
        self.vb.setRange(xRange=(lo[0], hi[0]), yRange=(lo[1], hi[1]), padding=0.02)


    def _extent_corners(self) -> np.ndarray | None:
        """What :meth:`reset_zoom` fits (kept for ``overlays.beams``, which sizes arcs by it)."""
        return self.scene.extent_corners_mm()

    def scroll(self, steps: int) -> None:  # type: ignore[override]  # not QWidget.scroll(dx, dy)
        """Move the crosshair ``steps`` slices along this view's normal."""
        if self.scene.empty:
            return
        _u, _v, n = self.scene.frame.axes(self.view)
        xyz = self.state.crosshair_mm
        target = self.scene.step_depth(self.view, float(xyz @ n), steps)
        self.state.set_crosshair_mm(xyz + (target - float(xyz @ n)) * n)

    @contextmanager
    def hold_redraws(self) -> Iterator[None]:
        """Draw once after a batch of state changes instead of once per signal.

        A new scene or dose sets the crosshair, the reference dose, the levels and the
        colourwash one after the other; each signal redrew the overlays it concerns (on
        the scene still shown), then :meth:`set_scene` redrew everything again. While
        held, what the signals ask for waits (:meth:`deferred`); at the end one full
        :meth:`redraw` runs, unless one already ran since the last request.
        """
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1
            if not self._held and self._pending:
                self._pending = False
                if self._depth is not None:  # something is shown (else nothing to redraw)
                    self.redraw()

    def deferred(self) -> bool:
        """Whether a redraw asked for now waits for the end of :meth:`hold_redraws`."""
        if self._held:
            self._pending = True
        return bool(self._held)

    # -- state -> view ------------------------------------------------------------------
    def redraw(self) -> None:
        """Redraw the title, every overlay for the current plane, and the crosshair."""
        self._pending = False
        self._depth = self.depth_mm()
        # the title first: overlays that place labels (beams) keep clear of it
        self._update_info()
        plane = self.plane()
        for overlay in self.overlays.values():
            overlay.redraw(plane)
        # the legend keeps clear of what this plane shows (the title was placed above)
        self.place_labels()
        self._place_crosshair()

    def _on_crosshair(self, _xyz: np.ndarray) -> None:
        if self.deferred():
            return
        if self._depth is None or abs(self.depth_mm() - self._depth) > 1e-9:
            self.redraw()
        else:
            self._place_crosshair()

    def _place_crosshair(self) -> None:
        s, t = self.patient_to_view(self.state.crosshair_mm)
        with QtCore.QSignalBlocker(self.v_line), QtCore.QSignalBlocker(self.h_line):
            self.v_line.setPos(s)
            self.h_line.setPos(t)

    def _update_info(self) -> None:
        _u, _v, n = self.scene.frame.axes(self.view)
        axis = "xyz"[int(np.argmax(np.abs(n)))]
        value = self.state.crosshair_mm["xyz".index(axis)]
        # 0.0, never "-0.0": a plane through the origin read as a sign error
        shown = f"{value:.1f}".replace("-0.0", "0.0") if abs(value) < 0.05 else f"{value:.1f}"
        text = f"{self.view.capitalize()}  {axis} = {shown} mm"
        if self.scene.plan_only:  # say why the view is black around the beams
            text += " · plan only"
        self.edge_labels["info"].setText(text)
        # the title is placed with the legend and labels once the overlays have drawn
        # (redraw's place_labels): one pass per slice step, not two

    def place_labels(self) -> None:
        """Place the colour bar, letters, title and legend in the view's pixels."""
        rect = self.vb.boundingRect()
        self.colour_bar.place(rect)
        self.labels.place(rect)
        # view units are patient mm: the width of one screen pixel in mm
        mm_per_px = float(self.vb.viewPixelSize()[0]) if rect.width() > 0 else 0.0
        taken = [self.title_rect(), *self.labels.letter_rects(), *self._bar_rects()]
        for overlay in getattr(self, "overlays", {}).values():  # compare maps' bars
            taken += getattr(overlay, "label_rects", list)()
        #: what this pass keeps clear of (the beam labels use it too: computed once)
        self.placed_content = self.content_rect()
        self.legend.place(rect, mm_per_px if self.scene.empty is False else 0.0, taken,
                          self.placed_content)
        self.labelsPlaced.emit()

    def content_rect(self) -> QtCore.QRectF | None:
        """What the plane shows of the patient, in ViewBox pixels (legends keep clear of it).

        The drawn structures' outlines (the body outline holds the others); without
        any, the image; None when neither is drawn.
        """
        structures = getattr(self, "overlays", {}).get("structures")
        # the hidden curves are empty (most structures miss a sagittal or coronal slice)
        bounds = np.array([[*curve.dataBounds(0), *curve.dataBounds(1)]
                           for curve in getattr(structures, "curves", {}).values()
                           if curve.isVisible()],
                          dtype=np.float64).reshape(-1, 4)  # None (no data) becomes NaN
        bounds = bounds[np.isfinite(bounds).all(axis=1)]
        if len(bounds):
            area = QtCore.QRectF(QtCore.QPointF(bounds[:, 0].min(), bounds[:, 2].min()),
                                 QtCore.QPointF(bounds[:, 1].max(), bounds[:, 3].max()))
        else:
            image = getattr(self, "overlays", {}).get("image")
            item = getattr(image, "item", None)
            if item is None or item.image is None or not item.isVisible():
                return None
            area = item.mapRectToView(item.boundingRect())
        return self.vb.mapFromView(area).boundingRect()

    def title_rect(self) -> QtCore.QRectF:
        """The title bar's rectangle in ViewBox pixels (beam labels keep out of it)."""
        return self.title_bar.rect()

    def letter_rects(self) -> list[QtCore.QRectF]:
        """The orientation letters' rectangles in ViewBox pixels, with the legend's.

        Beam labels keep out of them all (the isodose legend, scale bar and W/L too).
        """
        return [*self.labels.letter_rects(), *self.legend.rects(), *self._bar_rects()]

    def _bar_rects(self) -> list[QtCore.QRectF]:
        """The dose wash's colour bar with its labels, when shown (ViewBox pixels)."""
        return [bar_rect(self.colour_bar)] if self.colour_bar.isVisible() else []

    # -- view -> state ------------------------------------------------------------------
    def _on_click(self, s: float, t: float) -> None:
        if not self.scene.empty:
            self.state.set_crosshair_mm(self.view_to_patient(s, t))

    def _on_shift_click(self, s: float, t: float) -> None:
        """Shift+click: ask for a user point here (patient mm; the Points tab keeps it)."""
        if not self.scene.empty:
            x, y, z = (float(v) for v in self.view_to_patient(s, t))
            self.userPointRequested.emit(x, y, z)

    def _on_window_drag(self, dx: float, dy: float) -> None:
        width, level = self.state.window_level
        self.state.set_window_level(width + 2.0 * dx, level - 2.0 * dy)

    def _on_mouse_moved(self, scene_pos: QtCore.QPointF) -> None:
        if self.scene.empty or not self.vb.sceneBoundingRect().contains(scene_pos):
            self.hover.hide()
            return
        point = self.vb.mapSceneToView(scene_pos)
        xyz = self.view_to_patient(point.x(), point.y())
        self.state.set_cursor_mm(xyz, view=self.view)
        structures = self.overlays.get("structures")
        drawn = structures.drawn_at(xyz) if isinstance(structures, StructureOverlay) else []
        self.hover.show(np.array([point.x(), point.y()]), hover_html(drawn))

    def leaveEvent(self, event: QtCore.QEvent) -> None:  # noqa: N802 - Qt override
        """The pointer left the view: no structure names beside it."""
        self.hover.hide()
        super().leaveEvent(event)

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:  # noqa: N802 - Qt override
        """Arrows step one slice, Page Up/Down ten; Home resets the zoom."""
        steps = {QtCore.Qt.Key.Key_Up: 1, QtCore.Qt.Key.Key_Down: -1,
                 QtCore.Qt.Key.Key_Right: 1, QtCore.Qt.Key.Key_Left: -1,
                 QtCore.Qt.Key.Key_PageUp: 10, QtCore.Qt.Key.Key_PageDown: -10}
        key = QtCore.Qt.Key(event.key())
        if key in steps:
            self.scroll(steps[key])
        elif key == QtCore.Qt.Key.Key_Home:
            self.reset_zoom()
        else:
            super().keyPressEvent(event)
