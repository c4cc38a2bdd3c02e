"""RT Dose files: 16-bit unsigned frames with one Dose Grid Scaling per file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from pydicom.dataset import Dataset
from pydicom.uid import RTDoseStorage, RTPlanStorage

from rtviewer.demo.writer import (
    Patient,
    Series,
    new_dataset,
    sequence_item,
    set_uint16_pixels,
    write_dataset,
)

__all__ = ["DoseGridSpec", "DoseSpec", "common_scaling", "write_dose"]

#: Largest stored value the scaling aims at, leaving headroom for exact sums of beams.
_TARGET_MAX = 60000


@dataclass(frozen=True)
class DoseGridSpec:
    """An axial dose grid: first voxel centre (x, y, z) mm, steps, shape (k, j, i)."""

    origin_mm: tuple[float, float, float]
    step_mm: float
    shape: tuple[int, int, int]

    def points_mm(self) -> NDArray[np.float64]:
        """Voxel centres ``(k*j*i, 3)`` mm in C order of ``[k, j, i]``."""
        nk, nj, ni = self.shape
        x = self.origin_mm[0] + self.step_mm * np.arange(ni)
        y = self.origin_mm[1] + self.step_mm * np.arange(nj)
        z = self.origin_mm[2] + self.step_mm * np.arange(nk)
        zz, yy, xx = np.meshgrid(z, y, x, indexing="ij")
        return np.stack([xx.ravel(), yy.ravel(), zz.ravel()], axis=-1)


@dataclass(frozen=True)
class DoseSpec:
    """References and coded values of one RT Dose."""

    uid: str
    summation_type: str  # PLAN, BEAM, BRACHY...
    plan_uid: str
    beam_number: int | None = None
    comment: str = ""
    brachy: bool = False  # TG-43 in water rather than the photon engine's lung correction
    #: PHYSICAL, or EFFECTIVE for the proton plan's RBE-weighted dose.
    dose_type: str = "PHYSICAL"
    #: Tissue Heterogeneity Correction; empty: WATER for brachy, else ROI_OVERRIDE (the
    #: photon engine's lungs and bones); IMAGE for the proton engine's CT-based WEPL.
    heterogeneity: str = ""


def common_scaling(max_dose_gy: float) -> tuple[float, str]:
    """A Dose Grid Scaling (value, DS text) mapping ``max_dose_gy`` near 60000."""
    text = f"{max_dose_gy / _TARGET_MAX:.6e}"
    return float(text), text


def _plan_reference(spec: DoseSpec) -> Dataset:
    ref = sequence_item(ReferencedSOPClassUID=RTPlanStorage, ReferencedSOPInstanceUID=spec.plan_uid)
    if spec.beam_number is not None:
        ref.ReferencedFractionGroupSequence = [sequence_item(
            ReferencedFractionGroupNumber=1,
            ReferencedBeamSequence=[sequence_item(ReferencedBeamNumber=spec.beam_number)])]
    return ref


def write_dose(stored: NDArray[np.uint16], scaling_text: str, grid: DoseGridSpec, spec: DoseSpec,
               *, patient: Patient, series: Series, out_dir: Path) -> Path:
    """Write an RT Dose in Gy (``stored`` ``[k, j, i]`` uint16 × scaling), relative offsets."""
    if stored.dtype != np.uint16 or stored.shape != grid.shape:
        raise ValueError(f"stored must be uint16 of shape {grid.shape}")
    ds = new_dataset(sop_class_uid=RTDoseStorage, sop_instance_uid=spec.uid, patient=patient,
                     series=series)
    nk, nj, ni = grid.shape
    ds.ImagePositionPatient = [float(v) for v in grid.origin_mm]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.PixelSpacing = [grid.step_mm, grid.step_mm]
    ds.SliceThickness = grid.step_mm
    ds.NumberOfFrames = nk
    ds.FrameIncrementPointer = 0x3004000C
    set_uint16_pixels(ds, stored)
    ds.DoseUnits = "GY"
    ds.DoseType = spec.dose_type
    ds.DoseSummationType = spec.summation_type
    ds.DoseComment = spec.comment
    ds.GridFrameOffsetVector = [round(grid.step_mm * k, 4) for k in range(nk)]
    ds.DoseGridScaling = scaling_text
    ds.TissueHeterogeneityCorrection = spec.heterogeneity or (
        "WATER" if spec.brachy else "ROI_OVERRIDE")
    ds.ReferencedRTPlanSequence = [_plan_reference(spec)]
    return write_dataset(ds, out_dir)
