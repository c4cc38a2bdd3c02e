"""Widgets side by side in rows that wrap at the available width: every one whole.

A row of tools in an ``QHBoxLayout`` is cut (or widens the window) when its panel is
narrow, as the DVH tab's tools were beside an open Lesson dock at 1280x720; a
``QToolBar`` hides what does not fit behind its ``»`` button, as it did Reset zoom.
:class:`FlowRow` wraps onto another row instead, like words in a paragraph. Qt has
no flow layout (its documentation ships one as an example only, in C++), and the
Python Qt helper libraries we could use (qtpy, superqt) have none either: written
here, on the tab strip's proven sizing rules (``tab_strip``).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6 import QtCore, QtGui, QtWidgets

__all__ = ["FlowRow"]


class FlowRow(QtWidgets.QWidget):
    """Child widgets in rows no wider than the widget (a wider child alone on its row).

    Each child takes its size hint's width; those marked stretchy share what their
    row leaves. Rows are as tall as their tallest child, children centred in it.

    Parameters
    ----------
    widgets : sequence of QWidget
        The children, in reading order (hidden ones take no place).
    gap_px : int
        Space between two children and between two rows (px).
    stretchy : sequence of QWidget
        Children that grow to fill the rest of their row.
    """

    def __init__(self, widgets: Sequence[QtWidgets.QWidget] = (), *, gap_px: int = 4,
                 stretchy: Sequence[QtWidgets.QWidget] = (),
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.gap_px = gap_px
        self._laid_out = False  # given a width by its layout (a resize event) yet
        self._widgets: list[QtWidgets.QWidget] = []
        self._stretchy: set[QtWidgets.QWidget] = set(stretchy)
        policy = QtWidgets.QSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred,
                                       QtWidgets.QSizePolicy.Policy.Fixed)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        for widget in widgets:
            self.insert_widget(len(self._widgets), widget)

    # -- children -------------------------------------------------------------------------
    def add_widget(self, widget: QtWidgets.QWidget, *, stretchy: bool = False) -> None:
        """Append ``widget`` at the end of the last row."""
        self.insert_widget(len(self._widgets), widget, stretchy=stretchy)

    def insert_widget(self, index: int, widget: QtWidgets.QWidget, *,
                      stretchy: bool = False) -> None:
        """Put ``widget`` at ``index`` in reading order."""
        # a widget hidden on purpose stays hidden; setParent hides every other one
        hidden = widget.isHidden() and widget.testAttribute(
            QtCore.Qt.WidgetAttribute.WA_WState_ExplicitShowHide)
        widget.setParent(self)
        self._widgets.insert(index, widget)
        if stretchy:
            self._stretchy.add(widget)
        widget.setVisible(not hidden)
        self._changed()

    def shown_widgets(self) -> list[QtWidgets.QWidget]:
        """The children that take a place (not explicitly hidden), in reading order."""
        return [w for w in self._widgets if not w.isHidden()]

    # -- wrapping -------------------------------------------------------------------------
    def rows(self, width: int) -> list[list[QtWidgets.QWidget]]:
        """The shown children in rows no wider than ``width`` px."""
        rows: list[list[QtWidgets.QWidget]] = [[]]
        used = 0
        for widget in self.shown_widgets():
            w = widget.sizeHint().width()
            if rows[-1] and used + self.gap_px + w > width:
                rows.append([])
                used = 0
            used += (self.gap_px if rows[-1] else 0) + w
            rows[-1].append(widget)
        return [row for row in rows if row]

    @staticmethod
    def _row_height(row: Sequence[QtWidgets.QWidget]) -> int:
        return max((w.sizeHint().height() for w in row), default=0)

    def _arrange(self, width: int) -> None:
        y = 0
        for row in self.rows(width):
            height = self._row_height(row)
            natural = sum(w.sizeHint().width() for w in row) + self.gap_px * (len(row) - 1)
            growing = [w for w in row if w in self._stretchy]
            extra = max(0, width - natural) // max(1, len(growing)) if growing else 0
            x = 0
            for widget in row:
                hint = widget.sizeHint()
                w = min(width, hint.width() + (extra if widget in self._stretchy else 0))
                h = min(height, hint.height())
                widget.setGeometry(x, y + (height - h) // 2, w, h)
                x += w + self.gap_px
            y += height + self.gap_px

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        """The row is as tall as its wrapped rows at a width."""
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        """The wrapped rows' height at ``width`` px."""
        rows = self.rows(width)
        return sum(self._row_height(r) for r in rows) + self.gap_px * max(len(rows) - 1, 0)

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt override
        """Every shown child on one row."""
        shown = self.shown_widgets()
        width = (sum(w.sizeHint().width() for w in shown)
                 + self.gap_px * max(len(shown) - 1, 0))
        return QtCore.QSize(width, self._row_height(shown))

    def minimumSizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt override
        """As narrow as the widest child, as tall as the rows at the present width.

        Not as tall as at the narrowest width (one child per row): the window's layout
        would ask for every row at once (``tab_strip`` made the window taller than the
        screen so).
        """
        shown = self.shown_widgets()
        widest = max((w.sizeHint().width() for w in shown), default=0)
        # Qt's placeholder width before the first layout is 100 px: half a row then; once
        # laid out, the real width (half of seven settings' row was wider than the Brachy
        # tab: 3 rows asked for, 5 needed)
        width = (max(self.width(), widest) if self._laid_out
                 else max(self.width(), self.sizeHint().width() // 2, widest))
        return QtCore.QSize(widest, self.heightForWidth(width))

    def _changed(self) -> None:
        self.updateGeometry()
        self._arrange(self.width())

    def event(self, event: QtCore.QEvent) -> bool:
        """A child shown, hidden or resized (its LayoutRequest): wrap again."""
        if event.type() == QtCore.QEvent.Type.LayoutRequest:
            self._changed()
        return super().event(event)

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt override
        """Wrap the children to the new width."""
        super().resizeEvent(event)
        self._laid_out = True
        self._arrange(event.size().width())
        # the minimum height follows the width: ask again when it is not the rows' height
        # (comparing the row counts of the old and new width missed a row laid out while
        # its tab was hidden: the GEC-ESTRO settings showed 3 of their 5 rows)
        if event.size().height() != self.heightForWidth(event.size().width()):
            self.updateGeometry()
