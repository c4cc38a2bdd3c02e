"""RT Structure Sets: ROIs and their contours in patient millimetres."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from rtviewer.model.arrays import freeze_field
from rtviewer.model.findings import Finding

__all__ = ["ContourType", "Contour", "ContourPlane", "Roi", "StructureSet"]

#: Contours whose positions along the plane normal differ by less than this share a plane.
PLANE_TOLERANCE_MM = 0.01


class ContourType(enum.Enum):
    """Contour Geometric Type (3006,0042)."""

    CLOSED_PLANAR = "CLOSED_PLANAR"
    OPEN_PLANAR = "OPEN_PLANAR"
    OPEN_NONPLANAR = "OPEN_NONPLANAR"
    POINT = "POINT"


@dataclass(frozen=True, eq=False)
class Contour:
    """One contour of an ROI.

    Parameters
    ----------
    points_mm : ndarray, (N, 3) float64
        Patient ``(x, y, z)`` mm, read-only, in the file's order (a closed
        contour's last point is *not* repeated).
    contour_type : ContourType
        Geometric type.
    referenced_sop_instance_uids : tuple of str
        Contour Image Sequence: the image slices the contour was drawn on.
    """

    points_mm: NDArray[np.float64]
    contour_type: ContourType
    referenced_sop_instance_uids: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        points = freeze_field(self, "points_mm", np.float64, ndim=2)
        if points.shape[1] != 3:
            raise ValueError(f"points_mm must be (N, 3), got {points.shape}")

    @property
    def is_closed(self) -> bool:
        """Whether this is a CLOSED_PLANAR contour (the only kind with an area)."""
        return self.contour_type is ContourType.CLOSED_PLANAR


@dataclass(frozen=True, eq=False)
class ContourPlane:
    """The contours of one ROI that lie in one plane.

    Parameters
    ----------
    position_mm : float
        Signed distance of the plane from the patient origin along ``normal``.
    normal : tuple of float
        Unit normal of the plane, patient ``(x, y, z)``; ``(0, 0, 1)`` for axial.
    contours : tuple of Contour
        Contours on the plane; nested ones are holes (even-odd).
    """

    position_mm: float
    normal: tuple[float, float, float]
    contours: tuple[Contour, ...]


@dataclass(frozen=True, eq=False)
class Roi:
    """One Region of Interest of a structure set.

    Parameters
    ----------
    roi_number : int
        ROI Number, the key other objects refer to.
    name : str
        ROI Name.
    color_rgb : tuple of int
        ROI Display Color, or a deterministic palette colour when absent.
    interpreted_type : str or None
        RT ROI Interpreted Type (``"PTV"``, ``"ORGAN"``, ``"EXTERNAL"``, ...).
    contours : tuple of Contour
        All contours, in the file's order.
    volume_cc : float or None
        Volume in cm³ of the CLOSED_PLANAR contours (the one volume function of
        ``rtviewer.core``); None when there are none.
    frame_of_reference_uid : str or None
        Referenced Frame of Reference UID of the ROI.
    color_from_file : bool
        False when the colour came from the palette.
    generation_algorithm : str or None
        ROI Generation Algorithm (AUTOMATIC, SEMIAUTOMATIC, MANUAL).
    findings : tuple of Finding
        Problems specific to this ROI.
    """

    roi_number: int
    name: str
    color_rgb: tuple[int, int, int]
    interpreted_type: str | None
    contours: tuple[Contour, ...]
    volume_cc: float | None = None
    frame_of_reference_uid: str | None = None
    color_from_file: bool = True
    generation_algorithm: str | None = None
    findings: tuple[Finding, ...] = field(default=())

    def closed_polygons_mm(self) -> list[NDArray[np.float64]]:
        """The CLOSED_PLANAR contours' points, each ``(N, 3)`` patient mm."""
        return [c.points_mm for c in self.contours if c.is_closed]

    @property
    def has_contours(self) -> bool:
        """Whether the ROI has at least one contour of any type."""
        return bool(self.contours)

    @cached_property
    def planes(self) -> tuple[ContourPlane, ...]:
        """Planar contours grouped by plane, sorted by position along the normal.

        The normal is that of the first contour with an area (``(0, 0, 1)``
        when none has one); OPEN_NONPLANAR and POINT contours are not included.
        """
        planar = [c for c in self.contours
                  if c.contour_type in (ContourType.CLOSED_PLANAR, ContourType.OPEN_PLANAR)]
        normal = _common_normal(planar)
        n = (float(normal[0]), float(normal[1]), float(normal[2]))
        positioned = sorted(((float(np.mean(c.points_mm @ normal)), i, c)
                             for i, c in enumerate(planar)), key=lambda t: (t[0], t[1]))
        planes: list[tuple[float, list[tuple[int, Contour]]]] = []
        for position, index, contour in positioned:
            # a new plane starts when the gap to the previous contour exceeds the tolerance
            if planes and position - planes[-1][0] <= PLANE_TOLERANCE_MM:
                planes[-1][1].append((index, contour))
            else:
                planes.append((position, [(index, contour)]))
        # contours keep the file's order within a plane
        return tuple(ContourPlane(position, n, tuple(c for _, c in sorted(members,
                                                                          key=lambda m: m[0])))
                     for position, members in planes)


def _common_normal(contours: list[Contour]) -> NDArray[np.float64]:
    """Unit normal of the first contour that spans an area; +z otherwise."""
    for contour in contours:
        pts = contour.points_mm
        if len(pts) < 3:
            continue
        centred = pts - pts.mean(axis=0)
        # Newell's method: robust for any simple polygon, convex or not
        nxt = np.roll(centred, -1, axis=0)
        normal = np.cross(centred, nxt).sum(axis=0)
        length = float(np.linalg.norm(normal))
        if length > 1e-9:
            normal = normal / length
            # orient it to point along the dominant positive patient axis
            if normal[int(np.argmax(np.abs(normal)))] < 0:
                normal = -normal
            result: NDArray[np.float64] = normal
            return result
    return np.array([0.0, 0.0, 1.0])


@dataclass(frozen=True, eq=False)
class StructureSet:
    """An RT Structure Set.

    Parameters
    ----------
    path : Path
        The file.
    sop_instance_uid : str
        SOP Instance UID.
    label : str
        Structure Set Label.
    frame_of_reference_uid : str or None
        The (first) Referenced Frame of Reference UID.
    rois : tuple of Roi
        In the file's order of Structure Set ROI Sequence.
    referenced_series_uids : tuple of str
        Series Instance UIDs of the images the contours were drawn on.
    contour_image_sop_uids : tuple of str
        SOP Instance UIDs listed in Contour Image Sequences (referenced frames).
    name : str
        Structure Set Name.
    referenced_study_uids : tuple of str
        Referenced studies (RT Referenced Study Sequence).
    findings : tuple of Finding
        Problems of the whole structure set (each ROI has its own too).
    date, time : datetime.date, datetime.time or None
        Structure Set Date and Time (when the structures were last saved).
    approval_status : str or None
        Approval Status of the (optional) Approval module: APPROVED, UNAPPROVED, REJECTED.
    review_date, review_time : datetime.date, datetime.time or None
        Review Date and Time of the Approval module (when it was approved or rejected).
    """

    path: Path
    sop_instance_uid: str
    label: str
    frame_of_reference_uid: str | None
    rois: tuple[Roi, ...]
    referenced_series_uids: tuple[str, ...] = ()
    contour_image_sop_uids: tuple[str, ...] = ()
    name: str = ""
    referenced_study_uids: tuple[str, ...] = ()
    findings: tuple[Finding, ...] = field(default=())
    date: dt.date | None = None
    time: dt.time | None = None
    approval_status: str | None = None
    review_date: dt.date | None = None
    review_time: dt.time | None = None

    def roi_by_number(self, roi_number: int) -> Roi:
        """The ROI with this ROI Number.

        Raises
        ------
        KeyError
            No such ROI.
        """
        for roi in self.rois:
            if roi.roi_number == roi_number:
                return roi
        raise KeyError(roi_number)

    def roi_by_name(self, name: str) -> Roi:
        """The first ROI with this name (exact match).

        Raises
        ------
        KeyError
            No such ROI.
        """
        for roi in self.rois:
            if roi.name == name:
                return roi
        raise KeyError(name)
