"""Plan sums: several RT Doses, each with a weight, shown as one :class:`Dose`.

The rules a physicist expects before two doses may be added, each refused with a plain
message naming the file:

* units: only absolute doses (Dose Units GY) add up; a RELATIVE dose has no scale;
* Dose Type: a PHYSICAL and an EFFECTIVE (RBE-weighted) dose are different quantities;
* Frame of Reference: all doses in one frame; a dose on another frame must first be
  brought into it by a spatial registration (:mod:`rtviewer.model.registration`);
* Dose Summation Type: a PLAN or FRACTION dose already contains its own BEAM doses
  (:func:`rtviewer.core.dose_sum.check_summable`), and one file is never added twice.

The result lives on the finest grid that covers every component
(:func:`rtviewer.core.dose_sum.covering_grid`) and is a :class:`Dose` like any other,
so isodoses, wash, DVH, points and goals work on it unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from rtviewer.core.dose_sum import DoseComponent, check_summable, covering_grid, sum_doses
from rtviewer.errors import IncompatibleDataError
from rtviewer.model.dose import Dose, DoseSummationType, DoseUnits
from rtviewer.model.findings import Finding, Severity

__all__ = ["WeightedDose", "plan_sum", "sum_label"]


@dataclass(frozen=True, eq=False)
class WeightedDose:
    """One term of a plan sum.

    Parameters
    ----------
    dose : Dose
        The RT Dose.
    weight : float
        Multiplier (e.g. the number of fractions for a FRACTION dose), finite and > 0.
    """

    dose: Dose
    weight: float = 1.0


def sum_label(terms: Sequence[WeightedDose]) -> str:
    """Short text naming the terms, e.g. ``"RD1.dcm + 2 x RD2.dcm"``."""
    parts = [t.dose.path.name if t.weight == 1.0 else f"{t.weight:g} x {t.dose.path.name}"
             for t in terms]
    return " + ".join(parts)


def plan_sum(terms: Sequence[WeightedDose]) -> Dose:
    """Weighted sum of RT Doses on the finest grid covering them all.

    Parameters
    ----------
    terms : sequence of WeightedDose
        Two or more doses with their weights (one dose alone is returned scaled).

    Returns
    -------
    Dose
        ``dose_gy`` = Σ weight · dose (trilinear resampling, 0 Gy outside a component's
        grid), ``path`` = the first component's folder / ``"<sum>"``, summation type PLAN
        for BEAM doses of one plan, MULTI_PLAN otherwise; its findings say what was added.

    Raises
    ------
    IncompatibleDataError
        Units, Dose Type, Frame of Reference or summation rules forbid the sum; a
        weight is not finite and positive.
    """
    if not terms:
        raise IncompatibleDataError("plan sum: no dose selected")
    _check_terms(terms)
    doses = [t.dose for t in terms]
    components = [DoseComponent(d.dose_gy, d.grid, t.weight, _summation(d), d.referenced_plan_uid)
                  for t, d in zip(terms, doses, strict=True)]
    try:
        check_summable(components)
    except ValueError as error:
        raise IncompatibleDataError(f"plan sum: {error}".replace("components: ", "")) from None
    target = covering_grid([d.grid for d in doses])
    total = sum_doses(components, target)
    plans = tuple(dict.fromkeys(u for d in doses for u in (d.referenced_plan_uids
                                                          or (d.referenced_plan_uid,)) if u))
    one_plan_beams = len(plans) == 1 and all(
        d.summation_type in (DoseSummationType.BEAM, DoseSummationType.BEAM_SESSION)
        for d in doses)
    label = sum_label(terms)
    return Dose(
        path=doses[0].path.parent / "<sum>", sop_instance_uid="", grid=target, dose_gy=total,
        units=DoseUnits.GY, dose_type=doses[0].dose_type,
        summation_type=DoseSummationType.PLAN if one_plan_beams else DoseSummationType.MULTI_PLAN,
        referenced_plan_uid=plans[0] if plans else None, referenced_plan_uids=plans,
        referenced_structure_set_uid=doses[0].referenced_structure_set_uid,
        comment=f"sum: {label}",
        findings=(Finding("plan-sum",
                          f"sum of {len(terms)} doses: {label}; grid "
                          f"{'x'.join(str(n) for n in target.shape[::-1])} at "
                          f"{'/'.join(f'{s:g}' for s in target.spacing_mm)} mm", Severity.INFO),))


def _summation(dose: Dose) -> str:
    """The Dose Summation Type as the core's plain string ("" when unknown)."""
    return dose.summation_type.value if dose.summation_type is not None else ""


def _check_terms(terms: Sequence[WeightedDose]) -> None:
    """Refuse weights, units, types, frames and repeats that make the sum meaningless."""
    first = terms[0].dose
    seen: dict[tuple[Path, str], Path] = {}
    for term in terms:
        dose, name = term.dose, term.dose.path
        if not np.isfinite(term.weight) or term.weight <= 0:
            raise IncompatibleDataError(f"plan sum: weight {term.weight:g} of {name.name} is "
                                        "not a positive number", path=name)
        if dose.units is not DoseUnits.GY:
            raise IncompatibleDataError(
                f"plan sum: {name.name} has Dose Units {dose.units.value}, not GY: a relative "
                "dose has no absolute scale and cannot be added", path=name)
        if dose.dose_type is not first.dose_type:
            raise IncompatibleDataError(
                f"plan sum: {name.name} is a {dose.dose_type.value} dose and "
                f"{first.path.name} a {first.dose_type.value} dose; they are different "
                "quantities", path=name)
        if dose.grid.frame_of_reference_uid != first.grid.frame_of_reference_uid:
            raise IncompatibleDataError(
                f"plan sum: {name.name} is on Frame of Reference "
                f"{dose.grid.frame_of_reference_uid} and {first.path.name} on "
                f"{first.grid.frame_of_reference_uid}; a spatial registration (REG) between "
                "the two frames is needed", path=name)
        key = (dose.path.resolve(), dose.sop_instance_uid)
        if key in seen:
            raise IncompatibleDataError(f"plan sum: {name.name} is selected twice; use its "
                                        "weight instead", path=name)
        seen[key] = name
