"""``rtviewer check``: JSON document, readable output, exit statuses, junk folders."""

from __future__ import annotations

import json
import os
import shutil

import pytest

from rtviewer.cli import main

FINDING_KEYS = {"severity", "code", "path", "sop_instance_uid", "attribute", "message",
                "assumption"}


def _json(capsys, *args: str) -> tuple[int, dict]:
    status = main(["check", "--json", *args])
    return status, json.loads(capsys.readouterr().out)


@pytest.mark.corpus
def test_json_document_schema_and_exit_2_on_errors(corpus, capsys):
    status, doc = _json(capsys, str(corpus / "rt-utils"))
    assert status == 2
    assert set(doc) == {"root", "findings", "counts"}
    assert doc["root"] == str(corpus / "rt-utils")
    assert set(doc["counts"]) == {"error", "warning", "info"}
    assert all(set(f) == FINDING_KEYS for f in doc["findings"])
    assert all(f["severity"] in ("error", "warning", "info") for f in doc["findings"])
    for severity in ("error", "warning", "info"):
        assert doc["counts"][severity] == sum(f["severity"] == severity
                                              for f in doc["findings"])
    mismatch = [f for f in doc["findings"] if f["code"] == "FRAME_OF_REFERENCE_MISMATCH"]
    assert mismatch == [{
        "severity": "error", "code": "FRAME_OF_REFERENCE_MISMATCH",
        "path": "mock_data/rt.dcm",
        "sop_instance_uid": "1.2.826.0.1.3680043.8.498.22430495616617216947739970650082853315",
        "attribute": "FrameOfReferenceUID", "message": mismatch[0]["message"],
        "assumption": "none: the objects are not overlaid"}]


@pytest.mark.corpus
def test_exit_1_on_warnings_and_0_when_only_information(corpus, capsys):
    status, doc = _json(capsys, str(corpus / "pymedphys"))
    assert status == 1
    assert doc["counts"] == {"error": 0, "warning": 4, "info": 5}
    assert {f["code"] for f in doc["findings"] if f["severity"] == "warning"} == \
        {"MISSING_REFERENCE"}
    status, doc = _json(capsys, str(corpus / "matrad-dicomexport"))
    assert status == 0 and doc["counts"]["error"] == doc["counts"]["warning"] == 0


@pytest.mark.corpus
def test_single_file_paths_are_relative_to_its_folder(corpus, capsys):
    status, doc = _json(capsys, str(corpus / "pymedphys" / "06MV_plan.dcm"))
    assert status == 1
    assert {f["path"] for f in doc["findings"]} == {"06MV_plan.dcm"}
    no_meta = [f for f in doc["findings"] if f["code"] == "NO_FILE_META"]
    assert no_meta[0]["severity"] == "info"
    assert no_meta[0]["assumption"] == "Implicit VR Little Endian, the DICOM default"


@pytest.mark.corpus
def test_readable_output_groups_by_file(corpus, capsys):
    status = main(["check", str(corpus / "rt-utils")])
    text = capsys.readouterr().out
    assert status == 2
    assert "mock_data/rt.dcm  (SOP Instance UID 1.2.826.0.1.3680043.8.498.2243049561661" in text
    assert "  ERROR   FRAME_OF_REFERENCE_MISMATCH [FrameOfReferenceUID]" in text
    assert "rtviewer assumes: none: the objects are not overlaid" in text
    assert "ERROR   DUPLICATE_SOP_INSTANCE_UID ×2, FRAME_OF_REFERENCE_MISMATCH ×1" in text
    assert text.rstrip().endswith("3 error(s), 3 warning(s), 4 information(s) in 3 file(s).")


def test_usage_errors_and_unreadable_paths_exit_3(tmp_path, capsys):
    assert main(["check", str(tmp_path / "absent")]) == 3
    assert "no such file or folder" in capsys.readouterr().err
    (tmp_path / "notes.txt").write_text("not DICOM")
    assert main(["check", str(tmp_path / "notes.txt")]) == 3
    assert "nothing to check" in capsys.readouterr().err
    for argv in (["check"], ["check", "--bogus", str(tmp_path)],
                 ["check", str(tmp_path), "extra"]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 3, argv
    capsys.readouterr()


def test_empty_folder_is_fine(tmp_path, capsys):
    status, doc = _json(capsys, str(tmp_path))
    assert status == 0 and doc["findings"] == []


@pytest.mark.corpus
def test_junk_folder_never_crashes(corpus, tmp_path, capsys):
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "empty.dcm").write_bytes(b"")
    (junk / "text.dcm").write_text("not DICOM at all\n" * 20)
    (junk / "random.bin").write_bytes(os.urandom(4096))
    (junk / "folder.dcm").mkdir()
    (junk / "DICM_only.dcm").write_bytes(b"\0" * 128 + b"DICM")
    source = (corpus / "dicompyler-core" / "rtss.dcm").read_bytes()
    (junk / "truncated_rtss.dcm").write_bytes(source[: len(source) // 3])
    plan = (corpus / "pymedphys" / "06MV_plan.dcm").read_bytes()
    (junk / "truncated_plan.dcm").write_bytes(plan[:2000])
    dose = bytearray((corpus / "dicompyler-core" / "rtdose.dcm").read_bytes())
    dose[400:440] = b"\xff" * 40  # corrupt the header
    (junk / "corrupt_dose.dcm").write_bytes(bytes(dose))
    shutil.copy(corpus / "dicompyler-core" / "rtplan.dcm", junk / "good_plan.dcm")
    status, doc = _json(capsys, str(junk))
    assert status in (0, 1, 2)
    assert all(set(f) == FINDING_KEYS for f in doc["findings"])
    assert all(f["path"] and not f["path"].startswith("/") for f in doc["findings"])
    truncated = [f for f in doc["findings"] if f["path"] == "truncated_rtss.dcm"]
    assert [(f["code"], f["severity"], f["attribute"]) for f in truncated] == \
        [("UNREADABLE_FILE", "error", "ROIContourSequence")]  # (3006,0039)


@pytest.mark.corpus
def test_damaged_rt_objects_are_errors_not_tracebacks(corpus, tmp_path, capsys):
    import pydicom

    src = corpus / "dicompyler-core"
    dose = pydicom.dcmread(src / "rtdose.dcm")
    dose.Rows = 0
    dose.save_as(tmp_path / "dose_rows0.dcm")
    plan = pydicom.dcmread(src / "rtplan.dcm")
    del plan.BeamSequence[0].BeamNumber
    plan.save_as(tmp_path / "plan_no_beam_number.dcm")
    ct = pydicom.dcmread(src / "ct.0.dcm")
    del ct.ImagePositionPatient
    ct.save_as(tmp_path / "ct_no_position.dcm")
    structures = pydicom.dcmread(src / "rtss.dcm")
    structures.ROIContourSequence[0].ContourSequence[0].ContourData = [1.0, 2.0]
    structures.save_as(tmp_path / "rtss_bad_contour.dcm")
    status, doc = _json(capsys, str(tmp_path))
    assert status == 2
    errors = {(f["path"], f["code"], f["attribute"]) for f in doc["findings"]
              if f["severity"] == "error"}
    assert ("ct_no_position.dcm", "MISSING_TYPE1_ATTRIBUTE", "ImagePositionPatient") in errors
    assert ("plan_no_beam_number.dcm", "MISSING_TYPE1_ATTRIBUTE",
            "BeamSequence>BeamNumber") in errors
    assert any(p == "dose_rows0.dcm" for p, _, _ in errors)
    contour = [f for f in doc["findings"] if f["path"] == "rtss_bad_contour.dcm"
               and f["attribute"] == "ContourData" and f["severity"] == "warning"]
    assert contour  # the reader drops the contour and says so


def test_invalid_uid_values_become_findings_not_console_warnings(corpus, tmp_path):
    # In a subprocess: under pytest, warnings would be errors or captured, not printed.
    import subprocess
    import sys

    import pydicom

    ds = pydicom.dcmread(corpus / "dicompyler-core" / "rtplan.dcm")
    with pytest.warns(UserWarning, match="Invalid value for VR UI"):
        ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.481.5..x"  # not a valid UID
    ds.save_as(tmp_path / "bad.dcm")
    run = subprocess.run([sys.executable, "-m", "rtviewer", "check", str(tmp_path), "--json"],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode in (0, 1, 2), run.stderr
    assert "Warning" not in run.stderr
    findings = json.loads(run.stdout)["findings"]
    assert "PYDICOM_WARNING" in {f["code"] for f in findings}
    assert "CHECK_INCOMPLETE" not in {f["code"] for f in findings}
