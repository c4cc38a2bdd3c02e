"""The Problems dock names files that share a SOP Instance UID (issue 17: never silent).

``rtviewer check`` and the index warned (DUPLICATE_SOP_INSTANCE_UID) on both files, but the
dock, where the user looks, listed nothing.  ``pydicom-testfiles`` holds one such pair
(``rtdose.dcm`` and ``rtdose_1frame.dcm``; checked with pydicom below).
"""

from __future__ import annotations

import os

import pydicom
import pytest

from rtviewer.dicom.scan import scan
from rtviewer.ui.window.main_window import MainWindow
from rtviewer.ui.window.problems_dock import duplicate_uid_rows

pytestmark = pytest.mark.corpus


def test_the_dock_names_both_files_and_the_one_used(qtbot, corpus):
    folder = corpus / "pydicom-testfiles"
    uids = {name: pydicom.dcmread(folder / name, stop_before_pixels=True).SOPInstanceUID
            for name in ("rtdose.dcm", "rtdose_1frame.dcm")}
    uid = uids["rtdose.dcm"]
    assert uids["rtdose_1frame.dcm"] == uid
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    with qtbot.waitSignal(window.scan_finished, timeout=60_000) as blocker:
        window.open_path(folder)
    qtbot.waitUntil(lambda: not window.is_scanning(), timeout=10_000)
    result = blocker.args[0]
    assert duplicate_uid_rows(result) == [(
        "problem", str(folder / "rtdose.dcm"),
        f"SOP Instance UID {uid} is shared by rtdose.dcm and rtdose_1frame.dcm: both are "
        "listed, but a reference to this UID uses rtdose.dcm (the first by path)")]
    dock, table = window.problems, window.problems.table
    rows = [tuple(table.item(i, j).text() for j in range(3)) for i in range(table.rowCount())]
    duplicate = [r for r in rows if str(uid) in r[2]]
    assert len(duplicate) == 1 and duplicate[0][:2] == ("problem", str(folder / "rtdose.dcm"))
    assert "rtdose_1frame.dcm" in duplicate[0][2]
    # the dock opens (it is news), on screen, with that row visible
    assert dock.isVisible() and not table.visibleRegion().isEmpty()
    row = rows.index(duplicate[0])
    table.scrollToItem(table.item(row, 2))
    assert table.visualItemRect(table.item(row, 2)).intersects(table.viewport().rect())
    problems = sum(1 for r in rows if r[0] == "problem")
    assert dock.windowTitle().startswith(f"Problems ({problems})")
    window.close()


def test_no_rows_without_duplicates(corpus):
    assert duplicate_uid_rows(scan(corpus / "dicompyler-core")) == []


def test_every_corpus_pair_is_one_row(corpus):
    """The ten flagged files of the corpus (``test_scan_corpus``) make five rows."""
    rows = duplicate_uid_rows(scan(corpus))
    assert len(rows) == 5
    for _kind, used, reason in rows:
        assert reason.count(".dcm") >= 3  # both names, and the one used
        assert reason.endswith(f"uses {os.path.relpath(used, corpus)} (the first by path)")
