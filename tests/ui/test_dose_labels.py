"""Labels of doses, studies and the compact dock layout (the data behind them unchanged)."""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtWidgets

from rtviewer.dicom.dose import read_dose
from rtviewer.dicom.scan import scan
from rtviewer.ui.window.main_window import MainWindow
from rtviewer.ui.window.viewer_controller import BOTTOM_DOCK_PX, attach_viewer
from rtviewer.view.dose_labels import (
    distinct_labels,
    dose_label,
    format_maximum,
    short_name,
    study_label,
)


def test_labels_of_the_dicompyler_dose_and_study(corpus):
    result = scan(corpus / "dicompyler-core")
    (study,) = result.patients[0].studies
    # no Study Description in the file: the date names the study, not its UID
    assert study_label(study) == "Study 1901-01-01"
    (dose,) = [i for i in result.instances() if i.kind == "rtdose"]
    assert dose_label(dose.path, dose) == "PLAN dose"  # maximum not read yet
    assert dose_label(dose.path, dose, "max 14.7 Gy") == "PLAN dose, max 14.7 Gy"
    assert dose_label(dose.path, None) == "rtdose.dcm"


def test_maximum_text_and_file_tail_only_between_equal_labels():
    assert format_maximum(63.349) == "max 63.3 Gy"
    assert format_maximum(2.0549) == "max 2.05 Gy"
    assert format_maximum(1.02, "RELATIVE") == "max 1.02 (RELATIVE)"
    a = Path("/x/RD1.2.752.243.1.1.20180405140837345.1800.364095.dcm")
    b = Path("/x/RD1.2.752.243.1.1.20180405140837345.1800.72851.dcm")
    c = Path("/y/RD1.2.752.243.1.1.20180405140837345.1800.72851.dcm")
    assert distinct_labels([a, b], ["PLAN dose, max 63.3 Gy", "BEAM dose, max 20.1 Gy"]) == [
        "PLAN dose, max 63.3 Gy", "BEAM dose, max 20.1 Gy"]
    assert distinct_labels([a, b], ["BEAM dose", "BEAM dose"]) == [
        "BEAM dose …364095", "BEAM dose …72851"]
    assert distinct_labels([b, c], ["BEAM dose", "BEAM dose"]) == [
        "BEAM dose …72851 (x)", "BEAM dose …72851 (y)"]


def test_uid_file_names_keep_their_tail():
    path = Path("RD1.2.752.243.1.1.20180405140837345.1800.72851.dcm")
    assert short_name(path) == "…72851"
    assert short_name(Path("rtdose.dcm")) == "rtdose.dcm"


def test_window_tree_and_dose_combo_show_the_labels(qtbot, corpus):
    window = MainWindow()
    qtbot.addWidget(window)
    controller = attach_viewer(window)
    result = scan(corpus / "dicompyler-core")
    window.results[result.root] = result
    window.tree.show_result(result)
    study = window.tree.topLevelItem(0).child(0).child(0)
    assert study.text(0) == "Study 1901-01-01"
    assert study.text(1) == ("Study Instance UID "
                             "2.16.840.1.113662.2.12.0.3057.1241703565.35")
    from rtviewer.view.chain import default_chain

    controller.offer_doses(default_chain(result)[0])
    combo = controller.dose_choice
    path = corpus / "dicompyler-core" / "rtdose.dcm"
    # the maximum is read in the background: the whole grid, stored x Dose Grid Scaling
    maximum = read_dose(path).max_gy
    qtbot.waitUntil(lambda: "max" in combo.itemText(0), timeout=20000)
    assert combo.itemText(0) == f"PLAN dose, max {maximum:.1f} Gy"
    assert combo.itemData(0) == str(path)
    assert combo.itemData(0, QtCore.Qt.ItemDataRole.ToolTipRole) == str(path)
    window.resize(1600, 1000)
    window.show()
    qtbot.waitUntil(lambda: window.check.height() <= BOTTOM_DOCK_PX + 30, timeout=5000)
    bottom = [d for d in window.findChildren(QtWidgets.QDockWidget)
              if window.dockWidgetArea(d) == QtCore.Qt.DockWidgetArea.BottomDockWidgetArea]
    assert all(d.height() < 0.15 * window.height() for d in bottom if d.isVisible())
    controller.shutdown()
    window.close()


def test_three_doses_of_a_proton_plan_named_by_kind_and_maximum(qtbot, corpus):
    window = MainWindow()
    qtbot.addWidget(window)
    controller = attach_viewer(window)
    result = scan(corpus / "aptg-proton" / "plan03_ramp_full")
    window.results[result.root] = result
    from rtviewer.view.chain import default_chain

    chain = default_chain(result)[0]
    doses = [chain.dose, *chain.other_doses]
    assert len(doses) == 3
    controller.offer_doses(chain)
    combo = controller.dose_choice
    qtbot.waitUntil(lambda: all("max" in combo.itemText(i) for i in range(3)), timeout=30000)
    texts = [combo.itemText(i) for i in range(3)]
    assert len(set(texts)) == 3 and not any("RD1.2" in t for t in texts)
    for index, path in enumerate(doses):
        dose = read_dose(path)
        # proton doses are EFFECTIVE: said after the maximum; a BEAM dose names its beam
        beam = "".join(f"beam {n}, " for n in dose.referenced_beam_numbers)
        label = (f"{dose.summation_type.value} dose, {beam}{format_maximum(dose.max_gy)}, "
                 f"{dose.dose_type.value}")
        # the beams tell the BEAM doses apart: no file tail is needed
        assert texts[index] == label
        assert combo.itemData(index, QtCore.Qt.ItemDataRole.ToolTipRole) == str(path)
    controller.shutdown()
    window.close()


def test_beam_doses_are_told_apart_by_their_beam_not_their_file(corpus):
    from rtviewer.ui.panels.dose_choice import dose_words

    folder = corpus / "aptg-proton" / "plan03_ramp_full"
    words = sorted(dose_words(read_dose(p)) for p in folder.glob("RD*.dcm"))
    # the two BEAM doses reference beams 1 and 2 (Referenced Beam Number); the PLAN dose
    # references none and keeps its maximum alone
    assert words == ["beam 1, max 1.95 Gy", "beam 2, max 1.97 Gy", "max 2.21 Gy"]


def test_the_other_doses_are_listed_plan_first_then_by_beam_number(qtbot, corpus):
    from rtviewer.ui.panels.dose_choice import DoseMaxima, fill_dose_combo

    result = scan(corpus / "aptg-proton" / "plan03_ramp_full")
    doses = {read_dose(i.path).referenced_beam_numbers: i for i in result.instances()
             if i.kind == "rtdose"}
    beam_2, beam_1, plan = doses[(2,)], doses[(1,)], doses[()]
    maxima = DoseMaxima()
    for inst in (beam_2, beam_1, plan):
        maxima.remember(read_dose(inst.path))
    combo = QtWidgets.QComboBox()
    qtbot.addWidget(combo)
    # beam 2's dose on screen: it stays first; the plan dose, then beam 1 follow
    fill_dose_combo(combo, [beam_2.path, beam_1.path, plan.path],
                    {i.path: i for i in (beam_2, beam_1, plan)}, maxima)
    assert [combo.itemText(i).split(", max")[0] for i in range(3)] == [
        "BEAM dose, beam 2", "PLAN dose", "BEAM dose, beam 1"]
    assert combo.itemData(0) == str(beam_2.path)
