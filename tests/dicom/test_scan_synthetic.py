"""Scan details on synthetic files: encodings, truncation inside sequences, private classes."""

from __future__ import annotations

import numpy as np
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import (
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    generate_uid,
)

from rtviewer.dicom import header_walk
from rtviewer.dicom.header import read_record
from rtviewer.dicom.header_values import IMAGE_TAGS
from rtviewer.dicom.scan import scan
from rtviewer.dicom.sop_classes import lookup
from rtviewer.errors import UnreadableFileError

CT = "1.2.840.10008.5.1.4.1.1.2"


def _ct(z_mm: float, *, thickness: str = "2", series: str = "1.2.3.4") -> Dataset:
    ds = Dataset()
    ds.SOPClassUID, ds.SOPInstanceUID, ds.Modality = CT, generate_uid(), "CT"
    ds.PatientID, ds.PatientName = "P1", "Doe^Jane^^ "
    ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = "1.2.3", series, "1.2.9"
    ds.ImagePositionPatient = [-10.0, -20.0, z_mm]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.PixelSpacing, ds.SliceThickness = [0.5, 0.75], thickness
    ds.Rows, ds.Columns = 4, 3
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
    ds.ReferencedImageSequence = Sequence([Dataset()])
    ds.ReferencedImageSequence[0].ReferencedSOPInstanceUID = generate_uid()
    ds.PixelData = np.zeros((4, 3), np.int16).tobytes()
    return ds


def _save(ds: Dataset, path, ts=ExplicitVRLittleEndian) -> None:
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ts
    ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.save_as(path, enforce_file_format=True)


@pytest.mark.parametrize("ts", [ExplicitVRLittleEndian, ImplicitVRLittleEndian,
                                ExplicitVRBigEndian])
def test_image_record_in_every_encoding(tmp_path, ts):
    path = tmp_path / "ct.dcm"
    _save(_ct(12.5), path, ts)
    rec = read_record(str(path), path.stat().st_size)
    assert rec["status"] == "instance"
    assert rec["position"] == [-10.0, -20.0, 12.5]
    assert rec["pixel_spacing"] == [0.5, 0.75] and rec["slice_thickness"] == 2.0
    assert (rec["rows"], rec["columns"]) == (4, 3)
    assert rec["patient_name"] == "Doe^Jane"
    assert rec["summary"] == "3×4 at 0.75×0.5 mm, slice thickness 2 mm"


@pytest.mark.parametrize(("ts", "item_tag"), [
    (ExplicitVRLittleEndian, b"\xfe\xff\x00\xe0"), (ImplicitVRLittleEndian, b"\xfe\xff\x00\xe0"),
    (ExplicitVRBigEndian, b"\xff\xfe\xe0\x00")])
def test_truncation_inside_a_sequence_is_detected(tmp_path, ts, item_tag):
    """The scan and the readers share one detector: both refuse the cut file."""
    path = tmp_path / "ct.dcm"
    _save(_ct(0.0), path, ts)
    data = path.read_bytes()
    header_walk.walk_file(data, len(data), IMAGE_TAGS)  # complete: no error
    header_walk.check_not_truncated(path)
    cut = data.index(item_tag) + 12  # inside the first sequence item
    with pytest.raises(header_walk.FileTruncated):
        header_walk.walk_file(data[:cut], cut, IMAGE_TAGS)
    (tmp_path / "cut.dcm").write_bytes(data[:cut])
    rec = read_record(str(tmp_path / "cut.dcm"), cut)
    assert rec["status"] == "problem" and rec["reason"].startswith("truncated")
    with pytest.raises(UnreadableFileError, match="truncated"):
        header_walk.check_not_truncated(tmp_path / "cut.dcm")


def test_volumes_split_on_repeated_position_and_thickness(tmp_path):
    for name, z, thickness in [("a1", 0.0, "2"), ("a2", 2.0, "2"), ("b1", 0.0, "2"),
                               ("c1", 0.0, "3")]:
        _save(_ct(z, thickness=thickness), tmp_path / f"{name}.dcm")
    result = scan(tmp_path, use_cache=False)
    series = result.patients[0].studies[0].series
    assert [(s.volume_index, s.instance_count) for s in series] == [(0, 2), (1, 1), (2, 1)]
    assert {s.series_instance_uid for s in series} == {"1.2.3.4"}
    message = series[0].findings[0].message
    assert "Slice Thickness" in message and "repeated Image Position" in message
    assert result.patients[0].patient_name == "Doe^Jane"


def test_private_varian_plan_class(tmp_path):
    ds = Dataset()
    ds.SOPClassUID, ds.SOPInstanceUID, ds.Modality = "1.2.246.352.70.1.70", generate_uid(), \
        "RTPLAN"
    ds.PatientID, ds.StudyInstanceUID, ds.SeriesInstanceUID = "H1", "1.2.3", "1.2.3.5"
    ds.RTPlanLabel = "Halcyon"
    ds.BeamSequence = Sequence()
    for number in (1, 2):
        beam = Dataset()
        beam.BeamNumber, beam.TreatmentDeliveryType = number, "TREATMENT"
        ds.BeamSequence.append(beam)
    group = Dataset()
    group.FractionGroupNumber, group.NumberOfFractionsPlanned = 1, 20
    ds.FractionGroupSequence = Sequence([group])
    _save(ds, tmp_path / "plan.dcm")
    inst = scan(tmp_path, use_cache=False).instances()[0]
    assert (inst.kind, inst.sop_class_name) == ("rtplan", "Varian RT Plan (private)")
    assert inst.summary == "Plan 'Halcyon': 2 beams, 20 fractions"
    assert "PRIVATE_SOP_CLASS" in [f.code for f in inst.findings]


def test_sop_class_lookup():
    assert lookup("1.2.840.10008.5.1.4.1.1.481.8").kind == "rtionplan"
    assert lookup("1.2.840.10008.5.1.4.1.1.481.2\x00").name == "RT Dose Storage"
    xa = lookup("1.2.840.10008.5.1.4.1.1.12.1")
    assert (xa.kind, xa.name) == ("other", "X-Ray Angiographic Image Storage")
    assert lookup("1.2.3.4.5").name == "1.2.3.4.5"
    assert lookup(None).kind == "other"


def _plan(uid: str) -> Dataset:
    ds = Dataset()
    ds.SOPClassUID, ds.SOPInstanceUID, ds.Modality = "1.2.840.10008.5.1.4.1.1.481.5", uid, \
        "RTPLAN"
    ds.PatientID, ds.StudyInstanceUID, ds.SeriesInstanceUID = "P9", "1.2.3", "1.2.3.7"
    ds.RTPlanLabel = "Prostate"
    beam = Dataset()
    beam.BeamNumber, beam.TreatmentDeliveryType = 1, "TREATMENT"
    ds.BeamSequence = Sequence([beam])
    return ds


def _referencing(sop_class: str, modality: str, plan_uid: str) -> Dataset:
    ds = Dataset()
    ds.SOPClassUID, ds.SOPInstanceUID, ds.Modality = sop_class, generate_uid(), modality
    ds.PatientID, ds.StudyInstanceUID, ds.SeriesInstanceUID = "P9", "1.2.3", generate_uid()
    ref = Dataset()
    ref.ReferencedSOPClassUID = "1.2.840.10008.5.1.4.1.1.481.5"
    ref.ReferencedSOPInstanceUID = plan_uid
    ds.ReferencedRTPlanSequence = Sequence([ref])
    return ds


def test_treatment_record_and_rt_image_references(tmp_path):
    plan_uid = generate_uid()
    _save(_plan(plan_uid), tmp_path / "plan.dcm")
    record = _referencing("1.2.840.10008.5.1.4.1.1.481.4", "RTRECORD", plan_uid)
    record.TreatmentDate = "20260314"
    session = Dataset()
    session.CurrentFractionNumber, session.ReferencedBeamNumber = 3, 1
    record.TreatmentSessionBeamSequence = Sequence([session])
    _save(record, tmp_path / "record.dcm")
    for name, beam_number in (("drr1.dcm", 1), ("drr2.dcm", 2)):
        image = _referencing("1.2.840.10008.5.1.4.1.1.481.1", "RTIMAGE", plan_uid)
        image.RTImageLabel, image.ImageType = f"DRR {beam_number}", ["DERIVED", "SECONDARY",
                                                                     "DRR"]
        image.ReferencedBeamNumber = beam_number
        image.Rows = image.Columns = 2
        image.SamplesPerPixel, image.PhotometricInterpretation = 1, "MONOCHROME2"
        image.BitsAllocated, image.BitsStored, image.HighBit = 16, 16, 15
        image.PixelRepresentation, image.PixelData = 0, bytes(8)
        _save(image, tmp_path / name)
    by_name = {i.path.name: i for i in scan(tmp_path, use_cache=False).instances()}
    rec = by_name["record.dcm"]
    assert rec.summary == "Treatment record 2026-03-14, fraction 3"
    assert [(r.kind, r.resolved) for r in rec.references] == [("rtplan", True)]
    drr1, drr2 = by_name["drr1.dcm"], by_name["drr2.dcm"]
    assert drr1.summary == "RT Image 'DRR 1': DRR"
    assert [(r.kind, r.uid, r.resolved) for r in drr1.references] == [
        ("rtplan", plan_uid, True), ("beam", f"{plan_uid}#1", True)]
    assert [(r.kind, r.resolved) for r in drr2.references] == [("rtplan", True),
                                                               ("beam", False)]
