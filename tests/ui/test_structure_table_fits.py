"""The structure table in the real window: every volume readable at 1600x1000 and 1280x800."""

from __future__ import annotations

from dataclasses import replace

import pytest
from factories.phantom import make_phantom

from rtviewer.ui.panels.structure_panel import StructurePanel
from rtviewer.ui.views.view_state import ViewState
from tests.ui.window_fixture import window_on

VOLUME = 2


def _visible_width(tree, column: int) -> int:
    header = tree.header()
    left = header.sectionViewportPosition(column)
    right = left + header.sectionSize(column)
    return min(right, tree.viewport().width()) - max(left, 0)


@pytest.mark.corpus
@pytest.mark.parametrize("size", [(1600, 1000), (1280, 800)])
def test_volume_column_is_not_clipped(qtbot, corpus, size):
    window, controller = window_on(qtbot, corpus / "dicompyler-core", size)
    panel = controller.viewer.structure_panel
    controller.viewer.tabs.setCurrentWidget(
        next(controller.viewer.tabs.widget(i) for i in range(controller.viewer.tabs.count())
             if controller.viewer.tabs.tabText(i) == "Structures"))
    qtbot.waitUntil(lambda: panel.table.topLevelItemCount() == 10, timeout=5000)
    qtbot.wait(50)
    tree = panel.table
    assert tree.isVisible() and tree.viewport().width() > 150
    metrics = tree.fontMetrics()
    texts = [tree.topLevelItem(i).text(VOLUME) for i in range(tree.topLevelItemCount())]
    texts.append(tree.headerItem().text(VOLUME))
    assert "14880.5" in texts  # BODY, the widest number of dicompyler-core
    widest = max(metrics.horizontalAdvance(text) for text in texts)
    assert _visible_width(tree, VOLUME) >= widest
    # and the name column still shows names, not just an ellipsis
    assert _visible_width(tree, 0) >= metrics.horizontalAdvance("Tumor Bed")
    window.close()


def test_a_long_name_is_elided_before_a_volume_is_clipped(qtbot):
    _image, structures, _dose = make_phantom()
    long_name = "PTV_boost_high_dose_region_eval_60Gy_in_30_fractions"
    rois = (replace(structures.rois[0], name=long_name, volume_cc=14880.5),
            *structures.rois[1:])
    panel = StructurePanel(ViewState())
    qtbot.addWidget(panel)
    panel.resize(330, 400)
    panel.show()
    qtbot.waitExposed(panel)
    panel.set_structures(replace(structures, rois=rois))
    qtbot.wait(20)
    tree = panel.table
    metrics = tree.fontMetrics()
    assert _visible_width(tree, VOLUME) >= metrics.horizontalAdvance("14880.5")
    assert _visible_width(tree, 1) >= metrics.horizontalAdvance(tree.headerItem().text(1))
    assert tree.topLevelItem(0).toolTip(0) == long_name  # the elided name in full
