"""The one geometry object: a regular 3-D grid in DICOM patient coordinates.

Conventions (pinned by ``tests/core/test_grid.py``):

* Patient coordinates are DICOM LPS, in millimetres, ordered ``(x, y, z)``.
* A volume is a numpy array indexed ``[k, j, i]`` = ``[slice, row, column]``.
* Voxel indices passed to or returned by a :class:`Grid` are ordered
  ``(i, j, k)`` = ``(column, row, slice)`` so that they multiply the affine.
* Index ``(0, 0, 0)`` is the *centre* of the first voxel (DICOM Image Position
  (Patient)); there is no half-voxel offset anywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rtviewer.core.small_linalg import apply_affine

__all__ = ["Grid"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Grid:
    """A regular grid of voxel centres.

    Parameters
    ----------
    affine : (4, 4) array_like
        Maps homogeneous voxel index ``(i, j, k, 1)`` to patient ``(x, y, z, 1)`` mm.
        Column 0 is the step between columns (along a row), column 1 the step
        between rows, column 2 the step between slices, column 3 the centre of
        voxel ``(0, 0, 0)``.
    shape : tuple of int
        ``(n_slices, n_rows, n_columns)``, the shape of the numpy array.
    frame_of_reference_uid : str or None
        The DICOM Frame of Reference the coordinates belong to.
    """

    affine: FloatArray
    shape: tuple[int, int, int]
    frame_of_reference_uid: str | None = field(default=None)

    def __post_init__(self) -> None:
        affine = np.array(self.affine, dtype=np.float64)
        if affine.shape != (4, 4) or not np.all(np.isfinite(affine)):
            raise ValueError(f"affine must be a finite 4x4 matrix, got {affine.shape}")
        if not np.allclose(affine[3], [0.0, 0.0, 0.0, 1.0]):
            raise ValueError("affine's last row must be (0, 0, 0, 1)")
        if abs(np.linalg.det(affine[:3, :3])) < 1e-12:
            raise ValueError("affine is singular: two grid axes are parallel or a step is zero")
        shape = tuple(int(n) for n in self.shape)
        if len(shape) != 3 or min(shape) < 1:
            raise ValueError(f"shape must be three positive sizes (k, j, i), got {self.shape}")
        affine.flags.writeable = False
        object.__setattr__(self, "affine", affine)
        object.__setattr__(self, "shape", shape)

    # -- construction -----------------------------------------------------------
    @classmethod
    def from_dicom_geometry(
        cls,
        *,
        image_position_mm: ArrayLike,
        image_orientation: ArrayLike,
        pixel_spacing_mm: ArrayLike,
        slice_step_mm: ArrayLike,
        shape: Sequence[int],
        frame_of_reference_uid: str | None = None,
    ) -> Grid:
        """Build a grid from the DICOM attributes of its first slice.

        Parameters
        ----------
        image_position_mm : array_like, (3,)
            Image Position (Patient) of the first slice: centre of its first voxel.
        image_orientation : array_like, (6,)
            Image Orientation (Patient): row direction cosines (direction of
            increasing column index ``i``), then column direction cosines
            (direction of increasing row index ``j``).
        pixel_spacing_mm : array_like, (2,)
            Pixel Spacing as stored in DICOM: ``(row spacing, column spacing)``
            = ``(Δj, Δi)``.
        slice_step_mm : array_like, (3,)
            Vector from the first slice's position to the second's, in mm. It
            comes from the sorted positions, never from a cross product alone.
        shape : sequence of int
            ``(n_slices, n_rows, n_columns)``.
        frame_of_reference_uid : str, optional
            Frame of Reference UID.
        """
        orientation = np.asarray(image_orientation, dtype=np.float64).reshape(6)
        spacing = np.asarray(pixel_spacing_mm, dtype=np.float64).reshape(2)
        affine = np.eye(4)
        affine[:3, 0] = orientation[:3] * spacing[1]
        affine[:3, 1] = orientation[3:] * spacing[0]
        affine[:3, 2] = np.asarray(slice_step_mm, dtype=np.float64).reshape(3)
        affine[:3, 3] = np.asarray(image_position_mm, dtype=np.float64).reshape(3)
        nk, nj, ni = (int(n) for n in shape)
        return cls(affine=affine, shape=(nk, nj, ni),
                   frame_of_reference_uid=frame_of_reference_uid)

    # -- derived geometry -------------------------------------------------------
    @cached_property
    def inverse_affine(self) -> FloatArray:
        """The 4x4 map from patient ``(x, y, z, 1)`` mm to voxel index ``(i, j, k, 1)``."""
        inverse: FloatArray = np.linalg.inv(self.affine).astype(np.float64)
        inverse.flags.writeable = False
        return inverse

    @property
    def spacing_mm(self) -> tuple[float, float, float]:
        """Step lengths ``(Δi, Δj, Δk)`` in mm: column, row and slice spacing."""
        norms = np.linalg.norm(self.affine[:3, :3], axis=0)
        return (float(norms[0]), float(norms[1]), float(norms[2]))

    @property
    def directions(self) -> FloatArray:
        """Unit vectors of the ``i``, ``j`` and ``k`` axes as the columns of a 3x3 matrix."""
        directions: FloatArray = self.affine[:3, :3] / np.linalg.norm(self.affine[:3, :3], axis=0)
        return directions

    @property
    def origin_mm(self) -> FloatArray:
        """Centre of voxel ``(0, 0, 0)`` in patient mm."""
        return self.affine[:3, 3].copy()

    @property
    def voxel_volume_mm3(self) -> float:
        """Volume of one voxel in mm³."""
        return float(abs(np.linalg.det(self.affine[:3, :3])))

    @property
    def center_mm(self) -> FloatArray:
        """Patient position of the grid's centre (mid-way between the extreme voxel centres)."""
        nk, nj, ni = self.shape
        return self.index_to_patient([(ni - 1) / 2, (nj - 1) / 2, (nk - 1) / 2])

    def is_axis_aligned(self, *, tolerance: float = 1e-4) -> bool:
        """Whether every grid axis is parallel to a patient axis (no obliquity, no tilt)."""
        d = np.abs(self.directions)
        return bool(np.all((d < tolerance) | (d > 1 - tolerance)))

    def corners_mm(self) -> FloatArray:
        """The 8 extreme voxel centres in patient mm, shape (8, 3)."""
        nk, nj, ni = self.shape
        idx = np.array([[i, j, k] for k in (0, nk - 1) for j in (0, nj - 1) for i in (0, ni - 1)],
                       dtype=np.float64)
        return self.index_to_patient(idx)

    # -- transforms -------------------------------------------------------------
    def index_to_patient(self, ijk: ArrayLike) -> FloatArray:
        """Map voxel indices to patient coordinates.

        Parameters
        ----------
        ijk : array_like, (..., 3)
            Indices ordered ``(i, j, k)`` = (column, row, slice); fractional allowed.

        Returns
        -------
        ndarray, (..., 3)
            Patient ``(x, y, z)`` in mm.

        Examples
        --------
        >>> g = Grid(affine=np.diag([2.0, 3.0, 5.0, 1.0]), shape=(4, 4, 4))
        >>> g.index_to_patient([1, 1, 1]).tolist()
        [2.0, 3.0, 5.0]
        """
        ijk = np.asarray(ijk, dtype=np.float64)
        if ijk.shape[-1] != 3:
            raise ValueError(f"ijk must have a last axis of length 3, got shape {ijk.shape}")
        return apply_affine(ijk, self.affine[:3, :3], self.affine[:3, 3])

    def patient_to_index(self, xyz: ArrayLike) -> FloatArray:
        """Map patient coordinates (mm) to fractional voxel indices ``(i, j, k)``.

        Parameters
        ----------
        xyz : array_like, (..., 3)
            Patient ``(x, y, z)`` in mm.

        Returns
        -------
        ndarray, (..., 3)
            Fractional ``(i, j, k)``; integers fall on voxel centres.
        """
        xyz = np.asarray(xyz, dtype=np.float64)
        if xyz.shape[-1] != 3:
            raise ValueError(f"xyz must have a last axis of length 3, got shape {xyz.shape}")
        inv = self.inverse_affine
        return apply_affine(xyz, inv[:3, :3], inv[:3, 3])

    def contains(self, xyz: ArrayLike, *, margin_voxels: float = 0.0) -> NDArray[np.bool_]:
        """Whether patient points lie within the grid's voxel centres (plus a margin).

        Parameters
        ----------
        xyz : array_like, (..., 3)
            Patient ``(x, y, z)`` in mm.
        margin_voxels : float, keyword-only
            Tolerance beyond the extreme voxel centres, in voxels (0.5 = voxel faces).
        """
        ijk = self.patient_to_index(xyz)
        upper = np.array(self.shape[::-1], dtype=np.float64) - 1.0
        inside: NDArray[np.bool_] = np.all(
            (ijk >= -margin_voxels - 1e-9) & (ijk <= upper + margin_voxels + 1e-9), axis=-1)
        return inside

    def axis_centers_mm(self, axis: int) -> FloatArray:
        """Positions of the voxel centres along one grid axis, as patient points.

        Parameters
        ----------
        axis : int
            0 for ``i`` (columns), 1 for ``j`` (rows), 2 for ``k`` (slices).

        Returns
        -------
        ndarray, (n, 3)
            Patient ``(x, y, z)`` of the centres with the other two indices at 0.
        """
        if axis not in (0, 1, 2):
            raise ValueError(f"axis must be 0, 1 or 2, got {axis}")
        n = self.shape[::-1][axis]
        ijk = np.zeros((n, 3))
        ijk[:, axis] = np.arange(n)
        return self.index_to_patient(ijk)

    def same_geometry(self, other: Grid, *, tolerance_mm: float = 1e-3) -> bool:
        """Whether two grids sample the same points (Frame of Reference ignored)."""
        return self.shape == other.shape and bool(
            np.allclose(self.affine, other.affine, atol=tolerance_mm))

    def with_frame_of_reference(self, uid: str | None) -> Grid:
        """A copy of this grid with another Frame of Reference UID."""
        return Grid(affine=self.affine, shape=self.shape, frame_of_reference_uid=uid)

    def __repr__(self) -> str:
        di, dj, dk = self.spacing_mm
        return (f"Grid(shape={self.shape}, spacing_mm=({di:.4g}, {dj:.4g}, {dk:.4g}), "
                f"origin_mm={tuple(round(float(v), 3) for v in self.affine[:3, 3])}, "
                f"frame_of_reference_uid={self.frame_of_reference_uid!r})")
