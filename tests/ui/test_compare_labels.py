"""The Compare tab names each dose B in words: plan, dose kind, maximum; never a UID tail."""

from __future__ import annotations

import re

from PySide6 import QtCore, QtWidgets

from rtviewer.ui.panels.compare_panel import _NAME_ROLE
from tests.ui.window_fixture import demo_folder, demo_window, wait_for  # noqa: F401

#: A vendor file-name tail ("…364095") or a UID fragment in a label
_UID_TAIL = re.compile(r"…\w+|\d+\.\d+\.\d+\.\d+|\d{6,}")


def _show_thorax(window, controller) -> None:
    """The 3DCRT plan of the thorax patient, as a click in the tree shows it."""
    iterator = QtWidgets.QTreeWidgetItemIterator(window.tree)
    while (item := iterator.value()) is not None:
        if item.text(0).startswith("Plan 'Lung 3DCRT'"):
            break
        iterator += 1
    window.tree.setCurrentItem(item)
    wait_for(lambda: getattr(controller.viewer.scene.plan, "label", None) == "Lung 3DCRT"
             and not controller._workers)


def test_dose_b_rows_say_plan_kind_and_maximum(demo_window):  # noqa: F811
    window, controller = demo_window
    _show_thorax(window, controller)
    panel = controller.viewer.compare_panel
    rows = panel._source_rows()
    assert len(rows) >= 4  # the VMAT and replan PLAN doses, the 3DCRT beam doses
    wait_for(lambda: all("max " in item.text() for item, _w in panel._source_rows()), 60)
    texts = [item.text() for item, _w in panel._source_rows()]
    assert not [t for t in texts if _UID_TAIL.search(t)], texts
    assert any(re.fullmatch(r"Lung VMAT · PLAN dose, max \d+\.\d Gy", t) for t in texts), texts
    assert any(t.startswith("Lung 3D Replan · PLAN dose, max ") for t in texts), texts
    assert any(re.fullmatch(r"Lung 3DCRT · BEAM dose, beam \d, max \d+\.\d Gy", t)
               for t in texts), texts
    assert len(set(texts)) == len(texts)  # told apart
    vmat = next(item for item, _w in panel._source_rows() if item.text().startswith("Lung VMAT"))
    # the plan's summary, the series and the file in the tooltip
    assert "Plan 'Lung VMAT': 2 beams" in vmat.toolTip()
    assert "Series: Calculated doses" in vmat.toolTip()
    assert str(vmat.data(QtCore.Qt.ItemDataRole.UserRole)) in vmat.toolTip()


def test_the_b_label_is_the_plans_name(demo_window, monkeypatch):  # noqa: F811
    _window, controller = demo_window
    panel = controller.viewer.compare_panel
    said = []
    monkeypatch.setattr(panel, "compare_with", lambda b, label, **_kw: said.append(label))
    for item, weight in panel._source_rows():
        checked = item.text().startswith(("Lung VMAT · PLAN", "Lung 3D Replan · PLAN"))
        item.setCheckState(QtCore.Qt.CheckState.Checked if checked
                           else QtCore.Qt.CheckState.Unchecked)
        weight.setValue(0.5 if checked else 1.0)
    panel.start()
    assert said == ["0.5 × Lung VMAT dose + 0.5 × Lung 3D Replan dose"] or \
        said == ["0.5 × Lung 3D Replan dose + 0.5 × Lung VMAT dose"]
    beam = next(item for item, _w in panel._source_rows()
                if item.text().startswith("Lung 3DCRT · BEAM dose, beam"))
    assert re.fullmatch(r"Lung 3DCRT BEAM dose beam \d", beam.data(_NAME_ROLE))
