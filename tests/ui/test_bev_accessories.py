"""Wedges, blocks, applicators, compensators and boli: read, drawn on the BEV, listed.

The plan is the Eclipse prostate plan with accessories added
(``factories.beam_devices.accessory_plan``); positions are asserted in mm against
the values written into the file.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from factories.beam_devices import APERTURE_OUTLINE, BOLUS_ROI, SHIELD_OUTLINE, accessory_plan
from PySide6 import QtGui

from rtviewer.ui.render.offscreen import RenderRequest, render

ORANGE = (255, 150, 0)


def _render(tmp_path, folder, number):
    out = tmp_path / f"bev{number}.png"
    lines: list[str] = []
    render(RenderRequest(path=folder, out=out, view="bev", size=(700, 800),
                         beam_number=number), lines.append)
    image = QtGui.QImage(str(out)).convertToFormat(QtGui.QImage.Format.Format_RGB888)
    pixels = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(
        image.height(), image.bytesPerLine())[:, : image.width() * 3].reshape(
        image.height(), image.width(), 3)
    return pixels.copy(), json.loads(out.with_suffix(".json").read_text()), lines


@pytest.fixture(scope="module")
def plan_path(tmp_path_factory, corpus):
    return accessory_plan(corpus, tmp_path_factory.mktemp("accessories"))


def test_plan_reads_every_accessory(plan_path):
    from rtviewer.dicom.plan import read_plan
    from rtviewer.ui.panels.plan_panel import beam_rows

    plan = read_plan(plan_path)
    one, two, three = plan.beam(1), plan.beam(2), plan.beam(3)
    assert one.blocks[1].mounting_position == "PATIENT_SIDE"
    assert one.blocks[1].source_to_tray_mm == 650.0
    assert one.compensators[0].position_mm == (-25.0, 20.0)
    assert one.compensators[0].pixel_spacing_mm == (10.0, 10.0)
    assert two.bolus_roi_numbers == (BOLUS_ROI,)
    assert three.applicators[0].aperture_shape == "SYM_SQUARE"
    assert three.applicators[0].opening_mm == 100.0
    cells = [row[8] for row in beam_rows(plan)]
    assert cells[:4] == ["wedge 30°, 2 blocks, compensator", "dyn. wedge 45°, bolus",
                         "applicator A10", "—"]


def test_blocks_wedge_compensator_drawn_where_the_plan_puts_them(tmp_path, plan_path):
    pixels, doc, lines = _render(tmp_path, plan_path.parent, 1)
    kinds = sorted(s["kind"] for s in doc["accessories_mm"])
    assert kinds == ["block", "block", "block_face", "compensator", "wedge"]
    blocks = [np.array(s["points"]) for s in doc["accessories_mm"] if s["kind"] == "block"]
    assert np.allclose(blocks[0], SHIELD_OUTLINE) and np.allclose(blocks[1], APERTURE_OUTLINE)
    # the aperture block's edges are not divergent: its far face, 75 mm below the tray at
    # 650 mm, projects smaller by 650 / 725
    face = next(np.array(s["points"]) for s in doc["accessories_mm"] if s["kind"] == "block_face")
    assert np.allclose(face, APERTURE_OUTLINE * 650.0 / 725.0)
    # compensator: 5 columns × 4 rows of 10 mm from the first pixel's centre (-25, 20)
    comp = next(np.array(s["points"]) for s in doc["accessories_mm"]
                if s["kind"] == "compensator")
    assert np.allclose(comp.min(axis=0), [-30.0, -15.0]) and np.allclose(comp.max(axis=0),
                                                                         [20.0, 25.0])
    wedge = next(np.array(s["points"]) for s in doc["accessories_mm"] if s["kind"] == "wedge")
    # orientation 90°: the thin edge turned a quarter turn from +Yb, as a collimator at
    # 90° turns +Yb (to -Xb in IEC 61217)
    assert np.allclose(wedge, [[30.0, 0.0], [-30.0, 0.0]], atol=1e-9)
    text = "\n".join(lines)
    assert "Wedge W30: 30° physical, orientation 90°, IN" in text
    assert "Block aperture 2: APERTURE, divergence ABSENT" in text
    # drawn: the shielding block's lower edge (y = -40 mm, x 20..50) is orange in the PNG
    a = np.array(doc["views"]["bev"]["pixel_to_mm"])
    col, row = np.linalg.solve(a[:, :2], np.array([35.0, -40.0]) - a[:, 2])
    patch = pixels[int(row) - 2:int(row) + 3, int(col) - 2:int(col) + 3].astype(int)
    assert np.any(np.all(np.abs(patch - ORANGE) < 40, axis=-1))


def test_dynamic_wedge_bolus_and_applicator_listed(tmp_path, plan_path):
    _pixels, doc, lines = _render(tmp_path, plan_path.parent, 2)
    text = "\n".join(lines)
    assert "Wedge EDW45OUT: 45° dynamic (jaw-swept: enhanced/virtual wedge), orientation 0°" \
        in text
    assert "Bolus: ROI 17 'Bolus 10mm' (drawn projected like a structure)." in text
    wedge = next(np.array(s["points"]) for s in doc["accessories_mm"] if s["kind"] == "wedge")
    assert np.allclose(wedge, [[0.0, -30.0], [0.0, 30.0]], atol=1e-9)
    _pixels, doc, lines = _render(tmp_path, plan_path.parent, 3)
    square = next(np.array(s["points"]) for s in doc["accessories_mm"]
                  if s["kind"] == "applicator")
    assert np.allclose(square.min(axis=0), [-50, -50]) and np.allclose(square.max(axis=0), 50)
    assert any("Applicator A10 (ELECTRON_SQUARE): 10x10 electron cone." in ln for ln in lines)


def test_wedge_turns_with_the_collimator(plan_path):
    """Orientation 0° at collimator 90° points where orientation 90° does at collimator 0°."""
    import dataclasses

    from rtviewer.dicom.plan import read_plan
    from rtviewer.view.bev_content import bev_content

    plan = read_plan(plan_path)
    one, two = plan.beam(1), plan.beam(2)
    turned_cps = tuple(dataclasses.replace(cp, collimator_angle_deg=90.0)
                       for cp in two.control_points)
    two_turned = dataclasses.replace(two, control_points=turned_cps)
    a = next(s for s in bev_content(plan, one, 0).accessories if s.kind == "wedge")
    b = next(s for s in bev_content(plan, two_turned, 0).accessories if s.kind == "wedge")
    assert np.allclose(a.points_mm, b.points_mm, atol=1e-9)


def test_applicator_without_geometry_is_named(tmp_path, corpus):
    import pydicom

    path = accessory_plan(corpus, tmp_path / "nogeo")
    ds = pydicom.dcmread(path)
    del ds.BeamSequence[2].ApplicatorSequence[0].ApplicatorGeometrySequence
    ds.save_as(path)
    _pixels, doc, lines = _render(tmp_path, path.parent, 3)
    assert any("applicator A10 (ELECTRON_SQUARE): its aperture (Applicator Geometry) is not "
               "stated: not drawn" in ln for ln in lines)
    assert not [s for s in doc["accessories_mm"] if s["kind"] == "applicator"]


def test_bolus_is_drawn_even_when_its_roi_is_unticked(qtbot, plan_path):
    from rtviewer.dicom.plan import read_plan
    from rtviewer.dicom.structure import read_structure_set
    from rtviewer.ui.views.bev_view import BeamsEyeView

    plan = read_plan(plan_path)
    structures = read_structure_set(next(plan_path.parent.glob("RS*.dcm")))
    bolus = next(r for r in structures.rois if r.roi_number == BOLUS_ROI)
    assert bolus.interpreted_type == "BOLUS" and bolus.has_contours
    view = BeamsEyeView()
    qtbot.addWidget(view)
    view.set_data(plan=plan, structures=structures)
    view.show()
    view.set_visible_rois(frozenset())
    view.set_beam(2)
    drawn = [c for c in view.structure_curves if c.xData is not None and len(c.xData)]
    assert len(drawn) == 1
    # the drawn outline spans the slab's own projection through the source
    points = np.concatenate([c.points_mm for c in bolus.contours])
    expected = view.content.geometry.project_to_plane(points, frame="gantry")
    xy = np.column_stack([drawn[0].xData, drawn[0].yData])
    xy = xy[np.all(np.isfinite(xy), axis=1)]
    # (no slab model here: the outline is the union of the contours' projections, traced
    # on a raster of about a millimetre)
    assert np.allclose(xy.min(axis=0), expected.min(axis=0), atol=1.5)
    assert np.allclose(xy.max(axis=0), expected.max(axis=0), atol=1.5)
    assert "Bolus: ROI 17 'Bolus 10mm' (drawn projected" in view.info.text()
    view.close()
