"""RT Images: portal images, DRRs and simulator images in their image plane."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from rtviewer.model.arrays import freeze_field
from rtviewer.model.findings import Finding

__all__ = ["RtImageKind", "LimitingDevicePositions", "Exposure", "RtImage"]


class RtImageKind(enum.Enum):
    """The third value of Image Type for RT Images (PS3.3 C.8.8.2.1)."""

    DRR = "DRR"
    PORTAL = "PORTAL"
    SIMULATOR = "SIMULATOR"
    RADIOGRAPH = "RADIOGRAPH"
    BLANK = "BLANK"
    FLUENCE = "FLUENCE"
    OTHER = "OTHER"


@dataclass(frozen=True, eq=False)
class LimitingDevicePositions:
    """Jaw or MLC positions of one beam limiting device during an exposure.

    Parameters
    ----------
    device_type : str
        RT Beam Limiting Device Type (``"X"``, ``"ASYMY"``, ``"MLCX"``, ...).
    positions_mm : ndarray, (2 * n_pairs,) float64
        Leaf/Jaw Positions at isocentre, mm (all bank-A values, then bank B).
    number_of_pairs : int
        Number of Leaf/Jaw Pairs.
    """

    device_type: str
    positions_mm: NDArray[np.float64]
    number_of_pairs: int

    def __post_init__(self) -> None:
        freeze_field(self, "positions_mm", np.float64, ndim=1)


@dataclass(frozen=True, eq=False)
class Exposure:
    """One item of the Exposure Sequence.

    Parameters
    ----------
    kvp : float or None
        KVP (kV; megavoltage images often store 6000 for 6 MV).
    meterset : float or None
        Meterset Exposure (MU).
    exposure_time_ms : float or None
        Exposure Time.
    tube_current_ma : float or None
        X-Ray Tube Current.
    limiting_devices : tuple of LimitingDevicePositions
        Jaw and MLC positions when present.
    """

    kvp: float | None = None
    meterset: float | None = None
    exposure_time_ms: float | None = None
    tube_current_ma: float | None = None
    limiting_devices: tuple[LimitingDevicePositions, ...] = ()


@dataclass(frozen=True, eq=False)
class RtImage:
    """An RT Image in its IEC X-RAY IMAGE RECEPTOR plane.

    Parameters
    ----------
    path : Path
        The file.
    sop_instance_uid : str
        SOP Instance UID.
    pixels : ndarray, (rows, columns) float32
        Rescaled pixel values (first frame of multi-frame images), read-only.
    kind : RtImageKind
        Image Type value 3 (DRR, PORTAL, ...).
    label : str
        RT Image Label.
    plane : str or None
        RT Image Plane (``"NORMAL"`` or ``"NON_NORMAL"``).
    pixel_spacing_mm : tuple of float
        Image Plane Pixel Spacing ``(row spacing, column spacing)`` in the
        receptor plane (at SID), mm.
    image_position_mm : tuple of float or None
        RT Image Position: receptor ``(x, y)`` of the first pixel's centre; None
        when absent or empty.
    sid_mm : float or None
        RT Image SID: source to image-plane distance.
    sad_mm : float or None
        Radiation Machine SAD.
    gantry_angle_deg, collimator_angle_deg, couch_angle_deg : float or None
        Gantry Angle, Beam Limiting Device Angle, Patient Support Angle.
    receptor_translation_mm : tuple of float or None
        X-Ray Image Receptor Translation ``(x, y, z)``.
    receptor_angle_deg : float or None
        X-Ray Image Receptor Angle.
    referenced_plan_uid : str or None
        Referenced RT Plan SOP Instance UID.
    referenced_beam_number : int or None
        Referenced Beam Number.
    exposures : tuple of Exposure
        Exposure Sequence.
    frame_of_reference_uid : str or None
        Frame of Reference UID.
    name, description : str
        RT Image Name and Description.
    window : tuple of float or None
        First Window Center and Width, rescaled units.
    photometric_interpretation : str
        ``"MONOCHROME1"`` means high values display dark (invert for display).
    image_orientation : tuple of float or None
        RT Image Orientation: the row then column direction cosines (6 values) in
        the IEC X-RAY IMAGE RECEPTOR system; stated for a NON_NORMAL image plane.
    isocenter_mm : tuple of float or None
        Isocenter Position: the machine isocentre the image was taken about, DICOM
        patient ``(x, y, z)`` mm.
    findings : tuple of Finding
        Recoverable problems met while reading.
    """

    path: Path
    sop_instance_uid: str
    pixels: NDArray[np.float32]
    kind: RtImageKind
    label: str
    plane: str | None
    pixel_spacing_mm: tuple[float, float]
    image_position_mm: tuple[float, float] | None
    sid_mm: float | None
    sad_mm: float | None
    gantry_angle_deg: float | None = None
    collimator_angle_deg: float | None = None
    couch_angle_deg: float | None = None
    receptor_translation_mm: tuple[float, float, float] | None = None
    receptor_angle_deg: float | None = None
    referenced_plan_uid: str | None = None
    referenced_beam_number: int | None = None
    exposures: tuple[Exposure, ...] = ()
    frame_of_reference_uid: str | None = None
    name: str = ""
    description: str = ""
    window: tuple[float, float] | None = None
    photometric_interpretation: str = "MONOCHROME2"
    findings: tuple[Finding, ...] = field(default=())
    image_orientation: tuple[float, ...] | None = None
    isocenter_mm: tuple[float, float, float] | None = None

    def __post_init__(self) -> None:
        freeze_field(self, "pixels", np.float32, ndim=2)
        object.__setattr__(self, "path", Path(self.path))

    @property
    def shape(self) -> tuple[int, int]:
        """``(rows, columns)``."""
        rows, columns = self.pixels.shape
        return int(rows), int(columns)

    @property
    def magnification(self) -> float | None:
        """SID / SAD: how much larger the image plane is than the isocentre plane."""
        if self.sid_mm is None or self.sad_mm is None or self.sad_mm <= 0 or self.sid_mm <= 0:
            return None
        return self.sid_mm / self.sad_mm

    @property
    def pixel_spacing_at_isocenter_mm(self) -> tuple[float, float] | None:
        """Image Plane Pixel Spacing scaled back to the isocentre plane (× SAD / SID)."""
        m = self.magnification
        if m is None:
            return None
        return self.pixel_spacing_mm[0] / m, self.pixel_spacing_mm[1] / m

    def isocenter_pixel(self) -> tuple[float, float] | None:
        """Pixel position ``(column, row)`` where the beam axis crosses the image.

        The beam axis meets the receptor plane at the receptor origin shifted
        by minus X-Ray Image Receptor Translation, turned by the receptor angle.
        Receptor ``x`` grows with the column index and ``y`` shrinks with the row
        index (PS3.3 C.8.8.2). None without an RT Image Position.
        """
        if self.image_position_mm is None:
            return None
        tx, ty = (0.0, 0.0)
        if self.receptor_translation_mm is not None:
            tx, ty = self.receptor_translation_mm[0], self.receptor_translation_mm[1]
        angle = np.deg2rad(self.receptor_angle_deg or 0.0)
        # axis point in the receptor frame: rotate (-tx, -ty) by -angle
        ax = np.cos(angle) * -tx + np.sin(angle) * -ty
        ay = -np.sin(angle) * -tx + np.cos(angle) * -ty
        x0, y0 = self.image_position_mm
        row_spacing, column_spacing = self.pixel_spacing_mm
        return float((ax - x0) / column_spacing), float((y0 - ay) / row_spacing)
