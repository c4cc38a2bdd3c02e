"""Rows of one series that would read alike are told apart, in what a narrow dock shows."""

from __future__ import annotations

import pytest

from rtviewer.dicom.scan import scan
from rtviewer.ui.window.scan_tree import PATH_ROLE, ScanTree, elide_after_name


def _items(tree, series_text):
    """The rows under the first series row whose text starts so."""
    stack = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    while stack:
        item = stack.pop()
        if item.text(0).startswith(series_text):
            return [item.child(i) for i in range(item.childCount())]
        stack.extend(item.child(i) for i in range(item.childCount()))
    raise AssertionError(f"no series row {series_text!r}")


def _rows(tree, series_text):
    """``(text, path)`` of the rows under the first series row whose text starts so."""
    return [(item.text(0), item.data(0, PATH_ROLE)) for item in _items(tree, series_text)]


def _shown(tree, item):
    """What the Object column draws of the row's text in its rectangle on screen."""
    width = tree.visualItemRect(item).width()
    assert width > 100
    return elide_after_name(item.text(0), tree.fontMetrics(), width - 8)


@pytest.mark.corpus
def test_five_brainlab_plans_of_one_label_are_told_apart_by_instance(qtbot, corpus):
    # five files of one series, each "Plan 'Isoc. Norm.:G': 3 beams, 5 fractions": the
    # tree showed five identical rows
    tree = ScanTree()
    qtbot.addWidget(tree)
    tree.resize(240, 600)  # the dock's narrowest (TREE_MIN_PX)
    tree.show_result(scan(corpus / "pps-vendor-plans" / "brainlab_plan_ptv"))
    tree.show()
    qtbot.waitExposed(tree)
    rows = _rows(tree, "RTPLAN")
    assert len(rows) == 5
    by_file = {path.rsplit("/", 1)[-1]: text for text, path in rows}
    # RTPL0235..0239 hold Instance Numbers 1..5 ("This is plan 1 out of 5 plans", ...)
    assert by_file == {f"RTPL023{5 + k}.dcm":
                       f"Plan 'Isoc. Norm.:G': 3 beams, 5 fractions #{k + 1}"
                       for k in range(5)}
    shown = [_shown(tree, item) for item in _items(tree, "RTPLAN")]
    assert len(set(shown)) == 5, shown  # still apart where the dock elides them
    assert all(s.endswith(f"#{k}") for s, k in
               zip(sorted(shown, key=lambda s: s[-1]), range(1, 6), strict=True))


def test_doses_of_one_series_say_their_plan(qtbot, tmp_path):
    # the demo thorax' dose series holds the PLAN doses of 'Lung 3DCRT' and 'Lung VMAT'
    from rtviewer.demo.generate import generate_demo

    generate_demo(tmp_path / "demo")
    tree = ScanTree()
    qtbot.addWidget(tree)
    tree.show_result(scan(tmp_path / "demo" / "RTV-DEMO-THORAX"))
    texts = [text for text, _path in _rows(tree, "RTDOSE Calculated")]
    plan_doses = sorted(t for t in texts if t.startswith("PLAN dose"))
    assert plan_doses == ["PLAN dose · plan 'Lung 3DCRT'", "PLAN dose · plan 'Lung VMAT'"]
    assert len(set(texts)) == len(texts)
    # the eight BEAM doses (six of 3DCRT, two of VMAT) stay apart where the dock elides
    # them (the grid size went)
    tree.resize(240, 600)
    tree.show()
    qtbot.waitExposed(tree)
    beam = [item for item in _items(tree, "RTDOSE Calculated")
            if item.text(0).startswith("BEAM dose")]
    assert len(beam) == 8 and len({_shown(tree, item) for item in beam}) == 8
