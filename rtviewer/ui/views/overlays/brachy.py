"""Brachy sources over a slice view: channel paths and dwell positions near the plane.

Dwells within half a slab of the plane are drawn full, farther ones faded; a ring's
size grows with its dwell time. The geometry is :func:`rtviewer.view.plan_geometry.brachy_drawing`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtGui

from rtviewer.ui.views.overlays.base import ViewOverlay
from rtviewer.view.dose_colours import clear_colour
from rtviewer.view.plan_geometry import DwellDrawing, brachy_drawing
from rtviewer.view.slice_plane import SlicePlane

__all__ = ["BrachySourceOverlay"]


class BrachySourceOverlay(ViewOverlay):
    """The brachy plan's channels and dwells on one slice view."""

    name = "brachy sources"

    def attach(self, view: Any) -> None:  # noqa: D102 - the protocol's
        super().attach(view)
        self.dwell_drawing: DwellDrawing | None = None
        self.paths_item = pg.PlotCurveItem(pen=pg.mkPen((255, 255, 255, 200), width=2),
                                           connect="finite")
        self.faded_paths_item = pg.PlotCurveItem(pen=pg.mkPen((255, 255, 255, 70), width=1),
                                                 connect="finite")
        self.dwell_item = pg.ScatterPlotItem(pxMode=True)
        for z, item in ((11, self.paths_item), (13, self.dwell_item),
                        (11, self.faded_paths_item)):
            item.setZValue(z)
            view.vb.addItem(item, ignoreBounds=True)

    def redraw(self, plane: SlicePlane) -> None:  # noqa: D102 - the protocol's
        scene, plan = plane.scene, plane.scene.plan
        if plan is None or getattr(plan, "brachy", None) is None or scene.empty:
            self._clear()
            return
        half = 0.5 * scene.slab_mm(plane.view)
        drawing = brachy_drawing(plan, scene.frame, plane.view, plane.depth_mm, half)
        for item, st in ((self.paths_item, drawing.paths_st),
                         (self.faded_paths_item, drawing.faded_paths_st)):
            item.setData(st[:, 0], st[:, 1], connect="finite")
        self.dwell_drawing = drawing
        self.dwell_item.setData(self._dwell_spots(drawing))
        for item in (self.paths_item, self.faded_paths_item, self.dwell_item):
            item.setVisible(True)

    def _clear(self) -> None:
        """Empty and hide the items; left alone when already empty (no brachy plan).

        An external-beam plan came here at every slice step: three empty updates (the
        library's data checks, a bounds reset) and three empty items painted. A hidden
        item is neither asked for its bounds nor painted.
        """
        self.dwell_drawing = None
        for item in (self.paths_item, self.faded_paths_item):
            if item.xData is None or len(item.xData):
                item.setData([], [])
        if len(self.dwell_item.data):
            self.dwell_item.setData([])
        for item in (self.paths_item, self.faded_paths_item, self.dwell_item):
            item.setVisible(False)

    def _dwell_spots(self, drawing: DwellDrawing) -> list[dict[str, Any]]:
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
        return spots
