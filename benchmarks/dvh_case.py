"""A realistic synthetic thorax/abdomen case for the DVH speed benchmark, written as DICOM.

CT 512×512×150 (0.977 mm pixels, 2.5 mm slices), an RTSTRUCT with 30 ROIs contoured on
every CT slice they cross (body outline, organs, a spinal canal ring and a PTV ring
with holes, small SRS-like targets of 2.5–6 mm radius), and a PLAN RTDOSE of
200×200×150 voxels at 2.5 mm (super-Gaussian target dose, metastasis boosts, a bath).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.sequence import Sequence as DicomSequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

CT_SHAPE = (150, 512, 512)
CT_PIXEL_MM = 500.0 / 512
SLICE_MM = 2.5
Z0 = -(CT_SHAPE[0] - 1) * SLICE_MM / 2
DOSE_SHAPE = (150, 200, 200)
DOSE_MM = 2.5
PTV_CENTRE = np.array([30.0, -20.0, 20.0])
METS = [((-80.0, -40.0, 90.0), 2.5), ((90.0, -30.0, 60.0), 3.0), ((-40.0, 40.0, -30.0), 4.0),
        ((70.0, 10.0, -60.0), 5.0), ((-100.0, 0.0, 30.0), 6.0), ((40.0, 60.0, 120.0), 3.5)]


@dataclass(frozen=True)
class Shape:
    """An ellipsoid (or elliptic cylinder when ``cylinder``), optionally with a hole."""

    centre: tuple[float, float, float]
    axes: tuple[float, float, float]
    cylinder: bool = False
    hole_axes: tuple[float, float, float] | None = None

    def radii_at(self, z: float, axes: tuple[float, float, float]) -> tuple[float, float] | None:
        dz = (z - self.centre[2]) / axes[2]
        if abs(dz) >= 1:
            return None
        f = 1.0 if self.cylinder else np.sqrt(1 - dz * dz)
        return axes[0] * f, axes[1] * f


def structures() -> list[tuple[str, Shape]]:
    p = tuple(PTV_CENTRE)
    rois = [
        ("BODY", Shape((0, 0, 0), (170, 120, 186), cylinder=True)),
        ("Lung_L", Shape((65, -5, 50), (55, 65, 110))),
        ("Lung_R", Shape((-65, -5, 50), (55, 65, 110))),
        ("Heart", Shape((15, -30, -20), (50, 45, 45))),
        ("SpinalCord", Shape((0, 70, 0), (6, 6, 170), cylinder=True)),
        ("SpinalCanal_Ring", Shape((0, 70, 0), (20, 18, 165), cylinder=True,
                                   hole_axes=(9, 9, 165))),
        ("Esophagus", Shape((0, 45, 20), (9, 9, 140), cylinder=True)),
        ("Liver", Shape((-70, -10, -120), (75, 70, 60))),
        ("Stomach", Shape((60, -20, -115), (40, 35, 40))),
        ("Kidney_L", Shape((70, 50, -150), (25, 30, 45))),
        ("Kidney_R", Shape((-70, 50, -150), (25, 30, 45))),
        ("Spleen", Shape((95, 30, -110), (25, 40, 45))),
        ("Trachea", Shape((0, -10, 130), (10, 10, 55), cylinder=True)),
        ("Aorta", Shape((20, 30, -20), (14, 14, 150), cylinder=True)),
        ("PTV", Shape(p, (35, 30, 40))),
        ("CTV", Shape(p, (30, 25, 35))),
        ("GTV", Shape(p, (15, 12, 18))),
        ("PTV_Boost", Shape((p[0] + 5, p[1], p[2]), (8, 8, 8))),
        ("PTV_Ring", Shape(p, (50, 45, 55), hole_axes=(40, 35, 45))),
        ("Thyroid", Shape((0, -40, 165), (25, 12, 18))),
        ("Humerus_L", Shape((150, 0, 150), (25, 25, 25))),
        ("Humerus_R", Shape((-150, 0, 150), (25, 25, 25))),
        ("BrachialPlexus", Shape((-60, 10, 150), (4, 4, 30), cylinder=True)),
        ("Chestwall", Shape((0, -95, 40), (120, 20, 100))),
    ]
    rois += [(f"Met_{i + 1}", Shape(c, (r, r, r))) for i, (c, r) in enumerate(METS)]
    return rois


def ellipse(cx: float, cy: float, ax: float, ay: float, z: float) -> np.ndarray:
    n = int(np.clip(np.pi * (ax + ay) / 1.5, 24, 400))  # about one vertex per 1.5 mm
    t = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return np.column_stack([cx + ax * np.cos(t), cy + ay * np.sin(t), np.full(n, z)])


def contours_of(shape: Shape, slice_z: np.ndarray) -> list[np.ndarray]:
    out = []
    for z in slice_z:
        outer = shape.radii_at(z, shape.axes)
        if outer is None:
            continue
        out.append(ellipse(shape.centre[0], shape.centre[1], *outer, z))
        if shape.hole_axes is not None:
            inner = shape.radii_at(z, shape.hole_axes)
            if inner is not None:
                out.append(ellipse(shape.centre[0], shape.centre[1], *inner, z)[::-1])
    return out


def dose_function(p: np.ndarray) -> np.ndarray:
    d = (p - PTV_CENTRE) / np.array([45.0, 40.0, 50.0])
    target = 60.0 * np.exp(-np.sum(d * d, axis=-1) ** 2)
    bath = 8.0 * np.exp(-np.sum((p - PTV_CENTRE) ** 2, axis=-1) / (2 * 120.0**2))
    mets = sum(24.0 * np.exp(-np.sum((p - np.array(c)) ** 2, axis=-1) / (2 * (r + 4) ** 2))
               for c, r in METS)
    return target + bath + mets


def _base(modality: str, sop_class: str, common: dict) -> FileDataset:
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset("", {}, file_meta=meta, preamble=b"\0" * 128)
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality = modality
    ds.PatientName, ds.PatientID = "Bench^DVH", "BENCH-DVH"
    ds.StudyInstanceUID = common["study"]
    ds.FrameOfReferenceUID = common["frame"]
    ds.SeriesInstanceUID = generate_uid()
    ds.StudyDate, ds.StudyTime = "20260101", "120000"
    return ds


def write_ct(out: Path, common: dict) -> list[tuple[str, float]]:
    out.mkdir(parents=True, exist_ok=True)
    n = CT_SHAPE[1]
    x = -250.0 + CT_PIXEL_MM / 2 + CT_PIXEL_MM * np.arange(n)
    xx, yy = np.meshgrid(x, x)
    image = np.where((xx / 170) ** 2 + (yy / 120) ** 2 <= 1, 1024, 24).astype(np.uint16)
    series = generate_uid()
    refs = []
    for k in range(CT_SHAPE[0]):
        z = Z0 + k * SLICE_MM
        ds = _base("CT", "1.2.840.10008.5.1.4.1.1.2", common)
        ds.SeriesInstanceUID = series
        ds.InstanceNumber = k + 1
        ds.ImagePositionPatient = [float(x[0]), float(x[0]), z]
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.PixelSpacing = [CT_PIXEL_MM, CT_PIXEL_MM]
        ds.SliceThickness = SLICE_MM
        ds.PatientPosition = "HFS"
        ds.Rows = ds.Columns = n
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
        ds.RescaleIntercept, ds.RescaleSlope = -1024, 1
        ds.PixelData = image.tobytes()
        ds.save_as(out / f"CT{k:03d}.dcm", enforce_file_format=True)
        refs.append((ds.SOPInstanceUID, z))
    return refs


def write_structures(path: Path, common: dict, ct_refs: list[tuple[str, float]]) -> None:
    ds = _base("RTSTRUCT", "1.2.840.10008.5.1.4.1.1.481.3", common)
    ds.StructureSetLabel = "BENCH"
    slice_z = np.array([z for _, z in ct_refs])
    uid_at = {round(z, 3): uid for uid, z in ct_refs}
    roi_seq, contour_seq, obs_seq = [], [], []
    for number, (name, shape) in enumerate(structures(), start=1):
        roi = Dataset()
        roi.ROINumber, roi.ROIName = number, name
        roi.ReferencedFrameOfReferenceUID = common["frame"]
        roi.ROIGenerationAlgorithm = "MANUAL"
        roi_seq.append(roi)
        rc = Dataset()
        rc.ReferencedROINumber = number
        rc.ROIDisplayColor = [(37 * number) % 256, (91 * number) % 256, (53 * number) % 256]
        items = []
        for polygon in contours_of(shape, slice_z):
            c = Dataset()
            image = Dataset()
            image.ReferencedSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
            image.ReferencedSOPInstanceUID = uid_at[round(float(polygon[0, 2]), 3)]
            c.ContourImageSequence = DicomSequence([image])
            c.ContourGeometricType = "CLOSED_PLANAR"
            c.NumberOfContourPoints = len(polygon)
            c.ContourData = [f"{v:.2f}" for v in polygon.ravel()]
            items.append(c)
        rc.ContourSequence = DicomSequence(items)
        contour_seq.append(rc)
        obs = Dataset()
        obs.ObservationNumber, obs.ReferencedROINumber = number, number
        obs.RTROIInterpretedType = "EXTERNAL" if name == "BODY" else (
            "PTV" if "PTV" in name or name.startswith("Met") else "ORGAN")
        obs.ROIInterpreter = ""
        obs_seq.append(obs)
    ds.StructureSetROISequence = DicomSequence(roi_seq)
    ds.ROIContourSequence = DicomSequence(contour_seq)
    ds.RTROIObservationsSequence = DicomSequence(obs_seq)
    frame = Dataset()
    frame.FrameOfReferenceUID = common["frame"]
    ds.ReferencedFrameOfReferenceSequence = DicomSequence([frame])
    ds.save_as(path, enforce_file_format=True)


def dose_grid_origin() -> np.ndarray:
    half = (np.array(DOSE_SHAPE[::-1][:2]) - 1) * DOSE_MM / 2
    return np.array([-half[0], -half[1], Z0])


def write_dose(path: Path, common: dict) -> None:
    ds = _base("RTDOSE", "1.2.840.10008.5.1.4.1.1.481.2", common)
    nk, nj, ni = DOSE_SHAPE
    origin = dose_grid_origin()
    x = origin[0] + DOSE_MM * np.arange(ni)
    y = origin[1] + DOSE_MM * np.arange(nj)
    z = origin[2] + DOSE_MM * np.arange(nk)
    zz, yy, xx = np.meshgrid(z, y, x, indexing="ij")
    dose = dose_function(np.stack([xx, yy, zz], axis=-1))
    scaling = float(dose.max()) / 65000.0
    ds.ImagePositionPatient = [float(v) for v in origin]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.PixelSpacing = [DOSE_MM, DOSE_MM]
    ds.GridFrameOffsetVector = [float(v) for v in DOSE_MM * np.arange(nk)]
    ds.NumberOfFrames = nk
    ds.FrameIncrementPointer = (0x3004, 0x000C)
    ds.Rows, ds.Columns = nj, ni
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0
    ds.DoseUnits, ds.DoseType, ds.DoseSummationType = "GY", "PHYSICAL", "PLAN"
    ds.DoseGridScaling = f"{scaling:.10g}"
    ds.PixelData = np.round(dose / float(ds.DoseGridScaling)).astype(np.uint16).tobytes()
    ds.save_as(path, enforce_file_format=True)


def write_case(out: Path) -> dict[str, Path]:
    """Write CT, RTSTRUCT and RTDOSE under ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    common = {"study": generate_uid(), "frame": generate_uid()}
    paths = {"ct": out / "CT", "rs": out / "RS.dcm", "rd": out / "RD.dcm"}
    refs = write_ct(paths["ct"], common)
    write_structures(paths["rs"], common, refs)
    write_dose(paths["rd"], common)
    return paths
