"""The side panel's tab names in rows that wrap: every name whole, the views not squeezed.

A QTabBar keeps its tabs on one line: with nine pages (Structures ... Compare ...
Records) the panel at 1280x800 had to be as wide as the bar, which left the sagittal
and coronal views about 185 px wide, or the names were cut with scroll arrows. The
strip shows the same tabs as flat buttons that wrap onto a second row when the panel
is narrow (as the module rows of a planning system's side panel do); the QTabWidget
keeps its pages, API and current index, its own bar hidden. The wrapping is
:class:`~rtviewer.ui.views.flow_row.FlowRow`'s.
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from rtviewer.ui.views.flow_row import FlowRow

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


class TabStrip(FlowRow):
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
        super().__init__(gap_px=_GAP_PX, parent=parent)
        self.tabs = tabs
        self.buttons: list[QtWidgets.QToolButton] = []  # one per tab index
        self._group = QtWidgets.QButtonGroup(self)
        self._group.setExclusive(True)
        self._group.idClicked.connect(self._on_clicked)
        self.setStyleSheet(_STYLE)
        tabs.tabBar().hide()
        tabs.currentChanged.connect(self._on_current)
        self.sync()

    # -- mirroring the tab widget ---------------------------------------------------------
    def sync(self) -> None:
        """Buttons for the tab widget's tabs as they are now: text, tooltip, colour, shown."""
        tabs = self.tabs
        while len(self.buttons) < tabs.count():
            button = QtWidgets.QToolButton()
            button.setObjectName("tab-strip-button")
            button.setCheckable(True)
            button.setAutoRaise(False)
            button.setToolButtonStyle(QtCore.Qt.ToolButtonStyle.ToolButtonTextOnly)
            self._group.addButton(button, len(self.buttons))
            self.buttons.append(button)
            self.add_widget(button)
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
        self._changed()

    def _on_current(self, index: int) -> None:
        if 0 <= index < len(self.buttons):
            self.buttons[index].setChecked(True)

    def _on_clicked(self, index: int) -> None:
        self.tabs.setCurrentIndex(index)

    def shown_buttons(self) -> list[QtWidgets.QToolButton]:
        """The buttons of the visible tabs, in tab order."""
        return [b for i, b in enumerate(self.buttons)
                if i < self.tabs.count() and self.tabs.isTabVisible(i)]
