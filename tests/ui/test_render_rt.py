"""``rtviewer render --view bev|rtimage|record`` on the corpus: pixels, sidecars, defaults."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from factories.records import Interruption, beams_record, write
from PySide6 import QtGui

from rtviewer.ui.render.offscreen import NothingToRender, RenderRequest, render

PROSTATE = "slicerrt-eclipse-prostate"


def _render(tmp_path, path, **kwargs):
    out = tmp_path / f"{kwargs.get('view', 'x')}.png"
    lines: list[str] = []
    render(RenderRequest(path=path, out=out, size=(700, 760), **kwargs), lines.append)
    image = QtGui.QImage(str(out)).convertToFormat(QtGui.QImage.Format.Format_RGB888)
    pixels = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(
        image.height(), image.bytesPerLine())[:, : image.width() * 3].reshape(
        image.height(), image.width(), 3)
    return pixels.copy(), json.loads(out.with_suffix(".json").read_text()), lines


def _to_png(view: dict, xy_mm: np.ndarray) -> np.ndarray:
    """View mm -> PNG pixel (continuous), inverting the sidecar's affine."""
    a = np.array(view["pixel_to_mm"])
    return np.linalg.solve(a[:, :2], (np.asarray(xy_mm) - a[:, 2]).T).T


YELLOW, RED = (255, 230, 0), (255, 60, 60)  # jaws; open field (drawn over the jaws)


def _near(pixels, xy, colours=(YELLOW, RED), radius=2, tol=40):
    x, y = (int(v) for v in xy)
    patch = pixels[y - radius:y + radius + 1, x - radius:x + radius + 1].astype(int)
    return any(bool(np.any(np.all(np.abs(patch - rgb) < tol, axis=-1))) for rgb in colours)


def test_rtimage_field_lands_on_jaws(tmp_path, corpus):
    pixels, doc, lines = _render(tmp_path, corpus / PROSTATE, view="rtimage")
    assert any("RT Image RI." in line and "first of 1" in line for line in lines)
    view = doc["views"]["rtimage"]
    assert doc["beam_number"] == 1 and doc["axis_receptor_mm"] == [0.0, 0.0]
    # the image's isocentre pixel (255.5, 255.5) in receptor mm is the axis (0, 0)
    a = np.array(view["pixel_to_mm"])
    assert a[0, 0] > 0 and a[1, 1] < 0  # x right, y up
    # jaws of beam 1: X (-70, 65), Y (-115, 50) mm at SID = SAD: field edges there
    for x, y in ((-70.0, -30.0), (65.0, -30.0), (0.0, 50.0), (20.0, -115.0)):
        assert _near(pixels, _to_png(view, [x, y])), (x, y)
    assert not _near(pixels, _to_png(view, [-85.0, -30.0]))


def test_rtimage_portal_without_position(tmp_path, corpus):
    _pixels, doc, lines = _render(tmp_path, corpus / "pylinac", view="rtimage",
                                  image="EPID-PF-LR.dcm")
    assert doc["beam_number"] is None
    assert any("RT Image Position is missing" in line for line in lines)
    # 0.392 mm pixels at SID 1000: the sidecar maps PNG pixels to receptor mm at true scale
    view = doc["views"]["rtimage"]
    scale = abs(np.array(view["pixel_to_mm"])[0, 0])
    width_mm = view["rect_px"][2] * scale
    assert width_mm >= 1024 * 0.392 * 0.98


def test_bev_default_beam_and_sidecar(tmp_path, corpus):
    pixels, doc, lines = _render(tmp_path, corpus / PROSTATE, view="bev")
    assert doc["beam_number"] == 1 and doc["control_point_index"] == 0
    assert any("lowest Beam Number with delivery type TREATMENT" in line for line in lines)
    assert any("backdrop: Backdrop: RT Image" in line for line in lines)
    view = doc["views"]["bev"]
    # Y2 jaw at +50 mm: a line at (Xg, 50) for collimator 0, in the jaw or field colour,
    # which no structure of the set has (issue 17: the field edge was the GTV's red)
    from rtviewer.dicom.structure import read_structure_set
    from rtviewer.view.dose_colours import clear_colour

    rs = read_structure_set(next((corpus / PROSTATE).glob("RS.*.dcm")))
    structures = tuple(roi.color_rgb for roi in rs.rois)
    field = clear_colour(structures, over_grey=True)
    edges = (field, clear_colour((*structures, field), over_grey=True))
    assert _near(pixels, _to_png(view, [0.0, 50.0]), colours=edges)
    assert not _near(pixels, _to_png(view, [0.0, 60.0]), colours=edges)
    with pytest.raises(NothingToRender, match="beams are"):
        _render(tmp_path, corpus / PROSTATE, view="bev", beam_number=9)
    with pytest.raises(NothingToRender, match="control points 0..1"):
        _render(tmp_path, corpus / PROSTATE, view="bev", control_point=5)


def test_bev_of_brachy_plan_says_no_beams(tmp_path, corpus):
    with pytest.raises(NothingToRender, match="no beams"):
        _render(tmp_path, corpus / "pytg43-brachy/HDR", view="bev")


def test_record_view_render(tmp_path, corpus):
    folder = tmp_path / "patient"
    folder.mkdir()
    plan_path = folder / "plan.dcm"
    shutil.copy(corpus / "dicompyler-core/rtplan.dcm", plan_path)
    write(beams_record(plan_path, fraction=1), folder / "r1.dcm")
    write(beams_record(plan_path, fraction=2, interrupt=Interruption(3, 0.8)),
          folder / "r2.dcm")
    pixels, doc, lines = _render(tmp_path, folder, view="record")
    assert len(doc["records"]) == 2
    assert any("2 treatment record(s)" in line for line in lines)
    # the interrupted session's row is tinted (255, 200, 200)
    assert np.any(np.all(pixels == (255, 200, 200), axis=-1))


def test_rtimage_patient_selection(tmp_path, corpus):
    with pytest.raises(NothingToRender, match="for patient 'nobody'"):
        _render(tmp_path, corpus / "pylinac", view="rtimage", patient="nobody")
