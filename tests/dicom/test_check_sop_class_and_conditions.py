"""``check`` on a missing SOP Class UID and on Type 1C/2C attributes (issue 16, point 10)."""

from __future__ import annotations

import pydicom
import pytest
from pydicom.dataset import Dataset

from rtviewer.dicom.check import check_path
from rtviewer.dicom.conformance import check_conformance
from rtviewer.dicom.conformance.conditions import CONDITIONAL_RULES
from rtviewer.model.findings import Severity

pytestmark = pytest.mark.corpus

OBJECTS = {  # file, the class it must be inferred as
    "rd.dcm": ("dicompyler-core/rtdose.dcm", "RT Dose Storage"),
    "rs.dcm": ("dicompyler-core/rtss.dcm", "RT Structure Set Storage"),
    "rp.dcm": ("dicompyler-core/rtplan.dcm", "RT Plan Storage"),
    "ri.dcm": ("pylinac/EPID-PF-LR.dcm", "RT Image Storage"),
}


def _without_sop_class(corpus, folder, *, keep_meta: bool = False) -> None:
    for name, (source, _sop) in OBJECTS.items():
        ds = pydicom.dcmread(corpus / source)
        del ds.SOPClassUID
        if not keep_meta:
            del ds.file_meta.MediaStorageSOPClassUID
        ds.save_as(folder / name, enforce_file_format=False)


def _by_file(report, code):
    return {f.path: f for f in report.findings if f.code == code}


def test_a_missing_sop_class_uid_is_an_error_and_the_class_is_inferred(corpus, tmp_path):
    _without_sop_class(corpus, tmp_path)
    plan = pydicom.dcmread(tmp_path / "rp.dcm")
    del plan.BeamSequence[0].BeamType  # a Type 1 attribute: the plan's checks must go on
    plan.save_as(tmp_path / "rp.dcm", enforce_file_format=False)
    report = check_path(tmp_path, use_cache=False)
    missing = _by_file(report, "MISSING_SOP_CLASS_UID")
    assert sorted(missing) == sorted(OBJECTS)
    for name, finding in missing.items():
        sop = OBJECTS[name][1]
        assert finding.severity is Severity.ERROR and finding.attribute == "SOPClassUID"
        assert f"infers {sop} from its Modality" in finding.message
        assert "PS3.3 C.12.1" in finding.message
    assert not [f for f in report.findings if f.code == "PRIVATE_SOP_CLASS"]
    beam_type = [f for f in report.findings if f.path == "rp.dcm"
                 and f.attribute == "BeamSequence>BeamType"]
    assert [f.code for f in beam_type] == ["MISSING_TYPE1_ATTRIBUTE"]
    # the readers ran on the inferred classes: the dose's known DVH problem is found
    assert "DVH_STATISTICS_UNITS" in {f.code for f in report.findings if f.path == "rd.dcm"}


def test_the_file_meta_class_is_used_and_named(corpus, tmp_path):
    _without_sop_class(corpus, tmp_path, keep_meta=True)
    missing = _by_file(check_path(tmp_path, use_cache=False), "MISSING_SOP_CLASS_UID")
    assert sorted(missing) == sorted(OBJECTS)
    assert all("Media Storage SOP Class UID of its file meta" in f.message
               for f in missing.values())


def test_content_alone_and_nothing_at_all(corpus):
    ds = pydicom.dcmread(corpus / "dicompyler-core/rtdose.dcm", stop_before_pixels=True)
    del ds.SOPClassUID, ds.Modality
    del ds.file_meta.MediaStorageSOPClassUID
    (finding,) = [f for f in check_conformance(ds) if f.code == "MISSING_SOP_CLASS_UID"]
    assert "infers RT Dose Storage from its content (DoseGridScaling)" in finding.message
    bare = Dataset()
    bare.SOPInstanceUID = "1.2.3"
    bare.SOPClassUID = ""
    (finding,) = [f for f in check_conformance(bare) if f.code == "MISSING_SOP_CLASS_UID"]
    assert "present but empty" in finding.message and "cannot infer" in finding.message


def _codes(ds):
    return {(f.code, f.attribute) for f in check_conformance(ds)
            if f.code.endswith(("1C_ATTRIBUTE", "2C_ATTRIBUTE"))}


def test_conditions_of_the_rt_beams_and_general_plan_modules(corpus):
    ds = pydicom.dcmread(corpus / "dicompyler-core/rtplan.dcm")
    assert _codes(ds) == set()  # a conformant plan
    beam = ds.BeamSequence[0]
    beam.NumberOfWedges = 1  # PS3.3 C.8.8.14: Wedge Sequence then required
    del beam.ControlPointSequence[0].GantryAngle  # first control point: required
    ds.RTPlanGeometry = "PATIENT"
    del ds.ReferencedStructureSetSequence  # C.8.8.9
    found = _codes(ds)
    (gantry,) = [f for f in check_conformance(ds) if (f.attribute or "").endswith(">GantryAngle")]
    # judged in the first control point of each beam only (later ones: if it changes)
    assert f"in 1 of the {len(ds.BeamSequence)} ControlPointSequence items" in gantry.message
    assert found == {
        ("MISSING_TYPE1C_ATTRIBUTE", "BeamSequence>WedgeSequence"),
        ("MISSING_TYPE1C_ATTRIBUTE", "BeamSequence>ControlPointSequence>GantryAngle"),
        ("MISSING_TYPE1C_ATTRIBUTE", "BeamSequence>ControlPointSequence>WedgePositionSequence"),
        ("MISSING_TYPE1C_ATTRIBUTE", "ReferencedStructureSetSequence"),
    }
    ds.RTPlanGeometry = "TREATMENT_DEVICE"  # the condition no longer holds
    assert ("MISSING_TYPE1C_ATTRIBUTE", "ReferencedStructureSetSequence") not in _codes(ds)


def test_conditions_of_the_rt_dose_module_follow_the_summation_type(corpus):
    ds = pydicom.dcmread(corpus / "dicompyler-core/rtdose.dcm")
    assert _codes(ds) == set()
    ds.DoseSummationType = "BEAM"
    plan_ref = ds.ReferencedRTPlanSequence[0]
    if "ReferencedFractionGroupSequence" in plan_ref:
        del plan_ref.ReferencedFractionGroupSequence
    del ds.DoseGridScaling
    messages = {f.attribute: f.message for f in check_conformance(ds)}
    assert "Dose Summation Type (3004,000A) is FRACTION, BEAM" in \
        messages["ReferencedRTPlanSequence>ReferencedFractionGroupSequence"]
    assert "PS3.3 C.8.8.3, RT Dose module" in messages["DoseGridScaling"]
    ds.DoseSummationType = "PLAN"
    assert "ReferencedRTPlanSequence>ReferencedFractionGroupSequence" not in \
        {f.attribute for f in check_conformance(ds)}


def test_patient_setup_needs_one_of_its_two_positions(corpus):
    ds = pydicom.dcmread(corpus / "dicompyler-core/rtplan.dcm")
    del ds.PatientSetupSequence[0].PatientPosition
    assert _codes(ds) == {
        ("MISSING_TYPE1C_ATTRIBUTE", "PatientSetupSequence>PatientPosition"),
        ("MISSING_TYPE1C_ATTRIBUTE", "PatientSetupSequence>PatientAdditionalPosition")}
    ds.PatientSetupSequence[0].PatientAdditionalPosition = "SITTING"
    assert _codes(ds) == set()


def test_an_elemental_composition_is_needed_for_elem_fraction(corpus):
    ds = pydicom.dcmread(corpus / "dicompyler-core/rtss.dcm")
    assert _codes(ds) == set()
    prop = Dataset()
    prop.ROIPhysicalProperty = "REL_ELEC_DENSITY"
    prop.ROIPhysicalPropertyValue = 1.0
    ds.RTROIObservationsSequence[0].ROIPhysicalPropertiesSequence = [prop]
    assert _codes(ds) == set()
    prop.ROIPhysicalProperty = "ELEM_FRACTION"
    assert _codes(ds) == {("MISSING_TYPE1C_ATTRIBUTE", "RTROIObservationsSequence>"
                           "ROIPhysicalPropertiesSequence>ROIElementalCompositionSequence")}


def test_every_conditional_rule_cites_its_ps3_3_section():
    assert len(CONDITIONAL_RULES) > 40
    for rule in CONDITIONAL_RULES:
        assert rule.section.startswith("C.8.8."), rule
        assert rule.condition_text.startswith("Required "), rule
        assert rule.attribute_type in ("1C", "2C")
