"""The tree opens on what the views show: that patient open and in view, the others closed."""

from __future__ import annotations

from PySide6 import QtWidgets

from rtviewer.ui.window.scan_tree import PATH_ROLE
from tests.ui.window_fixture import demo_folder, demo_window, wait_for  # noqa: F401


def _in_view(tree: QtWidgets.QTreeWidget, item: QtWidgets.QTreeWidgetItem) -> bool:
    rect = tree.visualItemRect(item)
    return rect.height() > 0 and rect.top() >= 0 and rect.bottom() <= tree.viewport().height()


def test_the_shown_patient_is_open_selected_and_in_view(demo_window):  # noqa: F811
    window, controller = demo_window
    tree = window.tree
    root = tree.topLevelItem(0)
    patients = [root.child(i) for i in range(root.childCount())]
    assert len(patients) == 3  # the demo's HDR, prostate and thorax patients
    shown = controller.shown_patient
    assert shown is not None
    open_ = [p.text(0) for p in patients if p.isExpanded()]
    assert open_ == [f"{shown.patient_name.replace('^', ', ')} ({shown.patient_id})"]
    # what the views show is selected, and in view with the folder's row above it
    current = tree.currentItem()
    plan = controller.viewer.scene.plan
    assert current is not None and current.data(0, PATH_ROLE) == str(plan.path)
    assert _in_view(tree, current)
    assert _in_view(tree, root) and tree.verticalScrollBar().value() == 0
    for patient in patients:  # every patient's row is listed under the folder
        assert _in_view(tree, patient)


def test_another_patient_shown_from_the_menu_closes_the_first(demo_window):  # noqa: F811
    window, controller = demo_window
    tree = window.tree
    root = tree.topLevelItem(0)
    before = controller.shown_patient
    wanted = "RTV-DEMO-PROSTATE" if before.patient_id != "RTV-DEMO-PROSTATE" else \
        "RTV-DEMO-THORAX"
    other = next(p for p in window.results[window.demo_folder].patients
                 if p.patient_id == wanted)
    tree.reveal(window.demo_folder, other)
    open_ = [root.child(i).text(0) for i in range(root.childCount())
             if root.child(i).isExpanded()]
    assert open_ == [f"{other.patient_name.replace('^', ', ')} ({other.patient_id})"]
    assert tree.currentItem().text(0) == open_[0]
    assert _in_view(tree, tree.currentItem())
    tree.reveal(window.demo_folder, before)  # as it was for the other tests
