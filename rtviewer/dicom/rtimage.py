"""Read an RT Image (portal image, DRR, simulator image) into an :class:`RtImage`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from pydicom.dataset import Dataset

from rtviewer.dicom.captured import with_warnings_as_findings
from rtviewer.dicom.files import read_dataset
from rtviewer.dicom.pixels import decode_pixels
from rtviewer.dicom.sop_classes import RT_IMAGE
from rtviewer.dicom.values import (
    integer,
    items,
    number,
    numbers,
    present_text,
    tag_text,
    text,
    texts,
)
from rtviewer.errors import MissingAttributeError, UnsupportedObjectError
from rtviewer.model.findings import Finding, Severity
from rtviewer.model.rtimage import Exposure, LimitingDevicePositions, RtImage, RtImageKind

__all__ = ["read_rt_image"]



def read_rt_image(path: str | Path) -> RtImage:
    """Read an RT Image.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    RtImage
        Rescaled pixels (first frame), receptor-plane geometry (Image Plane Pixel
        Spacing at SID, RT Image Position), machine angles, references, exposures.

    Raises
    ------
    RtViewerError
        Not an RT Image, no pixel data, or no pixel spacing at all.
    """
    path = Path(path)
    return with_warnings_as_findings(lambda: _read(path))


def _read(path: Path) -> RtImage:
    """:func:`read_rt_image` without the warning capture."""
    ds, read_findings = read_dataset(path)
    findings = list(read_findings)
    sop_class = text(ds, "SOPClassUID", findings)
    if sop_class != RT_IMAGE and text(ds, "Modality", findings) != "RTIMAGE":
        raise UnsupportedObjectError(f"not an RT Image (SOP Class {sop_class})", path=path)
    pixels, more = _pixels(ds, path)
    findings += more
    spacing, more = _spacing(ds, path)
    findings += more
    position = numbers(ds, "RTImagePosition", findings, count=2)
    if position is None:
        findings.append(Finding(
            "NO_RT_IMAGE_POSITION", "RT Image Position is absent or empty: the beam axis cannot "
            "be located on the image.", attribute="RTImagePosition",
            assumption="the isocentre is not marked; distances in the image stay valid"))
    angles, more = _angles(ds)
    findings += more
    kind = _kind(ds, findings)
    # A zero or negative distance would turn sizes at the isocentre into nonsense.
    sid = number(ds, "RTImageSID", findings, default=None, several="unusable",
                        label="RT Image SID", positive=True)
    sad = number(ds, "RadiationMachineSAD", findings, default=None, several="unusable",
                        label="Radiation Machine SAD", positive=True)
    if sid is None:
        findings.append(Finding("NO_RT_IMAGE_SID", "RT Image SID is absent: sizes at the "
                                "isocentre are unknown.", attribute="RTImageSID"))
    plan = next(iter(items(ds, "ReferencedRTPlanSequence", findings)), None)
    translation = numbers(ds, "XRayImageReceptorTranslation", findings, count=3,
                          label="X-Ray Image Receptor Translation")
    receptor_angle = number(ds, "XRayImageReceptorAngle", findings, several="unusable",
                            label="X-Ray Image Receptor Angle")
    orientation = _orientation(ds, findings)
    isocenter = numbers(ds, "IsocenterPosition", findings, count=3,
                               label="Isocenter Position")
    return RtImage(
        path=path, sop_instance_uid=text(ds, "SOPInstanceUID", findings) or "", pixels=pixels,
        kind=kind, label=text(ds, "RTImageLabel", findings) or "",
        plane=text(ds, "RTImagePlane", findings),
        pixel_spacing_mm=spacing,
        image_position_mm=(position[0], position[1]) if position else None,
        sid_mm=sid, sad_mm=sad, gantry_angle_deg=angles[0], collimator_angle_deg=angles[1],
        couch_angle_deg=angles[2],
        receptor_translation_mm=((translation[0], translation[1], translation[2])
                                 if translation else None),
        receptor_angle_deg=receptor_angle,
        referenced_plan_uid=text(plan, "ReferencedSOPInstanceUID", findings) if plan else None,
        referenced_beam_number=integer(ds, "ReferencedBeamNumber", findings),
        exposures=tuple(_exposure(e, findings) for e in items(ds, "ExposureSequence", findings)),
        frame_of_reference_uid=text(ds, "FrameOfReferenceUID", findings),
        name=text(ds, "RTImageName", findings) or "",
        description=text(ds, "RTImageDescription", findings) or "", window=_window(ds, findings),
        photometric_interpretation=text(ds, "PhotometricInterpretation", findings) or "MONOCHROME2",
        findings=tuple(findings), image_orientation=orientation,
        isocenter_mm=(isocenter[0], isocenter[1], isocenter[2]) if isocenter else None)


def _orientation(ds: Dataset, findings: list[Finding]) -> tuple[float, ...] | None:
    """RT Image Orientation when the plane is NON_NORMAL; its absence is a finding."""
    values = numbers(ds, "RTImageOrientation", findings, count=6,
                            label="RT Image Orientation")
    if values is not None:
        row, column = np.asarray(values[:3]), np.asarray(values[3:])
        if abs(np.linalg.norm(row) - 1) > 1e-3 or abs(np.linalg.norm(column) - 1) > 1e-3 \
                or abs(float(row @ column)) > 1e-3:
            findings.append(Finding(
                "BAD_RT_IMAGE_ORIENTATION", "RT Image Orientation is not two orthogonal unit "
                "vectors.", attribute="RTImageOrientation",
                assumption="the image is placed as if normal to the beam"))
            values = None
    if values is None and (text(ds, "RTImagePlane", findings) or "").upper() == "NON_NORMAL":
        findings.append(Finding(
            "NON_NORMAL_WITHOUT_ORIENTATION", "RT Image Plane is NON_NORMAL but no usable RT "
            "Image Orientation is stated.", attribute="RTImageOrientation",
            assumption="the image is placed as if normal to the beam"))
    return tuple(float(v) for v in values) if values is not None else None


def _pixels(ds: Dataset, path: Path) -> tuple[NDArray[np.float32], list[Finding]]:
    """First frame, rescaled, float32."""
    stored = decode_pixels(ds, path)
    findings = []
    if stored.ndim == 3:
        findings.append(Finding("MULTI_FRAME_RT_IMAGE", f"The RT Image has {stored.shape[0]} "
                                "frames.", Severity.INFO, "NumberOfFrames",
                                assumption="the first frame is shown"))
        stored = stored[0]
    if stored.ndim != 2:
        raise UnsupportedObjectError(f"unexpected RT Image pixel data of shape {stored.shape}",
                                     path=path)
    slope = number(ds, "RescaleSlope", findings, default=1.0, several="unusable",
                          label="Rescale Slope", nonzero=True)
    intercept = number(ds, "RescaleIntercept", findings, default=0.0, several="unusable",
                              label="Rescale Intercept")
    pixels = stored.astype(np.float64) * slope + intercept
    return pixels.astype(np.float32), findings


def _spacing(ds: Dataset, path: Path) -> tuple[tuple[float, float], list[Finding]]:
    """Image Plane Pixel Spacing, falling back on Pixel Spacing with a finding."""
    findings: list[Finding] = []
    spacing = numbers(ds, "ImagePlanePixelSpacing", findings, count=2)
    if spacing is not None and min(spacing) > 0:
        return (spacing[0], spacing[1]), findings
    fallback = numbers(ds, "PixelSpacing", findings, count=2)
    if fallback is None or min(fallback) <= 0:
        raise MissingAttributeError("the RT Image has no usable Image Plane Pixel Spacing",
                                    path=path, attribute="ImagePlanePixelSpacing")
    return (fallback[0], fallback[1]), [*findings, Finding(
        "NO_IMAGE_PLANE_PIXEL_SPACING", "Image Plane Pixel Spacing is absent.",
        attribute="ImagePlanePixelSpacing", assumption="Pixel Spacing, taken at the image plane")]


def _angles(ds: Dataset) -> tuple[tuple[float | None, float | None, float | None],
                                  list[Finding]]:
    """Gantry, collimator and couch angles; a finding for those missing or unusable."""
    names = (("GantryAngle", "Gantry Angle"), ("BeamLimitingDeviceAngle", "Beam Limiting "
             "Device Angle"), ("PatientSupportAngle", "Patient Support Angle"))
    findings: list[Finding] = []
    values = tuple(number(ds, keyword, findings, default=None, several="unusable", label=label)
                   for keyword, label in names)
    missing = [label for keyword, label in names if present_text(ds, keyword) is None]
    if missing:
        findings.append(Finding("RT_IMAGE_ANGLES_MISSING", f"{', '.join(missing)} absent.",
                                Severity.INFO, names[0][0] if missing[0] == names[0][1]
                                else None,
                                assumption="shown as unknown, not as 0°"))
    return (values[0], values[1], values[2]), findings


def _kind(ds: Dataset, findings: list[Finding]) -> RtImageKind:
    """Image Type value 3."""
    values = texts(ds, "ImageType", findings)
    third = values[2].upper() if len(values) > 2 else ""
    try:
        return RtImageKind(third)
    except ValueError:
        return RtImageKind.OTHER


def _exposure(item: Dataset, findings: list[Finding]) -> Exposure:
    """One Exposure Sequence item with its jaw and MLC positions."""
    devices = []
    for device in items(item, "BeamLimitingDeviceSequence", findings):
        device_type = text(device, "RTBeamLimitingDeviceType", findings) or ""
        outline = "the field outline is not drawn"
        positions = numbers(device, "LeafJawPositions", findings,
                            f"Exposure {device_type or 'device'}", assumption=outline) or ()
        pairs = integer(device, "NumberOfLeafJawPairs", findings)
        if pairs and positions and len(positions) != 2 * pairs:
            findings.append(Finding(
                "UNUSABLE_VALUE", f"Exposure {device_type or 'device'}: Leaf/Jaw Positions "
                f"are not {2 * pairs} finite numbers.",
                attribute="LeafJawPositions", assumption=outline))
            positions = ()
        devices.append(LimitingDevicePositions(
            device_type, np.asarray(positions, float), pairs or len(positions) // 2))
    return Exposure(kvp=number(item, "KVP", findings),
                    meterset=number(item, "MetersetExposure", findings),
                    exposure_time_ms=number(item, "ExposureTime", findings),
                    tube_current_ma=number(item, "XRayTubeCurrent", findings),
                    limiting_devices=tuple(devices))


def _window(ds: Dataset, findings: list[Finding]) -> tuple[float, float] | None:
    """First Window Center and Width; an unusable one is a finding, not a silent default."""
    instead = "a window from the pixel values"
    centers = numbers(ds, "WindowCenter", findings, label="Window Center",
                             severity=Severity.INFO, assumption=instead)
    widths = numbers(ds, "WindowWidth", findings, label="Window Width",
                            severity=Severity.INFO, assumption=instead)
    if widths is not None and widths[0] <= 0:
        findings.append(Finding("UNUSABLE_VALUE", f"Window Width (WindowWidth) "
                                f"{tag_text('WindowWidth')} is not positive: {widths[0]:g}.",
                                Severity.INFO, "WindowWidth",
                                assumption=instead))
        widths = None
    return (centers[0], widths[0]) if centers is not None and widths is not None else None
