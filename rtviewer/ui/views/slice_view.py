"""One passive slice view (axial, sagittal or coronal) of a :class:`Scene`.

The view reads the shared :class:`ViewState` and redraws itself when it
changes; user actions (click, wheel, keys, right-drag) only write to the state.
Everything is placed in view coordinates ``(s, t)`` mm (see
``view_geometry``), so images, contours and isodoses share one true-aspect
ViewBox whose y axis points down.
"""

from __future__ import annotations

import functools

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets
from skimage.measure import find_contours

from rtviewer.ui.views.colour_bar import ColourBar
from rtviewer.ui.views.view_labels import ViewLabels
from rtviewer.ui.views.view_legend import ViewLegend
from rtviewer.ui.views.view_state import ViewState
from rtviewer.ui.views.window_drag import WindowDragViewBox
from rtviewer.view.contour_geometry import open_polylines, roi_outline
from rtviewer.view.dose_colours import colourwash_rgba
from rtviewer.view.scene import Scene
from rtviewer.view.undrawn import undrawn_notes
from rtviewer.view.view_geometry import PlaneImage, slice_volume

__all__ = ["SliceView", "plane_transform"]

def plane_transform(affine: np.ndarray) -> QtGui.QTransform:
    """QTransform placing an ImageItem whose pixel centres follow ``affine``.

    ``affine`` maps ``(column, row, 1)`` (integer = pixel centre) to ``(s, t)``;
    ImageItem pixel ``(c, r)`` covers ``[c, c+1] × [r, r+1]``, so its centre
    ``(c + ½, r + ½)`` must land on ``affine @ (c, r, 1)``.
    """
    a = np.asarray(affine, dtype=np.float64)
    dx = a[0, 2] - 0.5 * (a[0, 0] + a[0, 1])
    dy = a[1, 2] - 0.5 * (a[1, 0] + a[1, 1])
    return QtGui.QTransform(a[0, 0], a[1, 0], a[0, 1], a[1, 1], dx, dy)


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
    """A slice view bound to a :class:`ViewState`.

    Parameters
    ----------
    state : ViewState
        Shared state; read on every change, written on user actions.
    view : str
        ``"axial"``, ``"sagittal"`` or ``"coronal"``.
    """

    #: Shift+click: a user point at patient ``(x, y, z)`` mm.
    userPointRequested = QtCore.Signal(float, float, float)
    #: Contour and isodose line widths are multiplied by this (presenter mode: a projector).
    line_scale = 1.0

    def __init__(self, state: ViewState, view: str,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.state, self.view = state, view
        self.scene = Scene()
        self._depth: float | None = None
        self._fitted = False
        self.setFocusPolicy(QtCore.Qt.FocusPolicy.StrongFocus)
        self.graphics = pg.GraphicsLayoutWidget(self)
        self.graphics.setBackground("k")
        self.graphics.ci.setContentsMargins(0, 0, 0, 0)
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

    # -- construction -------------------------------------------------------------------
    def _build_items(self) -> None:
        self.image_item = pg.ImageItem(axisOrder="row-major")
        self.wash_item = pg.ImageItem(axisOrder="row-major")
        self.image_item.setZValue(0)
        self.wash_item.setZValue(1)
        self.vb.addItem(self.image_item, ignoreBounds=True)
        self.vb.addItem(self.wash_item, ignoreBounds=True)
        self.roi_curves: dict[int, pg.PlotCurveItem] = {}
        self.roi_fills: dict[int, QtWidgets.QGraphicsPathItem] = {}
        self._spare: list[tuple[pg.PlotCurveItem, QtWidgets.QGraphicsPathItem]] = []
        self.isodose_curves: list[pg.PlotCurveItem] = []
        pen = pg.mkPen((255, 255, 0, 150), width=1, style=QtCore.Qt.PenStyle.DashLine)
        self.h_line = pg.InfiniteLine(angle=0, movable=False, pen=pen)
        self.v_line = pg.InfiniteLine(angle=90, movable=False, pen=pen)
        for line in (self.h_line, self.v_line):
            line.setZValue(10)
            self.vb.addItem(line, ignoreBounds=True)
        self.colour_bar = ColourBar(self.vb)
        self.labels = ViewLabels(self.vb)
        self.legend = ViewLegend(self.vb)  # isodose levels, scale bar, W/L on the picture
        self.edge_labels = self.labels.items  # letters and the "info" title
        self.title_bar = self.labels.title_bar

    def _connect(self) -> None:
        s = self.state
        s.crosshairChanged.connect(self._on_crosshair)
        s.windowLevelChanged.connect(self._on_window_level)
        s.visibleRoisChanged.connect(self._redraw_structures)
        s.fillChanged.connect(self._redraw_structures)
        for signal in (s.isodoseLevelsChanged, s.isodoseAbsoluteChanged, s.referenceDoseChanged,
                       s.colourwashChanged):
            signal.connect(self._redraw_dose)
        self.vb.clicked.connect(self._on_click)
        self.vb.shiftClicked.connect(self._on_shift_click)
        self.vb.scrolled.connect(self.scroll)
        self.vb.windowDragged.connect(self._on_window_drag)
        self.vb.sigResized.connect(self._place_labels)
        self.vb.sigRangeChanged.connect(lambda *_a: self._place_labels())
        self.graphics.scene().sigMouseMoved.connect(self._on_mouse_moved)

    # -- public -------------------------------------------------------------------------
    def set_scene(self, scene: Scene, *, reset_zoom: bool = True) -> None:
        """Show another scene: reset items, labels and (unless told not to) the range."""
        self.scene = scene
        self._depth = None
        # reuse the previous scene's items (see _roi_curve) rather than removing them
        self._spare = list(zip(self.roi_curves.values(), self.roi_fills.values(), strict=True))
        self.roi_curves.clear()
        self.roi_fills.clear()
        for curve, fill in self._spare:
            curve.setData([], [])
            fill.setPath(QtGui.QPainterPath())
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
        """What :meth:`reset_zoom` fits (kept for ``plan_overlay``, which sizes beams by it)."""
        return self.scene.extent_corners_mm()

    def scroll(self, steps: int) -> None:  # type: ignore[override]  # not QWidget.scroll(dx, dy)
        """Move the crosshair ``steps`` slices along this view's normal."""
        if self.scene.empty:
            return
        _u, _v, n = self.scene.frame.axes(self.view)
        xyz = self.state.crosshair_mm
        target = self.scene.step_depth(self.view, float(xyz @ n), steps)
        self.state.set_crosshair_mm(xyz + (target - float(xyz @ n)) * n)

    # -- state -> view ------------------------------------------------------------------
    def redraw(self) -> None:
        """Redraw the slice content (image, dose, structures) and the crosshair."""
        self._depth = self.depth_mm()
        self._redraw_image()
        self._redraw_dose()
        self._redraw_structures()
        self._place_crosshair()
        self._update_info()

    def _on_crosshair(self, _xyz: np.ndarray) -> None:
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
        self._place_labels()

    def _place_labels(self) -> None:
        rect = self.vb.boundingRect()
        self.colour_bar.place(rect)
        self.labels.place(rect)
        # view units are patient mm: the width of one screen pixel in mm
        mm_per_px = float(self.vb.viewPixelSize()[0]) if rect.width() > 0 else 0.0
        self.legend.place(rect, mm_per_px if self.scene.empty is False else 0.0)

    def title_rect(self) -> QtCore.QRectF:
        """The title bar's rectangle in ViewBox pixels (beam labels keep out of it)."""
        return self.title_bar.rect()

    def letter_rects(self) -> list[QtCore.QRectF]:
        """The orientation letters' rectangles in ViewBox pixels, with the legend's.

        Beam labels keep out of them all (the isodose legend, scale bar and W/L too).
        """
        return [*self.labels.letter_rects(), *self.legend.rects()]

    def _on_window_level(self, width: float, level: float) -> None:
        self.image_item.setLevels((level - width / 2, level + width / 2))
        self.legend.set_window(width, level, self.scene.image is not None)
        self._place_labels()

    def _redraw_image(self) -> None:
        image = self.scene.image
        plane = None
        if image is not None:
            depth = self._depth if self._depth is not None else self.depth_mm()
            plane = slice_volume(image.grid, image.voxels, self.scene.frame, self.view, depth,
                                 linear=False)
        if plane is None:
            self.image_item.clear()
            return
        width, level = self.state.window_level
        # float32 whatever the volume holds (int16 CT): one slice, one display path
        self.image_item.setImage(plane.values.astype(np.float32, copy=False),
                                 levels=(level - width / 2, level + width / 2),
                                 autoLevels=False)
        self.image_item.setTransform(plane_transform(plane.affine))

    def _dose_plane(self) -> PlaneImage | None:
        dose = self.scene.dose
        if dose is None or self._depth is None:
            return None
        return slice_volume(dose.grid, dose.dose_gy, self.scene.frame, self.view, self._depth,
                            linear=True)

    def _redraw_dose(self, *_args: object) -> None:
        plane = self._dose_plane()
        self._redraw_isodoses(plane)
        on, threshold = self.state.colourwash
        reference = self.state.reference_dose
        self.colour_bar.setVisible(plane is not None and on and reference is not None)
        if plane is None or not on or reference is None:
            self.wash_item.clear()
            return
        self.colour_bar.set_range(threshold / 100.0 * reference.dose_gy, reference.dose_gy)
        rgba = colourwash_rgba(plane.values, reference_gy=reference.dose_gy,
                               threshold_gy=threshold / 100.0 * reference.dose_gy)
        self.wash_item.setImage(rgba, autoLevels=False, levels=(0, 255))
        self.wash_item.setTransform(plane_transform(plane.affine))

    def _redraw_isodoses(self, plane: PlaneImage | None) -> None:
        levels = self.state.isodose_levels_gy() if plane is not None else ()
        while len(self.isodose_curves) < len(levels):
            curve = pg.PlotCurveItem(connect="finite")
            curve.setZValue(5)
            self.vb.addItem(curve, ignoreBounds=True)
            self.isodose_curves.append(curve)
        colours = self.state.isodose_colours() if levels else []
        self._show_isodose_legend(levels, colours)
        for index, curve in enumerate(self.isodose_curves):
            if index >= len(levels) or plane is None:
                curve.setData([], [])
                continue
            level = levels[index]
            curve.setPen(_isodose_pen(colours[index], self.line_scale))
            s, t = _isodose_polylines(plane, level)
            curve.setData(s, t, connect="finite")

    def _show_isodose_legend(self, levels: tuple[float, ...],
                             colours: list[tuple[int, int, int]]) -> None:
        """The levels drawn, highest first, as % of the reference and Gy."""
        reference = self.state.reference_dose
        rows = []
        for level, rgb in sorted(zip(levels, colours, strict=True), reverse=True):
            percent = f"{100 * level / reference.dose_gy:.0f} %  " if reference else ""
            rows.append((rgb, f"{percent}{level:.1f} Gy"))
        if self.legend.set_isodoses(rows):
            self._place_labels()

    def _redraw_structures(self, *_args: object) -> None:
        structures = self.scene.structures
        visible = self.state.visible_rois if structures is not None else frozenset()
        depth = self._depth if self._depth is not None else self.depth_mm()
        for roi in structures.rois if structures is not None else ():
            curve = self._roi_curve(roi.roi_number, roi.color_rgb)
            fill = self.roi_fills[roi.roi_number]
            if roi.roi_number not in visible:
                curve.setData([], [])
                fill.setPath(QtGui.QPainterPath())
                continue
            number = roi.roi_number
            outline = roi_outline(self.scene.slab_model(number), self.scene.frame, self.view,
                                  depth, self.scene.cut_table(number))
            s, t = outline.s, outline.t
            open_pts = self.scene.open_contours_mm(roi.roi_number)
            if open_pts:
                half = 0.5 * self.scene.slab_mm(self.view)
                os_, ot = open_polylines(open_pts, self.scene.frame, self.view, depth, half)
                s, t = np.concatenate([s, [np.nan], os_]), np.concatenate([t, [np.nan], ot])
            curve.setData(s, t, connect="finite")
            fill.setPath(_fill_path(outline.fill_polygons) if self.state.fill
                         else QtGui.QPainterPath())

    def _roi_curve(self, roi_number: int, rgb: tuple[int, int, int]) -> pg.PlotCurveItem:
        """The ROI's curve (and fill), reusing items of earlier scenes.

        Items are never removed from the ViewBox: removal disconnects signals, and
        PySide6 6.12.0 leaks a reference to ``True`` on every ``disconnect``.
        """
        if roi_number not in self.roi_curves:
            if self._spare:
                curve, fill = self._spare.pop()
            else:
                curve = pg.PlotCurveItem(connect="finite")
                curve.setZValue(6)
                self.vb.addItem(curve, ignoreBounds=True)
                fill = QtWidgets.QGraphicsPathItem()
                fill.setPen(QtGui.QPen(QtCore.Qt.PenStyle.NoPen))
                fill.setZValue(4)
                self.vb.addItem(fill, ignoreBounds=True)
            fill.setBrush(QtGui.QBrush(QtGui.QColor(*rgb, 70)))
            self.roi_curves[roi_number], self.roi_fills[roi_number] = curve, fill
        curve = self.roi_curves[roi_number]
        width = 2 * self.line_scale
        if curve.opts["pen"].widthF() != width or curve.opts["pen"].color().getRgb()[:3] != rgb:
            curve.setPen(pg.mkPen(rgb, width=width))
        return curve

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
            return
        point = self.vb.mapSceneToView(scene_pos)
        self.state.set_cursor_mm(self.view_to_patient(point.x(), point.y()))

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


@functools.lru_cache(maxsize=512)
def _isodose_pen_cached(rgb: tuple[int, int, int], scale: float) -> QtGui.QPen:
    return pg.mkPen(rgb, width=1.5 * scale)


def _isodose_pen(rgb: tuple[int, int, int], scale: float = 1.0) -> QtGui.QPen:
    """The pen of an isodose line of colour ``rgb``, ``scale`` times the normal width."""
    return _isodose_pen_cached((int(rgb[0]), int(rgb[1]), int(rgb[2])), float(scale))


def _isodose_polylines(plane: PlaneImage, level_gy: float) -> tuple[np.ndarray, np.ndarray]:
    """Isodose line at ``level_gy`` on a dose plane, NaN-separated view coordinates."""
    values = np.nan_to_num(plane.values, nan=0.0)
    lines = find_contours(values, level_gy)
    if not lines:
        return np.empty(0), np.empty(0)
    gap = np.full((1, 2), np.nan)
    rc = np.concatenate([piece for line in lines for piece in (line, gap)])
    cols_rows = np.column_stack([rc[:, 1], rc[:, 0], np.ones(len(rc))])
    st = cols_rows @ plane.affine.T
    return st[:, 0], st[:, 1]


def _fill_path(polygons: tuple[np.ndarray, ...] | np.ndarray) -> QtGui.QPainterPath:
    """Even-odd painter path of closed ``(N, 2)`` view-coordinate polygons."""
    path = QtGui.QPainterPath()
    path.setFillRule(QtCore.Qt.FillRule.OddEvenFill)
    for polygon in polygons:
        path.addPolygon(QtGui.QPolygonF([QtCore.QPointF(float(a), float(b))
                                         for a, b in polygon]))
        path.closeSubpath()
    return path

