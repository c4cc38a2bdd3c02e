"""Frames of enhanced (multi-frame) CT, MR and PET objects as slices of a series.

Each frame's position, orientation, pixel spacing and rescale come from its
Per-frame Functional Groups, falling back on the Shared Functional Groups
(PS3.3 C.7.6.16), and then on the top-level attributes some writers use.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydicom.dataset import Dataset

from rtviewer.dicom.image_geometry import SliceGeometry
from rtviewer.dicom.values import first_item, integer, items, number, numbers, text
from rtviewer.errors import MissingAttributeError
from rtviewer.model.findings import Finding

__all__ = ["FrameHeader", "frame_headers"]


@dataclass(frozen=True)
class FrameHeader:
    """One frame's geometry and rescale."""

    index: int
    geometry: SliceGeometry
    slope: float | None
    intercept: float | None
    rescale_type: str | None


def frame_headers(ds: Dataset, path: Path, shape: tuple[int, int],
                  notes: list[Finding]) -> list[FrameHeader]:
    """Geometry and rescale of every frame of a multi-frame image.

    Parameters
    ----------
    ds : Dataset
        The multi-frame image dataset.
    path : Path
        Its file, for errors and for the slices' provenance.
    shape : tuple of int
        ``(rows, columns)``.
    notes : list of Finding
        Receives what an unusable value made the reader assume.

    Returns
    -------
    list of FrameHeader
        In frame order.

    Raises
    ------
    MissingAttributeError
        A frame whose position, orientation or pixel spacing is nowhere given.
    """
    shared = first_item(ds, "SharedFunctionalGroupsSequence", notes)
    per_frame = items(ds, "PerFrameFunctionalGroupsSequence", notes)
    count = integer(ds, "NumberOfFrames", notes) or len(per_frame)
    uid = text(ds, "SOPInstanceUID", notes) or path.name
    headers = []
    for index in range(count):
        frame = per_frame[index] if index < len(per_frame) else None

        def group(keyword: str, frame: Dataset | None = frame) -> Dataset:
            found = first_item(frame, keyword, notes) if frame is not None else None
            if found is None and shared is not None:
                found = first_item(shared, keyword, notes)
            return found if found is not None else ds

        position = numbers(group("PlanePositionSequence"), "ImagePositionPatient", notes,
                           count=3)
        orientation = numbers(group("PlaneOrientationSequence"), "ImageOrientationPatient",
                              notes, count=6)
        measures = group("PixelMeasuresSequence")
        spacing = numbers(measures, "PixelSpacing", notes, count=2)
        for value, keyword in ((position, "ImagePositionPatient"),
                               (orientation, "ImageOrientationPatient"), (spacing, "PixelSpacing")):
            if value is None:
                raise MissingAttributeError(f"frame {index + 1} has no usable {keyword}",
                                            path=path, attribute=keyword)
        assert position is not None and orientation is not None and spacing is not None
        transform = group("PixelValueTransformationSequence")
        headers.append(FrameHeader(
            index, SliceGeometry(path=path, position_mm=position, orientation=orientation,
                                 pixel_spacing_mm=spacing, shape=shape,
                                 sop_instance_uid=f"{uid}#{index + 1}",
                                 slice_thickness_mm=number(measures, "SliceThickness", notes),
                                 spacing_between_slices_mm=number(
                                     measures, "SpacingBetweenSlices", notes)),
            number(transform, "RescaleSlope", notes), number(transform, "RescaleIntercept", notes),
            text(transform, "RescaleType", notes)))
    return headers
