"""B's isodose lines, dashed, at A's levels and colours, while a comparison is shown.

A's own lines stay the isodose overlay's (solid); the legend's level rows serve both and
two rows say which line style is which dose.  The readout part at the cursor is B, B − A
and gamma there (:func:`rtviewer.view.compare_planes.compare_readout`).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from rtviewer.printable import printable
from rtviewer.ui.views.compare_state import CompareState
from rtviewer.ui.views.overlays.base import ViewOverlay
from rtviewer.view.compare_planes import b_dose_plane, compare_readout
from rtviewer.view.isodose_lines import isodose_polylines
from rtviewer.view.slice_plane import LegendEntry, SlicePlane

__all__ = ["B_PEN_STYLE", "CompareIsodoseOverlay"]

#: B's isodose lines: A's colours and levels, this dash.
B_PEN_STYLE = QtCore.Qt.PenStyle.DashLine
#: The legend rows naming A and B (a swatch of the lines' neutral grey).
_KEY_RGB = (230, 230, 230)


@functools.lru_cache(maxsize=512)
def _b_pen(rgb: tuple[int, int, int]) -> QtGui.QPen:
    pen = pg.mkPen(rgb, width=1.8)
    pen.setStyle(B_PEN_STYLE)
    return pen


class CompareIsodoseOverlay(ViewOverlay):
    """B's isodoses, dashed; legend rows naming the solid and dashed doses."""

    name = "compare_isodoses"

    def __init__(self, compare_state: CompareState) -> None:
        super().__init__()
        self.compare_state = compare_state
        self.curves: list[pg.PlotCurveItem] = []
        self._rows: list[LegendEntry] = []

    def attach(self, view: Any) -> None:  # noqa: D102 - the protocol's
        super().attach(view)
        state = view.state
        for signal in (state.isodoseLevelsChanged, state.isodoseAbsoluteChanged,
                       state.referenceDoseChanged, self.compare_state.comparisonChanged,
                       self.compare_state.displayChanged):
            signal.connect(self.redraw_now)

    def redraw(self, plane: SlicePlane) -> None:  # noqa: D102 - the protocol's
        comparison = self.compare_state.comparison
        on = comparison is not None and self.compare_state.b_isodoses
        cut = (b_dose_plane(comparison, plane.frame, plane.view, plane.depth_mm)
               if on and comparison is not None else None)
        state = self.view.state
        levels = state.isodose_levels_gy() if cut is not None else ()
        colours = state.isodose_colours() if levels else []
        while len(self.curves) < len(levels):
            curve = pg.PlotCurveItem(connect="finite")
            curve.setZValue(5)
            self.view.vb.addItem(curve, ignoreBounds=True)
            self.curves.append(curve)
        for index, curve in enumerate(self.curves):
            if index >= len(levels) or cut is None:
                curve.setData([], [])
                continue
            rgb = colours[index]
            curve.setPen(_b_pen((int(rgb[0]), int(rgb[1]), int(rgb[2]))))
            curve.setData(*isodose_polylines(cut, levels[index]), connect="finite")
        rows = [] if not on else [
            # a small pane's compact legend: "A" and "B" (named on the other views)
            LegendEntry(_KEY_RGB, printable(f"solid: A {self.compare_state.a_label}"),
                        "solid: A"),
            LegendEntry(_KEY_RGB, printable(f"dashed: B {self.compare_state.b_label}"),
                        "dashed: B")]
        if rows != self._rows:
            self._rows = rows
            self.view.refresh_legend()

    def legend_entries(self) -> list[LegendEntry]:  # noqa: D102 - the protocol's
        return list(self._rows)

    def hit_test(self, xyz_mm: np.ndarray) -> str | None:  # noqa: D102 - the protocol's
        comparison = self.compare_state.comparison
        return None if comparison is None else compare_readout(comparison, xyz_mm)
