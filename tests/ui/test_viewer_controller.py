"""The main window with the viewer attached: open a folder, the first chain shows; select
another object in the tree and its chain loads."""

from __future__ import annotations

import numpy as np
import pytest

from rtviewer.ui.window.scan_tree import PATH_ROLE
from tests.ui.window_fixture import viewer_window_on


def _items(tree):
    stack = [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    while stack:
        item = stack.pop()
        yield item
        stack.extend(item.child(i) for i in range(item.childCount()))


@pytest.mark.corpus
def test_open_folder_shows_the_plan_chain_then_selection_loads_another(qtbot, corpus):
    window, controller = viewer_window_on(qtbot, corpus / "dicompyler-core")
    scene = controller.viewer.scene
    assert scene.plan is not None and scene.dose is not None and scene.structures is not None
    assert np.allclose(controller.viewer.state.crosshair_mm, scene.isocenter_mm())
    assert controller.viewer.state.reference_dose.dose_gy == pytest.approx(14.0)
    rtss = next(i for i in _items(window.tree)
                if (i.data(0, PATH_ROLE) or "").endswith("rtss.dcm"))
    with qtbot.waitSignal(controller.loaded, timeout=60000) as blocker:
        window.tree.setCurrentItem(rtss)
    result = blocker.args[0]
    assert result.chain.structures.name == "rtss.dcm" and result.chain.dose is None
    assert controller.viewer.scene.dose is None
    assert controller.viewer.views["axial"].overlays["structures"].curves  # contours drawn
    window.close()


@pytest.mark.corpus
def test_structures_and_plan_without_image_open_with_the_structures_in_view(qtbot, corpus):
    # slicerrt-eclipse-prostate: plan + structure set, no image or dose grid. The plan is
    # shown first (a partial scene with nothing to fit); the structures must be in view
    # when they arrive, without Reset zoom.
    window, controller = viewer_window_on(qtbot, corpus / "slicerrt-eclipse-prostate",
                                          (1200, 800))
    viewer = controller.viewer
    body = viewer.scene.structures.roi_by_name("BODY")
    points = np.concatenate(body.closed_polygons_mm())
    for name, view in viewer.views.items():
        st = view.patient_to_view(points)
        (x0, x1), (y0, y1) = view.vb.viewRange()
        # the body outline (about 400 × 260 mm) fills the view, inside it with a margin
        assert x0 <= st[:, 0].min() and st[:, 0].max() <= x1, name
        assert y0 <= st[:, 1].min() and st[:, 1].max() <= y1, name
        assert max(np.ptp(st[:, 0]) / (x1 - x0), np.ptp(st[:, 1]) / (y1 - y0)) > 0.9, name
    window.close()


@pytest.mark.corpus
def test_a_folder_with_a_plan_alone_opens_with_its_beams_around_the_isocentre(
        qtbot, corpus, tmp_path):
    (tmp_path / "plan.dcm").write_bytes((corpus / "pymedphys" / "06MV_plan.dcm").read_bytes())
    window, controller = viewer_window_on(qtbot, tmp_path)
    viewer = controller.viewer
    assert viewer.scene.plan_only
    # 06MV_plan.dcm's isocentre is (0, -200, 0) mm: the crosshair starts there, each view
    # shows 100 mm around it and the beams are drawn through it
    assert np.allclose(viewer.state.crosshair_mm, [0.0, -200.0, 0.0])
    axial = viewer.views["axial"]
    (x0, x1), (y0, y1) = axial.vb.viewRange()
    assert x0 <= -100 and x1 >= 100 and y0 <= -300 and y1 >= -100
    drawings = viewer.rt_views.beams["axial"].drawings
    assert drawings and all(np.allclose(d.isocenter_st, [0.0, -200.0])
                            for d in drawings.values())
    window.close()


@pytest.mark.corpus
def test_a_series_row_of_images_shows_that_series(qtbot, corpus):
    # the PET/CT patient: a click on the series row "PT PET WB" showed the CT (the
    # patient's default chain) or, with the CT on screen, did nothing
    window, controller = viewer_window_on(qtbot, corpus / "orthanc-tests" / "Comunix_PETCT")
    controller.wait()
    assert controller.viewer.scene.image.modality == "CT"
    series = {i.text(0): i for i in _items(window.tree)}
    with qtbot.waitSignal(controller.loaded, timeout=60000):
        window.tree.setCurrentItem(series["PT PET WB"])
    controller.wait()
    image = controller.viewer.scene.image
    assert image.modality == "PT" and image.voxels.shape[0] == 2
    assert controller.viewer.views["axial"].overlays["image"].item.isVisible()
    # the series on screen picked again: nothing is loaded again
    window.tree.setCurrentItem(next(i for i in _items(window.tree) if i.text(0) == "PT image 2"))
    controller.wait()
    loads = []
    controller.loaded.connect(loads.append)
    window.tree.setCurrentItem(series["PT PET WB"])
    qtbot.wait(100)
    controller.wait()
    assert loads == [] and controller.viewer.scene.image.modality == "PT"
    window.close()
