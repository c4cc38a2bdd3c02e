"""The beam's-eye view's field edge and jaws: colours no shown structure has (issue 17 point 5)."""

from __future__ import annotations

import numpy as np
import pytest

from rtviewer.dicom.plan import read_plan
from rtviewer.dicom.structure import read_structure_set
from rtviewer.view.dose_colours import COLLISION_RGB


@pytest.mark.corpus
def test_field_edge_and_jaws_are_no_structure_colour(qtbot, corpus):
    from rtviewer.ui.views.bev_view import BeamsEyeView

    folder = corpus / "dicompyler-core"
    plan = read_plan(folder / "rtplan.dcm")
    structures = read_structure_set(folder / "rtss.dcm")
    colours = [roi.color_rgb for roi in structures.rois]
    assert (255, 0, 0) in colours  # 'Tumor Bed': the red the field edge used to be
    view = BeamsEyeView()
    qtbot.addWidget(view)
    view.set_data(plan=plan, structures=structures)
    assert not view.field_item.path().isEmpty()
    edges = [view.field_item.pen().color().getRgb()[:3], view.jaw_item.pen().color().getRgb()[:3]]
    for edge in edges:
        gap = min(float(np.linalg.norm(np.subtract(edge, c))) for c in colours)
        assert gap >= COLLISION_RGB, (edge, gap)
    assert float(np.linalg.norm(np.subtract(*edges))) >= COLLISION_RGB  # field ≠ jaws
