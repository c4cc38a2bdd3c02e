"""The plan sheet of every corpus plan against values read independently with pydicom.

The expected values come straight from the files' elements (no rtviewer reader);
SSDs are compared with the Source to Surface Distance the planning system stored
(Eclipse in dicompyler-core, RayStation in the SRS plan).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest

from rtviewer.core.structure_model import build_structure_model
from rtviewer.dicom.plan_bundle import load_bundle, plan_bundles
from rtviewer.model.plan_sheet import build_plan_sheet, find_body_roi, technique_of

pytestmark = pytest.mark.corpus

PLANS = [
    "dicompyler-core/rtplan.dcm",  # Eclipse
    "slicerrt-eclipse-prostate/RP.1.2.246.352.71.5.2088656855.377401.20110920153647.dcm",
    "pps-vendor-plans/BrainSRSRaystationVMAT/RP1.2.752.243.1.1.20180405120828292.3000.83684.dcm",
    "pps-vendor-plans/pinnacle_plan1/"
    "RTPLAN_2.16.840.1.113669.2.931128.305045163.20180315140850.284204.dcm",
    "pps-vendor-plans/monaco_plans_VMAT/2018CompLung_VMAT.dcm",
    "pps-vendor-plans/brainlab_plan_ptv/RTPL0235.dcm",
    "pps-vendor-plans/LungIMRT/IMRT_6X _12_Fields.dcm",
    "pps-vendor-plans/GK_test_data_gkdosefile/RTPLAN.dcm",
    "pps-vendor-plans/ptv_based_SRS/RP.1.2.246.352.71.5.584747638204.1039509.20180324155643.dcm",
    "pymedphys/vmat_example.dcm",  # Monaco arcs, tomotherapy-like continuous delivery
    "pymedphys/06MV_plan.dcm",
    "aptg-proton/plan03_ramp_full/ramped_2Gy_ver2_full.dcm",
    "pytg43-brachy/HDR/RP.HDR.dcm",
]


def _sheet(corpus: Path, relative: str, model: str = "slab"):
    plans, headers = plan_bundles(corpus / relative)
    assert len(plans) == 1
    bundle = load_bundle(plans[0], headers, with_doses=False)
    body = None
    if bundle.structure_set is not None:
        roi, _ = find_body_roi(bundle.structure_set.rois)
        if roi is not None:
            body = build_structure_model(roi.closed_polygons_mm(), model)
    return build_plan_sheet(bundle.plan, body), bundle


def _beams(ds):
    return list(ds.get("BeamSequence") or ds.get("IonBeamSequence") or [])


@pytest.mark.parametrize("relative", PLANS)
def test_sheet_matches_the_file(corpus, relative):
    ds = pydicom.dcmread(corpus / relative, force=True)
    sheet, _ = _sheet(corpus, relative)
    assert sheet.label == (ds.get("RTPlanLabel") or None)
    assert sheet.approval_status == (ds.get("ApprovalStatus") or None)
    groups = ds.get("FractionGroupSequence") or []
    if groups:
        assert sheet.fractions_planned == int(groups[0].NumberOfFractionsPlanned)
    metersets = {int(rb.ReferencedBeamNumber): float(rb.BeamMeterset)
                 for g in groups[:1] for rb in g.get("ReferencedBeamSequence") or []
                 if rb.get("BeamMeterset") is not None}
    assert len(sheet.beams) == len(_beams(ds))
    for item in _beams(ds):
        row = sheet.beam(int(item.BeamNumber))
        assert row is not None and row.name == (item.get("BeamName") or None)
        assert row.meterset == pytest.approx(metersets.get(int(item.BeamNumber)))
        cps = item.get("ControlPointSequence") or item.get("IonControlPointSequence")
        cp0 = cps[0]
        if cp0.get("GantryAngle") is not None:
            assert row.gantry_start_deg == pytest.approx(float(cp0.GantryAngle))
        if cp0.get("IsocenterPosition") is not None:
            assert row.isocentre_mm == pytest.approx([float(v) for v in cp0.IsocenterPosition])
        jaws = {d.RTBeamLimitingDeviceType: [float(v) for v in d.LeafJawPositions]
                for d in cp0.get("BeamLimitingDevicePositionSequence") or []
                if d.get("LeafJawPositions") is not None}
        x = jaws.get("ASYMX") or jaws.get("X")
        if x is not None:
            assert row.field_x_mm == pytest.approx(x[1] - x[0])
        assert row.control_points == len(cps)
        if cp0.get("NominalBeamEnergy") is not None and not ds.get("IonBeamSequence"):
            assert f"{float(cp0.NominalBeamEnergy):g}" in row.energy


def test_total_mu_is_the_sum_of_treatment_metersets(corpus):
    sheet, _ = _sheet(corpus, PLANS[0])
    assert sheet.total_mu_per_fraction == pytest.approx(97 + 87 + 89 + 94)  # file's metersets


@pytest.mark.parametrize("relative", [PLANS[0], PLANS[2]])
def test_ssd_within_half_a_millimetre_of_the_planning_system(corpus, relative):
    ds = pydicom.dcmread(corpus / relative)
    sheet, _ = _sheet(corpus, relative)
    compared = 0
    for item in _beams(ds):
        stored = item.ControlPointSequence[0].get("SourceToSurfaceDistance")
        row = sheet.beam(int(item.BeamNumber))
        assert row.ssd_stored_mm == pytest.approx(float(stored))
        assert abs(row.ssd_mm - float(stored)) <= 0.5, (item.BeamName, row.ssd_mm, stored)
        compared += 1
    assert compared == len(_beams(ds))


def test_ssd_is_missing_with_a_reason_without_a_body(corpus):
    sheet, bundle = _sheet(corpus, PLANS[3])  # Pinnacle: its RTSTRUCT is not in the corpus
    assert bundle.structure_set is None
    assert all(b.ssd_mm is None and "body outline" in b.ssd_note for b in sheet.beams)
    assert sheet.beams[0].ssd_stored_mm == pytest.approx(871.664)


@pytest.mark.parametrize(("relative", "number", "expected"), [
    (PLANS[0], 1, "sliding window (dynamic MLC)"),
    (PLANS[1], 1, "static"),
    (PLANS[2], 1, "VMAT arc CC 179° → 181° (358.0°)"),
    (PLANS[2], 2, "VMAT arc CW 181° → 179° (358.0°)"),
    (PLANS[3], 1, "step-and-shoot (7 segments)"),
    (PLANS[9], 1, "VMAT arc CW 90° → 150° (60.0°)"),
    (PLANS[11], 1, "ion modulated scan"),
])
def test_technique(corpus, relative, number, expected):
    sheet, bundle = _sheet(corpus, relative)
    assert sheet.beam(number).technique == expected
    assert technique_of(bundle.plan.beam(number)) == expected


def test_setup_beams_and_their_imaging(corpus):
    sheet, _ = _sheet(corpus, PLANS[2])
    setup = [b for b in sheet.beams if b.delivery_type == "SETUP"]
    assert [b.number for b in setup] == [101, 102, 103]
    assert all(b.imaging == "MV (6 MV)" and b.meterset is None for b in setup)


def test_dose_references_with_their_types_and_doses(corpus):
    sheet, _ = _sheet(corpus, PLANS[1])
    muref = sheet.dose_references[1]
    assert (muref.description, muref.reference_type, muref.structure_type) == (
        "MUREF", "ORGAN_AT_RISK", "COORDINATES")
    assert dict(muref.doses_gy)["organ at risk maximum"] == pytest.approx(46.0)
    assert sheet.prescription_gy == pytest.approx(46.0)


def test_tolerance_table_and_approval(corpus):
    sheet, _ = _sheet(corpus, PLANS[1])
    ds = pydicom.dcmread(corpus / PLANS[1])
    label = ds.ToleranceTableSequence[0].get("ToleranceTableLabel")
    assert sheet.beam(1).tolerance_table == f"{ds.BeamSequence[0].ReferencedToleranceTableNumber}"\
        f" {label}"
    proton, _ = _sheet(corpus, PLANS[11])
    ion = pydicom.dcmread(corpus / PLANS[11])
    assert proton.reviewer_name == str(ion.ReviewerName).replace("^", " ")
    assert proton.patient_name == str(ion.PatientName).replace("^", " ").strip()


def test_multi_isocentre_plan_lists_each_isocentre(corpus, tmp_path):
    ds = pydicom.dcmread(corpus / PLANS[1])
    moved = ds.BeamSequence[1].ControlPointSequence[0]
    moved.IsocenterPosition = [v + 40.0 for v in moved.IsocenterPosition]
    ds.save_as(tmp_path / "two_iso.dcm")
    sheet, _ = _sheet(tmp_path, "two_iso.dcm")
    assert [i.label for i in sheet.isocentres] == ["ISO 1", "ISO 2"]
    assert sheet.isocentres[1].beam_numbers == (2,)
    assert sheet.beam(2).isocentre_label == "ISO 2"
    assert np.allclose(sheet.isocentres[1].position_mm,
                       np.asarray(ds.BeamSequence[0].ControlPointSequence[0].IsocenterPosition,
                                  dtype=float) + 40.0)


def test_brachy_application_setup_dose_is_on_the_sheet(corpus):
    # the dose the dwell times were normalised to: Eclipse's 6.00156 Gy (Point A),
    # Oncentra's 0.8 Gy; the issue found it nowhere on the sheet
    from rtviewer.model.plan_sheet_text import header_rows

    for relative, dose in (("pytg43-brachy/HDR/RP.HDR.dcm", 6.00156),
                           ("pytg43-brachy/oncentra/RP.oncentra.dcm", 0.8)):
        sheet, _ = _sheet(corpus, relative)
        (group,) = sheet.fraction_groups
        assert group.brachy_setup_doses_gy == pytest.approx((dose,))
        row = dict(header_rows(sheet))["Fraction group 1"]
        assert f"(Application Setup Dose {dose:g} Gy)" in row
