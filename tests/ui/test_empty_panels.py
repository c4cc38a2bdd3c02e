"""A dose without a structure set: the Structures and DVH tabs say why they are empty."""

from __future__ import annotations

from factories.phantom import make_phantom

from rtviewer.ui.panels.dvh_panel import DvhPanel
from rtviewer.ui.panels.structure_panel import NO_STRUCTURES, StructurePanel
from rtviewer.ui.views.view_state import ViewState
from rtviewer.view.scene import Scene


def test_without_a_structure_set_both_tabs_say_so(qtbot):
    image, structures, dose = make_phantom()
    state = ViewState()
    listing = StructurePanel(state)
    qtbot.addWidget(listing)
    listing.set_structures(None)
    assert not listing.empty_note.isHidden() and listing.empty_note.text() == NO_STRUCTURES
    listing.set_structures(structures)
    assert listing.empty_note.isHidden()
    panel = DvhPanel(state)
    panel.use_processes = False
    qtbot.addWidget(panel)
    panel.set_scene(Scene(image=image, dose=dose))  # a plan's dose, its RS not in the folder
    assert NO_STRUCTURES in panel.info.text()
    assert panel.table.rowCount() == 0
    panel.set_scene(Scene(image=image, structures=structures))  # an image and its RS
    assert panel.info.text().splitlines()[1:] == ["No dose loaded: no DVHs."]
    panel.set_scene(Scene(image=image, structures=structures, dose=dose))
    assert NO_STRUCTURES not in panel.info.text() and "No dose" not in panel.info.text()
    panel.stop_workers()


def test_the_rt_image_tab_hides_its_empty_chooser(qtbot):
    from rtviewer.ui.panels.rtimage_panel import RtImagePanel

    panel = RtImagePanel()
    qtbot.addWidget(panel)
    panel.set_images([], None)
    assert panel.choice.isHidden() and not panel.message.isHidden()
    assert "No RT Image references this plan" in panel.message.text()


def test_an_empty_dvh_plot_says_why_on_itself(qtbot):
    # the matRad folder (CT and structures, no dose): an empty plot with 0.2..0.8 axes,
    # the reason only in the notes under it
    image, structures, dose = make_phantom()
    panel = DvhPanel(ViewState())
    panel.use_processes = False
    qtbot.addWidget(panel)
    panel.resize(360, 700)
    panel.show()
    qtbot.waitExposed(panel)
    title = panel.plot.getPlotItem().titleLabel
    panel.set_scene(Scene(image=image, structures=structures))
    qtbot.waitUntil(lambda: title.text == "No dose loaded: no DVHs", timeout=5000)
    assert title.isVisible()
    qtbot.waitUntil(lambda: title.boundingRect().height() > 0, timeout=5000)  # laid out
    panel.set_scene(Scene(image=image, dose=dose))
    qtbot.waitUntil(lambda: title.text == "No structure set loaded: no DVHs", timeout=5000)
    panel.set_scene(Scene(image=image, structures=structures, dose=dose))
    panel.wait_all()
    qtbot.waitUntil(lambda: not title.isVisible() or "no DVHs" not in title.text,
                    timeout=30000)
    panel.stop_workers()
