"""The window's status bar: a message too long for its room ends in "…", whole on hover.

Qt's QStatusBar clips a long message where the permanent widgets (the readout) begin,
mid-word and without a sign: the Gamma Knife folder's load message ended "...lies
outside th". This bar shows it elided at the end, keeps the whole text in the tooltip,
and gives it back whole to :meth:`currentMessage` (what was said, not what fits).
"""

from __future__ import annotations

import time

from PySide6 import QtCore, QtGui, QtWidgets

__all__ = ["ElidingStatusBar"]

#: Space kept between the message and the first permanent widget (px).
_GAP_PX = 12


class ElidingStatusBar(QtWidgets.QStatusBar):
    """A QStatusBar whose temporary message is elided to its room, whole in the tooltip."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""  # the message as given
        self._shown = ""  # as drawn (elided)
        self._until: float | None = None  # when a timed message goes (monotonic s)
        self.messageChanged.connect(self._on_changed)

    def showMessage(self, text: str, timeout: int | None = 0) -> None:  # noqa: N802 - Qt
        """Show ``text`` (for ``timeout`` ms, 0: until replaced), elided to the room left."""
        timeout = timeout or 0
        self._full = text
        self._until = time.monotonic() + timeout / 1000 if timeout > 0 else None
        self._shown = self._elided(text)
        self.setToolTip(text if self._shown != text else "")
        super().showMessage(self._shown, timeout)

    def currentMessage(self) -> str:  # noqa: N802 - Qt override
        """The message shown, whole even where it is drawn elided."""
        shown = super().currentMessage()
        return self._full if shown and shown == self._shown else shown

    def _on_changed(self, message: str) -> None:
        if not message:  # cleared or timed out
            self._full = self._shown = ""
            self._until = None
            self.setToolTip("")

    def _room(self) -> int:
        """The message's width: up to the leftmost permanent widget shown."""
        lefts = [child.x() for child in self.findChildren(
                     QtWidgets.QWidget, options=QtCore.Qt.FindChildOption.FindDirectChildrenOnly)
                 if child.isVisible() and not isinstance(child, QtWidgets.QSizeGrip)]
        return max(0, min(lefts, default=self.width()) - _GAP_PX)

    def _elided(self, text: str) -> str:
        return self.fontMetrics().elidedText(text, QtCore.Qt.TextElideMode.ElideRight,
                                             self._room())

    def _refit(self) -> None:
        """Elide the message shown again for the room it has now (same timeout left)."""
        if not self._full or super().currentMessage() != self._shown:
            return
        shown = self._elided(self._full)
        if shown == self._shown:
            return
        left = 0
        if self._until is not None:
            left = max(1, int((self._until - time.monotonic()) * 1000))
        self._shown = shown
        self.setToolTip(self._full if shown != self._full else "")
        super().showMessage(shown, left)

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt override
        """A new width: a new room for the message."""
        super().resizeEvent(event)
        self._refit()

    def event(self, event: QtCore.QEvent) -> bool:
        """A permanent widget shown or hidden (a layout request): a new room."""
        handled = super().event(event)
        if event.type() == QtCore.QEvent.Type.LayoutRequest:
            self._refit()
        return handled
