"""Per-beam and plan doses of an external-beam plan, normalised to the prescription.

The PLAN dose is stored as the exact integer sum of the BEAM doses' stored values,
all with one Dose Grid Scaling, so PLAN = Σ BEAM holds to the last bit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from rtviewer.demo.beams import PlannedBeam
from rtviewer.demo.phantom import Phantom
from rtviewer.demo.photon_dose import beam_dose
from rtviewer.demo.rtdose import DoseGridSpec, DoseSpec, common_scaling, write_dose
from rtviewer.demo.shapes import Ellipsoid
from rtviewer.demo.writer import Patient, Series

__all__ = ["Normalisation", "PlanDose", "UnitDoseCache", "compute_plan_dose", "stored_doses",
           "write_plan_doses"]

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


def _segments(beam: PlannedBeam, arc_group: int, phase: int = 0) -> list[tuple[int, float]]:
    """(control point index, meterset fraction) pairs sampling the beam's delivery.

    An arc's control-point intervals are merged ``arc_group`` at a time, each group
    delivered at its middle control point; ``phase`` shortens the first group, so
    two arcs over the same angles can be sampled between each other's angles.
    """
    if not beam.is_arc:
        return [(0, 1.0)]
    w = np.diff(beam.cumulative_weight)
    starts = [0, *range(phase, w.size, arc_group)] if phase else range(0, w.size, arc_group)
    ends = [*starts[1:], w.size]
    return [(start + (end - start) // 2, float(w[start:end].sum()))
            for start, end in zip(starts, ends, strict=True)]


def _unit_beam_dose(beam: PlannedBeam, points: NDArray[np.float32],
                    phantom: Phantom, arc_group: int, phase: int = 0) -> NDArray[np.float64]:
    """Relative dose per unit meterset weight at points ``(3, N)`` mm (cGy per MU)."""
    total = np.zeros(points.shape[1])
    for index, weight in _segments(beam, arc_group, phase):
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


#: Unit doses already computed, by ``id`` of the beam (kept alive beside its values), so
#: a replan that keeps most beams of a plan computes only the beams it changed.
UnitDoseCache = dict[int, tuple[PlannedBeam, NDArray[np.float64]]]


def compute_plan_dose(beams: list[PlannedBeam], grid: DoseGridSpec, phantom: Phantom, *,
                      prescription_gy: float, fractions: int,
                      normalisation: Normalisation | None = None, arc_group: int = ARC_GROUP,
                      interleave_arcs: bool = False,
                      cache: UnitDoseCache | None = None) -> PlanDose:
    """Dose per beam on ``grid``, normalised to the prescription.

    Each beam gives an equal share of the isocentre dose; then all are scaled by
    ``normalisation`` (None: the isocentre receives the prescription). Arcs are
    sampled every ``arc_group`` control-point intervals; ``interleave_arcs`` shifts the
    second arc's samples by half a group (for two arcs over the same angles, which would
    otherwise be sampled at the same angles twice). ``cache`` (filled as it goes)
    holds the unit doses of beams computed before on the same grid and phantom.
    """
    points = grid.points_mm()
    inside = phantom.body.contains(points)
    # The isocentre rides along as the last point, so each beam is evaluated once.
    evaluated = np.ascontiguousarray(
        np.vstack([points[inside], np.asarray([beams[0].isocenter_mm])]).T, dtype=np.float32)
    share_gy = prescription_gy / len(beams)
    cache = {} if cache is None else cache
    per_beam_gy, mu = [], []
    for n, beam in enumerate(beams):
        phase = arc_group // 2 if interleave_arcs and n % 2 else 0
        if id(beam) not in cache:
            cache[id(beam)] = (beam, _unit_beam_dose(beam, evaluated, phantom, arc_group, phase))
        values = cache[id(beam)][1]
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
    return stored_doses(per_beam_gy, grid, tuple(mu),
                        tuple(beam_gy / fractions for _ in beams))


def stored_doses(per_beam_gy: list[NDArray[np.float64]], grid: DoseGridSpec,
                 beam_mu: tuple[float, ...],
                 beam_dose_per_fraction_gy: tuple[float, ...]) -> PlanDose:
    """Beam doses (Gy, flat in grid order) as uint16 with one scaling, and their exact sum."""
    plan_max = float(np.max(np.sum(per_beam_gy, axis=0)))
    scaling, text = common_scaling(plan_max)
    stored = tuple(np.rint(d / scaling).astype(np.uint16).reshape(grid.shape)
                   for d in per_beam_gy)
    plan = np.sum(np.stack(stored).astype(np.uint32), axis=0)
    if plan.max() > np.iinfo(np.uint16).max:
        raise AssertionError("plan dose overflows 16 bits")  # cannot happen: see _TARGET_MAX
    return PlanDose(stored, plan.astype(np.uint16), scaling, text, beam_mu,
                    beam_dose_per_fraction_gy)


class _NamedBeam(Protocol):
    """A photon beam or a proton field: what a BEAM dose names."""

    @property
    def number(self) -> int: ...

    @property
    def name(self) -> str: ...


def write_plan_doses(dose: PlanDose, beams: Sequence[_NamedBeam], grid: DoseGridSpec, *,
                     plan_uid: str, uid: Callable[..., str], patient: Patient, series: Series,
                     out_dir: Path, dose_type: str = "PHYSICAL", heterogeneity: str = "",
                     note: str = "") -> None:
    """Write the PLAN dose and one BEAM dose per beam of a plan (one scaling for all).

    ``uid(kind, ...)`` makes each dose's UID from ``"plan"`` or ``"beam", number``;
    ``note`` is appended to every Dose Comment (e.g. how an RBE-weighted dose is made).
    """
    tail = f"; {note}" if note else ""
    write_dose(dose.plan_stored, dose.scaling_text, grid,
               DoseSpec(uid("plan"), "PLAN", plan_uid,
                        comment=f"Plan dose (sum of the beam doses){tail}",
                        dose_type=dose_type, heterogeneity=heterogeneity),
               patient=patient, series=series, out_dir=out_dir)
    for beam, stored in zip(beams, dose.beam_stored, strict=True):
        write_dose(stored, dose.scaling_text, grid,
                   DoseSpec(uid("beam", beam.number), "BEAM", plan_uid,
                            beam_number=beam.number, comment=f"Beam {beam.name}{tail}",
                            dose_type=dose_type, heterogeneity=heterogeneity),
                   patient=patient, series=series, out_dir=out_dir)
