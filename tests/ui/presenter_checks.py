"""What the presenter-mode tests look at: text cut off, text too small (helpers, no tests)."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets


def _rich(label: QtWidgets.QLabel) -> bool:
    fmt = label.textFormat()
    if fmt == QtCore.Qt.TextFormat.AutoText:
        return bool(QtGui.Qt.mightBeRichText(label.text()))
    return fmt in (QtCore.Qt.TextFormat.RichText, QtCore.Qt.TextFormat.MarkdownText)


def shown_widgets(window: QtWidgets.QWidget) -> list[QtWidgets.QWidget]:
    """Widgets of ``window`` on screen (visible, with a size, not hidden by a parent)."""
    return [w for w in window.findChildren(QtWidgets.QWidget)
            if w.isVisible() and w.width() > 0 and w.height() > 0]


def too_small(window: QtWidgets.QWidget, min_pt: float) -> list[str]:
    """Widgets with text whose font is smaller than ``min_pt`` points."""
    small = []
    for w in shown_widgets(window):
        if not isinstance(w, QtWidgets.QLabel | QtWidgets.QAbstractButton | QtWidgets.QComboBox
                          | QtWidgets.QTextBrowser | QtWidgets.QTabBar):
            continue
        size = w.font().pointSizeF()
        if 0 < size < min_pt:
            small.append(f"{type(w).__name__} {w.objectName()!r}: {size} pt")
    return small


def _cut_at_right(w: QtWidgets.QWidget) -> bool:
    """A label or button with text cut at the right by a scroll area or the window."""
    if not isinstance(w, QtWidgets.QLabel | QtWidgets.QAbstractButton) or not w.text():
        return False
    seen = w.visibleRegion().boundingRect()
    return not seen.isEmpty() and seen.right() < w.rect().right()


def clipped(window: QtWidgets.QWidget) -> list[str]:
    """Labels and buttons (push, check, radio, tool) whose text does not fit their widget."""
    cut = []
    for w in shown_widgets(window):
        if _cut_at_right(w):
            cut.append(f"{type(w).__name__} {w.text()[:50]!r}: "
                       f"{w.visibleRegion().boundingRect().width()} of {w.width()} px in view")
            continue
        if isinstance(w, QtWidgets.QLabel) and w.text():
            rect = w.contentsRect()
            metrics = w.fontMetrics()
            if _rich(w):
                continue  # laid out by a text document; its own test measures it
            if w.wordWrap():
                words = w.text().split()
                widest = max((metrics.horizontalAdvance(word) for word in words), default=0)
                if widest > rect.width() or w.heightForWidth(rect.width()) > rect.height() + 1:
                    cut.append(f"QLabel {w.text()[:50]!r}: {rect.width()}x{rect.height()}")
            elif metrics.horizontalAdvance(w.text()) > rect.width():
                cut.append(f"QLabel {w.text()[:50]!r}: {metrics.horizontalAdvance(w.text())} "
                           f"> {rect.width()} px")
        elif isinstance(w, QtWidgets.QAbstractButton) and w.text():
            need = w.fontMetrics().horizontalAdvance(w.text().replace("&", ""))
            if need > w.width():
                cut.append(f"{type(w).__name__} {w.text()!r}: {need} > {w.width()} px")
    return cut
