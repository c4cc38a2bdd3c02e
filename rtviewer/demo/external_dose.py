"""Per-beam and plan doses of an external-beam plan, normalised to the prescription.

The PLAN dose is stored as the exact integer sum of the BEAM doses' stored values,
all with one Dose Grid Scaling, so PLAN = Σ BEAM holds to the last bit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rtviewer.demo.beams import PlannedBeam
from rtviewer.demo.phantom import Phantom
from rtviewer.demo.photon_dose import beam_dose
from rtviewer.demo.rtdose import DoseGridSpec, common_scaling
from rtviewer.demo.shapes import Ellipsoid

__all__ = ["Normalisation", "PlanDose", "compute_plan_dose"]

#: Arc segments are merged into groups of this many control-point intervals for speed
#: (a 12° sampling of a 2° control-point spacing).
ARC_GROUP = 6


@dataclass(frozen=True)
class Normalisation:
    """Scale a plan so that ``volume_pct`` % of ``target`` receives ``dose_pct`` % of Rx.

    As a planner normalises a plan on its target coverage (e.g. "95 % of the PTV gets
    95.5 %"), not on the isocentre dose. Evaluated on the dose-grid voxel centres inside
    the target shape.
    """

    target: Ellipsoid
    volume_pct: float
    dose_pct: float


@dataclass(frozen=True)
class PlanDose:
    """Stored values per beam, their scaling, and the numbers the plan file needs."""

    beam_stored: tuple[NDArray[np.uint16], ...]
    plan_stored: NDArray[np.uint16]
    scaling: float
    scaling_text: str
    beam_mu: tuple[float, ...]
    beam_dose_per_fraction_gy: tuple[float, ...]


def _segments(beam: PlannedBeam) -> list[tuple[int, float]]:
    """(control point index, meterset fraction) pairs sampling the beam's delivery."""
    if not beam.is_arc:
        return [(0, 1.0)]
    w = np.diff(beam.cumulative_weight)
    out = []
    for start in range(0, w.size, ARC_GROUP):
        group = w[start:start + ARC_GROUP]
        out.append((start + group.size // 2, float(group.sum())))
    return out


def _unit_beam_dose(beam: PlannedBeam, points: NDArray[np.float32],
                    phantom: Phantom) -> NDArray[np.float64]:
    """Relative dose per unit meterset weight at points ``(3, N)`` mm (cGy per MU)."""
    total = np.zeros(points.shape[1])
    for index, weight in _segments(beam):
        total += weight * beam_dose(points, beam.geometry(index), beam.apertures[index],
                                    phantom, wedge=beam.wedge)
    return total


def _normalisation_factor(unit_gy: list[NDArray[np.float64]], points_mm: NDArray[np.float64],
                          norm: Normalisation | None, prescription_gy: float) -> float:
    """Factor that puts the target's D(volume_pct) at dose_pct % of the prescription."""
    if norm is None:
        return 1.0
    inside = norm.target.contains(points_mm)
    plan_gy = np.sum(unit_gy, axis=0)[inside]
    d_gy = float(np.percentile(plan_gy, 100.0 - norm.volume_pct))
    return norm.dose_pct / 100.0 * prescription_gy / d_gy


def compute_plan_dose(beams: list[PlannedBeam], grid: DoseGridSpec, phantom: Phantom, *,
                      prescription_gy: float, fractions: int,
                      normalisation: Normalisation | None = None) -> PlanDose:
    """Dose per beam on ``grid``, normalised to the prescription.

    Each beam gives an equal share of the isocentre dose; then all are scaled by
    ``normalisation`` (None: the isocentre receives the prescription).
    """
    points = grid.points_mm()
    inside = phantom.body.contains(points)
    # The isocentre rides along as the last point, so each beam is evaluated once.
    evaluated = np.ascontiguousarray(
        np.vstack([points[inside], np.asarray([beams[0].isocenter_mm])]).T, dtype=np.float32)
    share_gy = prescription_gy / len(beams)
    per_beam_gy, mu = [], []
    for beam in beams:
        values = _unit_beam_dose(beam, evaluated, phantom)
        unit_iso = float(values[-1])
        unit = np.zeros(len(points))
        unit[inside] = values[:-1]
        per_beam_gy.append(unit * (share_gy / unit_iso))
        mu.append(share_gy / fractions * 100.0 / unit_iso)
    factor = _normalisation_factor(per_beam_gy, points, normalisation, prescription_gy)
    per_beam_gy = [d * factor for d in per_beam_gy]
    # 1 cGy per MU for unit fluence at the reference depth: MU = cGy / relative dose.
    mu = [m * factor for m in mu]
    beam_gy = share_gy * factor
    plan_max = float(np.max(np.sum(per_beam_gy, axis=0)))
    scaling, text = common_scaling(plan_max)
    stored = tuple(np.rint(d / scaling).astype(np.uint16).reshape(grid.shape)
                   for d in per_beam_gy)
    plan = np.sum(np.stack(stored).astype(np.uint32), axis=0)
    if plan.max() > np.iinfo(np.uint16).max:
        raise AssertionError("plan dose overflows 16 bits")  # cannot happen: see _TARGET_MAX
    return PlanDose(stored, plan.astype(np.uint16), scaling, text, tuple(mu),
                    tuple(beam_gy / fractions for _ in beams))
