"""The demo plans as written: apertures follow the PTV, the VMAT arcs, records add up."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest

from rtviewer.core.iec61217 import BeamGeometry
from rtviewer.demo.aperture import LEAF_BOUNDARIES_MM, surface_points
from rtviewer.demo.thorax import ISOCENTER_MM, PTV

THORAX = "RTV-DEMO-THORAX"


def _plan(demo_headers, find, label):
    (path,) = [p for p in find(demo_headers, PatientID=THORAX, Modality="RTPLAN")
               if demo_headers[p].RTPlanLabel == label]
    return pydicom.dcmread(path)


def _covers(geo: BeamGeometry, positions: dict[str, list[float]], margin_mm: float,
            medial_only: bool = False) -> float:
    """Smallest distance (mm) by which the open field covers the PTV projection + margin.

    ``medial_only``: the PTV part at most 5 mm lateral of the isocentre (x > iso - 5; arc 2
    conforms to x > iso - 10 on a coarser sampling, whose edge lies between its points).
    """
    points = surface_points(PTV)
    if medial_only:
        points = points[points[:, 0] > ISOCENTER_MM[0] - 5.0]
    uv = geo.project_to_plane(points)
    x1, x2 = positions["ASYMX"]
    y1, y2 = positions["ASYMY"]
    leaves = np.asarray(positions["MLCX"])
    a, b = leaves[:60], leaves[60:]
    pair = np.clip(np.searchsorted(LEAF_BOUNDARIES_MM, uv[:, 1]) - 1, 0, 59)
    slack = np.minimum.reduce([uv[:, 0] - np.maximum(a[pair], x1),
                               np.minimum(b[pair], x2) - uv[:, 0],
                               uv[:, 1] - y1, y2 - uv[:, 1]])
    return float(slack.min()) - margin_mm


def test_conformal_fields_cover_the_ptv_with_the_mlc_margin(demo_headers, find):
    plan = _plan(demo_headers, find, "Lung 3DCRT")
    assert plan.DoseReferenceSequence[0].TargetPrescriptionDose == 60
    assert plan.FractionGroupSequence[0].NumberOfFractionsPlanned == 30
    for beam in plan.BeamSequence:
        cp = beam.ControlPointSequence[0]
        positions = {d.RTBeamLimitingDeviceType: [float(v) for v in d.LeafJawPositions]
                     for d in cp.BeamLimitingDevicePositionSequence}
        geo = BeamGeometry(gantry_deg=float(cp.GantryAngle),
                           collimator_deg=float(cp.BeamLimitingDeviceAngle),
                           isocenter_mm=[float(v) for v in cp.IsocenterPosition])
        # Leaves sit 7 mm outside the projection (to 0.1 mm rounding and the leaf-band
        # sampling of a curved outline), and not much further.
        assert _covers(geo, positions, 7.0) > -1.0, beam.BeamName
        assert _covers(geo, positions, 0.0) < 8.0, beam.BeamName


def test_vmat_arcs_have_many_control_points_following_the_ptv(demo_headers, find):
    plan = _plan(demo_headers, find, "Lung VMAT")
    assert len(plan.BeamSequence) == 2
    for beam, medial_only in zip(plan.BeamSequence, (False, True), strict=True):
        cps = beam.ControlPointSequence
        assert beam.BeamType == "DYNAMIC" and len(cps) == beam.NumberOfControlPoints == 91
        gantry = [float(cp.GantryAngle) for cp in cps]
        steps = np.diff(np.unwrap(np.radians(gantry)))
        assert np.allclose(np.abs(np.degrees(steps)), 2.0)
        weights = [float(cp.CumulativeMetersetWeight) for cp in cps]
        assert weights[0] == 0 and weights[-1] == 1 and np.all(np.diff(weights) > 0)
        jaws = {d.RTBeamLimitingDeviceType: [float(v) for v in d.LeafJawPositions]
                for d in cps[0].BeamLimitingDevicePositionSequence}
        whole, medial = [], []
        for cp in cps[:-1]:
            mlc = [d for d in cp.BeamLimitingDevicePositionSequence
                   if d.RTBeamLimitingDeviceType == "MLCX"]
            positions = {**jaws, "MLCX": [float(v) for v in mlc[0].LeafJawPositions]}
            geo = BeamGeometry(gantry_deg=float(cp.GantryAngle),
                               collimator_deg=float(cps[0].BeamLimitingDeviceAngle),
                               isocenter_mm=ISOCENTER_MM)
            whole.append(_covers(geo, positions, 0.0))
            medial.append(_covers(geo, positions, 0.0, medial_only=True))
        # Modulated: leaves close up to 2 mm into the 7 mm margin, never further (to
        # rounding and the leaf-band sampling). Arc 1 covers the whole PTV; arc 2 its
        # medial part, the side the right-sided arcs underdose, and not the lateral side.
        if medial_only:
            assert min(medial) > 3.0 and min(whole) < 0.0
        else:
            assert min(whole) > 3.0


def test_records_add_up_to_the_plan(demo_headers, find):
    plan = _plan(demo_headers, find, "Lung 3DCRT")
    mu = {r.ReferencedBeamNumber: float(r.BeamMeterset)
          for r in plan.FractionGroupSequence[0].ReferencedBeamSequence}
    records = [pydicom.dcmread(p) for p in find(demo_headers, PatientID=THORAX,
                                                Modality="RTRECORD")]
    delivered: dict[int, dict[int, float]] = {}
    statuses = []
    for rec in records:
        assert rec.ReferencedRTPlanSequence[0].ReferencedSOPInstanceUID == plan.SOPInstanceUID
        for b in rec.TreatmentSessionBeamSequence:
            per_beam = delivered.setdefault(int(b.CurrentFractionNumber), {})
            per_beam[b.ReferencedBeamNumber] = per_beam.get(b.ReferencedBeamNumber, 0.0) + \
                float(b.DeliveredPrimaryMeterset)
            statuses.append(b.TreatmentTerminationStatus)
            if b.TreatmentTerminationStatus != "NORMAL":
                assert float(b.DeliveredPrimaryMeterset) < float(b.SpecifiedPrimaryMeterset)
                assert b.TreatmentTerminationDescription
    assert sorted(delivered) == [1, 2, 3, 4, 5]
    assert statuses.count("OPERATOR") == 1
    for per_beam in delivered.values():  # every fraction complete, the interrupted one too
        assert per_beam == pytest.approx(mu, abs=0.11)
    dates = sorted({(r.TreatmentDate, r.TreatmentTime) for r in records})
    assert len(dates) == 6


def test_replan_turns_one_beam_on_the_same_frame_and_structures(demo_headers, find):
    original = _plan(demo_headers, find, "Lung 3DCRT")
    replan = _plan(demo_headers, find, "Lung 3D Replan")
    assert replan.ReferencedStructureSetSequence[0].ReferencedSOPInstanceUID == \
        original.ReferencedStructureSetSequence[0].ReferencedSOPInstanceUID
    assert replan.FrameOfReferenceUID == original.FrameOfReferenceUID
    assert replan.RTPlanDate > original.RTPlanDate  # after the first week's records
    changed = []
    for a, b in zip(original.BeamSequence, replan.BeamSequence, strict=True):
        cp_a, cp_b = a.ControlPointSequence[0], b.ControlPointSequence[0]
        assert cp_a.IsocenterPosition == cp_b.IsocenterPosition
        assert cp_a.BeamLimitingDeviceAngle == cp_b.BeamLimitingDeviceAngle
        assert a.get("WedgeSequence") == b.get("WedgeSequence")
        if cp_a.GantryAngle != cp_b.GantryAngle:
            changed.append((a.BeamNumber, float(cp_a.GantryAngle), float(cp_b.GantryAngle)))
    assert changed == [(6, 30.0, 50.0)]
    # its own PLAN dose, on the original's grid
    doses = [demo_headers[p] for p in find(demo_headers, PatientID=THORAX, Modality="RTDOSE")]
    mine = [d for d in doses if d.ReferencedRTPlanSequence[0].ReferencedSOPInstanceUID ==
            replan.SOPInstanceUID]
    assert [d.DoseSummationType for d in mine] == ["PLAN"]
    theirs = next(d for d in doses if d.DoseSummationType == "PLAN" and
                  d.ReferencedRTPlanSequence[0].ReferencedSOPInstanceUID ==
                  original.SOPInstanceUID)
    assert mine[0].ImagePositionPatient == theirs.ImagePositionPatient
    assert (mine[0].Rows, mine[0].Columns, mine[0].NumberOfFrames) == \
        (theirs.Rows, theirs.Columns, theirs.NumberOfFrames)
