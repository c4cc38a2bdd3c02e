"""pytest-qt: the beam's-eye view, RT Image view, record view and beam overlays."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from factories.records import Interruption, beams_record, write
from PySide6 import QtCore

from rtviewer.dicom.plan import read_plan
from rtviewer.dicom.record import read_treatment_record
from rtviewer.dicom.rtimage import read_rt_image
from rtviewer.dicom.structure import read_structure_set
from rtviewer.ui.views.bev_view import BeamsEyeView
from rtviewer.ui.views.record_view import (
    BEAM_COLUMNS,
    DEVIATION_BRUSH,
    SESSION_COLUMNS,
    RecordView,
)
from rtviewer.ui.views.rtimage_view import RtImageView
from rtviewer.ui.views.viewer import Viewer
from rtviewer.view.dose_colours import COLLISION_RGB
from rtviewer.view.scene import Scene
from tests.ui.window_fixture import window_on

PROSTATE = "slicerrt-eclipse-prostate"


def _one(folder, pattern):
    (path,) = sorted(folder.glob(pattern))
    return path


@pytest.fixture(scope="module")
def dicompyler_plan(corpus):
    return read_plan(corpus / "dicompyler-core/rtplan.dcm")


def test_bev_slider_shows_cumulative_meterset_weight(qtbot, dicompyler_plan):
    view = BeamsEyeView()
    qtbot.addWidget(view)
    view.set_data(plan=dicompyler_plan)
    assert view.beam_number == 1 and view.slider.maximum() == 91
    with qtbot.waitSignal(view.controlPointChanged) as blocker:
        view.slider.setValue(40)  # the user drags the slider
    assert blocker.args == [40]
    cp = dicompyler_plan.beam(1).control_points[40]
    assert f"{cp.cumulative_meterset_weight:.4f}" in view.cp_label.text()
    assert "of 97.0 MU" in view.cp_label.text()
    assert view.cp_label.text().startswith("Control point 41 of 92 ·")  # 1-based
    # a dynamic MLC: the aperture moves between control points
    first = view.content.apertures[0].copy()
    view.set_control_point(80)
    assert not np.array_equal(first, view.content.apertures[0])


def test_bev_play_steps_through_control_points(qtbot, dicompyler_plan):
    view = BeamsEyeView()
    qtbot.addWidget(view)
    view.set_data(plan=dicompyler_plan)
    view.play.setChecked(True)
    qtbot.waitUntil(lambda: view.index >= 3, timeout=5000)
    view.play.setChecked(False)
    assert not view.timer.isActive() and view.play.text() == "Play"


def test_bev_choosing_a_beam_by_number(qtbot, dicompyler_plan):
    view = BeamsEyeView()
    qtbot.addWidget(view)
    view.set_data(plan=dicompyler_plan)
    row = view.beam_combo.findData(3)
    with qtbot.waitSignal(view.beamChanged) as blocker:
        view.beam_combo.activated.emit(row)
    assert blocker.args == [3] and view.index == 0
    assert view.content.geometry.gantry_deg == pytest.approx(
        dicompyler_plan.beam(3).control_points[0].gantry_angle_deg)


def test_ion_spot_map_layer_selectable(qtbot, corpus):
    plan = read_plan(corpus / "aptg-proton/plan03_ramp_full/ramped_2Gy_ver2_full.dcm")
    view = BeamsEyeView()
    qtbot.addWidget(view)
    view.set_data(plan=plan)
    beam = plan.beam(1)
    assert view.layer_combo.count() == len(beam.energy_layers) > 1
    view.layer_combo.activated.emit(2)
    assert view.layer == 2
    assert len(view.spots.data) == beam.energy_layers[2].number_of_spots
    assert "Spots coloured by meterset weight" in view.info.text()


def test_rt_image_view_overlay_and_window(qtbot, corpus):
    folder = corpus / PROSTATE
    plan = read_plan(_one(folder, "RP*.dcm"))
    view = RtImageView()
    qtbot.addWidget(view)
    view.set_image(read_rt_image(_one(folder, "RI*.dcm")), plan)
    assert view.beam_number == 1  # the image references beam 1 of this plan
    assert not view.field_item.path().isEmpty()
    # numbered from 1, as planning systems do
    cps = len(plan.beam(1).control_points)
    assert f"control point 1 of {cps} (jaws yellow" in view.info.text()
    view.beam_combo.activated.emit(0)  # the user picks "none"
    assert view.beam_number is None and view.field_item.path().isEmpty()
    view.width_box.setValue(5000.0)
    assert view.window_width_level[0] == 5000.0
    assert view.image_item.levels[1] - view.image_item.levels[0] == pytest.approx(5000.0)


def test_portal_image_without_plan_says_what_is_missing(qtbot, corpus):
    view = RtImageView()
    qtbot.addWidget(view)
    view.set_image(read_rt_image(corpus / "pylinac/EPID-PF-LR.dcm"))
    text = view.info.text()
    assert "RT Image Position is missing" in text
    assert "references no plan beam, and no plan is open" in text
    assert view.beam_combo.count() == 1  # only "none" without a plan
    assert view.beam_row.isHidden()  # so the choice is not offered


def test_record_view_highlights_deviations(qtbot, corpus, tmp_path):
    plan_path = tmp_path / "plan.dcm"
    shutil.copy(corpus / "dicompyler-core/rtplan.dcm", plan_path)
    plan = read_plan(plan_path)
    normal = write(beams_record(plan_path, fraction=1), tmp_path / "r1.dcm")
    cut = write(beams_record(plan_path, fraction=2,
                             interrupt=Interruption(number=2, fraction_delivered=0.5)),
                tmp_path / "r2.dcm")
    records = [read_treatment_record(p) for p in (normal, cut)]
    view = RecordView()
    qtbot.addWidget(view)
    view.set_records(plan, records)
    assert view.sessions.rowCount() == 2
    flagged = [view.sessions.item(r, 0).background() == DEVIATION_BRUSH for r in range(2)]
    assert flagged == [False, True]
    deviation = view.sessions.item(1, SESSION_COLUMNS.index("Deviations")).text()
    assert "beam 2" in deviation and "-50.0 %" in deviation and "MACHINE" in deviation
    beam2 = next(r for r in range(view.beams.rowCount())
                 if view.beams.item(r, 0).text().startswith("2:"))
    fractions = view.beams.item(beam2, BEAM_COLUMNS.index("Fractions")).text()
    assert fractions.startswith("1 of ")  # one complete fraction of beam 2
    assert view.beams.item(beam2, BEAM_COLUMNS.index("Inter-\nrupted")).text() == "1"
    # in a side panel's width the MU and the deviation are in sight, not scrolled away
    view.resize(420, 500)
    view.show()
    qtbot.waitExposed(view)
    for table, column in ((view.sessions, SESSION_COLUMNS.index("Deviations")),
                          (view.beams, BEAM_COLUMNS.index("Delivered\nMU"))):
        left = table.columnViewportPosition(column)
        assert 0 <= left < table.viewport().width() - 20, (table, column, left)
        assert table.horizontalScrollBar().value() == 0
    # at 1280x800 (a 340 px panel) both MU columns are whole, and the tables are as tall
    # as their rows
    view.resize(340, 600)
    qtbot.waitUntil(lambda: view.sessions.viewport().width() < 340)
    for table, column in ((view.sessions, SESSION_COLUMNS.index("Planned\nMU")),
                          (view.beams, BEAM_COLUMNS.index("Delivered\nMU"))):
        right = table.columnViewportPosition(column) + table.columnWidth(column)
        assert right <= table.viewport().width(), (table, column, right)
    rows = sum(view.sessions.rowHeight(r) for r in range(view.sessions.rowCount()))
    assert view.sessions.height() < rows + 80
    # the deviation in full under the sessions, wrapped to the panel
    notes = view.deviation_notes
    assert notes.isVisible() and deviation in notes.text()
    assert notes.width() <= view.width() and notes.heightForWidth(notes.width()) <= \
        notes.height()


def test_beam_toggle_in_plan_panel_updates_overlays(qtbot, corpus):
    folder = corpus / PROSTATE
    scene = Scene(structures=read_structure_set(_one(folder, "RS*.dcm")),
                  plan=read_plan(_one(folder, "RP*.dcm")))
    viewer = Viewer()
    qtbot.addWidget(viewer)
    viewer.set_scene(scene)
    overlay = viewer.rt_views.beams["axial"]
    assert set(overlay.drawings) == {1, 2, 3, 4, 5}
    panel = viewer.plan_panel
    item = panel.beams.item(1, 0)  # beam 2 (file order)
    assert item.checkState() == QtCore.Qt.CheckState.Checked
    item.setCheckState(QtCore.Qt.CheckState.Unchecked)  # the user unticks it
    assert 2 not in viewer.rt_views.beam_state.visible_beams
    assert set(overlay.drawings) == {1, 3, 4, 5}
    # the isocentre marker sits where the isocentre projects
    iso = np.asarray(scene.plan.beam(1).control_points[0].isocenter_mm)
    st = viewer.views["axial"].patient_to_view(iso)
    spots = overlay.iso_item.data
    assert len(spots) == 1
    assert (spots[0]["x"], spots[0]["y"]) == pytest.approx(tuple(st))


def test_brachy_dwell_markers_on_the_views(qtbot, corpus):
    folder = corpus / "pytg43-brachy/HDR"
    scene = Scene(structures=read_structure_set(folder / "RS.HDR.dcm"),
                  plan=read_plan(folder / "RP.HDR.dcm"))
    viewer = Viewer()
    qtbot.addWidget(viewer)
    viewer.set_scene(scene)
    panel = viewer.rt_views.brachy
    n_dwell = sum(len(c.dwell_times_s) for c in scene.plan.brachy.channels)
    assert panel.table.rowCount() == n_dwell
    assert "total time 473.1 s" in panel.summary.text()
    positions = np.concatenate([c.dwell_positions_mm[c.dwell_times_s > 0]
                                for c in scene.plan.brachy.channels])
    # the crosshair on the first dwell position: each view shows the dwell positions
    # within 3 half slabs of its plane (without an image, the slab is the contours'
    # plane spacing), no others
    viewer.state.set_crosshair_mm(positions[0])
    for name, view in viewer.views.items():
        spots = viewer.rt_views.brachy_sources[name].dwell_item.data
        distance = np.abs(view.scene.frame.to_view(name, positions)[:, 2] - view.depth_mm())
        expected = view.patient_to_view(positions[distance <= 1.5 * scene.slab_mm(name)])
        assert 0 < len(expected) < len(positions)
        np.testing.assert_allclose(np.column_stack([spots["x"], spots["y"]]), expected,
                                   atol=1e-9)
        # hollow rings in a colour no structure has (issue 17: red discs over a red CTV)
        assert all(brush.color().alpha() == 0 for brush in spots["brush"])
        ring = np.array(spots["pen"][0].color().getRgb()[:3])
        gaps = [np.linalg.norm(ring - np.array(roi.color_rgb))
                for roi in scene.structures.rois]
        assert min(gaps) >= COLLISION_RGB


@pytest.mark.corpus
def test_window_offers_the_plans_rt_image_and_shows_one_picked_in_the_tree(qtbot, corpus):
    from rtviewer.ui.window.scan_tree import PATH_ROLE

    window, controller = window_on(qtbot, corpus / PROSTATE)
    rt = controller.viewer.rt_views
    panel = rt.rt_image
    assert panel.choice.count() == 1 and panel.view.beam_number == 1  # referenced beam
    stack = [window.tree.topLevelItem(i) for i in range(window.tree.topLevelItemCount())]
    items = []
    while stack:
        item = stack.pop()
        items.append(item)
        stack.extend(item.child(i) for i in range(item.childCount()))
    image_item = next(i for i in items if "/RI." in (i.data(0, PATH_ROLE) or ""))
    window.tree.setCurrentItem(image_item)
    assert controller.viewer.tabs.currentWidget() is panel
    assert panel.view.image.kind.value == "DRR"
    tabs = controller.viewer.tabs
    # the plan has an RT Image and no treatment record: no empty Records tab
    assert tabs.isTabVisible(tabs.index_of("rt_image"))
    assert not tabs.isTabVisible(tabs.index_of("records"))
    window.close()


def test_a_plan_without_rt_images_or_records_offers_neither_tab(qtbot, corpus):
    window, controller = window_on(qtbot, corpus / "pytg43-brachy" / "HDR")
    tabs = controller.viewer.tabs
    assert controller.viewer.scene.plan is not None
    for key in ("rt_image", "records"):
        assert not tabs.isTabVisible(tabs.index_of(key)), key
    assert tabs.isTabVisible(tabs.index_of("brachy"))
    window.close()


def test_records_without_a_record_say_so_without_empty_tables(qtbot, dicompyler_plan):
    view = RecordView()
    qtbot.addWidget(view)
    view.show()
    view.set_records(dicompyler_plan, [])
    assert view.title.text() == "Plan 'B1': no treatment record references this plan."
    assert view.title.isVisible()
    assert not view.sessions.isVisible() and not view.beams.isVisible()


def test_brachy_record_channel_rows(corpus, tmp_path):
    from factories.records import brachy_record

    from rtviewer.view.record_summary import beam_rows, session_rows

    plan_path = tmp_path / "RP.HDR.dcm"
    shutil.copy(corpus / "pytg43-brachy/HDR/RP.HDR.dcm", plan_path)
    plan = read_plan(plan_path)
    paths = [write(brachy_record(plan_path, fraction=1), tmp_path / "b1.dcm"),
             write(brachy_record(plan_path, fraction=2,
                                 interrupt=Interruption(number=1, fraction_delivered=0.5,
                                                        status="OPERATOR")),
                   tmp_path / "b2.dcm")]
    records = [read_treatment_record(p) for p in paths]
    sessions = session_rows(plan, records)
    assert [bool(s.deviations) for s in sessions] == [False, True]
    assert any("channel 1" in d for d in sessions[1].deviations)
    rows = {r.beam: r for r in beam_rows(plan, records)}
    assert rows["channel 1"].fractions_delivered == 1 and rows["channel 1"].interrupted == 1
    assert rows["channel 2"].fractions_delivered == 2
    assert rows["channel 1"].delivered_mu == pytest.approx(271.4 * 1.5, abs=0.2)


def test_bev_rt_image_backdrop_puts_the_isocentre_pixel_on_the_axis(qtbot, corpus):
    folder = corpus / PROSTATE
    plan = read_plan(_one(folder, "RP*.dcm"))
    view = BeamsEyeView()
    qtbot.addWidget(view)
    view.set_data(plan=plan, rt_images=[read_rt_image(_one(folder, "RI*.dcm"))])
    view.show()
    qtbot.waitUntil(lambda: "Backdrop: RT Image" in view.backdrop_note)
    # ImageItem pixel (c, r) spans [c, c+1]: the centre of pixel (255.5, 255.5) is 256, 256
    point = view.backdrop.item.transform().map(QtCore.QPointF(256.0, 256.0))
    assert (point.x(), point.y()) == pytest.approx((0.0, 0.0), abs=1e-9)
    corner = view.backdrop.item.transform().map(QtCore.QPointF(0.0, 0.0))
    assert (corner.x(), corner.y()) == pytest.approx((-250.0, 250.0), abs=1e-9)
    view.close()


def test_fraction_completed_over_two_sessions_is_not_an_mu_deviation(corpus, tmp_path):
    from rtviewer.view.record_summary import beam_rows, session_rows

    plan_path = tmp_path / "plan.dcm"
    shutil.copy(corpus / "dicompyler-core/rtplan.dcm", plan_path)
    plan = read_plan(plan_path)
    cut = read_treatment_record(write(
        beams_record(plan_path, fraction=1, interrupt=Interruption(1, 0.25)), tmp_path / "a.dcm"))
    short = read_treatment_record(write(
        beams_record(plan_path, fraction=1, interrupt=Interruption(1, 0.5)), tmp_path / "b.dcm"))
    rows = session_rows(plan, [cut, short])
    # 25 % + 50 % of beam 1's MU in fraction 1: still 25 % short, said once per session
    assert all(any("over 2 sessions" in d and "-25.0 %" in d for d in r.deviations)
               for r in rows)
    beam1 = next(r for r in beam_rows(plan, [cut, short]) if r.beam.startswith("1:"))
    assert beam1.fractions_delivered == 0 and beam1.interrupted == 2


def test_ion_control_point_slider_selects_its_energy_layer(qtbot, corpus):
    plan = read_plan(corpus / "aptg-proton/plan03_ramp_full/ramped_2Gy_ver2_full.dcm")
    view = BeamsEyeView()
    qtbot.addWidget(view)
    view.set_data(plan=plan)
    layer = plan.beam(1).energy_layers[5]
    view.slider.setValue(layer.control_point_indices[0])
    assert view.layer == 5 and view.layer_combo.currentIndex() == 5
    sizes = view.spots.data["size"]
    heaviest = int(np.argmax(layer.spot_meterset_weights))
    assert sizes[heaviest] == pytest.approx(12.0) and sizes.min() >= 3.0


def test_picking_a_beam_in_the_plan_panel_selects_it_everywhere(qtbot, corpus):
    plan = read_plan(corpus / "dicompyler-core/rtplan.dcm")
    viewer = Viewer()
    qtbot.addWidget(viewer)
    viewer.set_scene(Scene(plan=plan))
    viewer.plan_panel.beams.setCurrentCell(2, 1)  # third beam in file order
    number = plan.beams[2].number
    assert viewer.rt_views.bev.beam_number == number
    assert viewer.rt_views.beam_state.selected == (number, 0)


def test_an_rt_image_alone_gets_the_room_and_a_plan_gives_it_back(qtbot, corpus):
    """pylinac's portal images: nothing for the slice views, so the picture is large."""
    window, controller = window_on(qtbot, corpus / PROSTATE, (1600, 1000))  # a plan first
    viewer = controller.viewer
    qtbot.waitUntil(lambda: viewer.tabs.width() < 0.45 * viewer.width())
    window.open_path(str(corpus / "pylinac"))
    panel = viewer.rt_views.rt_image
    qtbot.waitUntil(lambda: panel.view.image is not None and not window.is_scanning(),
                    timeout=60_000)
    qtbot.waitUntil(lambda: viewer.tabs.width() > 0.6 * viewer.width())
    assert viewer.tabs.currentWidget() is panel and panel.view.picture.isVisible()
    # no plan: no beam choice offering 'none' alone, and the note says why no field
    assert panel.view.beam_row.isHidden()
    assert "no plan is open: no field overlay" in panel.view.info.text()
    assert "pick a beam" not in panel.view.info.text()
    # a plan to draw gives the slice views their share back
    with qtbot.waitSignal(controller.loaded, timeout=60_000):
        window.open_path(str(corpus / "dicompyler-core"))
    qtbot.waitUntil(lambda: viewer.tabs.width() < 0.45 * viewer.width())
    window.close()


def test_graticule_labels_never_run_into_each_other(qtbot, corpus):
    """In the 340 px panel at 1280x800 '-100 -50' and '+50 +100' were written over each other."""
    view = RtImageView()
    qtbot.addWidget(view)
    view.set_image(read_rt_image(_one(corpus / PROSTATE, "RI*.dcm")))
    for size, fifties in (((340, 520), False), ((1000, 1000), True)):
        view.resize(*size)
        view.show()
        qtbot.waitUntil(lambda s=size: view.graphics.width() <= s[0] and
                        view.vb.width() > 0.8 * view.graphics.width())
        view.fit()
        QtCore.QCoreApplication.processEvents()
        shown = sorted(label.data(0) for label in view.labels if label.isVisible())
        assert shown == ([-100, -50, 50, 100] if fifties else [-100, 100]), size
        rects = sorted((label.sceneBoundingRect() for label in view.labels
                        if label.isVisible()), key=lambda r: r.left())
        assert all(a.right() <= b.left() for a, b in zip(rects, rects[1:], strict=False))


def test_a_folder_without_a_plan_keeps_no_records_of_the_patient_before(qtbot, corpus,
                                                                       tmp_path):
    """After the demo-like records of one plan, an empty folder shows no Records tab."""
    plan_path = tmp_path / "patient" / "plan.dcm"
    plan_path.parent.mkdir()
    shutil.copy(corpus / "dicompyler-core/rtplan.dcm", plan_path)
    write(beams_record(plan_path, fraction=1), plan_path.parent / "r1.dcm")
    window, controller = window_on(qtbot, plan_path.parent)
    tabs = controller.viewer.tabs
    assert tabs.isTabVisible(tabs.index_of("records"))
    empty = tmp_path / "empty"
    empty.mkdir()
    window.open_path(str(empty))
    qtbot.waitUntil(lambda: not window.is_scanning() and controller.shown_root == empty,
                    timeout=30_000)
    assert not tabs.isTabVisible(tabs.index_of("records"))
    assert not tabs.isTabVisible(tabs.index_of("rt_image"))
    window.close()
