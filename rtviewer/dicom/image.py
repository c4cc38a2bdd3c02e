"""Read one image series (CT, MR, PET, CBCT) into an :class:`ImageVolume`.

Each file is read once; the slices are sorted along the slice normal and the
geometry checked before any pixel data is decoded. Folder scans read headers
only: pixels are read when a volume is opened, here. Compressed transfer
syntaxes decode through pydicom's pixel plugins (pylibjpeg with
pylibjpeg-openjpeg and pylibjpeg-rle).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from pydicom.dataset import Dataset

from rtviewer.core.grid import Grid
from rtviewer.dicom.captured import warnings_as_findings
from rtviewer.dicom.files import read_dataset
from rtviewer.dicom.image_frames import FrameHeader, frame_headers
from rtviewer.dicom.image_geometry import SliceGeometry, StackedGeometry, stack_geometry
from rtviewer.dicom.pixels import decode_pixels, release_pixel_data
from rtviewer.dicom.pixels_native import rescaled
from rtviewer.dicom.values import integer, number, numbers, text
from rtviewer.errors import (
    GeometryError,
    MissingAttributeError,
    RtViewerError,
    UnsupportedObjectError,
)
from rtviewer.model.findings import Finding, Severity
from rtviewer.model.image import ImageVolume, Rescale

__all__ = ["read_image_volume"]


@dataclass(frozen=True)
class _Header:
    """What one slice's header says, before any pixel is read."""

    path: Path
    dataset: Dataset
    findings: tuple[Finding, ...]
    geometry: SliceGeometry
    frame: FrameHeader | None = None


def read_image_volume(paths: Iterable[str | Path]) -> ImageVolume:
    """Read the slices of one image series into a volume on a regular grid.

    Parameters
    ----------
    paths : iterable of str or Path
        The files of one series, in any order.

    Returns
    -------
    ImageVolume
        Voxels ``[k, j, i]`` float32, rescaled (HU for CT), sorted along the
        slice normal, with findings for gaps, uneven spacing, tilt, obliquity.

    Raises
    ------
    RtViewerError
        No file given; a file unreadable or without Image Position, Image
        Orientation, Pixel Spacing or Pixel Data (named in the message); slices
        in several orientations or sizes; two different slices at one position.
    """
    files = [Path(p) for p in paths]
    if not files:
        raise RtViewerError("no image file was given")
    with warnings_as_findings() as caught:
        volume = _read_volume(files)
    return replace(volume, findings=volume.findings + tuple(caught)) if caught else volume


def _read_volume(files: list[Path]) -> ImageVolume:
    """:func:`read_image_volume` without the warning capture."""
    headers = [h for p in files for h in _read_headers(p)]
    stacked = stack_geometry([h.geometry for h in headers])
    ordered = [headers[i] for i in stacked.order]
    findings: list[Finding] = _series_findings(ordered) + list(stacked.findings)
    rescale_findings: list[Finding] = []
    voxels, rescales = _read_voxels(ordered, stacked, rescale_findings)
    findings += list(dict.fromkeys(rescale_findings))  # one per distinct bad value
    first = ordered[0].dataset
    grid = stacked.grid(voxels.shape, text(first, "FrameOfReferenceUID", findings))
    findings += _thickness_findings(number(first, "SliceThickness", findings), grid)
    if len({(r.slope, r.intercept) for r in rescales}) > 1:
        findings.append(Finding(
            "PER_SLICE_RESCALE", "Rescale Slope/Intercept differ between slices; each "
            "slice was rescaled with its own values.", Severity.INFO, "RescaleSlope"))
    return ImageVolume(
        paths=tuple(h.path for h in ordered),
        series_instance_uid=text(first, "SeriesInstanceUID", findings),
        modality=text(first, "Modality", findings) or "",
        grid=grid, voxels=voxels,
        frame_of_reference_uid=grid.frame_of_reference_uid,
        patient_position=text(first, "PatientPosition", findings),
        rescales=tuple(rescales),
        sop_instance_uids=tuple(text(h.dataset, "SOPInstanceUID", findings) or "" for h in ordered),
        slice_thickness_mm=number(first, "SliceThickness", findings),
        window=_window(first, findings),
        description=text(first, "SeriesDescription", findings) or "",
        missing_slice_indices=stacked.missing_k,
        findings=tuple(dict.fromkeys(findings)),  # a value read twice is said once
    )


def _read_voxels(ordered: list[_Header], stacked: StackedGeometry, findings: list[Finding]
                 ) -> tuple[NDArray[np.float32] | NDArray[np.int16], list[Rescale]]:
    """Decode and rescale every slice into the ``(k, j, i)`` volume, with each slice's rescale.

    A regular stack (the usual case) is written slice by slice into the volume, so
    the rescaled planes are never held twice; gaps and resampling go through
    :meth:`StackedGeometry.assemble`. Whole-numbered rescales (CT: slope 1, intercept
    -1024) give an int16 volume, the size of the stored pixel data rather than twice
    it (a 1000-slice 512x512 CT: 500 MiB, not 1000); a slice whose values leave the
    int16 range turns the volume into float32 from then on.
    """
    decoded: dict[Path, NDArray[np.generic]] = {}  # multi-frame files decode once
    rescales: list[Rescale] = []
    plan = stacked.plan
    if plan is not None and plan.mode == "regular":
        shape = (len(ordered), *ordered[0].geometry.shape)
        if not _whole_numbered(ordered):
            volume = np.empty(shape, dtype=np.float32)
            for k, header in zip(plan.k_of_plane, ordered, strict=True):
                rescales.append(_read_plane(header, decoded, findings, out=volume[k]))
            return volume, rescales
        return _read_int16(ordered, plan.k_of_plane, shape, decoded, findings)
    planes: list[NDArray[np.float32]] = []
    for header in ordered:
        plane = np.empty(header.geometry.shape, dtype=np.float32)
        rescales.append(_read_plane(header, decoded, findings, out=plane))
        planes.append(plane)
    return stacked.assemble(planes), rescales


def _whole_numbered(headers: list[_Header]) -> bool:
    """Whether every slice's rescale maps whole stored values to whole values."""
    for header in headers:
        if header.frame is not None:
            return False  # functional groups: left to float32
        for keyword, default in (("RescaleSlope", 1.0), ("RescaleIntercept", 0.0)):
            # a look ahead: an unusable value is reported where the plane is rescaled
            value = number(header.dataset, keyword, [])
            if not float(default if value is None else value).is_integer():
                return False
    return True


def _read_int16(ordered: list[_Header], k_of_plane: Sequence[int], shape: tuple[int, ...],
                decoded: dict[Path, NDArray[np.generic]], findings: list[Finding]
                ) -> tuple[NDArray[np.float32] | NDArray[np.int16], list[Rescale]]:
    """A regular stack into an int16 volume (float32 once a value does not fit)."""
    rescales: list[Rescale] = []
    volume: NDArray[np.float32] | NDArray[np.int16] = np.empty(shape, dtype=np.int16)
    plane = np.empty(shape[1:], dtype=np.float32)
    done: list[int] = []
    for k, header in zip(k_of_plane, ordered, strict=True):
        rescales.append(_read_plane(header, decoded, findings, out=plane))
        if volume.dtype == np.int16 and not (
                plane.min() >= _INT16_MIN and plane.max() <= _INT16_MAX):
            volume = _widened(volume, done)
        volume[k] = plane  # whole numbers within range: exact in int16
        done.append(k)
    return volume, rescales


_INT16_MIN, _INT16_MAX = np.iinfo(np.int16).min, np.iinfo(np.int16).max


def _widened(volume: NDArray[np.generic], done: list[int]) -> NDArray[np.float32]:
    """The slices read so far, in a float32 volume (a value beyond the int16 range came)."""
    wide = np.empty(volume.shape, dtype=np.float32)
    wide[done] = volume[done]
    return wide


#: Values larger than this (bytes) are read from the file when used: the pixel data.
_DEFER_BYTES = 16 * 1024


def _read_headers(path: Path) -> list[_Header]:
    """Read one file's headers (pixel bytes deferred): one header per slice it holds.

    Values above :data:`_DEFER_BYTES` (the pixel data) are read from the file only
    when decoded, one file at a time, so that a 1000-slice series never holds all
    its raw bytes beside the volume.
    """
    ds, findings = read_dataset(path, defer_size=_DEFER_BYTES)
    modality = text(ds, "Modality", findings) or ""
    if modality.startswith("RT") or modality in ("SEG", "REG", "SR", "PR"):
        raise UnsupportedObjectError(f"a {modality} object is not an image slice", path=path)
    rows, columns = integer(ds, "Rows", findings), integer(ds, "Columns", findings)
    if not rows or not columns:
        raise MissingAttributeError("the image has no Rows/Columns", path=path, attribute="Rows")
    if (integer(ds, "NumberOfFrames", findings) or 1) > 1:
        return [_Header(path, ds, tuple(findings), f.geometry, f)
                for f in frame_headers(ds, path, (rows, columns), findings)]
    return [_read_header(path, ds, findings, (rows, columns))]


def _read_header(path: Path, ds: Dataset, findings: list[Finding],
                 shape: tuple[int, int]) -> _Header:
    """The geometry of a single-frame slice."""
    position = numbers(ds, "ImagePositionPatient", findings, count=3)
    if position is None:
        raise MissingAttributeError("the slice has no usable Image Position (Patient), so it "
                                    "cannot be placed in the patient", path=path,
                                    attribute="ImagePositionPatient")
    orientation = numbers(ds, "ImageOrientationPatient", findings, count=6)
    if orientation is None:
        raise MissingAttributeError("the slice has no usable Image Orientation (Patient)",
                                    path=path, attribute="ImageOrientationPatient")
    spacing = numbers(ds, "PixelSpacing", findings, count=2)
    if spacing is None or min(spacing) <= 0:
        raise MissingAttributeError("the slice has no usable Pixel Spacing", path=path,
                                    attribute="PixelSpacing")
    geometry = SliceGeometry(
        path=path, position_mm=position, orientation=orientation, pixel_spacing_mm=spacing,
        shape=shape, sop_instance_uid=text(ds, "SOPInstanceUID", findings) or "",
        slice_thickness_mm=number(ds, "SliceThickness", findings),
        spacing_between_slices_mm=number(ds, "SpacingBetweenSlices", findings))
    return _Header(path, ds, tuple(findings), geometry)


def _read_plane(header: _Header, decoded: dict[Path, NDArray[np.generic]],
                findings: list[Finding], out: NDArray[np.float32]) -> Rescale:
    """Decode one slice's pixels (or take its frame), rescaled to float32 into ``out``.

    An unusable Rescale Slope/Intercept (text, NaN, several values, slope 0) falls back
    on 1/0 with an ``UNUSABLE_VALUE`` finding in ``findings``.
    """
    ds = header.dataset
    if header.path not in decoded:
        decoded.clear()  # keep one file's frames at a time
        decoded[header.path] = decode_pixels(ds, header.path, writeable=False)
        # the array (or a view that keeps the bytes) lives in ``decoded`` until the
        # next file: the series' raw bytes are never all held beside the volume
        release_pixel_data(ds)
    stored = decoded[header.path]
    if header.frame is not None:
        return _frame_plane(header, header.frame, stored, out, findings)
    if stored.ndim != 2:
        raise UnsupportedObjectError(
            f"expected one grey-scale frame, got pixel data of shape {stored.shape}",
            path=header.path)
    if stored.shape != header.geometry.shape:
        raise GeometryError(f"pixel data shape {stored.shape} differs from Rows/Columns "
                            f"{header.geometry.shape}", path=header.path)
    slope = number(ds, "RescaleSlope", findings, default=1.0, several="unusable",
                          label="Rescale Slope", nonzero=True, severity=Severity.ERROR)
    intercept = number(ds, "RescaleIntercept", findings, default=0.0, several="unusable",
                              label="Rescale Intercept", severity=Severity.ERROR)
    rescale = Rescale(slope, intercept, _unit(ds, findings))
    rescaled(stored, rescale.slope, rescale.intercept, out=out)
    return rescale


def _frame_plane(header: _Header, frame: FrameHeader, stored: NDArray[np.generic],
                 out: NDArray[np.float32], findings: list[Finding]) -> Rescale:
    """One frame of a multi-frame file, rescaled with its functional-group values."""
    if stored.ndim != 3 or frame.index >= stored.shape[0]:
        raise UnsupportedObjectError(f"frame {frame.index + 1} is not in pixel data of shape "
                                     f"{stored.shape}", path=header.path)
    unit = _unit(header.dataset, findings)
    rescale = Rescale(1.0 if frame.slope is None else frame.slope,
                      0.0 if frame.intercept is None else frame.intercept,
                      unit or frame.rescale_type or "")
    rescaled(stored[frame.index], rescale.slope, rescale.intercept, out=out)
    return rescale


def _unit(ds: Dataset, notes: list[Finding]) -> str:
    """What rescaled values mean: HU for CT, PET Units, Rescale Type, or unknown."""
    modality = text(ds, "Modality", notes)
    if modality == "CT":
        return "HU"
    if modality == "PT":
        return text(ds, "Units", notes) or text(ds, "RescaleType", notes) or ""
    return text(ds, "RescaleType", notes) or ""


def _window(ds: Dataset, notes: list[Finding]) -> tuple[float, float] | None:
    """First Window Center/Width pair, if any."""
    center, width = number(ds, "WindowCenter", notes), number(ds, "WindowWidth", notes)
    if center is None or width is None or width <= 0:
        return None
    return center, width


def _series_findings(headers: list[_Header]) -> list[Finding]:
    """Per-file reading findings plus disagreements between the slices' identities."""
    findings = list(dict.fromkeys(f for h in headers for f in h.findings))  # once per value
    for keyword, label, code in (
            ("SeriesInstanceUID", "Series Instance UID", "INCONSISTENT_SERIES_UID"),
            ("FrameOfReferenceUID", "Frame of Reference UID", "INCONSISTENT_FRAME_OF_REFERENCE"),
            ("Modality", "Modality", "INCONSISTENT_MODALITY")):
        values = {text(h.dataset, keyword, findings) for h in headers}
        if len(values) > 1:
            findings.append(Finding(
                code, f"The slices do not share one {label} ({len(values)} values).",
                attribute=keyword, assumption="the first slice's value"))
    return findings


def _thickness_findings(thickness_mm: float | None, grid: Grid) -> list[Finding]:
    """Slice Thickness that differs from the measured slice spacing (gapped or overlapping)."""
    step = grid.spacing_mm[2]
    if grid.shape[0] < 2 or thickness_mm is None or thickness_mm <= 0:
        return []
    if abs(thickness_mm - step) <= 0.1 * step:
        return []
    return [Finding("SLICE_THICKNESS_DIFFERS_FROM_SPACING",
                    f"Slice Thickness {thickness_mm:g} mm differs from the {step:.4g} mm "
                    "spacing of the slice positions.", Severity.INFO, "SliceThickness",
                    assumption="geometry follows the positions")]
