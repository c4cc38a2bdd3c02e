"""What the slice views say when they have nothing to draw (issue 17 point 3).

Empty slice views still draw their orientation letters, crosshair lines and titles
("Axial z = 0.0 mm"), which reads as if something were loaded. The note covers the
whole view area instead and says what the folder holds and where it is shown
("RT Images only: the RT Image tab", "3 files, none DICOM").
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

__all__ = ["EmptyNote"]


class EmptyNote(QtWidgets.QLabel):
    """A label over all of its parent (the view area), shown while the views are empty."""

    def __init__(self, parent: QtWidgets.QWidget) -> None:
        super().__init__(parent)
        self._area = parent
        self.setObjectName("empty_views_note")
        self.setAlignment(QtCore.Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.NoTextInteraction)
        # a drop on the note reaches the window (its drop handler opens folders)
        self.setAttribute(QtCore.Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setStyleSheet("QLabel#empty_views_note { background: black; color: #c8c8c8;"
                           " font-size: 13pt; padding: 40px; }")
        parent.installEventFilter(self)
        self.hide()

    def say(self, text: str) -> None:
        """Cover the views with ``text``."""
        self.setText(text)
        self.setGeometry(self._area.rect())
        self.show()
        self.raise_()

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802
        """Follow the view area's size."""
        if watched is self._area and event.type() == QtCore.QEvent.Type.Resize:
            self.setGeometry(self._area.rect())  # already the new size
        return False
