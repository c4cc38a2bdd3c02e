"""The prostate patient: Bortfeld's proton physics, the RT Ion Plan as read, the proton
dose's SOBP and penumbra, the VMAT records against the plan."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest
from scipy.ndimage import map_coordinates

from rtviewer.demo.bragg import bragg_curve, depth_dose, range_mm, straggling_mm
from rtviewer.demo.prostate import ISOCENTER_MM, PTV
from rtviewer.dicom.dose import read_dose
from rtviewer.dicom.plan import read_plan
from rtviewer.dicom.record import read_treatment_record
from rtviewer.model.plan import PlanKind

PROSTATE = "RTV-DEMO-PROSTATE"


@pytest.mark.parametrize(("energy", "pstar_g_cm2"), [(100.0, 7.718), (150.0, 15.76),
                                                     (200.0, 25.96)])
def test_bragg_kleeman_range_is_within_2_percent_of_nist_pstar(energy, pstar_g_cm2):
    # NIST PSTAR CSDA ranges in liquid water
    assert range_mm(energy) / 10.0 == pytest.approx(pstar_g_cm2, rel=0.02)


@pytest.mark.parametrize("energy", [70.0, 150.0, 220.0])
def test_bragg_curve_distal_80_percent_lies_at_the_csda_range(energy):
    depth = np.arange(0.0, range_mm(energy) + 30.0, 0.02)
    dose = bragg_curve(depth, energy)
    peak = int(np.argmax(dose))
    distal80 = depth[peak + int(np.argmax(dose[peak:] < 0.8 * dose[peak]))]
    # Bortfeld's R0 is the distal 80 % point; the peak sits proximal by about a sigma
    assert distal80 == pytest.approx(range_mm(energy), abs=0.1)
    assert 0.3 * straggling_mm(energy) < range_mm(energy) - depth[peak] < 2.0 * straggling_mm(
        energy)
    assert 2.4 < dose[peak] / dose[0] < 4.5  # measured peak-to-entrance ratios: 2.5-4
    np.testing.assert_allclose(depth_dose(depth, energy), dose, atol=2e-3 * dose[peak])


def _pbs(demo_headers, find):
    (path,) = [p for p in find(demo_headers, PatientID=PROSTATE, Modality="RTPLAN")
               if demo_headers[p].RTPlanLabel == "Prostate PBS"]
    return path


def _doses(demo_headers, find, plan_uid):
    return {(h.DoseSummationType, int(h.ReferencedRTPlanSequence[0]
                                      .ReferencedFractionGroupSequence[0].ReferencedBeamSequence[0]
                                      .ReferencedBeamNumber) if h.DoseSummationType == "BEAM"
             else 0): p
            for p in find(demo_headers, PatientID=PROSTATE, Modality="RTDOSE")
            if (h := demo_headers[p]).ReferencedRTPlanSequence[0].ReferencedSOPInstanceUID
            == plan_uid}


def test_ion_plan_reads_as_energy_layers_of_control_point_pairs(demo_headers, find):
    path = _pbs(demo_headers, find)
    plan = read_plan(path)
    assert plan.kind is PlanKind.ION and plan.findings == ()
    assert "RBE 1.1" in pydicom.dcmread(path).PrescriptionDescription
    group = plan.fraction_groups[0]
    metersets = {b.beam_number: b.meterset for b in group.referenced_beams}
    assert [b.control_points[0].gantry_angle_deg for b in plan.beams] == [90.0, 270.0]
    for beam in plan.beams:
        assert beam.virtual_sad_mm.tolist() == [2000.0, 2500.0]
        layers = beam.energy_layers
        assert 12 <= len(layers) <= 30
        energies = [layer.nominal_energy_mev for layer in layers]
        assert energies == sorted(energies, reverse=True)  # deepest layer first
        assert energies[-1] > 140.0 and energies[0] < 200.0  # a lateral prostate field
        for n, layer in enumerate(layers):
            assert layer.control_point_indices == (2 * n, 2 * n + 1)
            # the spots lie on the 6 mm grid of the isocentre plane
            assert np.allclose(layer.spot_positions_mm / 6.0,
                               np.rint(layer.spot_positions_mm / 6.0))
        total = sum(float(layer.spot_meterset_weights.sum()) for layer in layers)
        assert total == pytest.approx(beam.final_cumulative_meterset_weight, rel=1e-5)
        assert total == pytest.approx(metersets[beam.number], rel=1e-5)


def _sample(dose, points_mm):
    ijk = dose.grid.patient_to_index(points_mm)
    return map_coordinates(dose.dose_gy, [ijk[:, 2], ijk[:, 1], ijk[:, 0]], order=1)


def _width_80_20(x, profile, level):
    """Distance between the 80 % and 20 % crossings of ``level``, ``profile`` falling with
    increasing ``x``."""
    x80 = np.interp(0.8 * level, profile[::-1], x[::-1])
    x20 = np.interp(0.2 * level, profile[::-1], x[::-1])
    return abs(x20 - x80)


def test_proton_field_sobp_covers_the_ptv_with_plausible_fall_offs(demo_headers, find):
    path = _pbs(demo_headers, find)
    doses = _doses(demo_headers, find, demo_headers[path].SOPInstanceUID)
    plan_dose = read_dose(doses[("PLAN", 0)])
    assert plan_dose.dose_type.value == "EFFECTIVE"  # RBE-weighted
    assert "RBE 1.1" in demo_headers[doses[("PLAN", 0)]].DoseComment
    field = read_dose(doses[("BEAM", 1)])  # gantry 90: enters from the patient's left (+x)
    half = 39 * 2.0 / 2  # Gy(RBE): each field gives half of 78 Gy(RBE)
    cx, cy, cz = ISOCENTER_MM
    a, _, c = PTV.semi_axes_mm
    # along the beam: a flat SOBP over the PTV, then the distal fall beyond its far side
    x = np.arange(cx + a, cx - a - 25.0, -0.5)
    depth_profile = _sample(field, np.column_stack([x, np.full_like(x, cy), np.full_like(x, cz)]))
    inside = np.abs(x - cx) < a - 3.0
    assert depth_profile[inside].min() > 0.92 * half
    assert depth_profile[inside].max() < 1.08 * half
    beyond = x < cx - a + 3.0
    distal = _width_80_20(-x[beyond], depth_profile[beyond], half)  # depth grows as x falls
    assert 3.0 < distal < 12.0  # range straggling at about 19 cm of water
    # across the beam (patient z): the lateral penumbra of the spot pattern
    z = np.arange(cz, cz + c + 30.0, 0.5)
    lateral = _sample(field, np.column_stack([np.full_like(z, cx), np.full_like(z, cy), z]))
    assert 5.0 < _width_80_20(z, lateral, half) < 14.0


def test_vmat_records_follow_the_plan_at_the_machines_pace(demo_headers, find):
    (path,) = [p for p in find(demo_headers, PatientID=PROSTATE, Modality="RTPLAN")
               if demo_headers[p].RTPlanLabel == "Prostate VMAT"]
    plan = read_plan(path)
    mu = {b.beam_number: b.meterset for b in plan.fraction_groups[0].referenced_beams}
    records = [read_treatment_record(p)
               for p in find(demo_headers, PatientID=PROSTATE, Modality="RTRECORD")]
    assert len(records) == 5
    for record in records:
        assert record.referenced_plan_uid == plan.sop_instance_uid
        previous_end = None
        for beam in record.beams:
            points = beam.control_points
            assert len(points) == 180  # every control point of the arc
            assert points[-1].delivered_meterset == pytest.approx(mu[beam.referenced_beam_number],
                                                                   abs=0.06)
            times = [p.date_time for p in points]
            assert times == sorted(times)
            seconds = (times[-1] - times[0]).total_seconds()
            # 358 degrees at the 6 deg/s maximum gantry speed, at least
            assert 358.0 / 6.0 - 0.5 < seconds < 120.0
            if previous_end is not None:
                assert times[0] > previous_end  # the second arc starts after the first
            previous_end = times[-1]
