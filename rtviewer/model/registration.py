"""Spatial Registration (REG): matrices that carry one Frame of Reference into another.

A Spatial Registration object lives on a frame of its own (the *registered* frame,
its Frame of Reference UID).  Each item of its Registration Sequence names a source
frame and a 4×4 matrix mapping that frame's patient coordinates (mm, homogeneous
column vectors) into the registered frame (PS3.3 C.20.2).  A matrix from frame F to
frame G is then ``inv(M_G) @ M_F``.

Only matrices are in scope: a Deformable Spatial Registration (a vector grid) is
refused by the reader with that reason.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from rtviewer.core.grid import Grid
from rtviewer.errors import IncompatibleDataError
from rtviewer.model.arrays import freeze_field
from rtviewer.model.dose import Dose
from rtviewer.model.findings import Finding
from rtviewer.model.structure import Contour, StructureSet

__all__ = ["FrameTransform", "SpatialRegistration", "dose_in_frame", "is_rigid",
           "structure_set_in_frame"]


@dataclass(frozen=True, eq=False)
class FrameTransform:
    """One Registration Sequence item.

    Parameters
    ----------
    frame_of_reference_uid : str
        The source frame.
    matrix : (4, 4) float64 ndarray
        Maps the source frame's patient ``(x, y, z, 1)`` mm into the registered frame.
    matrix_type : str
        Frame of Reference Transformation Matrix Type (RIGID, RIGID_SCALE, AFFINE).
    """

    frame_of_reference_uid: str
    matrix: NDArray[np.float64]
    matrix_type: str = "RIGID"

    def __post_init__(self) -> None:
        matrix = freeze_field(self, "matrix", np.float64, ndim=2)
        if matrix.shape != (4, 4) or not np.allclose(matrix[3], [0, 0, 0, 1]):
            raise ValueError("a registration matrix must be 4x4 with last row (0, 0, 0, 1)")


@dataclass(frozen=True, eq=False)
class SpatialRegistration:
    """A (rigid) Spatial Registration object.

    Parameters
    ----------
    path : Path
        The file.
    sop_instance_uid : str
        SOP Instance UID.
    frame_of_reference_uid : str
        The registered frame every matrix maps into.
    transforms : tuple of FrameTransform
        One per Registration Sequence item.
    findings : tuple of Finding
        Recoverable problems met while reading.
    """

    path: Path
    sop_instance_uid: str
    frame_of_reference_uid: str
    transforms: tuple[FrameTransform, ...]
    findings: tuple[Finding, ...] = field(default=())

    @property
    def frames(self) -> tuple[str, ...]:
        """Every frame this registration connects (the registered one first)."""
        return tuple(dict.fromkeys([self.frame_of_reference_uid,
                                    *(t.frame_of_reference_uid for t in self.transforms)]))

    def _to_registered(self, frame_uid: str) -> NDArray[np.float64]:
        if frame_uid == self.frame_of_reference_uid and not any(
                t.frame_of_reference_uid == frame_uid for t in self.transforms):
            return np.eye(4)
        for t in self.transforms:
            if t.frame_of_reference_uid == frame_uid:
                return np.array(t.matrix)
        raise IncompatibleDataError(
            f"{self.path.name} does not register Frame of Reference {frame_uid} (it connects "
            f"{', '.join(self.frames)})", path=self.path)

    def matrix(self, from_frame: str, to_frame: str) -> NDArray[np.float64]:
        """The 4×4 matrix mapping ``from_frame`` patient mm into ``to_frame`` patient mm."""
        result: NDArray[np.float64] = np.linalg.inv(self._to_registered(to_frame)) @ \
            self._to_registered(from_frame)
        return result


def dose_in_frame(dose: Dose, matrix: NDArray[np.float64], frame_uid: str) -> Dose:
    """The same dose values on a grid moved by ``matrix`` into frame ``frame_uid``.

    A matrix keeps a regular grid regular, so nothing is resampled: only the grid's
    affine changes (``matrix @ affine``).
    """
    grid = Grid(affine=np.asarray(matrix, float) @ dose.grid.affine, shape=dose.grid.shape,
                frame_of_reference_uid=frame_uid)
    return dataclasses.replace(dose, grid=grid)


def structure_set_in_frame(structure_set: StructureSet, matrix: NDArray[np.float64],
                           frame_uid: str) -> StructureSet:
    """Every contour point moved by ``matrix`` into frame ``frame_uid``."""
    m = np.asarray(matrix, float)

    def move(contour: Contour) -> Contour:
        points = contour.points_mm @ m[:3, :3].T + m[:3, 3]
        return dataclasses.replace(contour, points_mm=points)

    rois = tuple(dataclasses.replace(roi, contours=tuple(move(c) for c in roi.contours),
                                     frame_of_reference_uid=frame_uid)
                 for roi in structure_set.rois)
    return dataclasses.replace(structure_set, rois=rois, frame_of_reference_uid=frame_uid)


def is_rigid(matrix: NDArray[np.float64], *, tolerance: float = 1e-4) -> bool:
    """Whether the 3×3 part is a rotation (orthonormal, determinant +1)."""
    r = np.asarray(matrix, float)[:3, :3]
    return bool(np.allclose(r.T @ r, np.eye(3), atol=tolerance)
                and abs(np.linalg.det(r) - 1) < tolerance)
