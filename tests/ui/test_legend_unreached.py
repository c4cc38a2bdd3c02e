"""The isodose legend greys the levels a dose never reaches and says where its maximum is."""

from __future__ import annotations

import re

import pytest
from PySide6 import QtWidgets

from rtviewer.dicom.scan import scan
from rtviewer.ui.views.viewer import Viewer
from rtviewer.ui.workers.loader import load_scene
from rtviewer.view.chain import default_chain

#: The greyed texts in the legend's HTML (as Qt writes it back).
_GREY = re.compile(r"color:#8c8c8c;\">([^<]+)<")


def _viewer_on(qtbot, chain):
    """The viewer at 1400x900 showing ``chain``, laid out."""
    viewer = Viewer()
    qtbot.addWidget(viewer)
    viewer.resize(1400, 900)
    viewer.set_scene(load_scene(chain).scene)
    viewer.show()
    qtbot.waitExposed(viewer)
    for _ in range(10):
        QtWidgets.QApplication.processEvents()
    return viewer


@pytest.mark.corpus
def test_monaco_legend_greys_the_levels_above_its_51_percent_maximum(qtbot, corpus):
    # the Monaco PLAN dose peaks at 10.26 Gy for a 20 Gy prescription: only its 30 % and
    # 50 % lines can appear, and the views showed two small rings under a legend of nine
    # levels; the legend must say why
    chain = default_chain(scan(corpus / "pps-vendor-plans" / "monaco_plans_VMAT"))[0]
    viewer = _viewer_on(qtbot, chain)
    assert viewer.state.reference_dose.dose_gy == pytest.approx(20.0)
    for view in viewer.views.values():
        legend = view.legend
        shown = legend.shown_isodoses()
        assert shown.isVisible()
        # wholly inside the view
        box = shown.mapRectToParent(shown.boundingRect())
        assert view.vb.boundingRect().contains(box)
        text = legend.isodoses.toPlainText().splitlines()
        assert text[:8] == ["▬ 107 % 21.4 Gy", "▬ 105 % 21.0 Gy", "▬ 100 % 20.0 Gy",
                            "▬ 95 % 19.0 Gy", "▬ 90 % 18.0 Gy", "▬ 80 % 16.0 Gy",
                            "▬ 70 % 14.0 Gy", "max 51 % 10.3 Gy"]
        assert text[8:] == ["▬ 50 % 10.0 Gy", "▬ 30 % 6.0 Gy"]
        grey = {label.split(" %")[0] for label in _GREY.findall(legend.isodoses.toHtml())}
        assert grey == {"107", "105", "100", "95", "90", "80", "70"}


def test_a_dose_above_every_level_greys_none(qtbot):
    from rtviewer.ui.views.overlays.isodoses import legend_rows
    from rtviewer.view.reference_dose import ReferenceDose

    reference = ReferenceDose(60.0, "plan prescription 60 Gy (PLAN)")
    rows = legend_rows((57.0, 63.0), [(0, 255, 0), (255, 0, 0)], reference, 65.0)
    assert [(r.text, r.reached, r.swatch) for r in rows] == [
        ("105 %  63.0 Gy", True, True), ("95 %  57.0 Gy", True, True)]
    # below every level: the note comes last; without a reference, Gy alone
    rows = legend_rows((57.0, 63.0), [(0, 255, 0), (255, 0, 0)], None, 20.0)
    assert [r.text for r in rows] == ["63.0 Gy", "57.0 Gy", "max 20.0 Gy"]
    assert [r.reached for r in rows] == [False, False, True]


def test_no_note_where_the_maximum_reads_as_a_level(qtbot):
    # without a stated prescription 100 % is the dose's maximum (the RayStation SRS plan,
    # 52.5 Gy): "max 100 %  52.5 Gy" beside "100 %  52.5 Gy" said nothing new
    from rtviewer.ui.views.overlays.isodoses import legend_rows
    from rtviewer.view.reference_dose import ReferenceDose

    reference = ReferenceDose(52.5, "dose maximum 52.5 Gy")
    rows = legend_rows((56.175, 52.5, 49.875), [(255, 0, 255), (255, 0, 0), (255, 128, 0)],
                       reference, 52.5)
    assert [(r.text, r.reached) for r in rows] == [
        ("107 %  56.2 Gy", False), ("100 %  52.5 Gy", True), ("95 %  49.9 Gy", True)]


@pytest.mark.corpus
def test_a_relative_dose_without_reference_says_why_no_lines_are_drawn(qtbot, corpus):
    # pydicom's rtdose.dcm has Dose Units RELATIVE: no 100 %, no levels in Gy; the views
    # were black with no legend and nothing said why
    from rtviewer.ui.views.overlays.isodoses import NO_REFERENCE_NOTE
    from rtviewer.view.chain import chain_for

    folder = corpus / "pydicom-testfiles"
    chain = chain_for(scan(folder), folder / "rtdose.dcm")
    assert chain.dose is not None and chain.dose.name == "rtdose.dcm"
    viewer = _viewer_on(qtbot, chain)
    assert viewer.state.reference_dose is None and viewer.state.isodose_levels_gy() == ()
    for view in viewer.views.values():
        shown = view.legend.shown_isodoses()
        assert shown.isVisible() and view.legend.backing.isVisible()
        assert view.vb.boundingRect().contains(shown.mapRectToParent(shown.boundingRect()))
        assert shown.toPlainText().strip() in (
            NO_REFERENCE_NOTE, "no isodoses: no 100 %")
    # no levels asked for: no note (nothing is missing)
    viewer.state.set_isodose_levels([])
    assert not any(view.legend.backing.isVisible() for view in viewer.views.values())
