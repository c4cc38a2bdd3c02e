"""The one protocol every slice-view overlay follows.

A :class:`~rtviewer.ui.views.slice_view.SliceView` holds its overlays in order (that
order is the readout's) and, whenever its plane moves or its scene changes, hands each
the same :class:`~rtviewer.view.slice_plane.SlicePlane`. An overlay redraws itself on
its own state signals too (isodose levels, visible ROIs, beam choice), asking the view
for its current plane; after a change of its legend rows it calls
``view.refresh_legend()``.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np

from rtviewer.view.slice_plane import LegendEntry, SlicePlane

__all__ = ["SliceOverlay"]


@runtime_checkable
class SliceOverlay(Protocol):
    """Something drawn over one slice view.

    Attributes
    ----------
    name : str
        The key of the overlay in ``SliceView.overlays`` (``"image"``, ``"isodoses"``).
    """

    name: str

    def attach(self, view: Any) -> None:
        """Add the overlay's items to ``view.vb`` (never removed later) and connect signals.

        ``view`` is the :class:`~rtviewer.ui.views.slice_view.SliceView` (typed loosely:
        the view module imports the overlays, not the other way round).
        """

    def redraw(self, plane: SlicePlane) -> None:
        """Draw what lies on ``plane`` (its scene may be a new one)."""

    def legend_entries(self) -> list[LegendEntry]:
        """The legend rows this overlay adds, top first (none for most)."""

    def hit_test(self, xyz_mm: np.ndarray) -> str | None:
        """What the readout says for this overlay at patient ``(x, y, z)`` mm, or None."""
