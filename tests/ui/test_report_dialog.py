"""File → Export review report…: the checklist's sections reach ``rtviewer report``."""

import json

import pytest
from PySide6 import QtCore

from rtviewer.model.review_report import SECTIONS
from rtviewer.ui.dialogs.report_dialog import ReportDialog

pytestmark = pytest.mark.corpus


def test_ticked_sections_reviewer_and_comment_are_in_the_report(qtbot, corpus, tmp_path):
    folder = corpus / "dicompyler-core"
    dialog = ReportDialog(None, folder, folder / "rtplan.dcm", folder / "rtdose.dcm")
    qtbot.addWidget(dialog)
    keys = [key for key, _ in SECTIONS]
    for row, key in enumerate(keys):  # no pictures, no folder check: a quick report
        if key not in ("plan", "dvh_table", "reviewer"):
            dialog.sections.item(row).setCheckState(QtCore.Qt.CheckState.Unchecked)
    assert dialog.chosen_sections() == ["plan", "dvh_table", "reviewer"]
    dialog.reviewer.setText("A. Physicist")
    dialog.comment.setPlainText("Fine to treat.")
    dialog.json.setChecked(True)
    dialog.grab().save(str(tmp_path / "dialog.png"))
    dialog.start(tmp_path / "r.pdf")
    qtbot.waitUntil(lambda: dialog.status.text().startswith(("Written", "Not written")),
                    timeout=240_000)
    assert dialog.status.text() == f"Written: {tmp_path / 'r.pdf'}"
    doc = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert [s["key"] for s in doc["sections"]] == ["plan", "dvh_table", "reviewer"]
    fields = doc["sections"][-1]["blocks"][0]["fields"]
    assert fields["Reviewer"] == "A. Physicist"
    assert doc["sections"][-1]["blocks"][1]["text"] == "Comment: Fine to treat."


def test_the_crosshair_is_offered_as_the_planes_point(qtbot, corpus):
    from rtviewer.ui.dialogs.report_dialog import report_arguments

    folder = corpus / "dicompyler-core"
    dialog = ReportDialog(None, folder, None, None, (12.345, -60.0, 7.5))
    qtbot.addWidget(dialog)
    assert dialog.chosen_point() is None  # the isocentre unless ticked
    dialog.at_crosshair.setChecked(True)
    assert dialog.chosen_point() == "12.35,-60.00,7.50"
    args = report_arguments(folder, folder.parent / "r.pdf", plan=None, dose=None,
                            sections=["planes"], reviewer="", comment="", page="a4",
                            goals="", json_out=False, point=dialog.chosen_point())
    assert args[args.index("--point") + 1] == "12.35,-60.00,7.50"
    without = ReportDialog(None, folder, None, None)
    qtbot.addWidget(without)
    assert not without.at_crosshair.isEnabled() and without.chosen_point() is None


def test_the_window_names_its_plan_and_dose_not_their_files(qtbot, corpus, tmp_path,
                                                            monkeypatch):
    """The dialog said 'Plan: RP.1.2.246.352…dcm', and 'the plan's dose' with none shown."""
    from PySide6 import QtWidgets

    from rtviewer.ui.dialogs import report_dialog
    from tests.ui.window_fixture import window_on

    window, controller = window_on(qtbot, corpus / "slicerrt-eclipse-prostate")
    controller.viewer.state.set_crosshair_mm((-0.0001, 0.9, -0.0))
    window._ask_report()
    dialog = next(w for w in QtWidgets.QApplication.topLevelWidgets()
                  if isinstance(w, report_dialog.ReportDialog) and w.isVisible())
    qtbot.addWidget(dialog)
    intro = dialog.findChild(QtWidgets.QLabel).text()
    assert "Plan: Plan 'PROS'" in intro and ".dcm" not in intro
    assert "Dose: none on screen" in intro
    assert "(0.0, 0.9, 0.0) mm" in dialog.at_crosshair.text()  # never '-0.0'
    assert dialog.file_stem == "review-TEST_PHYS_PROSTATE-PROS"
    seen: list[str] = []
    monkeypatch.setattr(report_dialog.QtWidgets.QFileDialog, "getSaveFileName",
                        lambda _p, _t, start, _f: (seen.append(start), ("", ""))[1])
    dialog._ask_out()
    assert seen[0].endswith("/review-TEST_PHYS_PROSTATE-PROS.pdf")
    dialog.close()
    window.close()
