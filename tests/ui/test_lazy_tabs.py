"""The viewer's side panel builds a page when its tab is first shown or asked for.

Only the pages on screen at the first image (Structures, Dose) and the Points tab
(its user points are drawn on the slice views) are built with the viewer; the others
are built on demand and then show what a page built at once would show.
"""

from __future__ import annotations

import pytest
from factories.phantom import make_phantom

from rtviewer.ui.panels.dvh_panel import DvhPanel
from rtviewer.ui.views.viewer import Viewer
from rtviewer.view.scene import Scene

LAZY = ("dvh", "plan", "compare", "bev", "brachy", "rt_image", "records")


@pytest.fixture
def phantom_scene(monkeypatch):
    monkeypatch.setattr(DvhPanel, "use_processes", False)  # in this process: quicker
    image, structures, dose = make_phantom()
    return Scene(image=image, structures=structures, dose=dose)


def test_a_new_viewer_builds_only_the_pages_the_first_image_needs(qtbot):
    viewer = Viewer()
    qtbot.addWidget(viewer)
    tabs = viewer.tabs
    assert [tabs.tabText(i) for i in range(tabs.count())] == [
        "Structures", "Dose", "DVH", "Plan", "Points", "Compare", "Beam's eye", "Brachy",
        "RT Image", "Records"]
    assert [k for k in tabs.page_keys() if tabs.is_built(k)] == ["structures", "dose", "points"]
    assert all(tabs.built(key) is None for key in LAZY)
    assert tabs.currentWidget() is viewer.structure_panel


def test_a_tab_first_shown_after_the_scene_shows_the_same_dvhs(qtbot, phantom_scene):
    early, late = Viewer(), Viewer()
    for viewer in (early, late):
        qtbot.addWidget(viewer)
    assert early.dvh_panel is early.tabs.built("dvh")  # asked for: built before the scene
    early.set_scene(phantom_scene)
    late.set_scene(phantom_scene)
    assert late.tabs.built("dvh") is None
    late.tabs.setCurrentIndex(late.tabs.index_of("dvh"))  # what a click on the tab does
    panel = late.tabs.currentWidget()
    assert panel is late.tabs.built("dvh") and isinstance(panel, DvhPanel)
    assert late.tabs.tabText(late.tabs.currentIndex()) == "DVH"
    early.dvh_panel.wait_all()
    panel.wait_all()
    assert set(panel.dvhs) == set(early.dvh_panel.dvhs) and len(panel.dvhs) > 1
    for number, dvh in early.dvh_panel.dvhs.items():
        assert panel.dvhs[number].volume_cc == pytest.approx(dvh.volume_cc, rel=1e-12)
        assert panel.dvhs[number].dmax_gy == pytest.approx(dvh.dmax_gy, rel=1e-12)
        assert panel.dvhs[number].dmean_gy == pytest.approx(dvh.dmean_gy, rel=1e-12)


def test_a_hidden_tab_stays_hidden_when_its_page_is_built(qtbot, phantom_scene):
    viewer = Viewer()
    qtbot.addWidget(viewer)
    viewer.set_scene(phantom_scene)
    viewer.offer_compare(False)
    index = viewer.tabs.index_of("compare")
    panel = viewer.compare_panel  # built by code (File -> Compare Doses... does this)
    assert viewer.tabs.widget(index) is panel and viewer.tabs.tabText(index) == "Compare"
    assert not viewer.tabs.isTabVisible(index)
    assert panel.scene is viewer.scene  # synced at build: A is the dose on screen
    assert panel.compare_button.isEnabled()
    viewer.show_compare_tab()
    assert viewer.tabs.isTabVisible(index) and viewer.tabs.currentWidget() is panel


def test_the_structure_model_chosen_in_the_dvh_tab_is_what_the_views_draw(qtbot,
                                                                        phantom_scene):
    viewer = Viewer()
    qtbot.addWidget(viewer)
    viewer.set_scene(phantom_scene)
    assert viewer.scene.structure_model == viewer.structure_model == "slab"
    viewer.dvh_panel.model_choice.setCurrentText("none")
    assert viewer.structure_model == "none" and viewer.scene.structure_model == "none"
    viewer.set_scene(Scene(image=phantom_scene.image, structures=phantom_scene.structures,
                           dose=phantom_scene.dose))
    assert viewer.scene.structure_model == "none"  # kept for the next scene
    assert viewer.compare_panel.model == "none"  # a tab built later gets it too


@pytest.mark.corpus
def test_the_window_computes_the_dvhs_after_the_image_without_the_tab_shown(qtbot, corpus,
                                                                          monkeypatch):
    from rtviewer.ui.window.main_window import MainWindow
    from rtviewer.ui.window.viewer_controller import attach_viewer

    monkeypatch.setattr(DvhPanel, "use_processes", False)
    window = MainWindow()
    qtbot.addWidget(window)
    controller = attach_viewer(window)
    window.show()
    tabs = controller.viewer.tabs
    at_loaded = []  # whether the DVH tab existed when the loaded scene went on screen
    controller.loaded.connect(lambda _result: at_loaded.append(tabs.is_built("dvh")))
    with qtbot.waitSignal(controller.loaded, timeout=60000):
        window.open_path(str(corpus / "dicompyler-core"))
    assert at_loaded == [False]  # built after that paint, not while the image is put up
    qtbot.waitUntil(lambda: tabs.built("dvh") is not None, timeout=10000)
    panel = tabs.built("dvh")
    panel.wait_all()
    assert tabs.currentWidget() is controller.viewer.structure_panel  # no tab switched
    scene = controller.viewer.scene
    drawable = {roi.roi_number for roi in scene.structures.rois if roi.has_contours}
    assert set(panel.dvhs) == drawable & set(controller.viewer.state.visible_rois)
    assert all(tabs.built(key) is None for key in LAZY if key != "dvh")
    window.close()
