"""RT Dose: a dose grid in Gy, its provenance, and the DVHs a planning system embedded."""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from rtviewer.core.grid import Grid
from rtviewer.model.arrays import freeze_field
from rtviewer.model.findings import Finding

__all__ = ["DoseUnits", "DoseType", "DoseSummationType", "DvhType", "EmbeddedDvh",
           "DosePoint", "Dose"]


class DoseUnits(enum.Enum):
    """Dose Units (3004,0002)."""

    GY = "GY"
    RELATIVE = "RELATIVE"


class DoseType(enum.Enum):
    """Dose Type (3004,0004)."""

    PHYSICAL = "PHYSICAL"
    EFFECTIVE = "EFFECTIVE"
    ERROR = "ERROR"


class DoseSummationType(enum.Enum):
    """Dose Summation Type (3004,000A)."""

    PLAN = "PLAN"
    MULTI_PLAN = "MULTI_PLAN"
    FRACTION = "FRACTION"
    BEAM = "BEAM"
    BRACHY = "BRACHY"
    FRACTION_SESSION = "FRACTION_SESSION"
    BEAM_SESSION = "BEAM_SESSION"
    BRACHY_SESSION = "BRACHY_SESSION"
    CONTROL_POINT = "CONTROL_POINT"
    RECORD = "RECORD"


class DvhType(enum.Enum):
    """DVH Type (3004,0001)."""

    CUMULATIVE = "CUMULATIVE"
    DIFFERENTIAL = "DIFFERENTIAL"
    NATURAL = "NATURAL"


@dataclass(frozen=True, eq=False)
class EmbeddedDvh:
    """A DVH stored in an RT Dose's DVH Sequence, kept in its declared units.

    Parameters
    ----------
    referenced_roi_numbers : tuple of int
        DVH Referenced ROI Sequence (usually one ROI).
    dvh_type : DvhType
        Cumulative, differential or natural.
    dose_units : DoseUnits
        Units of the dose axis as declared.
    dose_type : DoseType or None
        Dose Type of the DVH.
    volume_units : str
        DVH Volume Units: ``"CM3"``, ``"PERCENT"`` or ``"PER_U"``.
    dose_bin_widths : ndarray, (n,) float64
        Bin widths, already multiplied by DVH Dose Scaling, in ``dose_units``.
    volumes : ndarray, (n,) float64
        Volume of each bin in ``volume_units`` (cumulative: volume receiving at
        least the bin's lower edge).
    minimum_dose, maximum_dose, mean_dose : float or None
        DVH Minimum/Maximum/Mean Dose exactly as stored (they may be in other
        units than the curve; see the findings).
    findings : tuple of Finding
        Inconsistencies between the declared statistics, the curve and the grid.
    """

    referenced_roi_numbers: tuple[int, ...]
    dvh_type: DvhType
    dose_units: DoseUnits
    dose_type: DoseType | None
    volume_units: str
    dose_bin_widths: NDArray[np.float64]
    volumes: NDArray[np.float64]
    minimum_dose: float | None = None
    maximum_dose: float | None = None
    mean_dose: float | None = None
    findings: tuple[Finding, ...] = field(default=())

    def __post_init__(self) -> None:
        widths = freeze_field(self, "dose_bin_widths", np.float64, ndim=1)
        volumes = freeze_field(self, "volumes", np.float64, ndim=1)
        if widths.shape != volumes.shape:
            raise ValueError("dose_bin_widths and volumes differ in length")

    @property
    def bin_lower_edges(self) -> NDArray[np.float64]:
        """Lower dose edge of every bin, in ``dose_units`` (the first is 0)."""
        edges: NDArray[np.float64] = np.concatenate(
            ([0.0], np.cumsum(self.dose_bin_widths)[:-1]))
        return edges

    @property
    def bin_upper_edges(self) -> NDArray[np.float64]:
        """Upper dose edge of every bin, in ``dose_units``."""
        edges: NDArray[np.float64] = np.cumsum(self.dose_bin_widths)
        return edges


@dataclass(frozen=True)
class DosePoint:
    """A dose point of an RT Dose (ROI Contour of geometric type POINT with a dose).

    Parameters
    ----------
    position_mm : tuple of float
        Patient ``(x, y, z)`` mm.
    dose_gy : float or None
        Its dose when stated.
    name : str
        Name of the point.
    """

    position_mm: tuple[float, float, float]
    dose_gy: float | None = None
    name: str = ""


@dataclass(frozen=True, eq=False)
class Dose:
    """An RT Dose grid.

    Parameters
    ----------
    path : Path
        The file.
    sop_instance_uid : str
        SOP Instance UID (not unique in the wild: key doses by path).
    grid : Grid
        Geometry, ``grid.shape == dose_gy.shape``.
    dose_gy : ndarray, (k, j, i) float32
        Stored value × Dose Grid Scaling, read-only. In Gy when ``units`` is GY;
        relative values otherwise.
    units : DoseUnits
        Dose Units.
    dose_type : DoseType
        Dose Type.
    summation_type : DoseSummationType or None
        Dose Summation Type (None when absent or unknown, with a finding).
    referenced_plan_uid : str or None
        Referenced RT Plan SOP Instance UID (the first one).
    referenced_plan_uids : tuple of str
        All Referenced RT Plan SOP Instance UIDs (several for MULTI_PLAN).
    referenced_fraction_group_number : int or None
        Referenced Fraction Group Number.
    referenced_beam_numbers : tuple of int
        Referenced Beam Numbers (BEAM doses).
    referenced_structure_set_uid : str or None
        Referenced Structure Set SOP Instance UID.
    dvhs : tuple of EmbeddedDvh
        DVH Sequence.
    dose_points : tuple of DosePoint
        Dose points when present.
    comment : str
        Dose Comment.
    findings : tuple of Finding
        Recoverable problems met while reading.
    """

    path: Path
    sop_instance_uid: str
    grid: Grid
    dose_gy: NDArray[np.float32]
    units: DoseUnits
    dose_type: DoseType
    summation_type: DoseSummationType | None
    referenced_plan_uid: str | None = None
    referenced_plan_uids: tuple[str, ...] = ()
    referenced_fraction_group_number: int | None = None
    referenced_beam_numbers: tuple[int, ...] = ()
    referenced_structure_set_uid: str | None = None
    dvhs: tuple[EmbeddedDvh, ...] = ()
    dose_points: tuple[DosePoint, ...] = ()
    comment: str = ""
    findings: tuple[Finding, ...] = field(default=())

    def __post_init__(self) -> None:
        dose = freeze_field(self, "dose_gy", np.float32, ndim=3)
        if dose.shape != self.grid.shape:
            raise ValueError(f"dose shape {dose.shape} differs from grid shape {self.grid.shape}")
        object.__setattr__(self, "path", Path(self.path))

    @functools.cached_property
    def max_gy(self) -> float:
        """Maximum voxel value (Gy when ``units`` is GY); found once (the grid is read-only)."""
        return float(self.dose_gy.max())

    @property
    def is_absolute(self) -> bool:
        """Whether the values are absolute dose in Gy."""
        return self.units is DoseUnits.GY
