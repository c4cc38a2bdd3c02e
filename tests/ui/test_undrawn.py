"""What the slice views cannot draw as stored is named under them and on render's stderr
(issue 14's rule), on structure sets and a brachy plan derived from the corpus."""

from __future__ import annotations

import copy
import warnings

import pydicom
import pytest

from rtviewer.dicom.plan import read_plan
from rtviewer.dicom.structure import read_structure_set
from rtviewer.ui.render.offscreen import RenderRequest, render
from rtviewer.ui.views.viewer import Viewer
from rtviewer.view.scene import Scene
from rtviewer.view.undrawn import undrawn_notes

PROSTATE_RS = ("slicerrt-eclipse-prostate/"
               "RS.1.2.246.352.71.4.2088656855.2404649.20110920153449.dcm")


def _read(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pydicom.dcmread(path)


def _save(ds, path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds.save_as(path, enforce_file_format=False)
    return path


def _damaged_structures(corpus, folder):
    """The prostate set with a collinear contour and a sagittal contour added to 'Rectum'."""
    ds = _read(corpus / PROSTATE_RS)
    number = next(r.ROINumber for r in ds.StructureSetROISequence if r.ROIName == "Rectum")
    item = next(c for c in ds.ROIContourSequence if c.ReferencedROINumber == number)
    template = item.ContourSequence[0]
    line, sagittal = copy.deepcopy(template), copy.deepcopy(template)
    line.ContourData = ["0", "0", "0", "10", "0", "0", "20", "0", "0"]
    line.NumberOfContourPoints = 3
    square = [(5.0, -10.0, -10.0), (5.0, 10.0, -10.0), (5.0, 10.0, 10.0), (5.0, -10.0, 10.0)]
    sagittal.ContourData = [f"{v:g}" for p in square for v in p]
    sagittal.NumberOfContourPoints = 4
    item.ContourSequence = [*item.ContourSequence, line, sagittal]
    folder.mkdir(parents=True, exist_ok=True)
    return _save(ds, folder / "rs.dcm")


def test_degenerate_and_tilted_contours_are_named(corpus, tmp_path):
    structures = read_structure_set(_damaged_structures(corpus, tmp_path / "rs"))
    notes = undrawn_notes(Scene(structures=structures))
    assert notes == (
        "ROI 'Rectum': 1 of 42 closed contour(s) enclose no area (under 3 points or "
        "collinear): not drawn",
        "ROI 'Rectum': contours on planes of different orientations (41 of 42 more than 1° "
        "off their mean normal): drawn as one stack along that normal")


def test_a_channel_without_positions_is_named_under_every_view(corpus, tmp_path, qtbot):
    ds = _read(corpus / "pytg43-brachy/HDR/RP.HDR.dcm")
    channel = ds.ApplicationSetupSequence[0].ChannelSequence[1]
    for cp in channel.BrachyControlPointSequence:
        del cp.ControlPoint3DPosition
    plan = read_plan(_save(ds, tmp_path / "rp.dcm"))
    number = plan.brachy.channels[1].number
    viewer = Viewer()
    qtbot.addWidget(viewer)
    viewer.set_scene(Scene(plan=plan))
    for view in viewer.views.values():
        assert view.undrawn.isVisibleTo(viewer)
        assert (f"channel {number}: no Control Point 3D Position: its dwell positions are "
                "not drawn") in view.undrawn.text()
    viewer.set_scene(Scene(plan=read_plan(corpus / "pytg43-brachy/HDR/RP.HDR.dcm")))
    assert not any(v.undrawn.isVisibleTo(viewer) for v in viewer.views.values())


@pytest.mark.corpus
def test_render_names_what_it_cannot_draw_on_stderr(corpus, tmp_path):
    folder = tmp_path / "damaged"
    _damaged_structures(corpus, folder)
    lines: list[str] = []
    render(RenderRequest(path=folder, out=tmp_path / "out.png", view="axial"), lines.append)
    named = [line for line in lines if line.startswith("render: not drawn as stored:")]
    assert len(named) == 2 and all("ROI 'Rectum'" in line for line in named)
