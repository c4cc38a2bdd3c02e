"""What the overlays here share: a QObject child of their view, and the protocol's defaults.

Being the view's child matters: the state signals an overlay connects to its own
methods are cut when the view is deleted (a lambda or a plain object's method would
outlive the view and be called on its deleted items).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6 import QtCore

from rtviewer.view.slice_plane import LegendEntry, SlicePlane

__all__ = ["ViewOverlay"]


class ViewOverlay(QtCore.QObject):
    """Base of a :class:`~rtviewer.ui.views.overlays.protocol.SliceOverlay`.

    No legend rows and no readout part unless the subclass has them.
    """

    name = ""

    def attach(self, view: Any) -> None:
        """Become a child of ``view``; subclasses then add their items and connect."""
        self.view = view
        self.setParent(view)

    def redraw(self, plane: SlicePlane) -> None:
        """Draw what lies on ``plane`` (each subclass)."""
        raise NotImplementedError

    def redraw_now(self, *_args: object) -> None:
        """Redraw for the view's current plane (the slot of the state signals).

        Not while the view holds its redraws (a new scene or dose: it redraws once).
        """
        deferred = getattr(self.view, "deferred", None)
        if deferred is not None and deferred():
            return
        self.redraw(self.view.plane())

    def legend_entries(self) -> list[LegendEntry]:
        """No legend rows."""
        return []

    def hit_test(self, xyz_mm: np.ndarray) -> str | None:
        """No readout part."""
        return None
