"""Spatial Registration: a corpus dose moved to another frame by a known matrix and back."""

from __future__ import annotations

import numpy as np
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import (
    DeformableSpatialRegistrationStorage,
    ExplicitVRLittleEndian,
    SpatialRegistrationStorage,
    generate_uid,
)

from rtviewer.dicom.dose import read_dose
from rtviewer.dicom.registration import read_registration
from rtviewer.errors import IncompatibleDataError, UnsupportedObjectError
from rtviewer.model.plan_compare import compare_doses
from rtviewer.model.registration import dose_in_frame

pytestmark = pytest.mark.corpus

PLAN_DOSE = "aptg-proton/plan03_ramp_full/RD1.2.752.243.1.1.20250523160113556.3000.73252.dcm"
OTHER_FRAME = "2.25.1904200001"


def _rotation_z(degrees, shift):
    t = np.radians(degrees)
    m = np.eye(4)
    m[:2, :2] = [[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]]
    m[:3, 3] = shift
    return m


def _write_reg(path, registered_frame, items, sop_class=SpatialRegistrationStorage):
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = sop_class
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID, ds.SOPInstanceUID = sop_class, ds.file_meta.MediaStorageSOPInstanceUID
    ds.Modality = "REG"
    ds.FrameOfReferenceUID = registered_frame
    sequence = []
    for frame, matrix in items:
        entry = Dataset()
        entry.FrameOfReferenceTransformationMatrix = [f"{v:.10g}" for v in matrix.ravel()]
        entry.FrameOfReferenceTransformationMatrixType = "RIGID"
        registration = Dataset()
        registration.MatrixSequence = [entry]
        item = Dataset()
        item.FrameOfReferenceUID = frame
        item.MatrixRegistrationSequence = [registration]
        sequence.append(item)
    ds.RegistrationSequence = sequence
    ds.save_as(path, enforce_file_format=True)
    return path


@pytest.mark.parametrize("degrees", [90.0, 10.0])
def test_dose_moved_to_another_frame_and_back(corpus, tmp_path, degrees):
    dose = read_dose(corpus / PLAN_DOSE)
    frame = dose.grid.frame_of_reference_uid
    moved_by = _rotation_z(degrees, (12.5, -7.0, 3.0))
    moved = dose_in_frame(dose, moved_by, OTHER_FRAME)  # e.g. a replan on a CBCT frame
    # Same values; a voxel centre p of the original is at moved_by @ p in the other frame.
    p = dose.grid.index_to_patient([40, 50, 60])
    q = moved.grid.index_to_patient([40, 50, 60])
    np.testing.assert_allclose(q, (moved_by @ [*p, 1])[:3], atol=1e-9)
    with pytest.raises(IncompatibleDataError, match="registration"):
        compare_doses(dose, moved)
    # The REG lives on the planning frame: the other frame maps back by the inverse.
    reg = read_registration(_write_reg(tmp_path / "reg.dcm", frame,
                                       [(frame, np.eye(4)),
                                        (OTHER_FRAME, np.linalg.inv(moved_by))]))
    assert set(reg.frames) == {frame, OTHER_FRAME}
    back_matrix = reg.matrix(OTHER_FRAME, frame)
    np.testing.assert_allclose(back_matrix, np.linalg.inv(moved_by), atol=1e-8)
    back = dose_in_frame(moved, back_matrix, frame)
    np.testing.assert_allclose(back.grid.affine, dose.grid.affine, atol=1e-6)
    result = compare_doses(dose, back)
    assert result.max_abs_difference_gy < 1e-4


def test_deformable_registration_is_named_out_of_scope(tmp_path):
    path = _write_reg(tmp_path / "dreg.dcm", "2.25.1", [("2.25.2", np.eye(4))],
                      DeformableSpatialRegistrationStorage)
    with pytest.raises(UnsupportedObjectError, match="Deformable.*out of scope"):
        read_registration(path)


def test_unregistered_frame_is_refused_with_the_frames(tmp_path):
    reg = read_registration(_write_reg(tmp_path / "reg.dcm", "2.25.1",
                                       [("2.25.2", _rotation_z(5, (1, 2, 3)))]))
    with pytest.raises(IncompatibleDataError, match="does not register.*2.25.9"):
        reg.matrix("2.25.9", "2.25.1")
    np.testing.assert_allclose(reg.matrix("2.25.1", "2.25.2"),
                               np.linalg.inv(_rotation_z(5, (1, 2, 3))), atol=1e-9)


def test_compare_cli_applies_a_registration(corpus, tmp_path, capsys):
    import pydicom

    from rtviewer.cli import main

    source = corpus / PLAN_DOSE
    ds = pydicom.dcmread(source)
    frame = str(ds.FrameOfReferenceUID)
    shift = np.array([15.0, -20.0, 7.5])  # the same dose exported on a CBCT's frame
    ds.FrameOfReferenceUID = OTHER_FRAME
    ds.ImagePositionPatient = [float(v) + s for v, s in zip(ds.ImagePositionPatient, shift,
                                                             strict=True)]
    ds.save_as(tmp_path / "moved.dcm")
    assert main(["compare", str(source), str(tmp_path / "moved.dcm"), "--json"]) == 2
    assert "registration" in capsys.readouterr().err
    back = np.eye(4)
    back[:3, 3] = -shift
    reg = _write_reg(tmp_path / "reg.dcm", frame, [(OTHER_FRAME, back)])
    assert main(["compare", str(source), str(tmp_path / "moved.dcm"), "--registration",
                 str(reg), "--json"]) == 0
    captured = capsys.readouterr()
    assert "moved from Frame of Reference" in captured.err and "-15.0000" in captured.err
    import json

    assert json.loads(captured.out)["max_abs_difference_gy"] < 1e-4


def test_scan_summary_names_shift_rotation_and_deformable(tmp_path):
    from rtviewer.dicom.header import read_record

    rigid = _write_reg(tmp_path / "reg.dcm", "2.25.1",
                       [("2.25.1", np.eye(4)), ("2.25.77", _rotation_z(10.0, (1, -2, 3)))])
    summary = read_record(str(rigid), rigid.stat().st_size)["summary"]
    assert summary == "Registration: frame …2.25.77: shift (1.0, -2.0, 3.0) mm, rotation 10.0°"
    deformable = _write_reg(tmp_path / "dreg.dcm", "2.25.1", [("2.25.2", np.eye(4))],
                            DeformableSpatialRegistrationStorage)
    assert "out of scope" in read_record(str(deformable), deformable.stat().st_size)["summary"]
