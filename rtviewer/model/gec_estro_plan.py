"""The GEC-ESTRO parameters of a brachy plan from rtviewer's TG-43 dose of its dwells.

The 3-D dose of every dwell of one fraction (all pulses) on a grid around the plan's
targets and organs at risk (:mod:`rtviewer.model.brachy_dose`), each structure's DVH on
it, then :func:`rtviewer.model.gec_estro.roi_metrics`.  The DVHs are kept, so that a
new α/β, external-beam EQD2 or number of fractions needs no new dose.  Used by
``rtviewer brachy-check --dvh`` and the window's Brachy tab (in a worker).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rtviewer.core.dvh import Dvh
from rtviewer.core.grid import Grid
from rtviewer.model.gec_estro import EqdSettings, RoiMetrics, roi_metrics, roi_role

__all__ = ["DwellDvhs", "dwell_dvhs", "plan_prescription_gy", "prescription_note",
           "metrics_of"]

#: Called with (steps done, steps in all, what is being done).
Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class DwellDvhs:
    """The dwells' dose grid and the DVH (per fraction) of each target / organ at risk.

    ``structures`` are ``(name, role, Dvh)`` with role "target" or "oar".
    """

    grid: Grid
    grid_mm: float
    dose_max_gy: float
    structures: tuple[tuple[str, str, Dvh], ...]
    notes: tuple[str, ...]


def _setup_dose_gy(plan: Any) -> float | None:
    groups = getattr(plan, "fraction_groups", ()) or ()
    setups = groups[0].referenced_brachy_setups if groups else ()
    return next((s.dose_gy for s in setups if s.dose_gy), None)


def _pulsed(plan: Any) -> bool:
    brachy = getattr(plan, "brachy", None)
    return brachy is not None and any(c.pulses > 1 for c in brachy.channels)


def plan_prescription_gy(plan: Any) -> float | None:
    """The dose per fraction V100 refers to: the first Brachy Application Setup Dose.

    None for a pulsed (PDR) plan: its setup dose is per pulse in some planning systems
    (Oncentra) and per fraction in others (Eclipse); :func:`prescription_note` says so.
    """
    return None if _pulsed(plan) else _setup_dose_gy(plan)


def prescription_note(plan: Any) -> str | None:
    """Why a pulsed plan's setup dose is not taken for V100 (None otherwise)."""
    setup = _setup_dose_gy(plan)
    if setup is None or not _pulsed(plan):
        return None
    return (f"pulsed plan: its Brachy Application Setup Dose {setup:g} Gy may be per pulse "
            "or per fraction, so V100-V200 need the dose per fraction stated")


def dwell_dvhs(plan: Any, structure_set: Any, *, source_key: str, strength_u: float,
               grid_mm: float = 2.0, progress: Progress | None = None,
               cancelled: Callable[[], bool] = lambda: False) -> DwellDvhs | None:
    """TG-43 dose of ``plan``'s dwells (one fraction, every pulse) and the structures' DVHs.

    Parameters
    ----------
    plan : Plan
        A plan with a brachy part.
    structure_set : StructureSet or None
        Its structures; without them only the dose grid around the dwells.
    source_key : str
        Consensus dataset (:func:`rtviewer.core.tg43.load_source`).
    strength_u : float
        Air-kerma strength (U) at the treatment time.
    grid_mm : float, keyword-only
        Dose grid spacing (mm).
    progress, cancelled : callable, keyword-only
        Reported after the dose and each DVH; polled between them (None when cancelled).
    """
    from rtviewer.core import tg43
    from rtviewer.core.dvh import compute_dvh
    from rtviewer.model.brachy_dose import dose_grid, dwell_dose_on_grid
    from rtviewer.model.brachy_dwells import treatment_dwells

    rois = [] if structure_set is None else [
        (roi, role) for roi in structure_set.rois
        if (role := roi_role(roi.name, roi.interpreted_type)) and roi.closed_polygons_mm()]
    steps = len(rois) + 1
    report = progress or (lambda _d, _n, _w: None)
    report(0, steps, "TG-43 dose of the dwells")
    dwells = treatment_dwells(plan.brachy, all_pulses=True)
    grid = dose_grid(dwells, [p for roi, _ in rois for p in roi.closed_polygons_mm()], grid_mm)
    dose = dwell_dose_on_grid(tg43.load_source(source_key), dwells, grid, strength_u,
                              cancelled=cancelled)
    if dose is None:
        return None
    out = []
    for n, (roi, role) in enumerate(rois, start=1):
        if cancelled():
            return None
        report(n, steps, f"DVH of {roi.name}")
        out.append((roi.name, role, compute_dvh(roi.closed_polygons_mm(), dose, grid)))
    report(steps, steps, "done")
    notes = [] if structure_set is not None else [
        "the plan's structure set is not loaded: dose grid only, no DVH"]
    if structure_set is not None and not rois:
        notes.append("no structure is named or typed as a target or organ at risk")
    return DwellDvhs(grid, grid_mm, float(dose.max()), tuple(out), tuple(notes))


def metrics_of(dvhs: DwellDvhs, *, prescription_gy: float | None, fractions: int,
               settings: EqdSettings) -> list[RoiMetrics]:
    """Each structure's GEC-ESTRO parameters (per fraction and EQD2 over ``fractions``)."""
    return [roi_metrics(name, role, dvh, prescription_gy=prescription_gy,
                        fractions=fractions, settings=settings)
            for name, role, dvh in dvhs.structures]
