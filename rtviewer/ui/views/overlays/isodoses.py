"""Isodose lines at the shared levels, in colours clear of the structures', with a legend."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtGui

from rtviewer.model.tg43_mark import TG43_DOSE_NAME, is_tg43_dose
from rtviewer.ui.views.overlays.base import ViewOverlay
from rtviewer.ui.views.overlays.outline_curve import OutlineCurve
from rtviewer.view.isodose_lines import isodose_polylines_levels
from rtviewer.view.slice_plane import LegendEntry, SlicePlane

__all__ = ["NO_REFERENCE_NOTE", "IsodoseOverlay", "legend_rows"]

#: The legend's row where a dose is shown but its % levels have no reference dose.
NO_REFERENCE_NOTE = "No isodose lines: no reference dose (100 %); set one in the Dose tab"


class IsodoseOverlay(ViewOverlay):
    """One line per isodose level on the plane's dose cut; the legend's rows."""

    name = "isodoses"

    def attach(self, view: Any) -> None:  # noqa: D102 - the protocol's
        super().attach(view)
        self.curves: list[pg.PlotCurveItem] = []
        self._pens: dict[pg.PlotCurveItem, QtGui.QPen] = {}  # the pen each curve was given
        self._rows: list[LegendEntry] = []
        state = view.state
        for signal in (state.isodoseLevelsChanged, state.isodoseAbsoluteChanged,
                       state.referenceDoseChanged):
            signal.connect(self.redraw_now)

    def redraw(self, plane: SlicePlane) -> None:  # noqa: D102 - the protocol's
        cut = plane.dose()
        state = self.view.state
        levels = state.isodose_levels_gy() if cut is not None else ()
        while len(self.curves) < len(levels):
            curve = OutlineCurve()
            curve.setZValue(5)
            self.view.vb.addItem(curve, ignoreBounds=True)
            self.curves.append(curve)
        colours = state.isodose_colours() if levels else []
        self._rows = legend_rows(levels, colours, state.reference_dose,
                                 plane.scene.dose.max_gy
                                 if levels and plane.scene.dose is not None else None)
        if (plane.scene.dose is not None and state.isodose_levels
                and not state.isodose_levels_gy()):
            # a RELATIVE dose (pydicom's rtdose.dcm) has no 100 %: the views were black
            # and nothing said why
            self._rows = [LegendEntry((230, 230, 230), NO_REFERENCE_NOTE,
                                      "no isodoses: no 100 %", swatch=False)]
        if levels and is_tg43_dose(plane.scene.dose):
            # a screenshot must not pass rtviewer's calculation off as the plan's dose
            self._rows.insert(0, LegendEntry((255, 255, 255),
                                             f"{TG43_DOSE_NAME} dose, not the RT Dose"))
        self.view.refresh_legend()
        # all levels from one crop of the plane (cut is None: no levels)
        lines = isodose_polylines_levels(cut, levels) if cut is not None else []
        for index, curve in enumerate(self.curves):
            if index >= len(lines):
                if curve.xData is None or len(curve.xData):  # already empty: no update
                    curve.setData([], [])
                curve.setVisible(False)  # not asked for its bounds nor painted
                continue
            pen = _isodose_pen(colours[index], self.view.line_scale)
            if self._pens.get(curve) is not pen:  # the same (cached) pen: no bounds reset
                curve.setPen(pen)  # (the curve keeps a copy)
                self._pens[curve] = pen
            s, t = lines[index]
            # a level above the plane's dose (105 %, 107 % on most slices): an empty curve
            # is not emptied again (each update costs the library's checks and a repaint)
            if len(s) or curve.xData is None or len(curve.xData):
                curve.setData(s, t, connect="finite")
            curve.setVisible(len(s) > 0)

    def legend_entries(self) -> list[LegendEntry]:  # noqa: D102 - the protocol's
        return list(self._rows)

    def hit_test(self, xyz_mm: np.ndarray) -> str | None:
        """None: the dose under the cursor is the dose wash overlay's part."""
        return None


def legend_rows(levels: tuple[float, ...], colours: list[tuple[int, int, int]],
                reference: Any, maximum_gy: float | None = None) -> list[LegendEntry]:
    """The levels drawn, highest first, as % of the reference and Gy.

    With the dose's maximum: the levels above it are greyed (no line can show them) and
    a note row gives the maximum where it falls among them, so a dose far below its
    reference (the Monaco plan's 10.26 Gy for 20 Gy) says why its lines are few.

    Examples
    --------
    >>> from rtviewer.view.reference_dose import ReferenceDose
    >>> rows = legend_rows((6.0, 10.0, 16.0), [(0, 0, 255), (0, 255, 255), (0, 255, 0)],
    ...                    ReferenceDose(20.0, "plan prescription 20 Gy (PLAN)"), 10.26)
    >>> [(r.text, r.reached, r.swatch) for r in rows]  # doctest: +NORMALIZE_WHITESPACE
    [('80 %  16.0 Gy', False, True), ('max 51 %  10.3 Gy', True, False),
     ('50 %  10.0 Gy', True, True), ('30 %  6.0 Gy', True, True)]
    """
    def words(dose_gy: float) -> tuple[str, str]:
        percent = f"{100 * dose_gy / reference.dose_gy:.0f} %" if reference else ""
        return (f"{percent}  {dose_gy:.1f} Gy" if percent else f"{dose_gy:.1f} Gy"), percent

    rows = []
    note = None
    texts = {words(level)[0] for level in levels}
    if maximum_gy is not None and levels and maximum_gy < max(levels):
        text, percent = words(maximum_gy)
        # no note where a level reads the same (100 % is the maximum when no plan states
        # a prescription): the greyed rows above it say enough
        if text not in texts:
            note = LegendEntry((230, 230, 230), f"max {text}",
                               f"max {percent}" if percent else None, swatch=False)
    for level, rgb in sorted(zip(levels, colours, strict=True), reverse=True):
        reached = maximum_gy is None or level <= maximum_gy
        if note is not None and reached:
            rows.append(note)
            note = None
        text, percent = words(level)
        rows.append(LegendEntry(rgb, text, percent or None, reached=reached))
    if note is not None:  # below every level
        rows.append(note)
    return rows


@functools.lru_cache(maxsize=512)
def _isodose_pen_cached(rgb: tuple[int, int, int], scale: float) -> QtGui.QPen:
    return pg.mkPen(rgb, width=1.5 * scale)


def _isodose_pen(rgb: tuple[int, int, int], scale: float = 1.0) -> QtGui.QPen:
    """The pen of an isodose line of colour ``rgb``, ``scale`` times the normal width."""
    return _isodose_pen_cached((int(rgb[0]), int(rgb[1]), int(rgb[2])), float(scale))
