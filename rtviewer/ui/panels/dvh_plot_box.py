"""The DVH plot over its legend: the legend scrolls in the panel, the picture holds it whole.

With 28 structures (the RayStation SRS folder) the legend wrapped to eight lines in a
side panel and squeezed the plot to a 50 px strip. In the panel the legend now shows
at most :data:`LEGEND_LINES` lines and scrolls beyond; a picture of the box
(:meth:`PlotBox.grab`, what *Screenshot… → DVH plot* saves) has the plot over the
whole legend.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

__all__ = ["LEGEND_LINES", "CappedLabel", "PlotBox"]

#: Lines of legend the panel shows before the legend scrolls.
LEGEND_LINES = 4


class CappedLabel(QtWidgets.QScrollArea):
    """A word-wrapped label shown whole up to ``lines`` lines, scrolling beyond.

    Call :meth:`fit` after setting the label's text (resizes call it themselves).
    """

    def __init__(self, label: QtWidgets.QLabel, lines: int,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.label, self.lines = label, lines
        self.setWidgetResizable(True)
        self.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(label)

    def fit(self) -> None:
        """As tall as the text at the present width, at most ``lines`` lines; hidden if empty."""
        shown = not self.label.isHidden() and bool(self.label.text())
        self.setVisible(shown)
        if not shown:
            return
        width = max(1, self.viewport().width() or self.width())
        need = self.label.heightForWidth(width)
        line = self.label.fontMetrics().lineSpacing()
        margins = self.label.contentsMargins()
        cap = self.lines * line + margins.top() + margins.bottom() + 4  # padding
        self.setFixedHeight(max(line, min(need, cap)))
        self.setVerticalScrollBarPolicy(
            QtCore.Qt.ScrollBarPolicy.ScrollBarAsNeeded if need > cap
            else QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt override
        """The text wraps anew at the new width: the height follows."""
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.fit()


class PlotBox(QtWidgets.QWidget):
    """``plot`` over ``legend`` (a word-wrapped QLabel) in a scroll area of a few lines."""

    def __init__(self, plot: QtWidgets.QWidget, legend: QtWidgets.QLabel,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.plot, self.legend = plot, legend
        self.legend_area = CappedLabel(legend, LEGEND_LINES)
        self.legend_area.setObjectName("dvh-legend-area")
        box = QtWidgets.QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(0)
        box.addWidget(plot, 1)
        box.addWidget(self.legend_area)

    def fit_legend(self) -> None:
        """The legend's area: its text's height, at most :data:`LEGEND_LINES` lines."""
        self.legend_area.fit()

    def grab(self, rectangle: QtCore.QRect | None = None) -> QtGui.QPixmap:
        """The plot over the whole legend (not the scrolled part the panel shows)."""
        if rectangle is not None and rectangle.isValid():
            return super().grab(rectangle)
        top = self.plot.grab()
        if not self.legend_area.isVisibleTo(self):
            return top
        legend = self.legend.grab()
        picture = QtGui.QPixmap(max(top.width(), legend.width()), top.height() + legend.height())
        picture.setDevicePixelRatio(top.devicePixelRatio())
        picture.fill(QtGui.QColor("white"))
        painter = QtGui.QPainter(picture)
        painter.drawPixmap(0, 0, top)
        painter.drawPixmap(0, round(top.height() / top.devicePixelRatio()), legend)
        painter.end()
        return picture
