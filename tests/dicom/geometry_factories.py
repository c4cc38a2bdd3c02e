"""Write synthetic CT series and RT Dose files with pydicom for geometry tests.

Every factory samples one physical function on one physical lattice, whatever
the patient position, so that readers must agree at every patient point.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

CT_STORAGE = "1.2.840.10008.5.1.4.1.1.2"
RTDOSE_STORAGE = "1.2.840.10008.5.1.4.1.1.481.2"

#: (row direction, column direction) cosines per patient position (axial scans)
ORIENTATIONS = {
    "HFS": ((1, 0, 0), (0, 1, 0)),
    "HFP": ((-1, 0, 0), (0, -1, 0)),
    "FFS": ((-1, 0, 0), (0, 1, 0)),
    "FFP": ((1, 0, 0), (0, -1, 0)),
    "HFDL": ((0, -1, 0), (1, 0, 0)),
    "HFDR": ((0, 1, 0), (-1, 0, 0)),
}

#: the physical lattice: spacing along x, y, z (non-square pixels) and extent
LATTICE_STEP_MM = np.array([2.0, 3.0, 2.5])
LATTICE_MIN_MM = np.array([-20.0, -30.0, -10.0])
LATTICE_COUNT = np.array([11, 7, 5])  # points along x, y, z


def truth(xyz: np.ndarray) -> np.ndarray:
    """The physical quantity at patient points: distinct at every lattice point."""
    xyz = np.asarray(xyz, dtype=np.float64)
    return 1.0 + 0.5 * xyz[..., 0] + 0.25 * xyz[..., 1] + 3.0 * xyz[..., 2] + 200.0


def lattice_points() -> np.ndarray:
    """All lattice points, shape (n, 3)."""
    axes = [LATTICE_MIN_MM[a] + LATTICE_STEP_MM[a] * np.arange(LATTICE_COUNT[a])
            for a in range(3)]
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1)
    return grid.reshape(-1, 3)


def sampling(position: str) -> dict:
    """Orientation, pixel spacing, in-plane shape and normal of a patient position."""
    row, col = (np.array(v, dtype=float) for v in ORIENTATIONS[position])
    axis_i, axis_j = int(np.argmax(np.abs(row))), int(np.argmax(np.abs(col)))
    normal = np.cross(row, col)
    return {
        "orientation": [*row, *col], "row": row, "col": col, "normal": normal,
        "pixel_spacing": [LATTICE_STEP_MM[axis_j], LATTICE_STEP_MM[axis_i]],
        "rows": int(LATTICE_COUNT[axis_j]), "columns": int(LATTICE_COUNT[axis_i]),
        "di": LATTICE_STEP_MM[axis_i], "dj": LATTICE_STEP_MM[axis_j],
    }


def first_corner(s: dict) -> np.ndarray:
    """The lattice corner where row and column indices start (first pixel of a plane)."""
    lo, hi = LATTICE_MIN_MM, LATTICE_MIN_MM + LATTICE_STEP_MM * (LATTICE_COUNT - 1)
    corner = np.where(s["row"] + s["col"] < 0, hi, lo)
    return corner


def plane_values(origin: np.ndarray, s: dict) -> np.ndarray:
    """Truth on one plane whose first pixel is at ``origin``, shape (rows, columns)."""
    j, i = np.mgrid[0:s["rows"], 0:s["columns"]]
    xyz = (origin + i[..., None] * s["di"] * s["row"] + j[..., None] * s["dj"] * s["col"])
    return truth(xyz)


def base_dataset(sop_class: str, modality: str, position: str) -> Dataset:
    """A minimal valid dataset with file meta."""
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.MediaStorageSOPClassUID = sop_class
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.Modality = modality
    ds.PatientPosition = position
    ds.PatientID = "GEOM"
    ds.StudyInstanceUID = "1.2.826.0.1.3680043.8.498.1"
    ds.FrameOfReferenceUID = "1.2.826.0.1.3680043.8.498.2"
    return ds


def write_ct_series(folder: Path, position: str, *, reverse: bool = False) -> list[Path]:
    """One CT file per slice of the lattice, HU = truth, in shuffled file order."""
    folder.mkdir(parents=True, exist_ok=True)
    s = sampling(position)
    corner = first_corner(s)
    axis_k = int(np.argmax(np.abs(s["normal"])))
    series = generate_uid()
    paths = []
    for k in range(int(LATTICE_COUNT[axis_k])):
        origin = corner.copy()
        origin[axis_k] = LATTICE_MIN_MM[axis_k] + LATTICE_STEP_MM[axis_k] * k
        ds = base_dataset(CT_STORAGE, "CT", position)
        ds.SeriesInstanceUID = series
        ds.ImageOrientationPatient = [float(v) for v in s["orientation"]]
        ds.ImagePositionPatient = [float(v) for v in origin]
        ds.PixelSpacing = [float(v) for v in s["pixel_spacing"]]
        ds.SliceThickness = float(LATTICE_STEP_MM[axis_k])
        ds.Rows, ds.Columns = s["rows"], s["columns"]
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
        ds.RescaleSlope, ds.RescaleIntercept = 0.25, -1024.0
        stored = np.rint((plane_values(origin, s) + 1024.0) / 0.25).astype(np.int16)
        ds.PixelData = stored.tobytes()
        path = folder / f"slice_{(7 * k + 3) % 97:03d}.dcm"  # file names not in slice order
        ds.save_as(path, enforce_file_format=True)
        paths.append(path)
    return paths[::-1] if reverse else paths


def write_dose(path: Path, position: str, *, decreasing: bool = False,
               absolute: bool = False, scaling: float = 1e-3) -> Path:
    """An RT Dose of the lattice with Dose = truth (Gy).

    ``decreasing``: frames run against row × column (negative relative offsets).
    ``absolute``: Grid Frame Offset Vector holds z positions (HFS orientation only).
    """
    s = sampling(position)
    axis_k = int(np.argmax(np.abs(s["normal"])))
    sign = float(s["normal"][axis_k])
    n = int(LATTICE_COUNT[axis_k])
    corner = first_corner(s)
    along = LATTICE_MIN_MM[axis_k] + LATTICE_STEP_MM[axis_k] * np.arange(n)
    start_high = (sign > 0) == decreasing
    along = along[::-1] if start_high else along
    frames = []
    for value in along:
        origin = corner.copy()
        origin[axis_k] = value
        frames.append(plane_values(origin, s))
    origin = corner.copy()
    origin[axis_k] = along[0]
    ds = base_dataset(RTDOSE_STORAGE, "RTDOSE", position)
    ds.SeriesInstanceUID = generate_uid()
    ds.ImageOrientationPatient = [float(v) for v in s["orientation"]]
    ds.ImagePositionPatient = [float(v) for v in origin]
    ds.PixelSpacing = [float(v) for v in s["pixel_spacing"]]
    offsets = (along - along[0]) * sign
    if absolute:
        offsets = along.copy()
    ds.GridFrameOffsetVector = [float(v) for v in offsets]
    ds.NumberOfFrames = n
    ds.FrameIncrementPointer = 0x3004000C
    ds.Rows, ds.Columns = s["rows"], s["columns"]
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 32, 32, 31, 0
    ds.DoseUnits, ds.DoseType, ds.DoseSummationType = "GY", "PHYSICAL", "PLAN"
    ds.DoseGridScaling = scaling
    plan = Dataset()
    plan.ReferencedSOPClassUID = "1.2.840.10008.5.1.4.1.1.481.5"
    plan.ReferencedSOPInstanceUID = "1.2.826.0.1.3680043.8.498.3"
    ds.ReferencedRTPlanSequence = [plan]
    ds.PixelData = np.rint(np.stack(frames) / scaling).astype(np.uint32).tobytes()
    ds.save_as(path, enforce_file_format=True)
    return path


def write_enhanced_ct(path: Path, position: str, *, frame_order: list[int] | None = None) -> Path:
    """One Enhanced CT file holding every lattice slice as a frame (frames in any order)."""
    s = sampling(position)
    corner = first_corner(s)
    axis_k = int(np.argmax(np.abs(s["normal"])))
    n = int(LATTICE_COUNT[axis_k])
    order = list(range(n)) if frame_order is None else frame_order
    ds = base_dataset("1.2.840.10008.5.1.4.1.1.2.1", "CT", position)
    ds.SeriesInstanceUID = generate_uid()
    shared, measures, orientation, transform = Dataset(), Dataset(), Dataset(), Dataset()
    measures.PixelSpacing = [float(v) for v in s["pixel_spacing"]]
    measures.SliceThickness = float(LATTICE_STEP_MM[axis_k])
    orientation.ImageOrientationPatient = [float(v) for v in s["orientation"]]
    transform.RescaleSlope, transform.RescaleIntercept, transform.RescaleType = 0.25, -1024.0, "HU"
    shared.PixelMeasuresSequence = [measures]
    shared.PlaneOrientationSequence = [orientation]
    shared.PixelValueTransformationSequence = [transform]
    ds.SharedFunctionalGroupsSequence = [shared]
    ds.PerFrameFunctionalGroupsSequence = []
    frames = []
    for k in order:
        origin = corner.copy()
        origin[axis_k] = LATTICE_MIN_MM[axis_k] + LATTICE_STEP_MM[axis_k] * k
        item, plane = Dataset(), Dataset()
        plane.ImagePositionPatient = [float(v) for v in origin]
        item.PlanePositionSequence = [plane]
        ds.PerFrameFunctionalGroupsSequence.append(item)
        frames.append(np.rint((plane_values(origin, s) + 1024.0) / 0.25).astype(np.int16))
    ds.NumberOfFrames = len(order)
    ds.Rows, ds.Columns = s["rows"], s["columns"]
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
    ds.PixelData = np.stack(frames).tobytes()
    ds.save_as(path, enforce_file_format=True)
    return path
