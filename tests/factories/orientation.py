"""Rewrite a real CT series + RTSTRUCT as if the patient lay differently on the table.

Image Orientation (Patient) gives the table's image axes in patient coordinates.
For a patient position with patient-from-table rotation ``R`` (HFS: identity), the
scanner's row, column and slice axes point along ``R e_x``, ``R e_y``, ``R e_z``.

:func:`repositioned` keeps the anatomy where it is in patient coordinates (the same
voxel centres, the pixel arrays transposed and flipped exactly, no interpolation),
so the contours are unchanged; :func:`rigidly_moved` keeps the stored pixels and
rotates the whole data set (positions, orientations and contour points) by ``R``
about a centre, so a patient point ``p`` of the original sits at ``R (p - c) + c``.
"""

from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pydicom
from numpy.typing import NDArray
from pydicom.dataset import Dataset
from pydicom.uid import generate_uid

__all__ = ["POSITIONS", "BaseSeries", "load_base", "repositioned", "rigidly_moved"]

#: Patient-from-table rotations (columns: where the table's x, y, z point in LPS).
POSITIONS: dict[str, NDArray[np.float64]] = {
    "HFS": np.eye(3),
    "HFP": np.diag([-1.0, -1.0, 1.0]),
    "FFS": np.diag([-1.0, 1.0, -1.0]),
    "FFP": np.diag([1.0, -1.0, -1.0]),
    # Decubitus left: the patient's left side (+x) lies down (table +y).
    "HFDL": np.array([[0.0, 1.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]),
    "HFDR": np.array([[0.0, -1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]),
}


@dataclass(frozen=True)
class BaseSeries:
    """An axis-aligned HFS series: ``voxels[k, j, i]`` stored values, voxel centres at
    ``origin_mm + (i·dx, j·dy, k·dz)``, one template dataset per slice."""

    voxels: NDArray[np.generic]
    origin_mm: NDArray[np.float64]
    spacing_mm: NDArray[np.float64]  # (dx, dy, dz)
    templates: tuple[Dataset, ...]
    structure_set: Dataset


def load_base(ct_files: list[Path], rtstruct: Path, *, column_step: int = 2) -> BaseSeries:
    """Read an HFS axial series, keeping every ``column_step``-th column so that the
    pixels are not square (row spacing ≠ column spacing catches a swapped pair)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        slices = [pydicom.dcmread(p) for p in ct_files]
        structure_set = pydicom.dcmread(rtstruct)
    slices.sort(key=lambda ds: float(ds.ImagePositionPatient[2]))
    orientation = np.array([float(v) for v in slices[0].ImageOrientationPatient])
    assert np.allclose(orientation, [1, 0, 0, 0, 1, 0]), "the base must be axial HFS"
    voxels = np.stack([ds.pixel_array[:, ::column_step] for ds in slices])
    row_mm, col_mm = (float(v) for v in slices[0].PixelSpacing)
    dz = float(slices[1].ImagePositionPatient[2]) - float(slices[0].ImagePositionPatient[2])
    origin = np.array([float(v) for v in slices[0].ImagePositionPatient])
    return BaseSeries(voxels, origin, np.array([col_mm * column_step, row_mm, dz]),
                      tuple(slices), structure_set)


def _axis_map(rotation: NDArray[np.float64]) -> list[tuple[int, float]]:
    """For table axes x, y, z: (patient axis 0/1/2, sign) each points along."""
    out = []
    for t in range(3):
        column = rotation[:, t]
        b = int(np.argmax(np.abs(column)))
        out.append((b, float(np.sign(column[b]))))
    return out


def _write_slices(base: BaseSeries, voxels: NDArray[np.generic], row_dir: NDArray[np.float64],
                  col_dir: NDArray[np.float64], positions: NDArray[np.float64],
                  spacing_rc: tuple[float, float], position: str, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    order = np.random.default_rng(7).permutation(len(voxels))  # file order means nothing
    for n, k in enumerate(order):
        ds = copy.deepcopy(base.templates[k % len(base.templates)])
        ds.ImageOrientationPatient = [f"{v:g}" for v in (*row_dir, *col_dir)]
        ds.ImagePositionPatient = [f"{v:.6g}" for v in positions[k]]
        ds.PixelSpacing = [f"{spacing_rc[0]:g}", f"{spacing_rc[1]:g}"]
        ds.Rows, ds.Columns = voxels.shape[1], voxels.shape[2]
        ds.PixelData = np.ascontiguousarray(voxels[k]).tobytes()
        ds.PatientPosition = position
        ds.InstanceNumber = int(k) + 1
        if "SliceLocation" in ds:
            del ds.SliceLocation
        ds.SOPInstanceUID = generate_uid(entropy_srcs=[position, folder.name, str(k)])
        path = folder / f"slice_{n:03d}.dcm"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds.save_as(path, enforce_file_format=False)
        paths.append(path)
    return paths


def repositioned(base: BaseSeries, position: str, folder: Path) -> tuple[list[Path], Path]:
    """The same anatomy at the same patient coordinates, scanned in ``position``.

    Returns the slice files and the structure set (contours unchanged: the anatomy
    did not move in patient coordinates).
    """
    axes = _axis_map(POSITIONS[position])  # table x, y, z -> (patient axis, sign)
    array_axis = {0: 2, 1: 1, 2: 0}  # patient x -> base array axis i (2), y -> j, z -> k
    counts = np.array(base.voxels.shape[::-1])  # (nx, ny, nz)
    # New array [k', j', i'] from the base axes the table z, y, x run along.
    order = [array_axis[axes[2][0]], array_axis[axes[1][0]], array_axis[axes[0][0]]]
    voxels = np.transpose(base.voxels, order)
    for new_axis, (_b, sign) in zip((2, 1, 0), axes, strict=True):
        if sign < 0:
            voxels = np.flip(voxels, axis=new_axis)
    directions = [POSITIONS[position][:, t] for t in range(3)]
    steps = [base.spacing_mm[b] for b, _s in axes]
    # Index (0, 0, 0) sits at the box corner the three table axes start from.
    corner = base.origin_mm.copy()
    for b, sign in axes:
        if sign < 0:
            corner[b] = base.origin_mm[b] + (counts[b] - 1) * base.spacing_mm[b]
    positions = np.array([corner + k * steps[2] * directions[2] for k in range(voxels.shape[0])])
    paths = _write_slices(base, np.ascontiguousarray(voxels), directions[0], directions[1],
                          positions, (steps[1], steps[0]), position, folder / "ct")
    rtstruct = folder / "rtstruct.dcm"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base.structure_set.save_as(rtstruct, enforce_file_format=False)
    return paths, rtstruct


def rigidly_moved(base: BaseSeries, position: str, centre_mm: NDArray[np.float64],
                  folder: Path) -> tuple[list[Path], Path]:
    """The stored pixels unchanged; orientation, positions and contours rotated by the
    position's rotation ``R`` about ``centre_mm``: point ``p`` moves to ``R (p - c) + c``."""
    rotation = POSITIONS[position]
    dx, dy, dz = base.spacing_mm
    base_positions = np.array([base.origin_mm + (0.0, 0.0, k * dz)
                               for k in range(base.voxels.shape[0])])
    positions = (base_positions - centre_mm) @ rotation.T + centre_mm
    paths = _write_slices(base, base.voxels, rotation[:, 0], rotation[:, 1], positions,
                          (dy, dx), position, folder / "ct")
    structure_set = copy.deepcopy(base.structure_set)
    for roi in structure_set.ROIContourSequence:
        for contour in roi.get("ContourSequence") or []:
            points = np.array([float(v) for v in contour.ContourData]).reshape(-1, 3)
            moved = (points - centre_mm) @ rotation.T + centre_mm
            contour.ContourData = [f"{v:.10g}" for v in moved.ravel()]
    rtstruct = folder / "rtstruct.dcm"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        structure_set.save_as(rtstruct, enforce_file_format=False)
    return paths, rtstruct
