"""Read a Spatial Registration (REG) into :class:`~rtviewer.model.registration.SpatialRegistration`.

Frame of Reference Transformation Matrix (3006,00C6) is 16 values, row by row
(PS3.3 C.20.2.1.1).  A Deformable Spatial Registration is out of scope: the reader
refuses it with that reason, so the window and ``check`` can say so.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset
from pydicom.uid import DeformableSpatialRegistrationStorage, SpatialRegistrationStorage

from rtviewer.dicom.files import read_dataset
from rtviewer.dicom.values import items, numbers, text
from rtviewer.errors import MissingAttributeError, UnsupportedObjectError
from rtviewer.model.findings import Finding
from rtviewer.model.registration import FrameTransform, SpatialRegistration, is_rigid

__all__ = ["DEFORMABLE_OUT_OF_SCOPE", "read_registration"]

DEFORMABLE_OUT_OF_SCOPE = ("a Deformable Spatial Registration (deformation vector grid) is "
                           "out of scope: rtviewer applies rigid matrices only")


def read_registration(path: str | Path) -> SpatialRegistration:
    """Read a Spatial Registration file.

    Raises
    ------
    RtViewerError
        Not a Spatial Registration (a Deformable one names itself out of scope); no
        Frame of Reference or no matrix.
    """
    path = Path(path)
    ds, read_findings = read_dataset(path, stop_before_pixels=True)
    findings: list[Finding] = list(read_findings)
    sop_class = text(ds, "SOPClassUID", findings) or ""
    if sop_class == DeformableSpatialRegistrationStorage:
        raise UnsupportedObjectError(DEFORMABLE_OUT_OF_SCOPE, path=path)
    if sop_class != SpatialRegistrationStorage:
        raise UnsupportedObjectError(f"not a Spatial Registration (SOP Class {sop_class})",
                                     path=path)
    frame = text(ds, "FrameOfReferenceUID", findings)
    if not frame:
        raise MissingAttributeError("no Frame of Reference UID", path=path)
    transforms = [t for item in items(ds, "RegistrationSequence", findings)
                  if (t := _transform(item, path, findings)) is not None]
    if not transforms:
        raise MissingAttributeError("no Registration Sequence item with a matrix", path=path)
    return SpatialRegistration(path=path,
                               sop_instance_uid=text(ds, "SOPInstanceUID", findings) or "",
                               frame_of_reference_uid=frame, transforms=tuple(transforms),
                               findings=tuple(findings))


def _transform(item: Dataset, path: Path, findings: list[Finding]) -> FrameTransform | None:
    """One Registration Sequence item's composed matrix (None without one)."""
    frame = text(item, "FrameOfReferenceUID", findings)
    matrix = np.eye(4)
    kinds = []
    for registration in items(item, "MatrixRegistrationSequence", findings):
        for entry in items(registration, "MatrixSequence", findings):
            values = numbers(entry, "FrameOfReferenceTransformationMatrix", findings, count=16)
            if values is None:
                raise MissingAttributeError("a Frame of Reference Transformation Matrix "
                                            "without 16 finite values", path=path)
            # Successive matrices of one item apply in sequence order (C.20.2.1.1).
            matrix = np.array(values).reshape(4, 4) @ matrix
            kinds.append(text(entry, "FrameOfReferenceTransformationMatrixType", findings) or "")
    if not frame or not kinds:
        return None
    kind = "/".join(k for k in kinds if k) or "RIGID"
    if kind == "RIGID" and not is_rigid(matrix):
        findings.append(Finding("registration-not-rigid",
                                f"matrix for frame {frame} is declared RIGID but its 3x3 part "
                                "is not a rotation; applied as stored"))
    return FrameTransform(frame, matrix, kind)
