"""Frames of enhanced (multi-frame) CT, MR and PET objects as slices of a series.

Each frame's position, orientation, pixel spacing and rescale come from its
Per-frame Functional Groups, falling back on the Shared Functional Groups
(PS3.3 C.7.6.16), and then on the top-level attributes some writers use.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydicom.dataset import Dataset

from rtviewer.dicom.element_values import first_item, get_float, get_floats, get_int, get_str
from rtviewer.dicom.element_values import sequence as items_of
from rtviewer.dicom.image_geometry import SliceGeometry
from rtviewer.errors import MissingAttributeError

__all__ = ["FrameHeader", "frame_headers"]


@dataclass(frozen=True)
class FrameHeader:
    """One frame's geometry and rescale."""

    index: int
    geometry: SliceGeometry
    slope: float | None
    intercept: float | None
    rescale_type: str | None


def frame_headers(ds: Dataset, path: Path, shape: tuple[int, int]) -> list[FrameHeader]:
    """Geometry and rescale of every frame of a multi-frame image.

    Parameters
    ----------
    ds : Dataset
        The multi-frame image dataset.
    path : Path
        Its file, for errors and for the slices' provenance.
    shape : tuple of int
        ``(rows, columns)``.

    Returns
    -------
    list of FrameHeader
        In frame order.

    Raises
    ------
    MissingAttributeError
        A frame whose position, orientation or pixel spacing is nowhere given.
    """
    shared = first_item(ds, "SharedFunctionalGroupsSequence")
    per_frame = items_of(ds, "PerFrameFunctionalGroupsSequence")
    count = get_int(ds, "NumberOfFrames") or len(per_frame)
    uid = get_str(ds, "SOPInstanceUID") or path.name
    headers = []
    for index in range(count):
        frame = per_frame[index] if index < len(per_frame) else None

        def group(keyword: str, frame: Dataset | None = frame) -> Dataset:
            found = first_item(frame, keyword) if frame is not None else None
            if found is None and shared is not None:
                found = first_item(shared, keyword)
            return found if found is not None else ds

        position = get_floats(group("PlanePositionSequence"), "ImagePositionPatient", 3)
        orientation = get_floats(group("PlaneOrientationSequence"), "ImageOrientationPatient", 6)
        measures = group("PixelMeasuresSequence")
        spacing = get_floats(measures, "PixelSpacing", 2)
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
                                 slice_thickness_mm=get_float(measures, "SliceThickness"),
                                 spacing_between_slices_mm=get_float(
                                     measures, "SpacingBetweenSlices")),
            get_float(transform, "RescaleSlope"), get_float(transform, "RescaleIntercept"),
            get_str(transform, "RescaleType")))
    return headers
