"""CT Image Storage files of a phantom (one file per axial slice)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from pydicom.uid import CTImageStorage

from rtviewer.demo.phantom import CtGeometry
from rtviewer.demo.writer import Patient, Series, new_dataset, set_uint16_pixels, write_dataset

__all__ = ["CtSeries", "write_ct_series"]

_INTERCEPT = -1024.0


@dataclass(frozen=True)
class CtSeries:
    """What other objects need to reference a written CT series."""

    series_uid: str
    slice_uids: tuple[str, ...]
    slice_z_mm: tuple[float, ...]


def write_ct_series(
    hu: NDArray[np.float32], geometry: CtGeometry, *, patient: Patient, series: Series,
    slice_uids: list[str], out_dir: Path, body_part: str = "CHEST",
) -> CtSeries:
    """Write ``hu`` ``[k, j, i]`` as 16-bit unsigned slices (HU = stored - 1024), HFS.

    16 bits stored: an extended CT scale, so metal (the gold fiducial) is not clipped
    at 3071 HU.
    """
    stored = np.clip(np.rint(hu - _INTERCEPT), 0, 65535).astype(np.uint16)
    zs = geometry.axis_mm(2)
    x0, y0, _ = geometry.origin_mm
    for k, z in enumerate(zs):
        ds = new_dataset(sop_class_uid=CTImageStorage, sop_instance_uid=slice_uids[k],
                         patient=patient, series=series, instance_number=k + 1)
        ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
        ds.PatientPosition = "HFS"
        ds.BodyPartExamined = body_part
        ds.ScanOptions = "HELICAL"
        ds.KVP = 120
        ds.AcquisitionNumber = 1
        ds.SliceThickness = geometry.slice_mm
        ds.ImagePositionPatient = [x0, y0, float(z)]
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.SliceLocation = float(z)
        ds.PixelSpacing = [geometry.pixel_mm, geometry.pixel_mm]
        set_uint16_pixels(ds, stored[k])
        ds.RescaleIntercept = _INTERCEPT
        ds.RescaleSlope = 1
        ds.RescaleType = "HU"
        ds.WindowCenter = 40
        ds.WindowWidth = 400
        write_dataset(ds, out_dir)
    return CtSeries(series.uid, tuple(slice_uids), tuple(float(z) for z in zs))
