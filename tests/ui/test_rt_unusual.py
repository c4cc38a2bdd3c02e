"""Plans and RT Images the views have never seen: they draw what they can and say what lacks."""

from __future__ import annotations

import numpy as np
import pytest

from rtviewer.model.beam import (
    Beam,
    BeamLimitingDevice,
    ControlPoint,
    DevicePosition,
    TreatmentDeliveryType,
)
from rtviewer.model.plan import PatientSetup, Plan, PlanKind, Prescription
from rtviewer.model.rtimage import RtImage, RtImageKind
from rtviewer.ui.views.bev_view import BeamsEyeView
from rtviewer.ui.views.rtimage_view import RtImageView
from rtviewer.ui.views.viewer import Viewer
from rtviewer.view.beam_model import beam_at
from rtviewer.view.scene import Scene


def _plan(beams, position="SITTING"):
    none = dict.fromkeys(("sop_class_uid", "label", "name", "description", "date", "time",
                          "intent", "geometry", "manufacturer", "model_name", "patient_id",
                          "patient_name", "study_instance_uid", "series_instance_uid",
                          "frame_of_reference_uid", "approval_status",
                          "referenced_structure_set_uid"))
    return Plan(path="synthetic.dcm", sop_instance_uid="1.2.3", kind=PlanKind.EXTERNAL,
                patient_setups=(PatientSetup(1, position),), dose_references=(),
                fraction_groups=(), beams=tuple(beams),
                prescription=Prescription(None, "none"), **none)


def _beam(number, cps, devices=(), sad=None):
    return Beam(number=number, name=None, description=None, beam_type=None,
                delivery_type=TreatmentDeliveryType.TREATMENT, radiation_type=None,
                machine_name=None, sad_mm=sad, devices=tuple(devices),
                control_points=tuple(cps))


def test_missing_angles_isocentre_sad_and_unknown_position_are_assumed_and_said():
    cp = ControlPoint(index=0, cumulative_meterset_weight=None,
                      device_positions=(DevicePosition("ASYMX", np.array([-30.0, 30.0])),
                                        DevicePosition("ASYMY", np.array([-20.0, 20.0])),
                                        DevicePosition("MLCX", np.zeros(4))))
    beam = _beam(7, [cp], devices=(BeamLimitingDevice("MLCX", 2, None),))
    at = beam_at(_plan([beam]), beam, 0)
    notes = " ".join(at.notes)
    assert "HFS assumed" in notes and "(0, 0, 0) assumed" in notes
    assert "1000 mm assumed" in notes and "without Leaf Position Boundaries" in notes
    (field,) = at.apertures  # the jaws alone
    assert np.ptp(field[:, 0]) == 60.0 and np.ptp(field[:, 1]) == 40.0


def test_bev_and_overlays_survive_a_beam_without_control_points(qtbot):
    empty = _beam(1, [])
    cp = ControlPoint(index=0, cumulative_meterset_weight=0.0, gantry_angle_deg=90.0,
                      isocenter_mm=np.zeros(3))
    jawless = _beam(2, [cp], sad=1000.0)  # no collimation at all
    plan = _plan([empty, jawless], position="HFS")
    view = BeamsEyeView()
    qtbot.addWidget(view)
    view.set_data(plan=plan)
    assert "Beam 1 has no control points" in view.info.text()
    view.set_beam(2)
    assert view.content is not None and view.content.apertures == []
    assert "no field outline" in view.info.text()
    viewer = Viewer()
    qtbot.addWidget(viewer)
    points = np.array([[-50.0, -50, 0], [50, -50, 0], [50, 50, 0], [-50, 50, 0]])
    from rtviewer.model.structure import Contour, ContourType, Roi, StructureSet

    roi = Roi(roi_number=1, name="box", color_rgb=(0, 255, 0), interpreted_type=None,
              contours=(Contour(points, ContourType.CLOSED_PLANAR),), volume_cc=None)
    structures = StructureSet(path="s.dcm", sop_instance_uid="9", label="s",
                              frame_of_reference_uid=None, rois=(roi,),
                              referenced_series_uids=())
    viewer.set_scene(Scene(structures=structures, plan=plan))
    drawings = viewer.rt_views.beams["axial"].drawings
    assert set(drawings) == {2}  # beam 1 cannot be drawn; beam 2 draws its axis only
    assert len(drawings[2].field_st) == 0 and len(drawings[2].axis_st) > 0


def test_rt_image_without_sid_refuses_to_scale_the_field(qtbot):
    image = RtImage(path="ri.dcm", sop_instance_uid="4", pixels=np.zeros((20, 30), np.float32),
                    kind=RtImageKind.SIMULATOR, label="sim", plane=None,
                    pixel_spacing_mm=(0.5, 0.5), image_position_mm=None, sid_mm=None,
                    sad_mm=1000.0)
    cp = ControlPoint(index=0, cumulative_meterset_weight=0.0, gantry_angle_deg=0.0,
                      isocenter_mm=np.zeros(3),
                      device_positions=(DevicePosition("X", np.array([-30.0, 30.0])),
                                        DevicePosition("Y", np.array([-20.0, 20.0]))))
    plan = _plan([_beam(1, [cp], sad=1000.0)], position="HFS")
    view = RtImageView()
    qtbot.addWidget(view)
    view.set_image(image, plan)
    view.set_beam(1)
    text = view.info.text()
    assert "SID or Radiation Machine SAD is missing" in text
    assert "No field overlay" in text and view.field_item.path().isEmpty()
    # a blank image still gets a valid window
    assert view.window_width_level[0] == pytest.approx(1e-3)


def test_bev_computes_the_drr_in_the_background(qtbot):
    from rtviewer.core.grid import Grid

    class _Ct:  # 1 mm air with a bone cube around the isocentre
        grid = Grid(affine=np.diag([1.0, 1.0, 1.0, 1.0]) + np.c_[np.zeros((4, 3)),
                                                                  [-30, -30, -30, 0]],
                    shape=(61, 61, 61))
        voxels = np.full((61, 61, 61), -1000.0, dtype=np.float32)
        voxels[25:36, 25:36, 25:36] = 1000.0

    cp = ControlPoint(index=0, cumulative_meterset_weight=0.0, gantry_angle_deg=0.0,
                      isocenter_mm=np.zeros(3),
                      device_positions=(DevicePosition("X", np.array([-30.0, 30.0])),
                                        DevicePosition("Y", np.array([-20.0, 20.0]))))
    plan = _plan([_beam(1, [cp], sad=1000.0)], position="HFS")
    view = BeamsEyeView()
    qtbot.addWidget(view)
    view.show()
    with qtbot.waitSignal(view.backdrop.updated, timeout=20000):
        view.set_data(plan=plan, image=_Ct())
        assert "Computing the DRR" in view.info.text()  # the window never waits for it
    assert "DRR ray-cast through the CT" in view.info.text()
    values = view.backdrop.item.image
    rows, cols = np.nonzero(values > 0.5 * values.max())  # the cube's shadow, centred
    assert abs(rows.mean() - (values.shape[0] - 1) / 2) < 1.0
    assert abs(cols.mean() - (values.shape[1] - 1) / 2) < 1.0
    view.close()
