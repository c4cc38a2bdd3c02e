"""rtviewer's own TG-43 dose of a brachy plan's dwells as a dose like any other.

For plans without an RT Dose, and as an independent check of one: the TG-43U1 dose of
every dwell of one fraction (every pulse of a PDR plan) on an axis-aligned grid in patient
coordinates around the applicator: the dwells ± :data:`APPLICATOR_MARGIN_MM` and the
boxes of the targets and organs at risk (:func:`rtviewer.model.gec_estro.roi_role`), so
their DVHs are whole.  The result is a :class:`~rtviewer.model.dose.Dose` (Dose
Summation Type FRACTION: one fraction) whose name, comment and finding say that it is
rtviewer's independent calculation and not the planning system's RT Dose, with the
source data, strength, grid and spacing used; it is never written anywhere (its
``path`` is a name in the plan's folder that no file has).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from rtviewer.core import tg43
from rtviewer.model.brachy_check import choose_source, plan_strength
from rtviewer.model.brachy_dose import DEFAULT_SPACING_MM, dose_grid, dwell_dose_on_grid
from rtviewer.model.brachy_dwells import treatment_dwells
from rtviewer.model.dose import Dose, DoseSummationType, DoseType, DoseUnits
from rtviewer.model.findings import Finding, Severity
from rtviewer.model.gec_estro import roi_role
from rtviewer.model.tg43_mark import TG43_DOSE_NAME, TG43_FINDING, is_tg43_dose

__all__ = ["APPLICATOR_MARGIN_MM", "TG43_DOSE_NAME", "TG43_FINDING", "Tg43Dose",
           "is_tg43_dose", "tg43_dose", "tg43_dose_as"]

#: The grid reaches this far beyond the outermost dwells (mm): 3 cm, where an HDR dose
#: has fallen to a few per cent of the prescription at Point A.
APPLICATOR_MARGIN_MM = 30.0

#: Called with (steps done, steps in all, what is being done).
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Tg43Dose:
    """The computed dose and how: source dataset, strength (U) and grid spacing (mm)."""

    dose: Dose
    source_key: str
    source_note: str
    strength_u: float
    grid_mm: float
    dwell_count: int


def _grid_points(plan: Any, structures: Any, dwell_positions: np.ndarray) -> list[np.ndarray]:
    """The dwells' box ± the margin (its 8 corners) and the targets' / OARs' contours."""
    low = dwell_positions.min(axis=0) - APPLICATOR_MARGIN_MM
    high = dwell_positions.max(axis=0) + APPLICATOR_MARGIN_MM
    corners = np.array([[x, y, z] for x in (low[0], high[0]) for y in (low[1], high[1])
                        for z in (low[2], high[2])])
    polygons = [corners]
    for roi in () if structures is None else structures.rois:
        if roi_role(roi.name, roi.interpreted_type):
            polygons += list(roi.closed_polygons_mm())
    return polygons


def tg43_dose(plan: Any, structures: Any = None, *, source_key: str | None = None,
              grid_mm: float = DEFAULT_SPACING_MM, progress: Progress | None = None,
              cancelled: Callable[[], bool] = lambda: False) -> Tg43Dose | None:
    """TG-43 dose (Gy, one fraction) of ``plan``'s dwells on a grid around the applicator.

    Parameters
    ----------
    plan : Plan
        A plan with a brachy part.
    structures : StructureSet or None
        Its structures: the grid also covers the targets and organs at risk.
    source_key : str or None, keyword-only
        Consensus dataset (:func:`rtviewer.core.tg43.source_names`); None: the one the
        plan names (:func:`rtviewer.model.brachy_check.choose_source`).
    grid_mm : float, keyword-only
        Spacing of the dose grid (mm).
    progress, cancelled : callable, keyword-only
        Reported every few dwells; polled as often (None when cancelled).

    Raises
    ------
    ValueError
        Not a brachy plan with a source and dwells, no strength, or no dataset for the
        source (the message says which).
    """
    if getattr(plan, "brachy", None) is None:
        raise ValueError("not a brachytherapy plan")
    dataset, note = choose_source(plan, source_key)
    strength = plan_strength(plan)
    dwells = treatment_dwells(plan.brachy, all_pulses=True)
    if dwells.count == 0:
        raise ValueError("the plan has no dwell with a time: no dose to compute")
    grid = dose_grid(dwells, _grid_points(plan, structures, np.asarray(dwells.positions_mm)),
                     grid_mm)
    report = progress or (lambda _d, _n, _w: None)
    dose_gy = dwell_dose_on_grid(
        dataset, dwells, grid, strength.at_time_u, cancelled=cancelled,
        progress=lambda done, total: report(done, total, f"TG-43 dose, dwell {done}/{total}"))
    if dose_gy is None:
        return None
    return Tg43Dose(_as_dose(plan, structures, dose_gy.astype(np.float32), grid, dataset,
                             note, strength.at_time_u, grid_mm, dwells.notes),
                    dataset.key, note, strength.at_time_u, grid_mm, dwells.count)


def _as_dose(plan: Any, structures: Any, dose_gy: np.ndarray, grid: Any,
             dataset: tg43.Tg43Source, note: str, strength_u: float, grid_mm: float,
             dwell_notes: tuple[str, ...]) -> Dose:
    shape = "×".join(str(n) for n in grid.shape[::-1])
    what = (f"rtviewer's independent TG-43U1 calculation from the plan's dwells, NOT the "
            f"planning system's RT Dose: one fraction (every pulse), source data {note}, "
            f"S_K {strength_u:.6g} U; grid {shape} at {grid_mm:g} mm around the applicator "
            f"(dwells ± {APPLICATOR_MARGIN_MM:g} mm and the targets / organs at risk)")
    findings = [Finding(TG43_FINDING, what, Severity.INFO)]
    findings += [Finding("TG43_DWELLS", n, Severity.INFO) for n in dwell_notes]
    folder = Path(str(getattr(plan, "path", "") or ".")).parent
    return Dose(path=folder / TG43_DOSE_NAME, sop_instance_uid="", grid=grid, dose_gy=dose_gy,
                units=DoseUnits.GY, dose_type=DoseType.PHYSICAL,
                summation_type=DoseSummationType.FRACTION,
                referenced_plan_uid=getattr(plan, "sop_instance_uid", None),
                referenced_plan_uids=tuple(u for u in (getattr(plan, "sop_instance_uid", None),)
                                           if u),
                referenced_structure_set_uid=getattr(structures, "sop_instance_uid", None),
                comment=f"{TG43_DOSE_NAME}: {dataset.key}, {grid_mm:g} mm grid",
                findings=tuple(findings))


def tg43_dose_as(computed: Dose, other: Dose, fractions: int | None) -> tuple[Dose, str]:
    """``computed`` (one fraction) scaled to ``other``'s Dose Summation Type, and a label.

    A PLAN, MULTI_PLAN or BRACHY RT Dose is the whole course: the fraction's dose × the
    plan's fractions; a FRACTION dose is compared as it is.

    Raises
    ------
    ValueError
        ``other`` is a part of a fraction (BEAM, CONTROL_POINT, …) or relative, or the
        plan states no number of fractions for a whole-course dose.
    """
    summation = other.summation_type
    if other.units is not DoseUnits.GY:
        raise ValueError(f"the RT Dose is {other.units.value}, not Gy: nothing to compare")
    if summation is DoseSummationType.FRACTION:
        return computed, TG43_DOSE_NAME
    if summation not in (DoseSummationType.PLAN, DoseSummationType.MULTI_PLAN,
                         DoseSummationType.BRACHY, None):
        raise ValueError(f"the RT Dose is a {summation.value} dose (a part of a fraction): "
                         "not comparable with the whole fraction's TG-43 dose")
    if not fractions:
        raise ValueError("the plan states no number of fractions: the whole-course RT Dose "
                         "cannot be compared with one fraction's TG-43 dose")
    if fractions == 1:
        return computed, TG43_DOSE_NAME
    kind = summation.value if summation is not None else "unknown-summation"
    scaled = replace(computed, dose_gy=computed.dose_gy * np.float32(fractions),
                     summation_type=summation,
                     comment=f"{computed.comment} × {fractions} fractions")
    return scaled, f"{TG43_DOSE_NAME} × {fractions} fractions ({kind} dose)"
