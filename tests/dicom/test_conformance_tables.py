"""The standard's tables (package data from highdicom's copy of PS3.3) say what PS3.3 says."""

from __future__ import annotations

import pydicom
import pytest
from pydicom.dataset import Dataset

from rtviewer.dicom.conformance import (
    check_conformance,
    check_iod_attributes,
    iod_name_for_sop_class,
    module_rules_for_iod,
)
from rtviewer.model.findings import Severity

RT_IODS = {
    "1.2.840.10008.5.1.4.1.1.481.1": "rt-image",
    "1.2.840.10008.5.1.4.1.1.481.2": "rt-dose",
    "1.2.840.10008.5.1.4.1.1.481.3": "rt-structure-set",
    "1.2.840.10008.5.1.4.1.1.481.4": "rt-beams-treatment-record",
    "1.2.840.10008.5.1.4.1.1.481.5": "rt-plan",
    "1.2.840.10008.5.1.4.1.1.481.6": "rt-brachy-treatment-record",
    "1.2.840.10008.5.1.4.1.1.481.8": "rt-ion-plan",
    "1.2.840.10008.5.1.4.1.1.481.9": "rt-ion-beams-treatment-record",
    "1.2.840.10008.5.1.4.1.1.2": "ct-image",
    "1.2.840.10008.5.1.4.1.1.4": "mr-image",
    "1.2.840.10008.5.1.4.1.1.128": "positron-emission-tomography-image",
}


@pytest.mark.parametrize(("uid", "iod"), sorted(RT_IODS.items()))
def test_every_iod_rtviewer_reads_has_its_modules(uid, iod):
    assert iod_name_for_sop_class(uid) == iod
    modules = module_rules_for_iod(iod)
    names = {m.module for m in modules}
    assert {"patient", "general-study", "sop-common"} <= names
    assert all(m.usage in ("M", "C", "U") for m in modules)


def _usage(iod: str, module: str) -> str:
    return next(m.usage for m in module_rules_for_iod(iod) if m.module == module)


def _type(iod: str, module: str, keyword: str, path: tuple[str, ...] = ()) -> str:
    mod = next(m for m in module_rules_for_iod(iod) if m.module == module)
    return next(r.attribute_type for r in mod.rules if r.keyword == keyword and r.path == path)


def test_tables_say_what_ps3_3_says():
    # Frame of Reference is User-optional in RT Structure Set (PS3.3 A.19.3), Mandatory in CT
    assert _usage("rt-structure-set", "frame-of-reference") == "U"
    assert _usage("ct-image", "frame-of-reference") == "M"
    assert _usage("rt-plan", "rt-beams") == "C"
    assert _type("rt-dose", "rt-dose", "DoseUnits") == "1"
    assert _type("rt-dose", "rt-dose", "DoseSummationType") == "1"
    assert _type("rt-structure-set", "structure-set", "StructureSetLabel") == "1"
    assert _type("rt-structure-set", "structure-set", "ROINumber", ("StructureSetROISequence",)) \
        == "1"
    assert _type("rt-plan", "rt-beams", "BeamNumber", ("BeamSequence",)) == "1"
    assert _type("rt-plan", "rt-beams", "ControlPointIndex",
                 ("BeamSequence", "ControlPointSequence")) == "1"
    with pytest.raises(StopIteration):  # Type 1C (first control point only): not checked
        _type("rt-plan", "rt-beams", "GantryAngle", ("BeamSequence", "ControlPointSequence"))
    assert _type("ct-image", "general-equipment", "Manufacturer") == "2"


def test_unknown_sop_class_has_no_iod():
    assert iod_name_for_sop_class("1.2.246.352.70.1.70") is None
    ds = Dataset()
    ds.SOPClassUID = "1.2.246.352.70.1.70"
    assert check_iod_attributes(ds) == []


def _minimal_rtdose() -> Dataset:
    ds = Dataset()
    ds.SOPClassUID = pydicom.uid.RTDoseStorage
    ds.SOPInstanceUID = "1.2.3.4"
    ds.Modality = "RTDOSE"
    return ds


def test_missing_type1_needed_is_error_and_type2_is_info():
    ds = _minimal_rtdose()
    ds.DoseType = "PHYSICAL"  # the RT Dose module is there, DoseUnits is not
    findings = check_iod_attributes(ds)
    by_attr = {(f.code, f.attribute): f for f in findings}
    # DoseUnits: Type 1 and needed -> error
    assert by_attr[("MISSING_TYPE1_ATTRIBUTE", "DoseUnits")].severity is Severity.ERROR
    # DoseSummationType: Type 1, rtviewer can go on -> warning
    assert by_attr[("MISSING_TYPE1_ATTRIBUTE", "DoseSummationType")].severity is Severity.WARNING
    # the patient module is entirely absent: one finding, info (its top level is Type 2)
    patient = by_attr[("MISSING_MODULE", "PatientName")]
    assert patient.severity is Severity.INFO
    # SeriesNumber is Type 2 in the RT Series module
    assert by_attr[("MISSING_TYPE2_ATTRIBUTE", "SeriesNumber")].severity is Severity.INFO
    # General Equipment absent entirely: Manufacturer is Type 2, so information
    assert by_attr[("MISSING_MODULE", "Manufacturer")].severity is Severity.INFO


def test_missing_mandatory_module_with_needed_type1_is_error():
    findings = check_iod_attributes(_minimal_rtdose())  # no RT Dose module at all
    module = [f for f in findings if f.code == "MISSING_MODULE" and "rt-dose" in f.message]
    assert len(module) == 1 and module[0].severity is Severity.ERROR


def test_empty_type1_and_nested_items_are_counted():
    ds = _minimal_rtdose()
    ds.SOPClassUID = pydicom.uid.RTPlanStorage
    ds.Modality = "RTPLAN"
    ds.RTPlanLabel = ""
    beams = []
    for number in (1, 2, 3):
        beam = Dataset()
        if number != 2:
            beam.BeamNumber = number
        beams.append(beam)
    ds.BeamSequence = beams
    findings = check_iod_attributes(ds)
    by_attr = {(f.code, f.attribute): f for f in findings}
    assert by_attr[("EMPTY_TYPE1_ATTRIBUTE", "RTPlanLabel")].severity is Severity.WARNING
    beam_number = by_attr[("MISSING_TYPE1_ATTRIBUTE", "BeamSequence>BeamNumber")]
    assert "1 of 3 BeamSequence items" in beam_number.message
    assert beam_number.severity is Severity.ERROR  # rtviewer keys beams by number


def test_optional_module_checked_only_when_present():
    ds = _minimal_rtdose()
    ds.SOPClassUID = pydicom.uid.RTStructureSetStorage
    ds.Modality = "RTSTRUCT"
    attrs = {f.attribute for f in check_iod_attributes(ds)}
    assert "PositionReferenceIndicator" not in attrs  # Frame of Reference module absent
    ds.FrameOfReferenceUID = "1.2.3"
    attrs = {f.attribute for f in check_iod_attributes(ds)}
    assert "PositionReferenceIndicator" in attrs  # present -> its Type 2 is checked


def test_enumerated_value_outside_the_list_is_info():
    ds = _minimal_rtdose()
    ds.DoseUnits = "CGY"
    enum = [f for f in check_conformance(ds) if f.code == "ENUMERATED_VALUE"]
    assert [(f.attribute, f.severity) for f in enum] == [("DoseUnits", Severity.INFO)]
    assert "'CGY'" in enum[0].message
