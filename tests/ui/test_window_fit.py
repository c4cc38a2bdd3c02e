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


def _whole(widget: QtWidgets.QWidget) -> bool:
    """Shown and not cut: every pixel of the widget in view."""
    return widget.isVisible() and widget.visibleRegion().boundingRect() == widget.rect()


def test_with_the_lesson_dock_open_the_tools_wrap_instead_of_hiding(demo_window):  # noqa: F811
    # at 1280x720 beside the Lesson dock the DVH tab's first row of tools was cut at
    # about 300 px and Reset zoom went behind the toolbar's » button
    from rtviewer.view.lesson_file import builtin_lesson_paths
    from tests.ui.window_fixture import settled

    window, controller = demo_window
    viewer = controller.viewer
    lesson = next(p for p in builtin_lesson_paths() if p.name.startswith("2-"))
    try:
        window.lessons.open_file(lesson)
        window.lessons.go(6)  # the DVH and the clinical goals
        wait_for(lambda: settled(window, controller))
        _settle(window, (1280, 720))
        assert window.lessons.isVisible()
        panel = viewer.dvh_panel
        assert viewer.tabs.currentWidget() is panel
        tools = panel.tools.shown_widgets()
        assert len(tools) == 7 and len(panel.tools.rows(panel.tools.width())) >= 2
        for tool in tools:
            assert _whole(tool), tool
            assert tool.width() >= min(tool.sizeHint().width(), panel.tools.width()), tool
        for widget in (controller.dose_choice, viewer.preset, viewer.layout_button,
                       viewer.reset_zoom, viewer.screenshot):
            assert _whole(widget) and _inside(widget, window), widget
            assert widget.width() >= widget.sizeHint().width(), widget
    finally:
        window.lessons.hide()
        window.lessons.lesson = None
        _settle(window, (1280, 800))


def test_deep_tree_names_keep_their_ends_and_say_the_rest_on_hover(demo_window):  # noqa: F811
    window, controller = demo_window
    tree = window.tree
    _settle(window, (1280, 800))
    assert tree.textElideMode() == QtCore.Qt.TextElideMode.ElideMiddle
    iterator = QtWidgets.QTreeWidgetItemIterator(tree)
    seen = 0
    while (item := iterator.value()) is not None:
        tip = item.toolTip(0)
        # the whole name first, then what the Details column says
        assert tip.startswith(item.text(0)) and item.text(1) in tip, item.text(0)
        assert item.toolTip(1) == tip
        seen += 1
        iterator += 1
    assert seen > 30
    # the Details column is one sideways scroll away
    bar = tree.horizontalScrollBar()
    bar.setValue(bar.maximum())
    QtWidgets.QApplication.processEvents()
    details_x = tree.header().sectionViewportPosition(1)
    assert 0 <= details_x < tree.viewport().width() - 40
    bar.setValue(0)


def test_a_deep_name_keeps_its_name_and_its_end(qapp):
    from PySide6 import QtGui

    from rtviewer.ui.window.scan_tree import elide_after_name

    metrics = QtGui.QFontMetrics(QtGui.QFont("DejaVu Sans", 9))
    text = "RT Image 'DRR G280': DRR, 512×512 px, plane NORMAL"
    width = metrics.horizontalAdvance("RT Image 'DRR G280'… plane NORMAL")
    shown = elide_after_name(text, metrics, width)
    # the name that tells six DRRs apart stays whole, and the end with it
    assert shown.startswith("RT Image 'DRR G280'…") and shown.endswith("NORMAL")
    assert metrics.horizontalAdvance(shown) <= width
    missing = "→ images: 233 of 233 missing"
    shown = elide_after_name(missing, metrics, metrics.horizontalAdvance("→ images:… 233 missing"))
    assert shown.startswith("→ images:") and shown.endswith("233 missing")
    assert elide_after_name("short", metrics, 200) == "short"
    record = "Treatment record 2026-01-20, fraction 12"
    assert elide_after_name(record, metrics, 150).endswith("fraction 12")
    # a name wider than the room is cut at its end
    assert elide_after_name(text, metrics, 40).endswith("…")
