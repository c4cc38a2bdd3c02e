"""Beam's-eye view panel: DRR (or RT Image), projected structures, jaws, MLC, ion spots.

Coordinates are IEC 61217 gantry ``(Xg, Yg)`` mm at the isocentre plane, seen from
the source (``Xg`` right, ``Yg`` up). A control-point slider shows the cumulative
meterset weight; Play steps through the control points to watch a dynamic MLC or
VMAT aperture move. Ion beams show the spot map of the selected energy layer.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from rtviewer.model.ion import IonBeam
from rtviewer.ui.views.bev_accessory_items import AccessoryItems
from rtviewer.ui.views.bev_fluence_items import FluenceLayer
from rtviewer.ui.views.bev_items import BevBackdrop, polygons_path, spot_brushes
from rtviewer.ui.views.combo_fit import fit_combo_width
from rtviewer.ui.views.flow_row import FlowRow
from rtviewer.view.beam_model import cumulative_weights, default_beam_number
from rtviewer.view.bev_content import (
    BevContent,
    bev_content,
    closed_runs,
    outline_pixel_mm,
    project_structures,
)
from rtviewer.view.dose_colours import clear_colour

__all__ = ["BeamsEyeView"]

#: The beam and layer combos grow with their items up to this many widths of an 'x'
#: (a 300 px side panel holds one of them whole; the other wraps below it).
_COMBO_MAX_CHARS = 30


def _sad_text(g: Any) -> str:
    """The source distance(s) the projection uses."""
    sad_x, sad_y = g.sad_xy_mm
    if sad_x == sad_y:
        return f"SAD {sad_x:g} mm"
    return f"virtual SAD X {sad_x:g} mm, Y {sad_y:g} mm"


def _half_width(content: BevContent | None, beam: Any) -> float:
    """Half the side (mm at isocentre) the view shows: the field and its devices, +25 %."""
    pts = [p for p in content.apertures] if content else []
    if content is not None:
        pts += [s.points_mm for s in content.accessories if s.kind != "wedge"]
    if content is not None and content.jaws is not None:
        pts.append(content.jaws)
    if isinstance(beam, IonBeam):
        pts += [layer.spot_positions_mm for layer in beam.energy_layers
                if layer.spot_positions_mm.size]
    extent = max((float(np.abs(p).max()) for p in pts if len(p)), default=100.0)
    return float(np.clip(1.25 * extent, 60.0, 250.0))


class BeamsEyeView(QtWidgets.QWidget):
    """The beam's-eye view of one beam of the loaded plan.

    Signals
    -------
    beamChanged(int)
        The Beam Number shown.
    controlPointChanged(int)
        The 0-based control point index shown.
    """

    beamChanged = QtCore.Signal(int)
    controlPointChanged = QtCore.Signal(int)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.plan: Any = None
        self.structures: Any = None
        self.image: Any = None
        self.rt_images: list[Any] = []
        self.slab_model: Any = None
        self.visible_rois: frozenset[int] | None = None
        self.beam_number: int | None = None
        self.index = 0
        self.layer = 0
        self.content: BevContent | None = None
        self.backdrop_note = ""
        self._projections: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        self._runs: dict[tuple[int, float], tuple[np.ndarray, np.ndarray]] = {}
        self._stale = False
        self.backdrop = BevBackdrop(self, asynchronous=True)
        self.backdrop.updated.connect(self._on_backdrop)
        self._build_controls()
        self._build_plot()
        self.timer = QtCore.QTimer(self)
        self.timer.setInterval(120)
        self.timer.timeout.connect(self._advance)

    # -- construction ---------------------------------------------------------------------
    def _build_controls(self) -> None:
        self.beam_combo = QtWidgets.QComboBox()
        self.beam_combo.activated.connect(self._on_beam_chosen)
        self.slider = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal)
        self.slider.valueChanged.connect(self.set_control_point)
        self.play = QtWidgets.QPushButton("Play")
        self.play.setCheckable(True)
        self.play.toggled.connect(self._on_play)
        self.fluence_box = QtWidgets.QCheckBox("Fluence")
        self.fluence_box.setToolTip("MU-weighted fluence of the whole beam: open aperture × "
                                    "meterset weight increment, summed over control points")
        self.union_box = QtWidgets.QCheckBox("Union")
        self.union_box.setToolTip("Outline of everything any control point opens")
        self.fluence_box.toggled.connect(self._on_fluence_toggled)
        self.union_box.toggled.connect(self._on_fluence_toggled)
        self.layer_combo = QtWidgets.QComboBox()
        self.layer_combo.activated.connect(self.set_layer)
        self.cp_label = QtWidgets.QLabel()
        # the label may be clipped rather than force the panel (or a render) wider
        self.cp_label.setMinimumWidth(1)
        self.info = QtWidgets.QLabel()
        self.info.setWordWrap(True)
        # the beam and an ion beam's energy layer side by side where both fit whole, the
        # layer on a row of its own where not ('Layer 1/22: 149.40 Me' was cut at 1280x800)
        top = FlowRow([self.beam_combo, self.layer_combo],
                      stretchy=[self.beam_combo, self.layer_combo])
        bottom = QtWidgets.QHBoxLayout()
        bottom.addWidget(self.play)
        bottom.addWidget(self.slider, 1)
        bottom.addWidget(self.fluence_box)
        bottom.addWidget(self.union_box)
        self._rows = (top, bottom)

    def _build_plot(self) -> None:
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("k")
        self.vb = pg.ViewBox(lockAspect=True, invertY=False, enableMenu=False)
        self.graphics.addItem(self.vb)
        self.vb.addItem(self.backdrop.item)
        self.structure_curves: list[pg.PlotCurveItem] = []
        self.leaf_item = QtWidgets.QGraphicsPathItem()
        self.leaf_item.setBrush(QtGui.QBrush(QtGui.QColor(90, 140, 255, 30)))
        self.leaf_item.setPen(pg.mkPen((120, 170, 255, 150), width=0))
        # closed leaf pairs (gap shut or behind the jaws): mid grey, seen on black and on a DRR
        self.closed_item = QtWidgets.QGraphicsPathItem()
        self.closed_item.setBrush(QtGui.QBrush(QtGui.QColor(128, 128, 128, 70)))
        self.closed_item.setPen(QtGui.QPen(QtCore.Qt.PenStyle.NoPen))
        self.closed_item.setZValue(4)
        self.vb.addItem(self.closed_item)
        self.jaw_item = QtWidgets.QGraphicsPathItem()
        self.jaw_item.setPen(pg.mkPen((255, 230, 0), width=2))
        self.field_item = QtWidgets.QGraphicsPathItem()
        self.field_item.setPen(pg.mkPen((255, 60, 60), width=2))
        for z, item in enumerate((self.leaf_item, self.jaw_item, self.field_item), start=5):
            item.setZValue(z)
            self.vb.addItem(item)
        self.accessories = AccessoryItems(self.vb)
        self.fluence = FluenceLayer(self.vb)
        self.fluence.updated.connect(self._on_fluence)
        self.fluence_note = ""
        self.spots = pg.ScatterPlotItem(pxMode=True, size=7, pen=None)
        self.spots.setZValue(9)
        self.vb.addItem(self.spots)
        axis_pen = pg.mkPen((255, 255, 255, 140), width=1, style=QtCore.Qt.PenStyle.DashLine)
        self.axis_x = pg.InfiniteLine(angle=0, pen=axis_pen)
        self.axis_y = pg.InfiniteLine(angle=90, pen=axis_pen)
        for line in (self.axis_x, self.axis_y):
            line.setZValue(10)
            self.vb.addItem(line, ignoreBounds=True)
        self.ticks = pg.PlotCurveItem(pen=pg.mkPen((255, 255, 255, 160), width=1),
                                      connect="finite")
        self.ticks.setZValue(10)
        self.vb.addItem(self.ticks, ignoreBounds=True)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self._rows[0])
        layout.addWidget(self.graphics, 1)
        layout.addWidget(self.cp_label)
        layout.addLayout(self._rows[1])
        layout.addWidget(self.info)

    # -- inputs ---------------------------------------------------------------------------
    def set_data(self, *, plan: Any, structures: Any = None, image: Any = None,
                 rt_images: list[Any] | None = None, slab_model: Any = None) -> None:
        """Show ``plan``'s beams over ``image`` (a CT ImageVolume) or its RT Images.

        ``slab_model(roi_number)`` (the scene's cached slab models) lets structures
        project as solids rather than as their contours.
        """
        self.plan, self.structures, self.image = plan, structures, image
        self.slab_model = slab_model
        self.rt_images = list(rt_images or [])
        self.backdrop.clear_cache()
        self.fluence.clear_cache()
        self._projections.clear()
        self._runs.clear()
        self._colour_edges(structures)
        with QtCore.QSignalBlocker(self.beam_combo):
            self.beam_combo.clear()
            for beam in sorted(getattr(plan, "beams", ()) or (), key=lambda b: b.number):
                kind = beam.delivery_type.value if beam.delivery_type else "?"
                self.beam_combo.addItem(f"{beam.number}: {beam.name or ''} ({kind})",
                                        beam.number)
        fit_combo_width(self.beam_combo, min_chars=12, max_chars=_COMBO_MAX_CHARS)
        self.set_beam(default_beam_number(plan))

    def _colour_edges(self, structures: Any) -> None:
        """Field edge and jaws in colours no structure has (a red edge read as the GTV)."""
        colours = tuple(roi.color_rgb for roi in getattr(structures, "rois", ()) or ())
        field = clear_colour(colours, over_grey=True)
        jaws = clear_colour((*colours, field), over_grey=True)
        self.field_item.setPen(pg.mkPen(field, width=2))
        self.jaw_item.setPen(pg.mkPen(jaws, width=2))

    def set_visible_rois(self, roi_numbers: frozenset[int] | None) -> None:
        """Project only these ROIs (None: every ROI with contours)."""
        self.visible_rois = roi_numbers
        if self.isVisible():
            self._draw_structures()
        else:
            self._stale = True

    def set_beam(self, number: int | None) -> None:
        """Show the beam with this Beam Number (control point 0)."""
        self.timer.stop()
        self.beam_number = number
        beam = self.beam
        with QtCore.QSignalBlocker(self.beam_combo):
            self.beam_combo.setCurrentIndex(max(0, self.beam_combo.findData(number)))
        count = len(beam.control_points) if beam is not None else 1
        with QtCore.QSignalBlocker(self.slider):
            self.slider.setRange(0, max(0, count - 1))
            self.slider.setValue(0)
        self._fill_layers(beam)
        self.index = -1
        self.set_control_point(0)
        if number is not None:
            self.beamChanged.emit(number)

    @property
    def beam(self) -> Any:
        """The shown beam, or None."""
        if self.plan is None or self.beam_number is None:
            return None
        return self.plan.beam(self.beam_number)

    def set_control_point(self, index: int) -> None:
        """Show control point ``index`` (0-based) of the current beam."""
        beam = self.beam
        if beam is None or not beam.control_points:
            self._show_nothing(
                "No plan loaded." if self.plan is None else
                "No beam to show: the plan has no external or ion beams." if beam is None else
                f"Beam {beam.number} has no control points: nothing to draw.")
            return
        index = int(np.clip(index, 0, len(beam.control_points) - 1))
        if index == self.index and self.content is not None:
            return
        self.index = index
        with QtCore.QSignalBlocker(self.slider):
            self.slider.setValue(index)
        self.content = bev_content(self.plan, beam, index, self.structures)
        if isinstance(beam, IonBeam):  # the slider walks through the energy layers too
            layer = next((k for k, lay in enumerate(beam.energy_layers)
                          if index in lay.control_point_indices), None)
            if layer is not None:
                self.layer = layer
                with QtCore.QSignalBlocker(self.layer_combo):
                    self.layer_combo.setCurrentIndex(layer)
        self._draw()
        self.controlPointChanged.emit(index)

    def set_layer(self, layer: int) -> None:
        """Show the spots of energy layer ``layer`` (0-based) of an ion beam."""
        self.layer = int(layer)
        with QtCore.QSignalBlocker(self.layer_combo):
            self.layer_combo.setCurrentIndex(self.layer)
        self._draw_spots()

    # -- drawing --------------------------------------------------------------------------
    def _show_nothing(self, message: str) -> None:
        self.content = None
        for item in (self.closed_item, self.leaf_item, self.jaw_item, self.field_item):
            item.setPath(QtGui.QPainterPath())
        self.accessories.show([])
        self.spots.setData([], [])
        self.backdrop.item.clear()
        self.cp_label.setText("")
        self.info.setText(message)

    def _draw(self) -> None:
        content, beam = self.content, self.beam
        assert content is not None
        self.leaf_item.setPath(polygons_path(list(content.leaves)
                                             if content.leaves is not None else []))
        closed = polygons_path(list(content.closed_leaves)
                               if content.closed_leaves is not None else [])
        closed.setFillRule(QtCore.Qt.FillRule.WindingFill)  # two layers' strips overlap
        self.closed_item.setPath(closed)
        self.jaw_item.setPath(polygons_path([content.jaws] if content.jaws is not None else []))
        self.field_item.setPath(polygons_path(content.apertures))
        self.accessories.show(list(content.accessories))
        if not self.timer.isActive() or not self.fluence_note:  # one beam: same map all along
            self.fluence_note = self.fluence.show(beam)
        self._draw_ticks()
        if self.isVisible():  # DRR and projections take a while: only when looked at
            self.backdrop_note = self.backdrop.show(
                self.image, self.rt_images, self.plan, beam, content.geometry,
                self._half_width(), fast=self.timer.isActive())
            self._stale = False
            self._draw_structures()
        else:
            self._stale = True
        backdrop_note = self.backdrop_note
        self._draw_spots()
        self._update_labels(beam, backdrop_note)

    def _half_width(self) -> float:
        return _half_width(self.content, self.beam)

    def prefetch_backdrops(self, beam_numbers: list[int]) -> None:
        """Start casting these beams' DRRs at control point 0 in the background.

        For ``rtviewer report``, which then shows the beams one by one: the DRRs are
        cast while it draws its other pictures (:meth:`BevBackdrop.prefetch`).
        """
        views = []
        for number in beam_numbers:
            beam = self.plan.beam(number) if self.plan is not None else None
            if beam is None or not beam.control_points:
                continue
            content = bev_content(self.plan, beam, 0, self.structures)
            views.append((content.geometry, _half_width(content, beam)))
        self.backdrop.prefetch(self.image, views)

    def _draw_ticks(self) -> None:
        s, t = [], []
        for mm in np.arange(-200.0, 201.0, 10.0):
            size = 4.0 if mm % 50 else 8.0
            s += [mm, mm, np.nan, -size / 2, size / 2, np.nan]
            t += [-size / 2, size / 2, np.nan, mm, mm, np.nan]
        self.ticks.setData(np.array(s), np.array(t), connect="finite")

    def _draw_structures(self) -> None:
        content = self.content
        rois = list(getattr(self.structures, "rois", ()) or ()) if content is not None else []
        # the external contour projects to a mesh over everything: left out; the beam's
        # boli are drawn even when unticked (they are part of the beam)
        boli = set(getattr(self.beam, "bolus_roi_numbers", ()) or ())
        rois = [r for r in rois if r.has_contours and (r.interpreted_type or "") != "EXTERNAL"
                and (self.visible_rois is None or r.roi_number in self.visible_rois
                     or r.roi_number in boli)]
        while len(self.structure_curves) < len(rois):
            curve = pg.PlotCurveItem(connect="finite")
            curve.setZValue(4)
            self.vb.addItem(curve)
            self.structure_curves.append(curve)
        for k, curve in enumerate(self.structure_curves):
            if k >= len(rois) or content is None:
                curve.setData([], [])
                continue
            roi = rois[k]
            projected = self._projection(roi, cached_only=self.timer.isActive())
            if projected is None:
                continue  # playing: keep the last outline rather than stall the animation
            curve.setPen(pg.mkPen(roi.color_rgb, width=2))
            curve.setData(*projected, connect="finite")

    def _projection(self, roi: Any, *, cached_only: bool = False
                    ) -> tuple[np.ndarray, np.ndarray] | None:
        """The ROI's projected outline, cached per beam direction (static beams share it).

        With ``cached_only`` an outline not yet computed gives None.
        """
        if self.content is None:
            return None
        g = self.content.geometry
        half = self._half_width()
        key = (roi.roi_number, round(g.gantry_deg, 2), round(g.collimator_deg, 2),
               round(g.couch_deg, 2), g.isocenter_mm, g.sad_xy_mm, g.patient_position,
               g.table_top_pitch_deg, g.table_top_roll_deg, round(half, 1))
        if key not in self._projections:
            if cached_only:
                return None
            contours = list(roi.contours)
            swept = (roi.roi_number, outline_pixel_mm(half))  # the same for every beam
            if swept not in self._runs:
                model = self.slab_model(roi.roi_number) if self.slab_model is not None else None
                self._runs[swept] = closed_runs(contours, model, swept[1])
            self._projections[key] = project_structures(g, contours, half_width_mm=half,
                                                        runs=self._runs[swept])
        return self._projections[key]

    def shown_layer(self) -> Any:
        """The energy layer whose spots are drawn (an ion beam's), else None."""
        beam = self.beam
        if not isinstance(beam, IonBeam) or not beam.energy_layers:
            return None
        return beam.energy_layers[int(np.clip(self.layer, 0, len(beam.energy_layers) - 1))]

    def _draw_spots(self) -> None:
        layer = self.shown_layer()
        if layer is None:
            self.spots.setData([], [])
            return
        xy = layer.spot_positions_mm
        weights = layer.spot_meterset_weights
        top = float(weights.max()) if weights.size and weights.max() > 0 else 1.0
        # colour and area both follow the spot's meterset weight
        sizes = 3.0 + 9.0 * np.sqrt(np.clip(weights, 0.0, None) / top)
        self.spots.setData(xy[:, 0], xy[:, 1], brush=spot_brushes(weights), size=sizes)

    def _fill_layers(self, beam: Any) -> None:
        layers = beam.energy_layers if isinstance(beam, IonBeam) else ()
        with QtCore.QSignalBlocker(self.layer_combo):
            self.layer_combo.clear()
            for layer in layers:
                energy = (f"{layer.nominal_energy_mev:.2f} MeV"
                          if layer.nominal_energy_mev is not None else "energy ?")
                self.layer_combo.addItem(f"Layer {layer.layer_index + 1}/{len(layers)}: "
                                         f"{energy}, {layer.number_of_spots} spots")
        fit_combo_width(self.layer_combo, min_chars=12, max_chars=_COMBO_MAX_CHARS)
        self.layer_combo.setVisible(bool(layers))
        self.layer = 0

    def _update_labels(self, beam: Any, backdrop_note: str) -> None:
        content = self.content
        assert content is not None
        g = content.geometry
        weights = cumulative_weights(beam)
        w = weights[self.index]
        unit = beam.primary_dosimeter_unit or "MU"
        mu = (f", {w * beam.meterset:.1f} of {beam.meterset:.1f} {unit}"
              if beam.meterset is not None and np.isfinite(w) else "")
        weight = f"{w:.4f}" if np.isfinite(w) else "not stated"
        self.cp_label.setText(
            # 1-based, as planning systems count them; the file's own Control Point Index
            # is 0-based (tooltip)
            f"Control point {self.index + 1} of {len(beam.control_points)} · cumulative "
            f"meterset weight {weight}{mu} · gantry {g.gantry_deg:.1f}° collimator "
            f"{g.collimator_deg:.1f}° couch {g.couch_deg:.1f}°")
        self.cp_label.setToolTip(f"Control Point Index {self.index} in the file (0-based)")
        lines = [f"Beam {beam.number} {beam.name or ''}: seen from the source, Xg → right, "
                 f"Yg ↑ (mm at isocentre, {_sad_text(g)}). {backdrop_note}"]
        layer = self.shown_layer()
        if layer is not None:
            wts = layer.spot_meterset_weights
            lines.append(f"Spots coloured by meterset weight {wts.min():.4g} (blue) – "
                         f"{wts.max():.4g} (red); {beam.number_of_spots} spots in "
                         f"{len(beam.energy_layers)} layers.")
        elif not content.apertures:
            lines.append("No jaws or MLC in this beam: no field outline to draw.")
        if len(beam.mlcs) > 1:
            names = ", ".join(d.device_type for d in beam.mlcs)
            lines.append(f"Stacked MLC ({names}): the red field is where every layer and the "
                         "jaws are open.")
        if self.fluence_note:
            lines.append(self.fluence_note)
        lines += list(content.accessory_lines)
        lines += list(content.notes)
        outside = self._isocentre_outside(np.asarray(g.isocenter_mm))
        if outside:
            lines.append(outside)
        self.info.setText("\n".join(lines))

    def _isocentre_outside(self, iso: np.ndarray) -> str:
        """A warning when the isocentre lies outside the CT and the structures."""
        boxes = []
        if self.image is not None:
            corners = self.image.grid.corners_mm()
            boxes.append((corners.min(axis=0), corners.max(axis=0)))
        points = [c.points_mm for r in getattr(self.structures, "rois", ()) or ()
                  for c in r.contours]
        if points:
            stacked = np.concatenate(points)
            boxes.append((stacked.min(axis=0), stacked.max(axis=0)))
        if not boxes or any(np.all(iso >= lo - 1.0) and np.all(iso <= hi + 1.0)
                            for lo, hi in boxes):
            return ""
        return (f"The isocentre ({iso[0]:.1f}, {iso[1]:.1f}, {iso[2]:.1f}) mm lies outside the "
                "CT and the structures: the plan may use other coordinates.")

    def fit(self) -> None:
        """Show ±(field extent) around the isocentre."""
        h = self._half_width()
        self.vb.setRange(xRange=(-h, h), yRange=(-h, h), padding=0.0)

    # -- user actions ---------------------------------------------------------------------
    def _on_beam_chosen(self, row: int) -> None:
        self.set_beam(self.beam_combo.itemData(row))
        self.fit()

    def _on_play(self, on: bool) -> None:
        self.play.setText("Pause" if on else "Play")
        if on:
            self.timer.start()
        else:
            self.timer.stop()
            self.index = -1
            self.set_control_point(self.slider.value())  # full-quality backdrop again

    def _advance(self) -> None:
        beam = self.beam
        if beam is None or len(beam.control_points) < 2:
            self.play.setChecked(False)
            return
        self.set_control_point((self.index + 1) % len(beam.control_points))

    def set_fluence(self, *, fluence: bool, union: bool) -> None:
        """Show the beam's MU-weighted fluence and/or the union of its apertures."""
        with QtCore.QSignalBlocker(self.fluence_box), QtCore.QSignalBlocker(self.union_box):
            self.fluence_box.setChecked(fluence)
            self.union_box.setChecked(union)
        self._on_fluence_toggled()

    def _on_fluence_toggled(self, _checked: bool = False) -> None:
        self.fluence.show_fluence = self.fluence_box.isChecked()
        self.fluence.show_union = self.union_box.isChecked()
        self.fluence_note = self.fluence.show(self.beam)
        if self.content is not None and self.beam is not None:
            self._update_labels(self.beam, self.backdrop_note)

    def _on_fluence(self, note: str) -> None:
        """A fluence computed in the background has arrived."""
        self.fluence_note = note
        if self.content is not None and self.beam is not None:
            self._update_labels(self.beam, self.backdrop_note)

    def _on_backdrop(self, note: str) -> None:
        """A DRR computed in the background has arrived."""
        self.backdrop_note = note
        if self.content is not None and self.beam is not None:
            self._update_labels(self.beam, note)

    def showEvent(self, event: QtGui.QShowEvent) -> None:  # noqa: N802 - Qt override
        """Draw the backdrop skipped while hidden."""
        super().showEvent(event)
        if self._stale and self.content is not None:
            self._draw()

    def stop_workers(self) -> None:
        """Stop playing and wait for the DRR and fluence workers (the window closes)."""
        self.timer.stop()
        self.backdrop.stop()
        self.fluence.stop()

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802 - Qt override
        """Stop playing and wait for DRR workers before the widget goes away."""
        self.stop_workers()
        super().closeEvent(event)
