"""Contours against the images they were drawn on: on the image planes, inside the volume.

Only complete image series are judged (a series with missing slices is already
reported as ``MISSING_INSTANCES``), and only contours parallel to the images.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from rtviewer.dicom.check.collector import Collector
from rtviewer.dicom.check.index_checks import series_by_uid
from rtviewer.dicom.check.objects import ObjectStore
from rtviewer.dicom.files import read_dataset
from rtviewer.errors import RtViewerError
from rtviewer.model.findings import Finding, Severity
from rtviewer.model.index import Instance, ScanResult, Series
from rtviewer.model.kind import Kind
from rtviewer.model.structure import ContourType

__all__ = ["check_contours", "ImageStack"]


@dataclass(frozen=True)
class ImageStack:
    """The geometry of a stack of parallel slices, from headers.

    Parameters
    ----------
    origin_mm : ndarray, (3,)
        Image Position (Patient) of the first slice: the centre of its first pixel.
    row_dir, col_dir, normal : ndarray, (3,)
        Direction of increasing column index, of increasing row index, and their cross
        product.
    pixel_spacing_mm : tuple of float
        (row spacing, column spacing) = (Δj, Δi).
    rows, columns : int
    plane_positions_mm : ndarray, (n,)
        Sorted positions of the slices along ``normal``.
    """

    origin_mm: NDArray[np.float64]
    row_dir: NDArray[np.float64]
    col_dir: NDArray[np.float64]
    normal: NDArray[np.float64]
    pixel_spacing_mm: tuple[float, float]
    rows: int
    columns: int
    plane_positions_mm: NDArray[np.float64]

    @property
    def slice_spacing_mm(self) -> float:
        """Median distance between neighbouring planes (0 for a single slice)."""
        if self.plane_positions_mm.size < 2:
            return 0.0
        return float(np.median(np.diff(self.plane_positions_mm)))


def image_stack(volumes: list[Series]) -> ImageStack | None:
    """Return the geometry of a series' slices parallel to its first slice, or None."""
    instances = [i for v in volumes for i in v.instances if i.image_position_mm is not None]
    if not instances:
        return None
    try:
        ds, _ = read_dataset(instances[0].path, stop_before_pixels=True, specific_tags=[
            "ImageOrientationPatient", "PixelSpacing", "Rows", "Columns", "SOPClassUID"])
        orientation = np.array([float(v) for v in ds.ImageOrientationPatient], np.float64)
        spacing = (float(ds.PixelSpacing[0]), float(ds.PixelSpacing[1]))
        rows, columns = int(ds.Rows), int(ds.Columns)
    except (RtViewerError, AttributeError, ValueError, TypeError, IndexError):
        return None  # geometry unknown: the image readers report why
    row_dir, col_dir = orientation[:3], orientation[3:]
    normal = np.cross(row_dir, col_dir)
    if orientation.size != 6 or not np.isfinite(normal).all() or np.linalg.norm(normal) < 0.9:
        return None
    positions = np.array([i.image_position_mm for i in instances], np.float64)
    return ImageStack(positions[0], row_dir, col_dir, normal / np.linalg.norm(normal),
                      spacing, rows, columns, np.unique(np.round(positions @ normal, 4)))


def check_contours(result: ScanResult, store: ObjectStore, out: Collector) -> None:
    """Report contours between image planes or outside the image volume."""
    volumes_by_uid = series_by_uid(result)
    for path, inst in store.instances.items():
        if inst.kind != Kind.STRUCTURE_SET:
            continue
        refs = [r for r in inst.references if r.kind == "image_series" and r.resolved
                and not r.missing_instance_count]
        if len(refs) != 1:
            continue
        stack = image_stack(volumes_by_uid.get(refs[0].uid, []))
        structures = store.get(path)
        if stack is None or structures is None:
            continue
        for roi in structures.rois:
            _check_roi(roi, stack, inst, out)


def _check_roi(roi: Any, stack: ImageStack, inst: Instance, out: Collector) -> None:
    closed = [c.points_mm for c in roi.contours if c.contour_type is ContourType.CLOSED_PLANAR]
    parallel = [p for p in closed if _parallel(p, stack.normal)]
    if not parallel:
        return
    label = f"ROI {roi.roi_number} '{roi.name}'"
    spacing = stack.slice_spacing_mm
    tolerance = min(0.25, 0.1 * spacing) if spacing > 0 else 0.25
    off = [_distance_to_plane(p, stack) for p in parallel]
    off_plane = [d for d in off if d > tolerance]
    if off_plane:
        out.add(Finding(
            "CONTOUR_OFF_IMAGE_PLANE",
            f"{label}: {len(off_plane)} of {len(parallel)} contours lie between image planes "
            f"(up to {max(off_plane):.2f} mm from the nearest slice).", Severity.WARNING,
            "ContourData", "the contours are drawn on the nearest slice and used in volumes "
            "where they are"), inst.path, inst.sop_instance_uid)
    beyond = [_beyond_volume(p, stack, spacing) for p in parallel]
    outside = [b for b in beyond if b > 0.0]
    if outside:
        out.add(Finding(
            "CONTOUR_OUTSIDE_IMAGE_VOLUME",
            f"{label}: {len(outside)} of {len(parallel)} contours extend outside the image "
            f"volume (up to {max(outside):.1f} mm).", Severity.WARNING, "ContourData",
            "the contours are kept as drawn"), inst.path, inst.sop_instance_uid)


def _parallel(points: NDArray[np.float64], normal: NDArray[np.float64]) -> bool:
    spread = np.ptp(points @ normal) if len(points) else 0.0
    return bool(spread < 0.01)


def _distance_to_plane(points: NDArray[np.float64], stack: ImageStack) -> float:
    position = float(np.mean(points @ stack.normal))
    return float(np.min(np.abs(stack.plane_positions_mm - position)))


def _beyond_volume(points: NDArray[np.float64], stack: ImageStack, spacing: float) -> float:
    """How far (mm) a contour reaches beyond the image volume's voxel faces (0 if inside)."""
    rel = points - stack.origin_mm
    row_mm, col_mm = stack.pixel_spacing_mm
    u = rel @ stack.row_dir  # along a row: column index × column spacing
    v = rel @ stack.col_dir
    d = points @ stack.normal
    half = spacing / 2
    limits = [
        (u, -col_mm / 2, (stack.columns - 0.5) * col_mm),
        (v, -row_mm / 2, (stack.rows - 0.5) * row_mm),
        (d, stack.plane_positions_mm[0] - half, stack.plane_positions_mm[-1] + half),
    ]
    reach = 0.0
    for values, low, high in limits:
        reach = max(reach, float(np.max(low - values)), float(np.max(values - high)))
    return reach if reach > 1e-3 else 0.0
