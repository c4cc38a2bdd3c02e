"""At 1600x1000 and 1280x800 nothing is hidden: tab names and toolbar whole, views wide."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets

from tests.ui.window_fixture import demo_folder, demo_window, wait_for  # noqa: F401


def _settle(window, size) -> None:
    window.resize(*size)
    for _ in range(20):
        QtWidgets.QApplication.processEvents()


def _inside(widget: QtWidgets.QWidget, window: QtWidgets.QWidget) -> bool:
    where = QtCore.QRect(widget.mapTo(window, QtCore.QPoint(0, 0)), widget.size())
    return window.rect().contains(where) and not widget.visibleRegion().isEmpty()


@pytest.mark.parametrize("size", [(1600, 1000), (1280, 800)])
def test_every_tab_name_is_whole_without_squeezing_the_views(demo_window, size):  # noqa: F811
    window, controller = demo_window
    viewer = controller.viewer
    viewer.show_compare_tab()  # the Compare tab too: the most tabs the panel holds
    _settle(window, size)
    strip = viewer.tab_strip
    shown = strip.shown_buttons()
    assert len(shown) >= 8
    texts = [b.text() for b in shown]
    assert "Compare" in texts and "Structures" in texts
    for button in shown:
        assert button.isVisible() and _inside(button, window), button.text()
        # the whole name: as wide as it asks, no elision and no scroll arrows
        assert button.width() >= button.sizeHint().width(), button.text()
        assert button.fontMetrics().horizontalAdvance(button.text()) < button.width()
    assert not viewer.tabs.tabBar().isVisible()
    # the side views keep a usable width (they were 185 px with one row of tabs)
    for name in ("sagittal", "coronal"):
        assert viewer.views[name].width() >= 230, (name, viewer.views[name].width())
    # a click on a name shows its page
    compare = next(b for b in shown if b.text() == "Compare")
    compare.click()
    assert viewer.tabs.tabText(viewer.tabs.currentIndex()) == "Compare"
    next(b for b in shown if b.text() == "Structures").click()
    assert viewer.tabs.tabText(viewer.tabs.currentIndex()) == "Structures"


@pytest.mark.parametrize("size", [(1600, 1000), (1280, 800)])
def test_toolbar_shows_reset_zoom_and_screenshot(demo_window, size):  # noqa: F811
    window, controller = demo_window
    viewer = controller.viewer
    _settle(window, size)
    bar = viewer._toolbar
    for widget in (controller.dose_choice, viewer.preset, viewer.layout_button,
                   viewer.reset_zoom, viewer.screenshot):
        assert widget.isVisible() and _inside(widget, window), widget
        # on the toolbar itself, not in its » extension menu
        assert bar.rect().contains(QtCore.QRect(widget.mapTo(bar, QtCore.QPoint(0, 0)),
                                                widget.size())), widget
    # the view chooser belongs to the 1-view layout only
    assert not viewer.single_choice.isVisible()
    viewer.layout_button.click()
    QtWidgets.QApplication.processEvents()
    try:
        assert viewer.single_choice.isVisible()
    finally:
        viewer.layout_button.click()


@pytest.mark.parametrize("size", [(1600, 1000), (1280, 800)])
def test_the_tab_strip_asks_for_its_rows_at_its_width_not_one_name_per_row(
        demo_window, size):  # noqa: F811
    # Its minimum once asked for every name on a row of its own (8 rows, 208 px), and
    # the window grew 54 px taller than an 800 px screen on a 28-structure folder.
    window, controller = demo_window
    viewer = controller.viewer
    viewer.show_compare_tab()
    _settle(window, size)
    strip = viewer.tab_strip
    rows_now = strip.heightForWidth(strip.width())
    assert strip.minimumSizeHint().height() == rows_now == strip.height()
    one_per_row = strip.heightForWidth(strip.minimumSizeHint().width())
    assert rows_now < one_per_row
    assert window.minimumSizeHint().height() <= 800
