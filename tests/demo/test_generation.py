"""The demo folder: layout, Part 10 encoding, determinism, references, readers, scan."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pydicom
from pydicom.uid import ExplicitVRLittleEndian

from rtviewer.cli import main as cli_main
from rtviewer.dicom.dose import read_dose
from rtviewer.dicom.image import read_image_volume
from rtviewer.dicom.plan import read_plan
from rtviewer.dicom.record import read_treatment_record
from rtviewer.dicom.rtimage import read_rt_image
from rtviewer.dicom.scan import scan
from rtviewer.dicom.structure import read_structure_set

EXPECTED_COUNTS = {
    "RTV-DEMO-THORAX": {"CT": 100, "RTSTRUCT": 1, "RTPLAN": 3, "RTDOSE": 11, "RTIMAGE": 7,
                        "RTRECORD": 6},
    "RTV-DEMO-PROSTATE": {"CT": 62, "RTSTRUCT": 1, "RTPLAN": 2, "RTDOSE": 6, "RTRECORD": 5},
    "RTV-DEMO-GYN-HDR": {"CT": 48, "RTSTRUCT": 1, "RTPLAN": 1, "RTDOSE": 1, "RTRECORD": 2},
}


def test_layout_and_part10_encoding(demo_run, demo_headers):
    out, files, _ = demo_run
    counts: dict[str, dict[str, int]] = {}
    for path in files:
        ds = pydicom.dcmread(path)  # not forced: a preamble and file meta must be there
        assert ds.file_meta.TransferSyntaxUID == ExplicitVRLittleEndian
        assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
        assert ds.file_meta.MediaStorageSOPClassUID == ds.SOPClassUID
        assert path == out / ds.PatientID / f"{ds.SOPInstanceUID}.dcm"
        by_modality = counts.setdefault(ds.PatientID, {})
        by_modality[ds.Modality] = by_modality.get(ds.Modality, 0) + 1
    assert counts == EXPECTED_COUNTS


def test_generation_is_deterministic_and_the_cli_writes_into_an_empty_folder(demo_run, tmp_path):
    out, files, _ = demo_run
    second = tmp_path / "again"
    second.mkdir()  # an existing empty folder is fine
    assert cli_main(["demo", "--out", str(second)]) == 0
    again = sorted(second.rglob("*.dcm"))
    assert [p.relative_to(second) for p in again] == [p.relative_to(out) for p in files]
    names = [str(p.relative_to(out)) for p in files]
    match, mismatch, errors = filecmp.cmpfiles(out, second, names, shallow=False)
    assert mismatch == [] and errors == []
    assert len(match) == len(files)


def test_references_between_objects(demo_headers, find):
    h = demo_headers
    for patient in EXPECTED_COUNTS:
        (rs_path,) = find(h, PatientID=patient, Modality="RTSTRUCT")
        rs = h[rs_path]
        ct_uids = {h[p].SOPInstanceUID for p in find(h, PatientID=patient, Modality="CT")}
        ct_series = {h[p].SeriesInstanceUID for p in find(h, PatientID=patient, Modality="CT")}
        ref_series = rs.ReferencedFrameOfReferenceSequence[0].RTReferencedStudySequence[0] \
            .RTReferencedSeriesSequence[0]
        assert {ref_series.SeriesInstanceUID} == ct_series
        assert {i.ReferencedSOPInstanceUID for i in ref_series.ContourImageSequence} == ct_uids
        plans = {h[p].SOPInstanceUID: h[p] for p in find(h, PatientID=patient, Modality="RTPLAN")}
        for plan in plans.values():
            assert plan.ReferencedStructureSetSequence[0].ReferencedSOPInstanceUID == \
                rs.SOPInstanceUID
        for kind in ("RTDOSE", "RTRECORD", "RTIMAGE"):
            for p in find(h, PatientID=patient, Modality=kind):
                ref = h[p].ReferencedRTPlanSequence[0].ReferencedSOPInstanceUID
                assert ref in plans
                if kind == "RTIMAGE":
                    beams = {b.BeamNumber for b in plans[ref].BeamSequence}
                    assert h[p].ReferencedBeamNumber in beams
        frames = {h[p].FrameOfReferenceUID for p in find(h, PatientID=patient)
                  if "FrameOfReferenceUID" in h[p]}
        assert len(frames) == 1


def test_every_object_reads_back_without_warnings(demo_headers, find):
    h = demo_headers
    readers = {"RTSTRUCT": read_structure_set, "RTPLAN": read_plan, "RTDOSE": read_dose,
               "RTIMAGE": read_rt_image, "RTRECORD": read_treatment_record}
    for path, ds in h.items():
        if ds.Modality in readers:
            obj = readers[ds.Modality](path)
            bad = [f.code for f in obj.findings if f.severity.value != "info"]
            # The one expected finding: fraction 3's interrupted beam, by design.
            interrupted = any(b.TreatmentTerminationStatus != "NORMAL"
                              for b in ds.get("TreatmentSessionBeamSequence", []))
            assert bad == (["BEAM_INTERRUPTED"] if interrupted else []), (ds.Modality, path.name)
    for patient in EXPECTED_COUNTS:
        volume = read_image_volume(find(h, PatientID=patient, Modality="CT"))
        assert [f for f in volume.findings if f.severity.value != "info"] == []


def test_scan_resolves_every_reference_without_findings(demo_dir: Path):
    result = scan(demo_dir)
    assert result.problems == () and result.skipped == ()
    assert sorted(p.patient_id for p in result.patients) == sorted(EXPECTED_COUNTS)
    for inst in result.instances():
        assert inst.findings == (), (inst.modality, inst.findings)
        assert all(r.resolved for r in inst.references), (inst.modality, inst.references)


def test_check_reports_no_errors_or_warnings(demo_dir, capsys):
    assert cli_main(["check", str(demo_dir)]) == 0
    out = capsys.readouterr().out
    assert "RECORDED_INTERRUPTION" in out  # information about fraction 3


def test_generation_time(demo_run):
    # The brief: under 15 s on the 2-core build machine (CPU seconds of this process).
    assert demo_run[2] < 15.0
