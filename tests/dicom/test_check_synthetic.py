"""rtviewer check on the demo patients and on copies broken on purpose."""

from __future__ import annotations

import shutil
from pathlib import Path

import pydicom
import pytest
from pydicom.uid import generate_uid

from rtviewer.demo.generate import generate_demo
from rtviewer.dicom.check import check_path
from rtviewer.model.check import CheckReport
from rtviewer.model.findings import Severity

pytestmark = pytest.mark.slow
THORAX = "RTV-DEMO-THORAX"


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    generate_demo(out)
    return out


def _files(folder: Path, modality: str) -> list[tuple[Path, pydicom.Dataset]]:
    found = []
    for path in sorted(folder.rglob("*.dcm")):
        ds = pydicom.dcmread(path, stop_before_pixels=True)
        if ds.Modality == modality:
            found.append((path, ds))
    return found


def _codes(report: CheckReport, severity: Severity | None = None) -> set[str]:
    return {f.code for f in report.findings if severity is None or f.severity is severity}


def test_demo_patients_check_clean(demo):
    report = check_path(demo, use_cache=False)
    assert report.exit_status() == 0, [f for f in report.findings if f.severity is not
                                       Severity.INFO]
    # the teaching patient's interrupted fraction is told, as information
    assert _codes(report) == {"RECORDED_INTERRUPTION"}


def _shift_plan_dose(folder: Path, plan: pydicom.Dataset) -> Path:
    """Move the plan's dose grid 150 mm to the patient's left: the targets fall out."""
    for path, ds in _files(folder, "RTDOSE"):
        if ds.DoseSummationType == "PLAN" and \
                ds.ReferencedRTPlanSequence[0].ReferencedSOPInstanceUID == plan.SOPInstanceUID:
            full = pydicom.dcmread(path)
            full.ImagePositionPatient[0] += 150.0
            full.save_as(path)
            return path
    raise AssertionError("the demo has no PLAN dose for this plan")


def _move_contours(folder: Path) -> Path:
    """Lift the PTV 1 mm off the 2.5 mm CT planes; push one External contour 1 m out."""
    struct_path, _ = _files(folder, "RTSTRUCT")[0]
    rs = pydicom.dcmread(struct_path)
    names = {int(r.ROINumber): r.ROIName for r in rs.StructureSetROISequence}
    for item in rs.ROIContourSequence:
        name = names[int(item.ReferencedROINumber)]
        contours = item.ContourSequence if name == "PTV" else []
        for contour in contours:
            data = [float(v) for v in contour.ContourData]
            data[2::3] = [z + 1.0 for z in data[2::3]]
            contour.ContourData = data
        if name == "External":
            data = [float(v) for v in item.ContourSequence[0].ContourData]
            data[0] += 1000.0
            item.ContourSequence[0].ContourData = data
    rs.save_as(struct_path)
    return struct_path


def _break_records(folder: Path, touched: dict[str, Path]) -> None:
    """Lose fraction 3's continuation; drop a Type 1 attribute in fraction 2's record."""
    for path, ds in _files(folder, "RTRECORD"):
        beams = ds.TreatmentSessionBeamSequence
        fraction = int(beams[0].CurrentFractionNumber)
        if len(beams) == 3 and fraction == 3:
            path.unlink()  # beam 4 of fraction 3 now lacks 23.5 MU
        elif any(b.TreatmentTerminationStatus == "OPERATOR" for b in beams):
            touched["interrupted"] = path
        elif fraction == 2:
            record = pydicom.dcmread(path)
            del record.TreatmentSessionBeamSequence[0].TreatmentTerminationStatus
            record.save_as(path)
            touched["no_status"] = path


def _private_copy(folder: Path, plan_path: Path) -> Path:
    """A copy of the plan under Varian's private SOP class."""
    private = pydicom.dcmread(plan_path)
    private.SOPClassUID = "1.2.246.352.70.1.70"
    private.file_meta.MediaStorageSOPClassUID = private.SOPClassUID
    private.SOPInstanceUID = generate_uid()
    private.file_meta.MediaStorageSOPInstanceUID = private.SOPInstanceUID
    private.save_as(folder / "private_plan.dcm")
    return folder / "private_plan.dcm"


@pytest.fixture(scope="module")
def broken(demo, tmp_path_factory) -> tuple[Path, dict[str, Path]]:
    folder = tmp_path_factory.mktemp("broken") / THORAX
    shutil.copytree(demo / THORAX, folder)
    plan_path, plan = next((p, d) for p, d in _files(folder, "RTPLAN")
                           if d.RTPlanLabel == "Lung VMAT")
    touched = {"dose": _shift_plan_dose(folder, plan), "struct": _move_contours(folder),
               "private": _private_copy(folder, plan_path)}
    _break_records(folder, touched)
    return folder, touched


@pytest.fixture(scope="module")
def broken_report(broken) -> CheckReport:
    return check_path(broken[0], use_cache=False)


def _at(report: CheckReport, folder: Path, path: Path, code: str):
    rel = path.relative_to(folder).as_posix()
    return [f for f in report.findings if f.path == rel and f.code == code]


def test_dose_grid_missing_the_targets(broken, broken_report):
    folder, touched = broken
    found = _at(broken_report, folder, touched["dose"], "DOSE_GRID_MISSES_TARGET")
    rois = sorted(f.message.split("'")[1] for f in found)
    assert rois == ["CTV", "GTV", "PTV"]
    assert all(f.severity is Severity.WARNING for f in found)


def test_contours_off_planes_and_outside_the_volume(broken, broken_report):
    folder, touched = broken
    off = _at(broken_report, folder, touched["struct"], "CONTOUR_OFF_IMAGE_PLANE")
    assert len(off) == 1 and "'PTV'" in off[0].message
    assert "up to 1.00 mm" in off[0].message and off[0].severity is Severity.WARNING
    outside = _at(broken_report, folder, touched["struct"], "CONTOUR_OUTSIDE_IMAGE_VOLUME")
    assert len(outside) == 1 and "'External'" in outside[0].message
    assert outside[0].message.startswith("ROI 1 'External': 1 of ")


def test_delivered_mu_deviation_when_the_continuation_is_lost(broken, broken_report):
    folder, touched = broken
    found = _at(broken_report, folder, touched["interrupted"], "DELIVERED_MU_DEVIATION")
    assert len(found) == 1 and found[0].severity is Severity.WARNING
    assert "fraction 3: 17.0 MU delivered against 40.5 MU planned (-58.1 %)" in found[0].message
    assert _at(broken_report, folder, touched["interrupted"], "RECORDED_INTERRUPTION")[0] \
        .severity is Severity.INFO


def test_record_missing_a_type1_attribute(broken, broken_report):
    folder, touched = broken
    found = _at(broken_report, folder, touched["no_status"], "MISSING_TYPE1_ATTRIBUTE")
    assert [(f.attribute, f.severity) for f in found] == [
        ("TreatmentSessionBeamSequence>TreatmentTerminationStatus", Severity.WARNING)]
    assert "in 1 of 6 TreatmentSessionBeamSequence items" in found[0].message


def test_private_sop_class(broken, broken_report):
    folder, touched = broken
    found = _at(broken_report, folder, touched["private"], "PRIVATE_SOP_CLASS")
    assert len(found) == 1 and found[0].severity is Severity.WARNING
    assert found[0].attribute == "SOPClassUID"
    assert broken_report.exit_status() == 1  # warnings, no errors


def test_patient_and_frame_mismatch(demo, tmp_path):
    folder = tmp_path / THORAX
    shutil.copytree(demo / THORAX, folder)
    for path, _ in _files(folder, "RTRECORD") + _files(folder, "RTIMAGE"):
        path.unlink()  # keep the test small: CT, structures, plans, doses
    struct_path, _ = _files(folder, "RTSTRUCT")[0]
    rs = pydicom.dcmread(struct_path)
    wrong_frame = generate_uid()  # consistently declared, as rt-utils' rt.dcm does
    rs.ReferencedFrameOfReferenceSequence[0].FrameOfReferenceUID = wrong_frame
    for roi in rs.StructureSetROISequence:
        roi.ReferencedFrameOfReferenceUID = wrong_frame
    if "FrameOfReferenceUID" in rs:
        del rs.FrameOfReferenceUID
    rs.save_as(struct_path)
    plan_path, _ = _files(folder, "RTPLAN")[0]
    plan = pydicom.dcmread(plan_path)
    plan.PatientID = "SOMEONE-ELSE"
    plan.save_as(plan_path)
    report = check_path(folder, use_cache=False)
    rel_struct = struct_path.relative_to(folder).as_posix()
    frames = [f for f in report.findings if f.code == "FRAME_OF_REFERENCE_MISMATCH"]
    assert rel_struct in {f.path for f in frames}
    assert all(f.severity is Severity.ERROR for f in frames)
    patients = [f for f in report.findings if f.code == "PATIENT_MISMATCH_IN_CHAIN"]
    assert plan_path.relative_to(folder).as_posix() in {f.path for f in patients}
    assert all("SOMEONE-ELSE" in f.message for f in patients)
    assert report.exit_status() == 2
