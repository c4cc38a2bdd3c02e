"""Common DICOM modules and the Part 10 writer shared by every demo object."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from pydicom.datadict import dictionary_VR, tag_for_keyword
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.tag import Tag
from pydicom.uid import UID, ExplicitVRLittleEndian, RTPlanStorage, RTStructureSetStorage

from rtviewer.demo.uids import IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION

__all__ = ["Patient", "Series", "new_dataset", "sequence_item", "set_decimal_strings",
           "set_static_axes", "text_item",
           "set_uint16_pixels", "new_plan_dataset", "set_approved", "write_dataset"]

MANUFACTURER = "rtviewer demo generator"
INSTITUTION = "rtviewer Teaching Hospital"


@dataclass(frozen=True)
class Patient:
    """The Patient and General Study attributes shared by one demo patient's files."""

    patient_id: str
    name: str
    birth_date: str
    sex: str
    study_uid: str
    study_date: str
    study_time: str
    study_description: str
    frame_of_reference_uid: str


@dataclass(frozen=True)
class Series:
    """One series: modality, UID, number, description and its date/time."""

    modality: str
    uid: str
    number: int
    description: str
    date: str
    time: str


def sequence_item(**attributes: object) -> Dataset:
    """Return a Dataset with ``attributes`` set by keyword (a sequence item)."""
    item = Dataset()
    for keyword, value in attributes.items():
        setattr(item, keyword, value)
    return item


def _text(value: object) -> str:
    """DICOM text of a value: integers as they are, decimals in at most 16 characters."""
    if isinstance(value, float):
        text = f"{value:.10g}"
        return text if len(text) <= 16 else f"{value:.8g}"
    return str(value)


def text_item(**attributes: object) -> Dataset:
    """A sequence item of text-VR attributes (IS, DS, CS, DA, TM...) as pre-encoded bytes.

    The same file bytes as :func:`sequence_item`, without pydicom's per-value checks and
    conversions, which dominate writing the thousands of control points of the arcs'
    plans and records. Numbers are written with at most 16 characters (DS).
    """
    item = Dataset()
    for keyword, value in attributes.items():
        tag = tag_for_keyword(keyword)
        if tag is None:
            raise ValueError(f"unknown DICOM keyword {keyword!r}")
        raw = _text(value).encode("ascii")
        if len(raw) % 2:
            raw += b" "
        item[tag] = RawDataElement(Tag(tag), dictionary_VR(tag), len(raw), raw, 0, False, True)
    item.set_original_encoding(False, True, "iso8859")
    return item


def set_decimal_strings(ds: Dataset, keyword: str, values: Iterable[float],
                        decimals: int = 2) -> None:
    """Set a DS attribute with many values as pre-encoded bytes (fixed ``decimals``).

    pydicom converts every value of a multi-valued DS to an object on assignment,
    which dominates the writing time of contours; the file bytes are the same as
    assigning the rounded numbers (``"%.{decimals}f"`` text, backslash separated).
    """
    text = "\\".join(f"{v:.{decimals}f}" for v in values)
    raw = text.encode("ascii")
    if len(raw) % 2:
        raw += b" "
    tag = tag_for_keyword(keyword)
    if tag is None:
        raise ValueError(f"unknown DICOM keyword {keyword!r}")
    ds[tag] = RawDataElement(Tag(tag), "DS", len(raw), raw, 0, False, True)
    # Declare the item explicit VR little endian, as the file will be, so pydicom writes
    # the raw bytes as they are instead of converting them back into numbers.
    ds.set_original_encoding(False, True, "iso8859")


def new_dataset(
    *, sop_class_uid: str, sop_instance_uid: str, patient: Patient, series: Series,
    instance_number: int = 1, with_frame_of_reference: bool = True,
) -> Dataset:
    """A dataset with file meta and the Patient, Study, Series, Equipment and SOP modules."""
    ds = Dataset()
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = UID(sop_class_uid)
    meta.MediaStorageSOPInstanceUID = UID(sop_instance_uid)
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = IMPLEMENTATION_CLASS_UID
    meta.ImplementationVersionName = IMPLEMENTATION_VERSION
    ds.file_meta = meta
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.InstanceCreationDate = series.date
    ds.InstanceCreationTime = series.time
    ds.SOPClassUID = sop_class_uid
    ds.SOPInstanceUID = sop_instance_uid
    ds.StudyDate = patient.study_date
    ds.SeriesDate = series.date
    ds.StudyTime = patient.study_time
    ds.SeriesTime = series.time
    ds.AccessionNumber = ""
    ds.Modality = series.modality
    ds.Manufacturer = MANUFACTURER
    ds.InstitutionName = INSTITUTION
    ds.ReferringPhysicianName = ""
    ds.StudyDescription = patient.study_description
    ds.SeriesDescription = series.description
    ds.OperatorsName = "Demo^Operator"
    ds.ManufacturerModelName = "rtviewer.demo"
    ds.PatientName = patient.name
    ds.PatientID = patient.patient_id
    ds.PatientBirthDate = patient.birth_date
    ds.PatientSex = patient.sex
    ds.PatientIdentityRemoved = "YES"
    ds.DeidentificationMethod = "Synthetic patient: no real person"
    ds.SoftwareVersions = "rtviewer-demo-1"
    ds.StudyInstanceUID = patient.study_uid
    ds.SeriesInstanceUID = series.uid
    ds.StudyID = "1"
    ds.SeriesNumber = series.number
    ds.InstanceNumber = instance_number
    if with_frame_of_reference:
        ds.FrameOfReferenceUID = patient.frame_of_reference_uid
        ds.PositionReferenceIndicator = ""
    return ds


def set_uint16_pixels(ds: Dataset, pixels: NDArray[np.uint16]) -> None:
    """Set the Image Pixel module: unsigned 16-bit MONOCHROME2 ``pixels`` and their size.

    ``pixels`` is ``(rows, columns)`` or, multi-frame, ``(frames, rows, columns)``
    (Number of Frames is the caller's: its pointer differs per object).

    Raises
    ------
    ValueError
        When ``pixels`` is not uint16.
    """
    if pixels.dtype != np.uint16:
        raise ValueError(f"pixels must be uint16, got {pixels.dtype}")
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns = pixels.shape[-2], pixels.shape[-1]
    ds.BitsAllocated = 16
    ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 0
    ds.PixelData = pixels.tobytes()  # C order whatever the array's layout


def new_plan_dataset(*, sop_instance_uid: str, label: str, name: str, structure_set_uid: str,
                     patient: Patient, series: Series,
                     sop_class_uid: str = RTPlanStorage) -> Dataset:
    """An RT (Ion) Plan with its RT General Plan module (geometry PATIENT, series' date)."""
    ds = new_dataset(sop_class_uid=sop_class_uid, sop_instance_uid=sop_instance_uid,
                     patient=patient, series=series)
    ds.RTPlanLabel = label
    ds.RTPlanName = name
    ds.RTPlanDate, ds.RTPlanTime = series.date, series.time
    ds.RTPlanGeometry = "PATIENT"
    ds.ReferencedStructureSetSequence = [sequence_item(
        ReferencedSOPClassUID=RTStructureSetStorage, ReferencedSOPInstanceUID=structure_set_uid)]
    return ds


def set_static_axes(cp: Dataset, *, collimator_deg: float,
                    isocenter_mm: tuple[float, float, float]) -> None:
    """A first control point's collimator, couch and table top (all still) and isocentre.

    The couch at 0° and the table top neither pitched nor rolled; its positions are
    left empty (Type 2: the demo plans give no couch coordinates).
    """
    cp.BeamLimitingDeviceAngle = collimator_deg
    cp.BeamLimitingDeviceRotationDirection = "NONE"
    cp.PatientSupportAngle = 0.0
    cp.PatientSupportRotationDirection = "NONE"
    cp.TableTopEccentricAngle = 0.0
    cp.TableTopEccentricRotationDirection = "NONE"
    cp.TableTopPitchAngle = 0.0
    cp.TableTopPitchRotationDirection = "NONE"
    cp.TableTopRollAngle = 0.0
    cp.TableTopRollRotationDirection = "NONE"
    cp.TableTopVerticalPosition = ""
    cp.TableTopLongitudinalPosition = ""
    cp.TableTopLateralPosition = ""
    cp.IsocenterPosition = [round(v, 2) for v in isocenter_mm]


def set_approved(ds: Dataset, series: Series) -> None:
    """Set the Approval module: APPROVED by the demo physician at the series' date and time."""
    ds.ApprovalStatus = "APPROVED"
    ds.ReviewDate, ds.ReviewTime = series.date, series.time
    ds.ReviewerName = "Demo^Physician"


def write_dataset(ds: Dataset, out_dir: Path) -> Path:
    """Write ``ds`` as ``out_dir/<PatientID>/<SOPInstanceUID>.dcm`` (Part 10, explicit VR LE)."""
    folder = Path(out_dir) / str(ds.PatientID)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{ds.SOPInstanceUID}.dcm"
    ds.save_as(path, enforce_file_format=True)
    return path
