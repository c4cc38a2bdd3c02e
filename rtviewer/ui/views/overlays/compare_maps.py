"""The comparison maps under the isodoses: B − A and the gamma index, each with its bar.

B − A lives on A's grid (Gy or % of A's maximum, :class:`~rtviewer.ui.views.
compare_state.CompareState`), on a diverging scale centred on zero; gamma on A's grid,
passing green to pale yellow, failing orange to red, transparent below the cut-off.
One map at a time (the Compare tab's choice); colours from
:mod:`rtviewer.view.compare_colours`, cuts from :mod:`rtviewer.view.compare_planes`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore

from rtviewer.ui.views.compare_state import CompareState
from rtviewer.ui.views.gradient_bar import GradientBar, bar_rect
from rtviewer.ui.views.overlays.base import ViewOverlay
from rtviewer.ui.views.overlays.image import plane_transform
from rtviewer.view.compare_colours import (
    difference_lut,
    difference_rgba,
    gamma_lut,
    gamma_rgba,
    pass_fail_lut,
)
from rtviewer.view.compare_planes import difference_plane, gamma_plane
from rtviewer.view.slice_plane import SlicePlane
from rtviewer.view.view_geometry import PlaneImage

__all__ = ["DifferenceMapOverlay", "GammaMapOverlay"]


class _MapOverlay(ViewOverlay):
    """An RGBA image over the dose wash, under the isodoses, and its colour bar."""

    kind = ""

    def __init__(self, compare_state: CompareState) -> None:
        super().__init__()
        self.compare_state = compare_state

    def attach(self, view: Any) -> None:  # noqa: D102 - the protocol's
        super().attach(view)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(1.5)  # over the dose wash (1), under isodoses (5)
        view.vb.addItem(self.image, ignoreBounds=True)
        self.bar = GradientBar(view.vb)
        self.compare_state.comparisonChanged.connect(self.redraw_now)
        self.compare_state.displayChanged.connect(self.redraw_now)
        view.vb.sigResized.connect(self._place)

    def redraw(self, plane: SlicePlane) -> None:  # noqa: D102 - the protocol's
        shown = (self.compare_state.comparison is not None
                 and self.compare_state.map == self.kind)
        cut = self._cut(plane) if shown else None
        changed = self.bar.isVisible() != (cut is not None)
        self.bar.setVisible(cut is not None)
        if cut is not None:
            self.image.setImage(self._rgba(cut), autoLevels=False, levels=(0, 255))
            self.image.setTransform(plane_transform(cut.affine))
            self._place()
        else:
            self.image.clear()
        if changed:  # the legend and beam labels keep clear of the bar and its labels
            self.view.place_labels()

    def label_rects(self) -> list[QtCore.QRectF]:
        """The colour bar with its labels, in ViewBox pixels (labels and legend keep clear).

        Placed first: the view asks on a resize before this overlay's own slot ran.
        """
        if not self.bar.isVisible():
            return []
        self._place()
        return [bar_rect(self.bar)]

    def _place(self, *_args: object) -> None:
        if self.bar.isVisible():
            self.bar.place(self.view.vb.boundingRect())

    def _cut(self, plane: SlicePlane) -> PlaneImage | None:
        raise NotImplementedError

    def _rgba(self, cut: PlaneImage) -> np.ndarray:
        raise NotImplementedError


class DifferenceMapOverlay(_MapOverlay):
    """B − A on A's grid (Gy or % of A's maximum), blue below zero, red above."""

    name, kind = "difference_map", "difference"

    def _cut(self, plane: SlicePlane) -> PlaneImage | None:
        comparison = self.compare_state.comparison
        volume = self.compare_state.difference_volume()
        if comparison is None or volume is None:
            return None
        return difference_plane(comparison, volume, plane.frame, plane.view, plane.depth_mm)

    def _rgba(self, cut: PlaneImage) -> np.ndarray:
        limit, unit = self.compare_state.difference_limit(), self.compare_state.unit
        self.bar.set_scale(difference_lut(), f"B−A ({unit})",
                           [(1.0, f"+{limit:.3g}"), (0.5, "0"), (0.0, f"−{limit:.3g}")])
        # agreement within 1 % of the scale is left clear: the CT shows through
        return difference_rgba(cut.values, limit=limit, floor=0.01 * limit)


class GammaMapOverlay(_MapOverlay):
    """The gamma index on A's grid: green to yellow passing, orange to red failing."""

    name, kind = "gamma_map", "gamma"

    def _cut(self, plane: SlicePlane) -> PlaneImage | None:
        comparison = self.compare_state.comparison
        return None if comparison is None else gamma_plane(comparison, plane.frame,
                                                           plane.view, plane.depth_mm)

    def _rgba(self, cut: PlaneImage) -> np.ndarray:
        comparison = self.compare_state.comparison
        assert comparison is not None and comparison.gamma is not None  # _cut was not None
        criteria = comparison.gamma.criteria
        top, exact = criteria.max_gamma, not criteria.pass_rate_only
        title = f"γ {criteria.dose_percent:g}%/{criteria.distance_mm:g}mm"
        if exact:
            self.bar.set_scale(gamma_lut(64, top), title,
                               [(1.0, f"≥{top:g}"), (1.0 / top, "1"), (0.0, "0")])
        else:  # pass / fail only: two colours
            self.bar.set_scale(pass_fail_lut(64), title, [(0.75, "fail"), (0.25, "pass")])
        return gamma_rgba(cut.values, max_gamma=top, exact=exact)
