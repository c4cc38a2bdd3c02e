"""rtviewer check over the real corpus: each README quirk with its code and severity."""

from __future__ import annotations

from collections import Counter

import pytest

from rtviewer.dicom.check import check_path
from rtviewer.model.check import CheckReport, ReportedFinding
from rtviewer.model.findings import Severity

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO


@pytest.fixture(scope="module")
def report(corpus) -> CheckReport:
    return check_path(corpus, use_cache=False)


def _find(report: CheckReport, path: str, code: str) -> list[ReportedFinding]:
    return [f for f in report.findings if f.path == path and f.code == code]


def _one(report: CheckReport, path: str, code: str, severity: Severity) -> ReportedFinding:
    found = _find(report, path, code)
    assert len(found) == 1, (path, code, found)
    assert found[0].severity is severity, found[0]
    return found[0]


NELMS_DOSES = [f"nelms-dvh-analytical/DOSE_GRIDS/Linear_{d}_{s}mm_Aligned.dcm"
               for d in ("AntPost", "SupInf") for s in (1, 2, 3)]


def test_only_the_known_problems_are_errors(report):
    errors = {(f.path, f.code) for f in report.findings if f.severity is E}
    proton = "aptg-proton/plan03_ramp_full/"
    expected = {
        *((p, "DUPLICATE_SOP_INSTANCE_UID") for p in NELMS_DOSES),
        ("rt-utils/mock_data/invalid_reference_rt.dcm", "DUPLICATE_SOP_INSTANCE_UID"),
        ("rt-utils/mock_data/non_existent_reference_rt.dcm", "DUPLICATE_SOP_INSTANCE_UID"),
        ("pydicom-testfiles/rtdose.dcm", "DUPLICATE_SOP_INSTANCE_UID"),
        ("pydicom-testfiles/rtdose_1frame.dcm", "DUPLICATE_SOP_INSTANCE_UID"),
        ("rt-utils/mock_data/rt.dcm", "FRAME_OF_REFERENCE_MISMATCH"),
        (proton + "ramped_2Gy_ver2_full.dcm", "PATIENT_MISMATCH_IN_CHAIN"),
        (proton + "RD1.2.752.243.1.1.20250523160113556.3000.73252.dcm",
         "PATIENT_MISMATCH_IN_CHAIN"),
        (proton + "RD1.2.752.243.1.1.20250523160113556.4000.16653.dcm",
         "PATIENT_MISMATCH_IN_CHAIN"),
        (proton + "RD1.2.752.243.1.1.20250523160113556.5000.84138.dcm",
         "PATIENT_MISMATCH_IN_CHAIN"),
        ("dicompyler-core/rtdose.dcm", "DVH_STATISTICS_UNITS"),
    }
    assert errors == expected


def test_duplicate_uids_with_different_content_are_errors(report):
    for path in NELMS_DOSES:
        finding = _one(report, path, "DUPLICATE_SOP_INSTANCE_UID", E)
        partner = path.replace("AntPost", "X").replace("SupInf", "AntPost").replace("X", "SupInf")
        assert partner in finding.message
        assert finding.sop_instance_uid.startswith("2.16.840.1.113669.2.931128")
    pair = _one(report, "rt-utils/mock_data/rt.dcm", "FRAME_OF_REFERENCE_MISMATCH", E)
    assert "1.2.840.113619.2.405.3.84541899.902.1605198123.912.6060.1" in pair.message


def test_patient_mismatch_names_both_patients(report):
    plan = _one(report, "aptg-proton/plan03_ramp_full/ramped_2Gy_ver2_full.dcm",
                "PATIENT_MISMATCH_IN_CHAIN", E)
    assert "test_LET_ramp" in plan.message and "WTR303030" in plan.message
    assert plan.attribute == "PatientID"


def test_lung_patients_differing_by_trailing_carets_are_not_a_mismatch(report):
    lung = [f for f in report.findings if f.path.startswith("pps-vendor-plans/")
            and f.code == "PATIENT_MISMATCH_IN_CHAIN"]
    assert lung == []


def test_dvh_statistics_in_percent_is_one_error_and_replaces_the_readers_warnings(report):
    finding = _one(report, "dicompyler-core/rtdose.dcm", "DVH_STATISTICS_UNITS", E)
    assert "9 of 9" in finding.message and "14 Gy prescription" in finding.message
    assert _find(report, "dicompyler-core/rtdose.dcm", "DVH_STATISTICS_DISAGREE_WITH_CURVE") \
        == []


def test_missing_instances_counts(report):
    dicompyler = _one(report, "dicompyler-core/rtss.dcm", "MISSING_INSTANCES", W)
    assert dicompyler.message.startswith("97 of the 98 images")
    lctsc = _one(report, "orthanc-tests/LCTSC_RTH/RT.dcm", "MISSING_INSTANCES", W)
    assert lctsc.message.startswith("129 of the 130 images")
    rt_utils = _one(report, "rt-utils/mock_data/invalid_reference_rt.dcm",
                    "MISSING_INSTANCES", W)
    assert rt_utils.message.startswith("3 of the 5 images")


def test_missing_reference_of_the_monaco_dose(report):
    finding = _one(report, "pps-vendor-plans/monaco_plans_VMAT/2018CompLung_VMAT_Dose.dcm",
                   "MISSING_REFERENCE", W)
    assert finding.attribute == "ReferencedStructureSetSequence"
    assert "RT Structure Set" in finding.message


def test_implausible_peak_doses(report):
    monaco = _one(report, "pps-vendor-plans/monaco_plans_VMAT/2018CompLung_VMAT_Dose.dcm",
                  "MAX_DOSE_IMPLAUSIBLE", W)
    assert "51 % of the prescription (20 Gy)" in monaco.message
    pinnacle = [f for f in report.findings if f.code == "MAX_DOSE_IMPLAUSIBLE"
                and f.path.startswith("pps-vendor-plans/pinnacle_plan1/RTDOSE")]
    assert len(pinnacle) == 1 and pinnacle[0].severity is W
    assert "61.45 Gy" in pinnacle[0].message and "10-fraction" in pinnacle[0].message
    # and nothing else: the SRS, Gamma Knife, proton and dicompyler doses are plausible
    assert sum(f.code == "MAX_DOSE_IMPLAUSIBLE" for f in report.findings) == 2


def test_series_with_several_volumes(report):
    splits = [f for f in report.findings if f.code == "SERIES_UID_MULTIPLE_VOLUMES"]
    assert all(f.severity is W for f in splits)
    folders = Counter(f.path.split("/")[0] for f in splits)
    assert folders == {"pydicom-testfiles": 3, "nelms-dvh-analytical": 1}


def test_information_level_quirks(report):
    for path in ("pymedphys/06MV_plan.dcm", "pydicom-testfiles/rtstruct.dcm",
                 "pps-vendor-plans/monaco_plans_VMAT/2018CompLung_VMAT_Dose.dcm"):
        _one(report, path, "NO_FILE_META", INFO)
    assert sum(f.code == "NO_FILE_META" for f in report.findings) == 8
    nelms_structures = [f for f in report.findings if f.code == "EMPTY_PIXEL_DATA"]
    assert len(nelms_structures) == 30
    assert all(f.path.startswith("nelms-dvh-analytical/STRUCTURES/") and f.severity is INFO
               for f in nelms_structures)
    poi = [f for f in _find(report, "nelms-dvh-analytical/STRUCTURES/Sphere_10_0.dcm",
                            "ROI_WITHOUT_CONTOURS")]
    assert len(poi) == 1 and poi[0].severity is INFO and "POI_1" in poi[0].message
    areola = _find(report, "dicompyler-core/rtss.dcm", "ROI_WITHOUT_CONTOURS")
    assert len(areola) == 1 and "Areola" in areola[0].message


def test_conformance_findings_on_known_files(report):
    # RayStation writes an empty Frame of Reference UID (Type 1) in its structure set
    empty = _one(report, "pps-vendor-plans/BrainSRSRaystationVMAT/"
                 "RS1.2.752.243.1.1.20180405120828292.2900.76357.dcm",
                 "EMPTY_TYPE1_ATTRIBUTE", W)
    assert empty.attribute == "FrameOfReferenceUID"
    frames = _one(report, "pydicom-testfiles/rtdose_1frame.dcm", "MISSING_TYPE1_ATTRIBUTE", W)
    assert frames.attribute == "NumberOfFrames"
    operators = [f for f in report.findings if f.code == "MISSING_TYPE2_ATTRIBUTE"
                 and f.path == "dicompyler-core/rtss.dcm"]
    assert [f.attribute for f in operators] == ["OperatorsName"]
    assert operators[0].severity is INFO


def test_every_finding_is_located(report):
    for f in report.findings:
        assert f.path and not f.path.startswith("/"), f
        assert f.code.isupper() and " " not in f.code
        assert f.message.endswith((".", ")")), f
    assert report.exit_status() == 2


def test_reader_quirks_reach_the_report_with_their_attribute(report):
    hdr = _find(report, "pytg43-brachy/HDR/RP.HDR.dcm", "PYDICOM_WARNING")
    assert [(f.severity, f.attribute) for f in hdr] == [(INFO, "StudyInstanceUID")]
    assert "'UNKNOWN'" in hdr[0].message
    for name in ("DRGS_open.dcm", "DRGS_dmlc.dcm", "EPID-PF-LR.dcm"):
        position = [f for f in report.findings if f.path == f"pylinac/{name}"
                    and f.attribute == "RTImagePosition"]
        assert [f.severity for f in position] == [W], name
    offsets = [f for f in report.findings if f.path == "pydicom-testfiles/rtdose_1frame.dcm"
               and f.attribute == "GridFrameOffsetVector" and f.severity is W]
    assert len(offsets) == 1 and "15 values" in offsets[0].message
    empty_target = [f for f in report.findings
                    if f.path == "pps-vendor-plans/monaco_plans_VMAT/2018CompLung_VMAT.dcm"
                    and f.attribute == "TargetPrescriptionDose"]
    assert len(empty_target) == 1 and empty_target[0].severity is INFO


def test_every_finding_names_its_attribute(report):
    assert [f for f in report.findings if not f.attribute] == []


def test_studies_and_frames_shared_by_patients(report):
    shared = {(f.path.split("/")[0], f.code) for f in report.findings
              if f.code in ("STUDY_SHARED_BY_PATIENTS", "FRAME_OF_REFERENCE_SHARED_BY_PATIENTS")}
    assert shared == {(folder, code) for folder in ("aptg-proton", "pps-vendor-plans")
                      for code in ("STUDY_SHARED_BY_PATIENTS",
                                   "FRAME_OF_REFERENCE_SHARED_BY_PATIENTS")}
    srs = [f for f in report.findings if f.code == "STUDY_SHARED_BY_PATIENTS"
           and f.path.startswith("pps-vendor-plans/BrainSRSRaystationVMAT/")]
    assert len(srs) == 1 and srs[0].severity is W
    assert "patient ID brain" in srs[0].message and "2018_Comp_SRS-Brain" in srs[0].message
    # the lung files differ only by a trailing ^^ in the name: the same patient
    assert not any(f.path.startswith("pps-vendor-plans/LungIMRT") for f in report.findings
                   if f.code.endswith("_SHARED_BY_PATIENTS"))


def test_invalid_uids_of_the_brachy_plan(report):
    invalid = _find(report, "pytg43-brachy/HDR/RP.HDR.dcm", "INVALID_UID")
    assert sorted((f.attribute, f.severity) for f in invalid) == [
        ("SeriesInstanceUID", W), ("StudyInstanceUID", W)]
    assert "'UNKNOWN'" in invalid[0].message
    assert sum(f.code == "INVALID_UID" for f in report.findings) == 2
