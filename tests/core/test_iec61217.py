"""IEC 61217 transforms: source positions and projections for every patient position."""

from __future__ import annotations

import numpy as np
import pytest

from rtviewer.core.iec61217 import PATIENT_ORIENTATION, BeamGeometry

ISO = (10.0, -20.0, 30.0)


def _source_direction(**kw) -> np.ndarray:
    g = BeamGeometry(isocenter_mm=ISO, sad_mm=1000.0, **kw)
    return (g.source_mm - np.array(ISO)) / 1000.0


@pytest.mark.parametrize(
    ("position", "gantry", "expected"),
    [
        ("HFS", 0, (0, -1, 0)),   # anterior
        ("HFS", 90, (1, 0, 0)),   # patient's left
        ("HFS", 180, (0, 1, 0)),  # posterior
        ("HFS", 270, (-1, 0, 0)),  # patient's right
        ("HFP", 0, (0, 1, 0)),    # prone: gantry 0 is posterior
        ("HFP", 90, (-1, 0, 0)),  # prone: the room's +Xf is the patient's right
        ("FFS", 0, (0, -1, 0)),
        ("FFS", 90, (-1, 0, 0)),  # feet first: the room's +Xf is the patient's right
        ("FFP", 0, (0, 1, 0)),
        ("FFP", 90, (1, 0, 0)),
        ("HFDL", 0, (-1, 0, 0)),  # lying on the left side: the right side faces up
        ("HFDR", 0, (1, 0, 0)),   # lying on the right side: the left side faces up
    ],
)
def test_source_position(position, gantry, expected):
    d = _source_direction(gantry_deg=gantry, patient_position=position)
    np.testing.assert_allclose(d, expected, atol=1e-12)


def test_decubitus_anterior_direction():
    # HFDL: lying on the left side, head to the gantry: the anterior surface faces +Xf
    # (gantry 90). HFDR: it faces -Xf (gantry 270).
    np.testing.assert_allclose(_source_direction(gantry_deg=90, patient_position="HFDL"),
                               (0, -1, 0), atol=1e-12)
    np.testing.assert_allclose(_source_direction(gantry_deg=270, patient_position="HFDR"),
                               (0, -1, 0), atol=1e-12)


def test_couch_rotation_moves_source_towards_feet_for_hfs():
    # Couch 90 (counter-clockwise from above): the gantry-90 source moves from the
    # patient's left towards the patient's feet (-z) for HFS.
    d = _source_direction(gantry_deg=90, couch_deg=90, patient_position="HFS")
    np.testing.assert_allclose(d, (0, 0, -1), atol=1e-12)


def test_orientation_matrices_are_rotations():
    for m in PATIENT_ORIENTATION.values():
        np.testing.assert_allclose(m @ m.T, np.eye(3), atol=1e-12)
        assert np.linalg.det(m) == pytest.approx(1.0)


def test_collimator_rotation_of_bld_axes():
    # HFS gantry 0, collimator 0: Xb = patient left (+x), Yb = superior (+z).
    g0 = BeamGeometry(gantry_deg=0, isocenter_mm=ISO)
    np.testing.assert_allclose(g0.patient_to_bld(np.add(ISO, (1, 0, 0))), (1, 0, 0), atol=1e-12)
    np.testing.assert_allclose(g0.patient_to_bld(np.add(ISO, (0, 0, 1))), (0, 1, 0), atol=1e-12)
    # Collimator 90: Xb turns to where Yb was (right-handed about Zb).
    g90 = BeamGeometry(gantry_deg=0, collimator_deg=90, isocenter_mm=ISO)
    np.testing.assert_allclose(g90.patient_to_bld(np.add(ISO, (0, 0, 1))), (1, 0, 0),
                               atol=1e-12)


def test_projection_magnifies_by_sid_over_distance():
    g = BeamGeometry(gantry_deg=0, isocenter_mm=ISO, sad_mm=1000.0)
    # A point 100 mm towards the source (anterior) and 9 mm to the patient's left.
    p = np.add(ISO, (9.0, -100.0, 0.0))
    np.testing.assert_allclose(g.project_to_plane(p), (10.0, 0.0), atol=1e-12)
    np.testing.assert_allclose(g.project_to_plane(p, distance_from_source_mm=1500.0),
                               (15.0, 0.0), atol=1e-12)


@pytest.mark.parametrize("position", sorted(PATIENT_ORIENTATION))
@pytest.mark.parametrize("angles", [(0, 0, 0), (33, 17, 0), (250, 340, 10), (90, 45, 270)])
def test_plane_round_trip_and_ray(position, angles):
    gantry, coll, couch = angles
    g = BeamGeometry(gantry_deg=gantry, collimator_deg=coll, couch_deg=couch,
                     isocenter_mm=ISO, patient_position=position)
    xy = np.array([[12.5, -40.0], [0.0, 0.0], [-70.0, 55.0]])
    for sid in (1000.0, 1500.0):
        p = g.plane_to_patient(xy, distance_from_source_mm=sid)
        np.testing.assert_allclose(g.project_to_plane(p, distance_from_source_mm=sid), xy,
                                   atol=1e-9)
        # The in-plane point lies on the ray from the source: distance from the source is SID
        # along the axis.
        axial = (p - g.source_mm) @ g.beam_direction
        np.testing.assert_allclose(axial, sid, atol=1e-9)
    # Any point on the source→plane ray projects onto the same plane point.
    p = g.plane_to_patient(xy)
    mid = g.source_mm + 0.7 * (p - g.source_mm)
    np.testing.assert_allclose(g.project_to_plane(mid), xy, atol=1e-9)


def test_gantry_frame_ignores_collimator():
    a = BeamGeometry(gantry_deg=40, collimator_deg=0, isocenter_mm=ISO)
    b = BeamGeometry(gantry_deg=40, collimator_deg=30, isocenter_mm=ISO)
    p = np.add(ISO, (20.0, 5.0, -35.0))
    np.testing.assert_allclose(a.project_to_plane(p, frame="gantry"),
                               b.project_to_plane(p, frame="gantry"), atol=1e-12)
    assert not np.allclose(a.project_to_plane(p), b.project_to_plane(p))


def test_rejects_unknown_patient_position():
    with pytest.raises(ValueError, match="patient_position"):
        BeamGeometry(gantry_deg=0, patient_position="SITTING")


def test_rotations_are_made_once_and_shared_read_only():
    from rtviewer.core.iec61217 import rotation_y, rotation_z

    g = BeamGeometry(gantry_deg=30.0, collimator_deg=10.0, couch_deg=5.0,
                     isocenter_mm=ISO, patient_position="FFP")
    bld = g.bld_from_patient_matrix()
    assert bld is g.bld_from_patient_matrix()  # the same array at every call
    with pytest.raises(ValueError):
        bld[0, 0] = 1.0  # no caller can change the beam's geometry through it
    fixed = g._fixed_from_patient()
    assert np.allclose(bld, (rotation_y(30.0) @ rotation_z(10.0)).T @ fixed)
    assert np.allclose(g.gantry_from_patient_matrix(), rotation_y(30.0).T @ fixed)
    assert BeamGeometry(gantry_deg=30.0) == BeamGeometry(gantry_deg=30.0)
