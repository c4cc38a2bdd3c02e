"""The DVH panel as seen: legend on the plot, names frozen beside the table, axis fitted."""

from __future__ import annotations

import html
import re

import pytest
from factories.phantom import make_phantom
from PySide6 import QtCore, QtGui, QtWidgets

from rtviewer.ui.panels import dvh_panel
from rtviewer.ui.panels.dvh_panel import DvhPanel
from rtviewer.ui.panels.plot_axes import fit_tick_text_width
from rtviewer.ui.views.view_state import ViewState
from rtviewer.view.dvh_axis import HEADROOM, TAIL_FACTOR
from rtviewer.view.reference_dose import ReferenceDose
from rtviewer.view.scene import Scene


@pytest.fixture
def panel(qtbot):
    image, structures, dose = make_phantom()
    state = ViewState()
    panel = DvhPanel(state)
    panel.use_processes = False
    qtbot.addWidget(panel)
    panel.resize(420, 760)
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_scene(Scene(image=image, structures=structures, dose=dose))
    state.set_visible_rois({1, 2})
    qtbot.waitUntil(lambda: set(panel.dvhs) == {1, 2}, timeout=20000)
    panel.wait_all()
    yield panel
    panel.stop_workers()


def _legend_names(panel: DvhPanel) -> list[str]:
    return [html.unescape(n) for n in re.findall(r"</b>&nbsp;(.*?)</span>", panel.legend.text())]


def test_the_legend_names_each_shown_curve_below_the_plot(panel):
    assert _legend_names(panel) == ["PTV ring", "Left thing"]
    legend, plot = panel.legend, panel.plot
    assert legend.isVisible() and legend.height() >= legend.fontMetrics().height()
    # below the dose axis, as wide as the plot: it never covers a curve
    top_left = legend.mapTo(panel.plot_box, QtCore.QPoint(0, 0))
    assert top_left.y() >= plot.geometry().bottom()
    assert legend.width() <= panel.plot_box.width()
    for roi in panel.scene.structures.rois:
        colour = "#{:02x}{:02x}{:02x}".format(*roi.color_rgb)
        assert f"color:{colour}" in legend.text()
    panel.state.set_visible_rois({2})
    panel.wait_all()
    assert _legend_names(panel) == ["Left thing"]
    panel.state.set_visible_rois(set())
    panel.wait_all()
    assert not legend.isVisible()


def test_structure_names_stay_in_view_with_their_colour_when_the_table_scrolls(panel):
    table = panel.table
    assert table.rowCount() == 2
    table.horizontalScrollBar().setValue(table.horizontalScrollBar().maximum())
    QtWidgets.QApplication.processEvents()
    assert table.horizontalScrollBar().maximum() > 0  # 420 px cannot show every column
    header = table.verticalHeader()
    assert header.isVisible()
    metrics = header.fontMetrics()
    for row, roi in enumerate(panel.scene.structures.rois):
        item = table.verticalHeaderItem(row)
        assert item.text() == roi.name
        assert header.width() >= metrics.horizontalAdvance(roi.name)
        swatch = item.icon().pixmap(12, 12).toImage()
        assert swatch.pixelColor(6, 6).getRgb()[:3] == tuple(roi.color_rgb)
    # the first statistics column scrolled out of view, the names did not
    assert table.columnViewportPosition(0) < 0


def test_the_dose_axis_fits_the_shown_maxima_and_names_a_cut_tail(panel):
    dmax = {n: dvh.dmax_gy for n, dvh in panel.dvhs.items()}
    hot, cold = max(dmax, key=dmax.get), min(dmax, key=dmax.get)
    assert dmax[hot] > 1.5 * dmax[cold]
    x_range = panel.plot.plotItem.vb.viewRange()[0]
    assert x_range[1] == pytest.approx(dmax[hot] * (1 + HEADROOM), rel=1e-3)
    # a prescription a third of the hot maximum's: that curve is a tail, cut and named
    rx = dmax[hot] / (TAIL_FACTOR + 1.0)
    assert dmax[cold] < TAIL_FACTOR * rx
    panel.state.set_reference_dose(ReferenceDose(rx, "test"))
    panel.wait_all()
    x_range = panel.plot.plotItem.vb.viewRange()[0]
    assert x_range[1] == pytest.approx(TAIL_FACTOR * rx * (1 + HEADROOM), rel=1e-3)
    hot_name = panel.scene.structures.roi_by_number(hot).name
    assert hot_name in panel.plot.plotItem.titleLabel.text
    assert panel.plot.plotItem.titleLabel.isVisible()
    panel.whole_range.setChecked(True)
    x_range = panel.plot.plotItem.vb.viewRange()[0]
    assert x_range[1] == pytest.approx(dmax[hot] * (1 + HEADROOM), rel=1e-3)
    assert not panel.plot.plotItem.titleLabel.isVisible()
    # a zoom, then Fit: back to the fitted range
    panel.plot.setXRange(0.0, 1.0)
    panel.fit.click()
    assert panel.plot.plotItem.vb.viewRange()[0][1] == pytest.approx(
        dmax[hot] * (1 + HEADROOM), rel=1e-3)


def _painted_width(panel: DvhPanel) -> float:
    panel.plot.grab()  # paints the axis, which measures its labels
    QtWidgets.QApplication.processEvents()
    return panel.plot.getPlotItem().getAxis("left").width()


def test_the_picture_does_not_depend_on_what_the_plot_showed_before(panel, qtbot):
    """raystation-srs.png changed under load: a plot painted while its curves were
    arriving kept the label space of the wider labels it had shown (pyqtgraph narrows
    it only by more than 10 px), one painted once at the end did not. The label
    space is now a function of the axis range alone."""
    settled = _painted_width(panel)
    image = panel.plot_box.grab().toImage()
    # labels up to "1000" painted (less than 10 px wider than "100"), then fitted again
    panel.plot.setYRange(0.0, 1040.0, padding=0.0)
    qtbot.wait(20)
    _painted_width(panel)
    panel.fit.click()
    qtbot.wait(20)
    assert _painted_width(panel) == settled
    assert panel.plot_box.grab().toImage() == image
    # the space follows the range: the widest label pyqtgraph writes for it
    axis = panel.plot.getPlotItem().getAxis("left")
    metrics = QtGui.QFontMetricsF(QtGui.QFont())
    assert fit_tick_text_width(axis, 0.0, 104.0) == metrics.horizontalAdvance("100")
    assert fit_tick_text_width(axis, 0.0, 4800.0) == metrics.horizontalAdvance("4000")


def test_a_long_legend_scrolls_in_the_panel_and_is_whole_in_the_picture(panel):
    # 28 structures (the RayStation SRS folder) wrapped to 8 lines and squeezed the plot
    from rtviewer.ui.panels.dvh_plot_box import LEGEND_LINES

    entries = [dvh_panel._legend_entry((200, 30, 30), f"PTV_{n}_WALL") for n in range(28)]
    panel.legend.setText(" &nbsp; ".join(entries))
    panel.plot_box.fit_legend()
    QtWidgets.QApplication.processEvents()
    area = panel.plot_box.legend_area
    line = panel.legend.fontMetrics().lineSpacing()
    assert area.height() <= LEGEND_LINES * line + 10  # the label's padding
    full = panel.legend.heightForWidth(area.viewport().width())
    assert full > 2 * area.height()  # the text goes on below: it scrolls
    assert area.verticalScrollBar().maximum() > 0
    assert panel.plot.height() > 4 * area.height() // 2
    picture = panel.plot_box.grab()
    assert picture.height() >= panel.plot.height() + full - 2
