"""Read an RT Dose into a :class:`~rtviewer.model.dose.Dose`.

Dose = stored value × Dose Grid Scaling, as float32, on a :class:`Grid` whose
slice axis follows the Grid Frame Offset Vector (see :mod:`.dose_geometry`).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from pydicom.dataset import Dataset

from rtviewer.core.grid import Grid
from rtviewer.dicom.captured import with_warnings_as_findings
from rtviewer.dicom.dose_dvh import read_embedded_dvhs
from rtviewer.dicom.dose_geometry import AXIAL, FrameGeometry, frame_geometry
from rtviewer.dicom.dose_references import read_dose_points, read_references
from rtviewer.dicom.files import read_dataset
from rtviewer.dicom.header_walk import check_not_truncated
from rtviewer.dicom.pixels import decode_pixels
from rtviewer.dicom.read_once import once
from rtviewer.dicom.slice_stack import assemble_stack
from rtviewer.dicom.sop_classes import RT_DOSE
from rtviewer.dicom.values import number, numbers, text
from rtviewer.errors import GeometryError, MissingAttributeError, UnsupportedObjectError
from rtviewer.model.dose import Dose, DoseSummationType, DoseType, DoseUnits
from rtviewer.model.findings import Finding, Severity
from rtviewer.model.kind import Kind

__all__ = ["read_dose"]



def read_dose(path: str | Path) -> Dose:
    """Read an RT Dose file.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    Dose
        ``dose_gy[k, j, i]`` float32 = stored × Dose Grid Scaling on its Grid,
        with units, type, summation, references, embedded DVHs, dose points
        and findings.

    Raises
    ------
    RtViewerError
        Not an RT Dose; no pixel data, Image Position or Pixel Spacing;
        frames that cannot be placed.
    """
    path = Path(path)
    return once(Kind.DOSE, path, lambda: with_warnings_as_findings(lambda: _read_dose(path)))


def _read_dose(path: Path) -> Dose:
    """:func:`read_dose` without the warning capture."""
    ds, read_findings = read_dataset(path)
    findings: list[Finding] = list(read_findings)
    _check_kind(ds, path, findings)
    check_not_truncated(path)
    stored = decode_pixels(ds, path, writeable=False)  # only read: scaled into a new array
    frames = stored.reshape((-1, *stored.shape[-2:])) if stored.ndim >= 2 else None
    if frames is None or stored.ndim > 3:
        raise UnsupportedObjectError(f"unexpected dose pixel data of shape {stored.shape}",
                                     path=path)
    position, orientation, spacing, more = _plane_geometry(ds, path)
    findings += more
    geometry = frame_geometry(offsets=numbers(ds, "GridFrameOffsetVector", findings),
                              n_frames=frames.shape[0], position_mm=position,
                              orientation=orientation,
                              thickness_mm=number(ds, "SliceThickness", findings,
                                                  several="unusable", label="Slice Thickness",
                                                  positive=True), path=path)
    findings += geometry.findings
    dose, more = _scaled(ds, frames)
    findings += more
    volume = _stack(dose, geometry)
    grid = Grid.from_dicom_geometry(
        image_position_mm=position, image_orientation=orientation, pixel_spacing_mm=spacing,
        slice_step_mm=geometry.step_mm, shape=volume.shape,
        frame_of_reference_uid=text(ds, "FrameOfReferenceUID", findings))
    units, more = _units(ds, findings)
    findings += more
    if units is DoseUnits.GY and text(ds, "DoseUnits", findings) == "CGY":
        volume = volume * np.float32(0.01)
    dose_type, summation, more = _types(ds)
    findings += more
    grid_max = float(volume.max()) if volume.size else 0.0
    dvhs, more = read_embedded_dvhs(ds, grid_max, units)
    findings += more
    references, more = read_references(ds)
    findings += more
    return Dose(
        path=path, sop_instance_uid=text(ds, "SOPInstanceUID", findings) or "", grid=grid,
        dose_gy=volume, units=units, dose_type=dose_type, summation_type=summation,
        referenced_plan_uid=references.plan_uid,
        referenced_plan_uids=references.plan_uids,
        referenced_fraction_group_number=references.fraction_group_number,
        referenced_beam_numbers=references.beam_numbers,
        referenced_structure_set_uid=references.structure_set_uid,
        dvhs=dvhs, dose_points=read_dose_points(ds, findings),
        comment=text(ds, "DoseComment", findings) or "", findings=tuple(findings))


def _check_kind(ds: Dataset, path: Path, notes: list[Finding]) -> None:
    """Refuse anything that is not an RT Dose."""
    sop_class = text(ds, "SOPClassUID", notes)
    if sop_class != RT_DOSE and text(ds, "Modality", notes) != "RTDOSE":
        raise UnsupportedObjectError(f"not an RT Dose (SOP Class {sop_class}, Modality "
                                     f"{text(ds, 'Modality', notes)})", path=path)


def _plane_geometry(ds: Dataset, path: Path) -> tuple[
        tuple[float, ...], tuple[float, ...], tuple[float, ...], list[Finding]]:
    """Image Position, Image Orientation and Pixel Spacing, checked."""
    findings: list[Finding] = []
    position = numbers(ds, "ImagePositionPatient", findings, count=3)
    if position is None:
        raise MissingAttributeError("the dose has no usable Image Position (Patient), so it "
                                    "cannot be placed in the patient", path=path,
                                    attribute="ImagePositionPatient")
    spacing = numbers(ds, "PixelSpacing", findings, count=2)
    if spacing is None or min(spacing) <= 0:
        raise MissingAttributeError("the dose has no usable Pixel Spacing", path=path,
                                    attribute="PixelSpacing")
    orientation = numbers(ds, "ImageOrientationPatient", findings, count=6)
    if orientation is None:
        orientation = AXIAL
        findings.append(Finding("NO_IMAGE_ORIENTATION", "The dose has no Image Orientation "
                                "(Patient).", attribute="ImageOrientationPatient",
                                assumption="axial (1,0,0,0,1,0)"))
    row, column = np.asarray(orientation[:3]), np.asarray(orientation[3:])
    if (abs(np.linalg.norm(row) - 1) > 1e-2 or abs(np.linalg.norm(column) - 1) > 1e-2
            or abs(float(np.dot(row, column))) > 1e-2):
        raise GeometryError(f"Image Orientation (Patient) {orientation} is not two "
                            "perpendicular unit vectors", path=path)
    return position, orientation, spacing, findings


def _scaled(ds: Dataset, frames: NDArray[np.generic]) -> tuple[NDArray[np.float32],
                                                                list[Finding]]:
    """Stored values × Dose Grid Scaling, computed in float64 then stored as float32."""
    findings: list[Finding] = []
    # NaN marks "no usable value": a malformed one also gets an UNUSABLE_VALUE finding.
    scaling = number(ds, "DoseGridScaling", findings, default=math.nan, several="unusable",
                            label="Dose Grid Scaling", positive=True, severity=Severity.ERROR)
    if not math.isfinite(scaling):
        findings.append(Finding("NO_DOSE_GRID_SCALING", "Dose Grid Scaling is absent or not "
                                "positive.", Severity.ERROR, "DoseGridScaling",
                                assumption="scaling 1: values as stored"))
        scaling = 1.0
    # float64 product rounded to float32, as ``(frames.astype(float64) * scaling)
    # .astype(float32)`` but in the ufunc's small buffers: no 48 MB float64 copies
    dose = np.multiply(frames, scaling, out=np.empty(frames.shape, dtype=np.float32),
                       dtype=np.float64, casting="unsafe")
    if dose.size and float(dose.min()) < 0 and text(ds, "DoseType", findings) != "ERROR":
        findings.append(Finding("NEGATIVE_DOSE", f"The dose grid holds negative values (down "
                                f"to {float(dose.min()):.4g}).", attribute="PixelData"))
    return dose, findings


def _stack(dose: NDArray[np.float32], geometry: FrameGeometry) -> NDArray[np.float32]:
    """Frames in grid order, with gaps or resampling as the geometry planned."""
    in_order = geometry.order == tuple(range(len(dose)))
    ordered = dose if in_order else dose[list(geometry.order)]  # no copy when in order
    if geometry.plan is None or geometry.plan.mode == "regular":
        return np.ascontiguousarray(ordered)
    return assemble_stack(list(ordered), geometry.plan)


def _units(ds: Dataset, notes: list[Finding]) -> tuple[DoseUnits, list[Finding]]:
    """Dose Units; RELATIVE and unknown values get a finding."""
    value = (text(ds, "DoseUnits", notes) or "").upper()
    if value == "GY":
        return DoseUnits.GY, []
    if value == "CGY":
        return DoseUnits.GY, [Finding("DOSE_UNITS_CGY", "Dose Units is 'CGY', not a DICOM "
                                      "value.", attribute="DoseUnits",
                                      assumption="values in cGy, converted to Gy")]
    if value == "RELATIVE":
        return DoseUnits.RELATIVE, [Finding(
            "RELATIVE_DOSE", "Dose Units is RELATIVE: absolute dose values are unknown.",
            attribute="DoseUnits", assumption="values are shown as stored, not as Gy")]
    return DoseUnits.RELATIVE, [Finding(
        "UNKNOWN_DOSE_UNITS", f"Dose Units {value or '(absent)'!r} is not GY or RELATIVE: "
        "absolute dose values are unknown.", Severity.ERROR, "DoseUnits",
        assumption="relative values, shown as stored")]


def _types(ds: Dataset) -> tuple[DoseType, DoseSummationType | None, list[Finding]]:
    """Dose Type and Dose Summation Type."""
    findings: list[Finding] = []
    raw_type = (text(ds, "DoseType", findings) or "").upper()
    try:
        dose_type = DoseType(raw_type)
    except ValueError:
        dose_type = DoseType.PHYSICAL
        findings.append(Finding("UNKNOWN_DOSE_TYPE", f"Dose Type {raw_type or '(absent)'!r} is "
                                "not PHYSICAL, EFFECTIVE or ERROR.", attribute="DoseType",
                                assumption="PHYSICAL"))
    raw_sum = (text(ds, "DoseSummationType", findings) or "").upper()
    try:
        summation: DoseSummationType | None = DoseSummationType(raw_sum)
    except ValueError:
        summation = None
        findings.append(Finding("UNKNOWN_DOSE_SUMMATION_TYPE", f"Dose Summation Type "
                                f"{raw_sum or '(absent)'!r} is unknown.",
                                attribute="DoseSummationType", assumption="unknown summation"))
    return dose_type, summation, findings
