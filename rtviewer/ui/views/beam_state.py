"""Observable state of the RT object views: which beams show, which is selected and where.

Kept beside :class:`~rtviewer.ui.views.view_state.ViewState` (same pattern: setters emit
only on change) so the plan panel, the beam's-eye view and the slice overlays
never call each other.
"""

from __future__ import annotations

from PySide6 import QtCore

__all__ = ["BeamState"]


class BeamState(QtCore.QObject):
    """Visible beams (by Beam Number), the selected beam and its control point."""

    visibleBeamsChanged = QtCore.Signal(object)  # frozenset[int]
    selectionChanged = QtCore.Signal(object, int)  # beam number or None, CP index

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._visible: frozenset[int] = frozenset()
        self._beam: int | None = None
        self._index = 0

    @property
    def visible_beams(self) -> frozenset[int]:
        """Beam Numbers drawn on the slice views."""
        return self._visible

    def set_visible_beams(self, numbers: frozenset[int] | set[int] | list[int]) -> None:
        """Replace the set of visible beams."""
        new = frozenset(int(n) for n in numbers)
        if new != self._visible:
            self._visible = new
            self.visibleBeamsChanged.emit(new)

    def set_beam_visible(self, number: int, visible: bool) -> None:
        """Show or hide one beam."""
        current = set(self._visible)
        (current.add if visible else current.discard)(int(number))
        self.set_visible_beams(current)

    @property
    def selected(self) -> tuple[int | None, int]:
        """``(beam number, control point index)`` shown in the beam's-eye view."""
        return self._beam, self._index

    def set_selected(self, number: int | None, index: int = 0) -> None:
        """Select a beam and a 0-based control point."""
        if (number, int(index)) != (self._beam, self._index):
            self._beam, self._index = number, int(index)
            self.selectionChanged.emit(number, int(index))
