"""Compare a dose B against a reference dose A, and two structure sets on one frame.

Headless: the CLI (``rtviewer compare``) and the window's comparison mode both call
:func:`compare_doses` and :func:`compare_structure_sets`.  Everything is computed on the
reference grid A: B is resampled onto it (trilinearly; NaN outside B's grid) for the
difference, DVHs of each dose use the same structure solids, and gamma (pymedphys, via
:mod:`rtviewer.core.gamma`) is evaluated at A's voxels.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rtviewer.core import dvh_metrics as dm
from rtviewer.core.dvh import Dvh, compute_dvh
from rtviewer.core.gamma import GammaCancelled, GammaCriteria, GammaResult, gamma_index
from rtviewer.core.interpolation import resample_to_grid
from rtviewer.core.structure_compare import StructureAgreement, compare_structures
from rtviewer.core.structure_model import DEFAULT_MODEL, StructureModel, build_structure_model
from rtviewer.core.structure_model import contains as solid_contains
from rtviewer.errors import IncompatibleDataError
from rtviewer.model.dose import Dose, DoseUnits
from rtviewer.model.structure import Roi, StructureSet

__all__ = ["METRICS", "DoseComparison", "MetricPair", "StructureDoseComparison",
           "StructurePairComparison", "compare_doses", "compare_structure_sets"]

Progress = Callable[[int, int, str], None]

#: DVH metrics compared per structure: (name, function of a Dvh, unit).
METRICS: tuple[tuple[str, Callable[[Dvh], float], str], ...] = (
    ("Dmean", dm.dmean, "Gy"),
    ("Dmax", dm.dmax, "Gy"),
    ("Dmin", dm.dmin, "Gy"),
    ("D0.03cc", lambda d: dm.dose_at_volume_cc(d, 0.03), "Gy"),
    ("D2%", lambda d: dm.dose_at_volume_percent(d, 2.0), "Gy"),
    ("D50%", lambda d: dm.dose_at_volume_percent(d, 50.0), "Gy"),
    ("D95%", lambda d: dm.dose_at_volume_percent(d, 95.0), "Gy"),
    ("D98%", lambda d: dm.dose_at_volume_percent(d, 98.0), "Gy"),
    # QUANTEC's lung V20Gy: % of the structure's volume receiving at least 20 Gy
    ("V20Gy", lambda d: dm.volume_at_dose_gy(d, 20.0, relative=True), "%"),
)


@dataclass(frozen=True)
class MetricPair:
    """One DVH metric of A and of B."""

    name: str
    unit: str
    a: float
    b: float

    @property
    def difference(self) -> float:
        """``b - a`` in ``unit``."""
        return self.b - self.a


@dataclass(frozen=True, eq=False)
class StructureDoseComparison:
    """A structure's DVHs under A and B, their metrics, and its gamma pass rate.

    ``gamma_pass_rate`` is 0-1 over the structure's voxels above the cut-off (NaN when
    none is, None when no gamma was asked); ``gamma_voxels`` counts them.
    """

    roi_number: int
    name: str
    dvh_a: Dvh
    dvh_b: Dvh
    metrics: tuple[MetricPair, ...]
    gamma_pass_rate: float | None = None
    gamma_voxels: int = 0


@dataclass(frozen=True, eq=False)
class DoseComparison:
    """B against A on A's grid.

    Attributes
    ----------
    reference, evaluated : Dose
        A and B.
    difference_gy : (nk, nj, ni) float32 ndarray
        B − A on A's grid in Gy; NaN where A's voxel lies outside B's grid.
    gamma : GammaResult or None
        Gamma of B against A, when criteria were given.
    structures : tuple of StructureDoseComparison
        Per structure.
    gamma_note : str
        Why there is no gamma though criteria were given (``"gamma cancelled"``), else "".
    """

    reference: Dose
    evaluated: Dose
    difference_gy: NDArray[np.float32]
    gamma: GammaResult | None
    structures: tuple[StructureDoseComparison, ...]
    gamma_note: str = ""

    @property
    def max_abs_difference_gy(self) -> float:
        """Largest |B − A| over A's grid (NaN-free part), Gy."""
        return float(np.nanmax(np.abs(self.difference_gy)))

    def difference_percent(self) -> NDArray[np.float32]:
        """B − A in % of A's maximum dose."""
        scaled: NDArray[np.float32] = (self.difference_gy * np.float32(
            100.0 / self.reference.max_gy)).astype(np.float32)
        return scaled


@dataclass(frozen=True)
class StructurePairComparison:
    """One ROI name found in both structure sets, and how the two delineations agree."""

    name: str
    roi_number_a: int
    roi_number_b: int
    agreement: StructureAgreement


def check_comparable(a: Dose, b: Dose) -> None:
    """Refuse to compare doses in other units or on other frames, with the reason."""
    for dose in (a, b):
        if dose.units is not DoseUnits.GY:
            raise IncompatibleDataError(
                f"compare: {dose.path.name} has Dose Units {dose.units.value}, not GY",
                path=dose.path)
    fa, fb = a.grid.frame_of_reference_uid, b.grid.frame_of_reference_uid
    if fa and fb and fa != fb:
        raise IncompatibleDataError(
            f"compare: {b.path.name} is on Frame of Reference {fb} and {a.path.name} on {fa}; "
            "comparing across frames needs a spatial registration (REG) between them",
            path=b.path)


def compare_doses(a: Dose, b: Dose, rois: Sequence[Roi] = (), *,
                  criteria: GammaCriteria | None = None, model: str = DEFAULT_MODEL,
                  progress: Progress | None = None,
                  gamma_progress: Callable[[int, int], None] | None = None
                  ) -> DoseComparison:
    """B against the reference A: difference, per-structure DVH metrics and gamma.

    Parameters
    ----------
    a, b : Dose
        Reference and evaluated doses (Gy, one Frame of Reference).
    rois : sequence of Roi
        Structures (ROIs without closed contours are skipped).
    criteria : GammaCriteria, optional, keyword-only
        Gamma criteria; no gamma when None.
    model : str, keyword-only
        Structure model of the contours.
    progress : callable (done, total, step), optional, keyword-only
        Called after each step.
    gamma_progress : callable (slabs done, slabs in all), optional, keyword-only
        Called during the gamma computation; raising :class:`~rtviewer.core.gamma.
        GammaCancelled` there drops the gamma (``gamma_note`` says so) and the
        comparison goes on without it.

    Returns
    -------
    DoseComparison
    """
    check_comparable(a, b)
    solids = [(roi, solid) for roi in rois if (solid := _solid(roi, model)) is not None]
    first = 2 if criteria is None else 3
    total = first - 1 + len(solids)
    report = progress or (lambda done, n, step: None)
    b_on_a = b.dose_gy if b.grid.same_geometry(a.grid, tolerance_mm=1e-6) else resample_to_grid(
        b.dose_gy, b.grid, a.grid, outside=math.nan)
    difference = (np.asarray(b_on_a, np.float32) - a.dose_gy).astype(np.float32)
    report(1, total, "difference")
    gamma, note = None, ""
    if criteria is not None:
        try:
            gamma = gamma_index(a.dose_gy, a.grid, b.dose_gy, b.grid, criteria,
                                progress=gamma_progress)
        except GammaCancelled:
            note = "gamma cancelled"
        report(2, total, note or f"gamma {criteria.label}")
    rows = []
    for n, (roi, solid) in enumerate(solids, start=first):
        rows.append(_structure_row(roi, solid, a, b, gamma))
        report(n, total, roi.name)
    return DoseComparison(a, b, difference, gamma, tuple(rows), gamma_note=note)


def _solid(roi: Roi, model: str) -> StructureModel | None:
    """The ROI's solid, or None without closed contours."""
    polygons = roi.closed_polygons_mm()
    return build_structure_model(polygons, model) if polygons else None


def _structure_row(roi: Roi, solid: StructureModel, a: Dose, b: Dose,
                   gamma: GammaResult | None) -> StructureDoseComparison:
    """DVHs of one structure under A and B, and its gamma pass rate."""
    dvh_a, dvh_b = compute_dvh(solid, a.dose_gy, a.grid), compute_dvh(solid, b.dose_gy, b.grid)
    metrics = tuple(MetricPair(name, unit, fn(dvh_a), fn(dvh_b)) for name, fn, unit in METRICS)
    rate, voxels = None, 0
    if gamma is not None:
        evaluated = np.argwhere(gamma.evaluated)  # (n, 3) as (k, j, i)
        centres = a.grid.index_to_patient(evaluated[:, ::-1].astype(np.float64))
        inside = solid_contains(solid, centres)
        values = gamma.gamma[tuple(evaluated[inside].T)]
        voxels = int(values.size)
        rate = float(np.count_nonzero(values <= 1.0) / voxels) if voxels else math.nan
    return StructureDoseComparison(roi.roi_number, roi.name, dvh_a, dvh_b, metrics, rate, voxels)


def _key(name: str) -> str:
    """ROI names match ignoring case and surrounding blanks."""
    return name.strip().casefold()


def compare_structure_sets(a: StructureSet, b: StructureSet, *, voxel_mm: float = 1.0,
                           names: Sequence[str] | None = None, model: str = DEFAULT_MODEL,
                           progress: Progress | None = None
                           ) -> tuple[tuple[StructurePairComparison, ...], tuple[str, ...],
                                      tuple[str, ...]]:
    """Agreement of the ROIs two structure sets share by name (one Frame of Reference).

    ``names`` limits the comparison to those ROI names (as matched: case and blanks
    ignored).

    Returns
    -------
    rows : tuple of StructurePairComparison
        One per ROI name with closed contours in both.
    only_a, only_b : tuple of str
        Names (with closed contours) found in one set only.
    """
    fa, fb = a.frame_of_reference_uid, b.frame_of_reference_uid
    if fa and fb and fa != fb:
        raise IncompatibleDataError(
            f"compare: {b.path.name} is on Frame of Reference {fb} and {a.path.name} on {fa}; "
            "comparing across frames needs a spatial registration (REG)", path=b.path)
    rois_a = {_key(r.name): r for r in a.rois if r.closed_polygons_mm()}
    rois_b = {_key(r.name): r for r in b.rois if r.closed_polygons_mm()}
    wanted = None if not names else {_key(n) for n in names}
    shared = [k for k in rois_a if k in rois_b and (wanted is None or k in wanted)]
    report = progress or (lambda done, n, step: None)
    rows = []
    for n, key in enumerate(shared, start=1):
        ra, rb = rois_a[key], rois_b[key]
        sa, sb = _solid(ra, model), _solid(rb, model)
        if sa is None or sb is None:
            continue
        agreement = compare_structures(sa, sb, np.vstack(ra.closed_polygons_mm()),
                                       np.vstack(rb.closed_polygons_mm()), voxel_mm=voxel_mm)
        rows.append(StructurePairComparison(ra.name, ra.roi_number, rb.roi_number, agreement))
        report(n, len(shared), ra.name)
    only_a = tuple(rois_a[k].name for k in rois_a if k not in rois_b)
    only_b = tuple(rois_b[k].name for k in rois_b if k not in rois_a)
    return tuple(rows), only_a, only_b
