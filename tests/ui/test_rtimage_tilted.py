"""RT Images on a tilted (NON_NORMAL) plane and with their own isocentre, from the corpus DRR.

The Eclipse prostate DRR (NORMAL, SID = SAD = 1000 mm) is rewritten as a NON_NORMAL
image whose rows are tilted 20° out of the receptor plane. Where its pixels land at
the isocentre plane, and where the planned field lands on it, are computed here
independently: ray-plane intersections in plain numpy.
"""

from __future__ import annotations

import numpy as np
import pytest
from factories.beam_devices import TILTED_COLUMN, TILTED_ROW, tilted_rt_image

from rtviewer.dicom.rtimage import read_rt_image

FOLDER = "slicerrt-eclipse-prostate"
DRR = "RI.1.2.246.352.71.3.2088656855.2381134.20110921150951.dcm"
PLAN = "RP.1.2.246.352.71.5.2088656855.377401.20110920153647.dcm"
ROW, COLUMN = TILTED_ROW, TILTED_COLUMN


def _tilted(corpus, folder, **kwargs):
    return tilted_rt_image(corpus, folder, **kwargs)


def _truth(image, columns, rows):
    """Independent: pixel → receptor 3-D point → through the source → isocentre plane."""
    x0, y0 = image.image_position_mm
    dr, dc = image.pixel_spacing_mm
    sad, sid = image.sad_mm, image.sid_mm
    c, r = np.asarray(columns, float), np.asarray(rows, float)
    points = (np.array([x0, y0, sad - sid])[None, :] + (c * dc)[:, None] * ROW[None, :]
              + (r * dr)[:, None] * COLUMN[None, :])
    return points[:, :2] * (sad / (sad - points[:, 2]))[:, None]


def test_tilted_pixels_reach_the_isocentre_plane_through_the_source(corpus, tmp_path):
    from rtviewer.view.rtimage_geometry import receptor_geometry

    image = read_rt_image(_tilted(corpus, tmp_path / "tilted"))
    assert image.image_orientation is not None and image.findings == ()
    receptor = receptor_geometry(image)
    assert receptor.tilted
    cols, rows = np.array([0.0, 511.0, 255.5, 100.0]), np.array([0.0, 511.0, 255.5, 400.0])
    assert np.allclose(receptor.pixel_to_gantry_plane(cols, rows), _truth(image, cols, rows))
    # not an affine map: the far column is compressed, the near one stretched
    left, right = _truth(image, [0.0, 1.0, 510.0, 511.0], [255.0] * 4).reshape(2, 2, 2)
    assert abs(np.diff(left[:, 0])[0] - np.diff(right[:, 0])[0]) > 0.01


def test_planned_field_lands_where_the_rays_meet_the_tilted_plane(corpus, tmp_path):
    from rtviewer.dicom.plan import read_plan
    from rtviewer.view.rtimage_geometry import planned_field_on_receptor, receptor_geometry

    path = _tilted(corpus, tmp_path / "tilted")
    image = read_rt_image(path)
    plan = read_plan(path.parent / PLAN)
    receptor = receptor_geometry(image)
    jaws = planned_field_on_receptor(receptor, plan, plan.beam(1))["jaws"][0]
    # beam 1 jaws X (-70, 65), Y (-115, 50) at the isocentre plane: rays from the source
    # (0, 0, SAD) through each corner meet the plane P0 + s·ROW + t·COLUMN
    x0, y0 = image.image_position_mm
    p0 = np.array([x0, y0, image.sad_mm - image.sid_mm])
    source = np.array([0.0, 0.0, image.sad_mm])
    normal = np.cross(ROW, COLUMN)
    for corner, drawn in zip([(-70, -115), (65, -115), (65, 50), (-70, 50)], jaws,
                             strict=True):
        target = np.array([*corner, 0.0])
        d = target - source
        hit = source + d * ((p0 - source) @ normal) / (d @ normal)
        s, t = (hit - p0) @ ROW, (hit - p0) @ COLUMN
        # the view's in-plane mm: x along the rows from x0, y down the columns from y0
        assert np.allclose(drawn, [x0 + s, y0 - t], atol=1e-6), corner


def test_bev_backdrop_places_the_tilted_image(corpus, tmp_path, qtbot):
    from rtviewer.dicom.plan import read_plan
    from rtviewer.ui.views.bev_view import BeamsEyeView

    path = _tilted(corpus, tmp_path / "tilted")
    image = read_rt_image(path)
    plan = read_plan(path.parent / PLAN)
    view = BeamsEyeView()
    qtbot.addWidget(view)
    view.set_data(plan=plan, rt_images=[image])
    view.show()
    view.set_beam(1)
    assert "tilted (NON_NORMAL)" in view.info.text()
    transform = view.backdrop.item.transform()
    for c, r in ((0, 0), (511, 511), (300, 20)):
        p = transform.map(c + 0.5, r + 0.5)  # ImageItem: pixel centres at half-integers
        assert np.allclose([p[0], p[1]], _truth(image, [c], [r])[0], atol=1e-6)
    view.close()


def test_own_isocentre_shifts_the_backdrop(corpus, tmp_path, qtbot):
    from rtviewer.dicom.plan import read_plan
    from rtviewer.ui.views.bev_view import BeamsEyeView
    from rtviewer.view.beam_model import beam_at

    plan = read_plan(corpus / FOLDER / PLAN)
    geometry = beam_at(plan, plan.beam(1), 0).geometry
    moved = np.asarray(geometry.isocenter_mm) + np.array([12.0, 0.0, -7.0])
    path = _tilted(corpus, tmp_path / "shifted", isocenter=moved)
    image = read_rt_image(path)
    view = BeamsEyeView()
    qtbot.addWidget(view)
    view.set_data(plan=read_plan(path.parent / PLAN), rt_images=[image])
    view.show()
    view.set_beam(1)
    offset = geometry.patient_to_gantry(moved)[:2]
    assert np.linalg.norm(offset) > 10.0
    p = view.backdrop.item.transform().map(0.5, 0.5)
    assert np.allclose([p[0], p[1]], _truth(image, [0], [0])[0] + offset, atol=1e-6)
    assert "Isocenter Position lies" in view.info.text()
    view.close()


@pytest.mark.parametrize("sid", [1500.0])
def test_non_normal_without_orientation_is_named(corpus, tmp_path, sid):
    from rtviewer.view.rtimage_geometry import receptor_geometry

    image = read_rt_image(_tilted(corpus, tmp_path / "flat", orientation=False, sid=sid))
    assert "NON_NORMAL_WITHOUT_ORIENTATION" in {f.code for f in image.findings}
    receptor = receptor_geometry(image)
    assert not receptor.tilted
    assert any("placed as if normal" in line for line in receptor.missing)


def test_render_says_the_plane_is_tilted(corpus, tmp_path):
    import json

    from rtviewer.ui.render.offscreen import RenderRequest, render

    path = _tilted(corpus, tmp_path / "tilted")
    lines: list[str] = []
    out = tmp_path / "ri.png"
    render(RenderRequest(path=path.parent, out=out, view="rtimage", size=(500, 560)),
           lines.append)
    assert any("tilted (NON_NORMAL)" in line for line in lines)
    doc = json.loads(out.with_suffix(".json").read_text())
    # where the central axis meets the tilted plane, in plane mm, from the homography
    image = read_rt_image(path)
    x0, y0 = image.image_position_mm
    p0 = np.array([x0, y0, image.sad_mm - image.sid_mm])
    source = np.array([0.0, 0.0, image.sad_mm])
    normal = np.cross(ROW, COLUMN)
    d = -source
    hit = source + d * ((p0 - source) @ normal) / (d @ normal)
    s, t = (hit - p0) @ ROW, (hit - p0) @ COLUMN
    assert np.allclose(doc["axis_receptor_mm"], [x0 + s, y0 - t], atol=1e-6)
