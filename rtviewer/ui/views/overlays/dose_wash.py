"""The dose colourwash above a threshold (% of the reference), with its colour bar."""

from __future__ import annotations

from typing import Any

import numpy as np

from rtviewer.ui.views.overlays.base import ViewOverlay
from rtviewer.ui.views.overlays.image import add_image_item, plane_transform
from rtviewer.view.dose_colours import colourwash_rgba
from rtviewer.view.readout_text import dose_text
from rtviewer.view.slice_plane import SlicePlane

__all__ = ["DoseWashOverlay"]


class DoseWashOverlay(ViewOverlay):
    """The dose cut by the plane in colour; the readout's dose (Gy, % of the reference).

    The dose under the cursor is read whether or not the wash is on: it is this
    overlay's number, the wash only its picture.
    """

    name = "dose wash"

    def attach(self, view: Any) -> None:  # noqa: D102 - the protocol's
        super().attach(view)
        self.item = add_image_item(view, 1)
        for signal in (view.state.referenceDoseChanged, view.state.colourwashChanged):
            signal.connect(self.redraw_now)

    def redraw(self, plane: SlicePlane) -> None:  # noqa: D102 - the protocol's
        cut = plane.dose()
        on, threshold = self.view.state.colourwash
        reference = self.view.state.reference_dose
        bar = self.view.colour_bar
        shown = cut is not None and on and reference is not None
        changed = bar.isVisible() != shown
        bar.setVisible(shown)
        if cut is None or not on or reference is None:
            if self.item.image is not None:  # the wash off: nothing to clear at each step
                self.item.clear()
            if changed:
                self.view.place_labels()
            return
        bar.set_range(threshold / 100.0 * reference.dose_gy, reference.dose_gy)
        if changed:  # the legend and beam labels keep clear of the bar and its labels
            self.view.place_labels()
        rgba = colourwash_rgba(cut.values, reference_gy=reference.dose_gy,
                               threshold_gy=threshold / 100.0 * reference.dose_gy)
        self.item.setImage(rgba, autoLevels=False, levels=(0, 255))
        self.item.setTransform(plane_transform(cut.affine))

    def hit_test(self, xyz_mm: np.ndarray) -> str | None:  # noqa: D102 - the protocol's
        return dose_text(self.view.scene.dose_at(xyz_mm), self.view.state.reference_dose)
