"""The status-bar readout at the cursor: the position, then each overlay's part.

The parts come from the hit-tests of the overlays of the slice view the cursor is in
(:meth:`~rtviewer.ui.views.slice_view.SliceView.hit_test`): image value, dose (Gy and
%), the structures that contain the point, and whatever a new overlay adds.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6 import QtCore, QtWidgets

from rtviewer.ui.views.view_state import ViewState
from rtviewer.view.readout_text import readout_line

__all__ = ["IDLE_TEXT", "ReadoutLabel"]

#: What the readout says while the cursor is off the views: where the numbers will appear.
IDLE_TEXT = "Point at a view: position (mm), image value, dose (Gy, %), structures"


class ReadoutLabel(QtWidgets.QLabel):
    """Follows ``state.cursorChanged`` and shows the hovered view's readout line.

    Parameters
    ----------
    state : ViewState
        The shared state (cursor point and the view it is in).
    views : dict of str to SliceView
        The slice views by name; a cursor set without a view reads the first.
    """

    def __init__(self, state: ViewState, views: dict[str, Any],
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("readout")
        self.state, self.views = state, views
        self.setFrameShape(QtWidgets.QFrame.Shape.StyledPanel)
        self.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self._idle()
        state.cursorChanged.connect(self._on_cursor)

    def _idle(self) -> None:
        self.setText(IDLE_TEXT)
        self.setStyleSheet("QLabel#readout { color: gray; }")

    def reset(self) -> None:
        """Back to the idle text (a new scene is shown)."""
        self._idle()

    def _on_cursor(self, xyz: np.ndarray | None) -> None:
        named = self.state.cursor_view
        view = self.views.get(named) if named else next(iter(self.views.values()), None)
        if xyz is None or view is None or view.scene.empty:
            self._idle()
            return
        self.setStyleSheet("")
        self.setText(readout_line(xyz, view.hit_test(xyz)))
