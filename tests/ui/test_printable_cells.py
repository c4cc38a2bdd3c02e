"""Tree cells show a file's control characters escaped, never as line breaks (issue 16.4)."""

from __future__ import annotations

import warnings

import pydicom
import pytest

from rtviewer.dicom.scan import scan
from rtviewer.ui.window.scan_tree import ScanTree


def _texts(item) -> list[str]:
    out = [item.text(c) for c in range(item.columnCount())]
    for i in range(item.childCount()):
        out += _texts(item.child(i))
    return out


@pytest.mark.corpus
def test_scan_tree_cells_escape_a_forged_series_description(qtbot, corpus, tmp_path):
    ds = pydicom.dcmread(corpus / "dicompyler-core/rtplan.dcm")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds.SeriesDescription = "plan\nPatient FAKE\x1b[31m"
    ds.save_as(tmp_path / "plan.dcm")
    tree = ScanTree()
    qtbot.addWidget(tree)
    top = tree.show_result(scan(tmp_path, use_cache=False))
    texts = _texts(top)
    assert not any(ch in t for t in texts for ch in "\n\r\x1b")
    assert any("plan\\nPatient FAKE\\x1b[31m" in t for t in texts)
