"""Reference point labels at one place are stacked, each whole and beside its marker."""

from __future__ import annotations

import pytest
from PySide6 import QtCore, QtWidgets

from rtviewer.dicom.scan import scan
from rtviewer.ui.views.viewer import Viewer
from rtviewer.ui.workers.loader import load_scene
from rtviewer.view.chain import default_chain
from rtviewer.view.label_layout import boxes_intersect


def _boxes(view):
    """``(text, (x, y, w, h), marker pixel)`` of the shown point labels (ViewBox pixels)."""
    overlay = view.overlays["reference points"]
    rects = overlay.label_rects()
    shown = [(label, marker) for label, marker in zip(overlay._point_labels,
                                                       overlay.markers, strict=False)
             if label.toPlainText()]
    return [(label.toPlainText(), rect.getRect(),
             view.vb.mapFromView(QtCore.QPointF(*marker.st)))
            for (label, marker), rect in zip(shown, rects, strict=True)]


@pytest.mark.corpus
@pytest.mark.parametrize("size", [(1400, 900), (900, 600)])
def test_beam_dose_point_and_lopo_labels_do_not_cover_each_other(qtbot, corpus, size):
    # the proton plan's dose reference 'Beam Dose Point3' and the structure set's
    # POINT 'LoPo' are at one place: the sagittal view wrote 'LoPo' over 'Beam'
    chain = default_chain(scan(corpus / "aptg-proton" / "plan03_ramp_full"))[0]
    viewer = Viewer()
    qtbot.addWidget(viewer)
    viewer.resize(*size)
    viewer.set_scene(load_scene(chain).scene)
    viewer.show()
    qtbot.waitExposed(viewer)
    for _ in range(10):
        QtWidgets.QApplication.processEvents()
    for name in ("axial", "sagittal"):
        boxes = _boxes(viewer.views[name])
        texts = sorted(text for text, _box, _at in boxes)
        assert texts == ["Beam Dose Point3", "LoPo"], name
        (_a, first, at_a), (_b, second, at_b) = boxes
        assert not boxes_intersect(first, second), (name, first, second)
        # each stays beside its marker: its left edge at the marker, its bottom no more
        # than two label heights above it
        for (_x, y, _w, h), (x, _y, _w2, _h2), at in ((first, first, at_a),
                                                       (second, second, at_b)):
            assert abs(x - at.x()) < 1
            assert at.y() - 2 * h - 1 <= y + h <= at.y() + 1
    # a zoom keeps them apart (the stack is made again at each placement)
    sagittal = viewer.views["sagittal"]
    sagittal.vb.scaleBy((4, 4))
    for _ in range(5):
        QtWidgets.QApplication.processEvents()
    (_a, first, _), (_b, second, _) = _boxes(sagittal)
    assert not boxes_intersect(first, second)
