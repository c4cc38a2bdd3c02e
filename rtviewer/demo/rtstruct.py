"""RT Structure Set of a phantom: ellipse sections per CT slice, rings, points."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.uid import CTImageStorage, RTStructureSetStorage

from rtviewer.demo.ct import CtSeries
from rtviewer.demo.phantom import RoiSpec
from rtviewer.demo.shapes import ellipse_polygon
from rtviewer.demo.writer import (
    Patient,
    Series,
    new_dataset,
    sequence_item,
    set_approved,
    set_decimal_strings,
    write_dataset,
)

__all__ = ["write_structure_set"]

_MIN_SEMI_AXIS_MM = 1.0  # sections thinner than this are not contoured


def _contour_item(points_mm: np.ndarray, contour_type: str, number: int,
                  image_uid: str | None) -> Dataset:
    item = sequence_item(ContourGeometricType=contour_type, NumberOfContourPoints=len(points_mm),
                         ContourNumber=number)
    set_decimal_strings(item, "ContourData", points_mm.ravel().tolist(), decimals=2)
    if image_uid is not None:
        item.ContourImageSequence = [sequence_item(ReferencedSOPClassUID=CTImageStorage,
                                                   ReferencedSOPInstanceUID=image_uid)]
    return item


def _roi_contours(roi: RoiSpec, ct: CtSeries, slice_of: dict[float, str]) -> list[Dataset]:
    items: list[Dataset] = []
    if roi.polyline_mm is not None:
        return [_contour_item(np.array(roi.polyline_mm), "OPEN_NONPLANAR", 1, None)]
    if roi.point_mm is not None:
        z = min(ct.slice_z_mm, key=lambda s: abs(s - roi.point_mm[2]))  # type: ignore[index]
        items.append(_contour_item(np.array([roi.point_mm]), "POINT", 1, slice_of[z]))
        return items
    # Contours stop one slice inside the CT's ends: the slab structure model caps a
    # structure half a slice beyond its end contours, and a structure running through
    # the whole scan (cord, oesophagus) would otherwise reach past the dose grid, which
    # makes its goals not evaluable.
    for z in ct.slice_z_mm[1:-1]:
        for shape in roi.shapes:
            sec = shape.section(z)
            if sec is None or min(sec[2], sec[3]) < _MIN_SEMI_AXIS_MM:
                continue
            polygon = ellipse_polygon(*sec, z_mm=z, n_points=72)
            items.append(_contour_item(polygon, "CLOSED_PLANAR", len(items) + 1, slice_of[z]))
    return items


def _referenced_frame(patient: Patient, ct: CtSeries) -> Dataset:
    images = [sequence_item(ReferencedSOPClassUID=CTImageStorage, ReferencedSOPInstanceUID=u)
              for u in ct.slice_uids]
    series = sequence_item(SeriesInstanceUID=ct.series_uid, ContourImageSequence=images)
    study = sequence_item(ReferencedSOPClassUID="1.2.840.10008.3.1.2.3.1",  # Detached Study Mgmt
                          ReferencedSOPInstanceUID=patient.study_uid,
                          RTReferencedSeriesSequence=[series])
    return sequence_item(FrameOfReferenceUID=patient.frame_of_reference_uid,
                         RTReferencedStudySequence=[study])


def write_structure_set(
    rois: tuple[RoiSpec, ...], *, ct: CtSeries, patient: Patient, series: Series, uid: str,
    label: str, out_dir: Path,
) -> Path:
    """Write the RT Structure Set of ``rois`` contoured on the slices of ``ct``."""
    ds = new_dataset(sop_class_uid=RTStructureSetStorage, sop_instance_uid=uid, patient=patient,
                     series=series)
    ds.StructureSetLabel = label
    ds.StructureSetName = label
    ds.StructureSetDate, ds.StructureSetTime = series.date, series.time
    ds.ReferencedFrameOfReferenceSequence = [_referenced_frame(patient, ct)]
    slice_of = dict(zip(ct.slice_z_mm, ct.slice_uids, strict=True))
    ds.StructureSetROISequence = Sequence([
        sequence_item(ROINumber=r.number,
                      ReferencedFrameOfReferenceUID=patient.frame_of_reference_uid,
                      ROIName=r.name, ROIGenerationAlgorithm="MANUAL") for r in rois])
    ds.ROIContourSequence = Sequence([
        sequence_item(ROIDisplayColor=list(r.color_rgb), ReferencedROINumber=r.number,
                      ContourSequence=_roi_contours(r, ct, slice_of)) for r in rois])
    ds.RTROIObservationsSequence = Sequence([
        sequence_item(ObservationNumber=r.number, ReferencedROINumber=r.number,
                      ROIObservationLabel=r.name[:16], RTROIInterpretedType=r.interpreted_type,
                      ROIInterpreter="") for r in rois])
    set_approved(ds, series)
    return write_dataset(ds, out_dir)
