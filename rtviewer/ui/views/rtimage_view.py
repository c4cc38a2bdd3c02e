"""RT Image view: a portal image, DRR or simulator image at true scale, with the planned field.

The ViewBox works in receptor ``(x, y)`` mm (``y`` up), so 1 mm is 1 mm whatever
the pixel spacing. A graticule in mm *at the isocentre* (receptor mm / SID·SAD)
is centred on the beam axis; the field of the referenced beam (or a beam the
user picks) is drawn on top: jaws yellow, MLC/jaw opening red.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from rtviewer.ui.views.bev_items import polygons_path, receptor_transform
from rtviewer.ui.views.flow_row import FlowRow
from rtviewer.ui.views.window_drag import WindowDragViewBox
from rtviewer.view.rtimage_geometry import (
    ReceptorGeometry,
    planned_field_on_receptor,
    receptor_geometry,
)

__all__ = ["RtImageView", "initial_window"]


def initial_window(image: Any) -> tuple[float, float]:
    """``(width, level)``: the file's first window, else the 1–99.5 percentile span."""
    if image.window is not None:
        level, width = image.window
        if width > 0:
            return float(width), float(level)
    low, high = np.percentile(image.pixels, (1.0, 99.5))
    return max(float(high - low), 1e-3), float((high + low) / 2)


def _without_a_plan(note: str) -> str:
    """A geometry note as it reads with no plan open (there is no beam to pick)."""
    if note.startswith("The image references no plan beam"):
        return "The image references no plan beam, and no plan is open: no field overlay."
    return note


class RtImageView(QtWidgets.QWidget):
    """One RT Image with window/level, graticule and a chosen beam's field."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.image: Any = None
        self.plan: Any = None
        self.receptor: ReceptorGeometry | None = None
        self.window_width_level = (1.0, 0.0)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground("k")
        self.vb = WindowDragViewBox(lockAspect=True, invertY=False, enableMenu=False)
        self.vb.windowDragged.connect(self._on_drag)
        self.graphics.addItem(self.vb)
        self.image_item = pg.ImageItem(axisOrder="row-major")
        self.vb.addItem(self.image_item)
        self.graticule = pg.PlotCurveItem(pen=pg.mkPen((0, 255, 255, 170), width=1),
                                          connect="finite")
        self.jaw_item = QtWidgets.QGraphicsPathItem()
        self.jaw_item.setPen(pg.mkPen((255, 230, 0), width=2))
        self.field_item = QtWidgets.QGraphicsPathItem()
        self.field_item.setPen(pg.mkPen((255, 60, 60), width=2))
        for z, item in enumerate((self.graticule, self.jaw_item, self.field_item), start=5):
            item.setZValue(z)
            self.vb.addItem(item, ignoreBounds=True)
        self.labels: list[pg.TextItem] = []
        self.vb.sigRangeChanged.connect(self._thin_labels)  # zoom, fit, panel resize
        self.beam_combo = QtWidgets.QComboBox()
        self.beam_combo.activated.connect(lambda row: self.set_beam(
            self.beam_combo.itemData(row)))
        self.width_box = QtWidgets.QDoubleSpinBox(decimals=1, maximum=1e7, minimum=1e-3)
        self.level_box = QtWidgets.QDoubleSpinBox(decimals=1, maximum=1e7, minimum=-1e7)
        for box in (self.width_box, self.level_box):
            box.valueChanged.connect(self._on_boxes)
        self.info = QtWidgets.QLabel()
        self.info.setWordWrap(True)
        self._layout()

    def _layout(self) -> None:
        # the beam choice and the window in rows that wrap: one fixed row cut
        # "Overlay beam:" in a 340 px side panel
        beam, window = QtWidgets.QWidget(), QtWidgets.QWidget()
        beam_row, window_row = QtWidgets.QHBoxLayout(beam), QtWidgets.QHBoxLayout(window)
        for row in (beam_row, window_row):
            row.setContentsMargins(0, 0, 0, 0)
        beam_row.addWidget(QtWidgets.QLabel("Overlay beam:"))
        beam_row.addWidget(self.beam_combo, 1)
        for widget in (QtWidgets.QLabel("W"), self.width_box, QtWidgets.QLabel("L"),
                       self.level_box):
            window_row.addWidget(widget)
        #: The image and its description without the controls: what Screenshot saves.
        self.picture = QtWidgets.QWidget()
        picture = QtWidgets.QVBoxLayout(self.picture)
        picture.setContentsMargins(0, 0, 0, 0)
        picture.addWidget(self.graphics, 1)
        picture.addWidget(self.info)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        #: The beam choice: shown only with a plan to overlay.
        self.beam_row = beam
        layout.addWidget(FlowRow([beam, window], stretchy=[beam]))
        layout.addWidget(self.picture, 1)

    # -- inputs ---------------------------------------------------------------------------
    def set_image(self, image: Any, plan: Any = None) -> None:
        """Show ``image`` (an RtImage); ``plan`` offers beams to overlay."""
        self.image, self.plan = image, plan
        self.receptor = receptor_geometry(image)
        pixels = np.asarray(image.pixels, dtype=np.float32)
        self.invert = image.photometric_interpretation == "MONOCHROME1"
        self.image_item.setImage(pixels, autoLevels=False)
        self.image_item.setTransform(receptor_transform(image))
        self.set_window(*initial_window(image))
        self._fill_beams()
        self._draw_graticule()
        referenced = image.referenced_beam_number
        same_plan = plan is not None and image.referenced_plan_uid == plan.sop_instance_uid
        self.set_beam(referenced if same_plan else None)
        self.fit()

    def _fill_beams(self) -> None:
        # a combo offering 'none' alone says nothing: no plan, no beam choice
        self.beam_row.setVisible(bool(getattr(self.plan, "beams", ())))
        with QtCore.QSignalBlocker(self.beam_combo):
            self.beam_combo.clear()
            self.beam_combo.addItem("none", None)
            for beam in sorted(getattr(self.plan, "beams", ()) or (), key=lambda b: b.number):
                self.beam_combo.addItem(f"{beam.number}: {beam.name or ''}", beam.number)

    def set_window(self, width: float, level: float) -> None:
        """Grey-scale window in stored (rescaled) pixel units."""
        self.window_width_level = (max(float(width), 1e-3), float(level))
        half = self.window_width_level[0] / 2
        low, high = level - half, level + half
        self.image_item.setLevels((high, low) if self.invert else (low, high))
        with QtCore.QSignalBlocker(self.width_box), QtCore.QSignalBlocker(self.level_box):
            self.width_box.setValue(self.window_width_level[0])
            self.level_box.setValue(self.window_width_level[1])

    def set_beam(self, number: int | None) -> None:
        """Overlay the field of plan beam ``number`` (None: no overlay)."""
        beam = self.plan.beam(number) if self.plan is not None and number is not None else None
        with QtCore.QSignalBlocker(self.beam_combo):
            self.beam_combo.setCurrentIndex(max(0, self.beam_combo.findData(number)))
        polygons: dict[str, list] = {"jaws": [], "field": []}
        self.overlay_problem = ""
        if beam is not None and not beam.control_points:
            self.overlay_problem = f"Beam {beam.number} has no control points: no field."
        elif beam is not None and self.receptor is not None:
            try:
                polygons = planned_field_on_receptor(self.receptor, self.plan, beam, 0)
            except ValueError as exc:
                self.overlay_problem = f"No field overlay: {exc}."
        self.jaw_item.setPath(polygons_path(polygons["jaws"]))
        self.field_item.setPath(polygons_path(polygons["field"]))
        self.beam_number = beam.number if beam is not None else None
        self._update_info(beam)

    # -- drawing --------------------------------------------------------------------------
    def _draw_graticule(self) -> None:
        receptor = self.receptor
        assert receptor is not None
        for label in self.labels:
            self.vb.removeItem(label)
        self.labels = []
        m = receptor.magnification or 1.0
        ax, ay = receptor.axis_mm
        s, t = [], []
        for mm in np.arange(-150.0, 151.0, 10.0):
            tick = (6.0 if mm % 50 == 0 else 3.0) * m
            s += [ax + mm * m, ax + mm * m, np.nan, ax - tick, ax + tick, np.nan]
            t += [ay - tick, ay + tick, np.nan, ay + mm * m, ay + mm * m, np.nan]
        s += [ax - 150 * m, ax + 150 * m, np.nan, ax, ax]
        t += [ay, ay, np.nan, ay - 150 * m, ay + 150 * m]
        self.graticule.setData(np.array(s), np.array(t), connect="finite")
        for mm in (-100, -50, 50, 100):
            label = pg.TextItem(f"{mm:+d}", color=(0, 255, 255), anchor=(0.5, 0))
            label.setPos(ax + mm * m, ay - 7 * m)
            label.setData(0, mm)
            self.vb.addItem(label, ignoreBounds=True)
            self.labels.append(label)
        self._thin_labels()

    def _thin_labels(self, *_args: object) -> None:
        """Only the ±100 mm labels where ±50 would run into them (a small view, zoomed out).

        The labels keep their size on screen while the image shrinks: in the 340 px
        panel at 1280x800 '-100 -50' and '+50 +100' were written over each other.
        """
        if not self.labels or self.receptor is None:
            return
        per_px = self.vb.viewPixelSize()[0] if self.vb.width() > 0 else 0.0
        apart_px = 50.0 * (self.receptor.magnification or 1.0) / per_px if per_px else 0.0
        room = max(label.boundingRect().width() for label in self.labels) + 6
        for label in self.labels:
            label.setVisible(abs(label.data(0)) == 100 or apart_px >= room)

    def _update_info(self, beam: Any) -> None:
        image, receptor = self.image, self.receptor
        assert receptor is not None
        dr, dc = receptor.spacing_mm
        m = receptor.magnification
        at_iso = (f" ({dr / m:.3f} × {dc / m:.3f} mm at the isocentre)" if m else "")
        self.info.setToolTip(str(image.path))  # UID-long file names in full
        lines = [f"RT Image '{image.label}' ({image.kind.value}), "
                 f"{image.shape[1]}×{image.shape[0]} px of {dr:.3f} × {dc:.3f} mm at the "
                 f"image plane{at_iso}; SID {image.sid_mm} mm, SAD {image.sad_mm} mm, "
                 f"gantry {image.gantry_angle_deg if image.gantry_angle_deg is not None else '?'}°."
                 " Graticule: mm at the isocentre, 10 mm ticks.",
                 *(_without_a_plan(m) if self.beam_row.isHidden() else m
                   for m in receptor.missing)]
        if receptor.tilted:
            lines.append("The image plane is tilted against the beam (NON_NORMAL, RT Image "
                         "Orientation): x, y are mm within that plane, the graticule's scale "
                         "holds at the beam axis only, and the field is drawn where its rays "
                         "from the source meet the plane.")
        if image.isocenter_mm is not None:
            x, y, z = image.isocenter_mm
            lines.append(f"Isocenter Position of the image: ({x:.1f}, {y:.1f}, {z:.1f}) mm.")
        if beam is not None and not self.overlay_problem:
            lines.append(f"Overlay: beam {beam.number} {beam.name or ''}, control point 1 of "
                         f"{len(beam.control_points)} (jaws yellow, field red).")
        if self.overlay_problem:
            lines.append(self.overlay_problem)
        self.info.setText("\n".join(lines))

    def fit(self) -> None:
        """Show the whole image."""
        rows, cols = self.image.shape
        if self.receptor is None:
            return
        corners = self.receptor.pixel_to_receptor([-0.5, cols - 0.5], [-0.5, rows - 0.5])
        self.vb.setRange(xRange=sorted(corners[:, 0]), yRange=sorted(corners[:, 1]),
                         padding=0.0)

    # -- user actions ---------------------------------------------------------------------
    def _on_boxes(self) -> None:
        self.set_window(self.width_box.value(), self.level_box.value())

    def _on_drag(self, dx: float, dy: float) -> None:
        width, level = self.window_width_level
        self.set_window(width * (1.0 + dx / 200.0), level - dy * width / 200.0)
