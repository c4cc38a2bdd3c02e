"""The side panel's tab names in rows that wrap: every name whole, the views not squeezed.

A QTabBar keeps its tabs on one line: with nine pages (Structures ... Compare ...
Records) the panel at 1280x800 had to be as wide as the bar, which left the sagittal
and coronal views about 185 px wide, or the names were cut with scroll arrows. The
strip shows the same tabs as flat buttons that wrap onto a second row when the panel
is narrow (as the module rows of a planning system's side panel do); the QTabWidget
keeps its pages, API and current index, its own bar hidden.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

__all__ = ["TabStrip"]

#: Gap between two tab buttons and between two rows (px).
_GAP_PX = 2
_STYLE = """
QToolButton#tab-strip-button {
    padding: 2px 5px; border: 1px solid palette(midlight); border-radius: 2px;
    background: palette(button);
}
QToolButton#tab-strip-button:hover { border: 1px solid palette(mid); }
QToolButton#tab-strip-button:checked {
    background: palette(base); border: 1px solid palette(mid);
    border-bottom: 2px solid palette(highlight);
}
"""


class TabStrip(QtWidgets.QWidget):
    """The tab names of ``tabs`` as buttons in wrapping rows (``tabs``' bar is hidden).

    Call :meth:`sync` after changing a tab's text, tooltip, colour or visibility
    (the strip follows the current index by itself).

    Parameters
    ----------
    tabs : QTabWidget
        The tab widget whose pages the buttons choose.
    """

    def __init__(self, tabs: QtWidgets.QTabWidget,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.tabs = tabs
        self.buttons: list[QtWidgets.QToolButton] = []  # one per tab index
        self._group = QtWidgets.QButtonGroup(self)
        self._group.setExclusive(True)
        self._group.idClicked.connect(self._on_clicked)
        self.setStyleSheet(_STYLE)
        policy = QtWidgets.QSizePolicy(QtWidgets.QSizePolicy.Policy.Preferred,
                                       QtWidgets.QSizePolicy.Policy.Fixed)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        tabs.tabBar().hide()
        tabs.currentChanged.connect(self._on_current)
        self.sync()

    # -- mirroring the tab widget ---------------------------------------------------------
    def sync(self) -> None:
        """Buttons for the tab widget's tabs as they are now: text, tooltip, colour, shown."""
        tabs = self.tabs
        while len(self.buttons) < tabs.count():
            button = QtWidgets.QToolButton(self)
            button.setObjectName("tab-strip-button")
            button.setCheckable(True)
            button.setAutoRaise(False)
            button.setToolButtonStyle(QtCore.Qt.ToolButtonStyle.ToolButtonTextOnly)
            self._group.addButton(button, len(self.buttons))
            self.buttons.append(button)
        bar = tabs.tabBar()
        default = self.palette().buttonText().color()
        for index, button in enumerate(self.buttons):
            exists = index < tabs.count()
            button.setVisible(exists and tabs.isTabVisible(index))
            if not exists:
                continue
            button.setText(tabs.tabText(index).replace("&", "&&"))
            button.setToolTip(tabs.tabToolTip(index))
            colour = bar.tabTextColor(index)
            colour = colour if colour.isValid() else default
            palette = button.palette()
            if palette.color(QtGui.QPalette.ColorRole.ButtonText) != colour:
                palette.setColor(QtGui.QPalette.ColorRole.ButtonText, colour)
                button.setPalette(palette)
        self._on_current(tabs.currentIndex())
        self.updateGeometry()
        self._arrange(self.width())

    def _on_current(self, index: int) -> None:
        if 0 <= index < len(self.buttons):
            self.buttons[index].setChecked(True)

    def _on_clicked(self, index: int) -> None:
        self.tabs.setCurrentIndex(index)

    def shown_buttons(self) -> list[QtWidgets.QToolButton]:
        """The buttons of the visible tabs, in tab order."""
        return [b for i, b in enumerate(self.buttons)
                if i < self.tabs.count() and self.tabs.isTabVisible(i)]

    # -- wrapping -------------------------------------------------------------------------
    def _rows(self, width: int) -> list[list[QtWidgets.QToolButton]]:
        """The shown buttons in rows no wider than ``width`` (a wider button alone)."""
        rows: list[list[QtWidgets.QToolButton]] = [[]]
        used = 0
        for button in self.shown_buttons():
            w = button.sizeHint().width()
            if rows[-1] and used + _GAP_PX + w > width:
                rows.append([])
                used = 0
            used += (_GAP_PX if rows[-1] else 0) + w
            rows[-1].append(button)
        return [row for row in rows if row]

    def _row_height(self) -> int:
        return max((b.sizeHint().height() for b in self.shown_buttons()), default=0)

    def _arrange(self, width: int) -> None:
        y = 0
        height = self._row_height()
        for row in self._rows(width):
            x = 0
            for button in row:
                w = button.sizeHint().width()
                button.setGeometry(x, y, w, height)
                x += w + _GAP_PX
            y += height + _GAP_PX

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        """The strip is as tall as its rows at a width."""
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        """The rows' height at ``width`` px."""
        rows = len(self._rows(width))
        return rows * self._row_height() + max(rows - 1, 0) * _GAP_PX

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt override
        """One row of every shown name."""
        shown = self.shown_buttons()
        width = sum(b.sizeHint().width() for b in shown) + _GAP_PX * max(len(shown) - 1, 0)
        return QtCore.QSize(width, self._row_height())

    def minimumSizeHint(self) -> QtCore.QSize:  # noqa: N802 - Qt override
        """As narrow as the widest name (the rows wrap), as tall as at the present width.

        Not as tall as at the narrowest width: that is one name per row, and the window's
        layout would then ask for every row at once (eight rows made the window 54 px
        taller than an 800 px screen on the RayStation SRS folder).
        """
        widest = max((b.sizeHint().width() for b in self.shown_buttons()), default=0)
        # Before the first layout the width is Qt's placeholder (100 px): assume at least
        # half a single row's width then, as QLabel's word wrap assumes a text width.
        width = max(self.width(), self.sizeHint().width() // 2, widest)
        return QtCore.QSize(widest, self.heightForWidth(width))

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt override
        """Wrap the buttons to the new width."""
        super().resizeEvent(event)
        self._arrange(event.size().width())
        if len(self._rows(event.size().width())) != len(self._rows(event.oldSize().width())):
            self.updateGeometry()  # the minimum height follows the width: ask again
