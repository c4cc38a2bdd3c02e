"""Image volumes (CT, MR, PET, CBCT) on a :class:`~rtviewer.core.grid.Grid`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from rtviewer.core.grid import Grid
from rtviewer.model.arrays import freeze_field
from rtviewer.model.findings import Finding

__all__ = ["ImageVolume", "Rescale"]


@dataclass(frozen=True)
class Rescale:
    """How one slice's stored values became the volume's values: ``slope * stored + intercept``.

    Parameters
    ----------
    slope, intercept : float
        Rescale Slope and Rescale Intercept (1 and 0 when absent).
    unit : str
        What the rescaled values are: ``"HU"`` for CT, Rescale Type or Units
        otherwise (``"BQML"`` for PET), ``""`` when unknown (MR signal).
    """

    slope: float = 1.0
    intercept: float = 0.0
    unit: str = ""


@dataclass(frozen=True, eq=False)
class ImageVolume:
    """One image series stacked into a regular volume.

    Parameters
    ----------
    paths : tuple of Path
        The slice files, in the order of the volume's ``k`` axis (missing
        slices have no file, so ``len(paths)`` may be less than ``nk``).
    series_instance_uid : str or None
        Series Instance UID.
    modality : str
        DICOM Modality (``"CT"``, ``"MR"``, ``"PT"``, ...).
    grid : Grid
        Geometry; ``grid.shape == voxels.shape``.
    voxels : ndarray, (k, j, i) float32 or int16
        Rescaled values (HU for CT), read-only; ``[slice, row, column]``. int16
        when every value is a whole number in its range (the usual CT: half the
        memory of float32, the size of the stored pixel data); float32 otherwise.
    frame_of_reference_uid : str or None
        Frame of Reference UID.
    patient_position : str or None
        Patient Position (HFS, FFP, ...), for display only: geometry is in ``grid``.
    rescales : tuple of Rescale
        Per slice, in ``k`` order.
    sop_instance_uids : tuple of str
        Per slice, in ``k`` order.
    slice_thickness_mm : float or None
        Slice Thickness as declared (not the slice step).
    window : tuple of float or None
        First Window Center and Width of the first slice, in rescaled units.
    description : str
        Series Description.
    missing_slice_indices : tuple of int
        ``k`` of slices absent from a regular series; they hold the series'
        lowest value (shown empty), never interpolated anatomy.
    findings : tuple of Finding
        Recoverable problems met while reading.
    """

    paths: tuple[Path, ...]
    series_instance_uid: str | None
    modality: str
    grid: Grid
    voxels: NDArray[np.float32] | NDArray[np.int16]
    frame_of_reference_uid: str | None = None
    patient_position: str | None = None
    rescales: tuple[Rescale, ...] = ()
    sop_instance_uids: tuple[str, ...] = ()
    slice_thickness_mm: float | None = None
    window: tuple[float, float] | None = None
    description: str = ""
    missing_slice_indices: tuple[int, ...] = ()
    findings: tuple[Finding, ...] = field(default=())

    def __post_init__(self) -> None:
        dtype = np.int16 if np.asarray(self.voxels).dtype == np.int16 else np.float32
        voxels = freeze_field(self, "voxels", dtype, ndim=3)
        if voxels.shape != self.grid.shape:
            raise ValueError(f"voxels shape {voxels.shape} differs from grid shape "
                             f"{self.grid.shape}")
        object.__setattr__(self, "paths", tuple(Path(p) for p in self.paths))

    @property
    def unit(self) -> str:
        """Unit of the voxel values (``"HU"`` for CT), from the first slice's rescale."""
        return self.rescales[0].unit if self.rescales else ""
