"""One plan with the objects a physics plan review reads next to it."""

from __future__ import annotations

from dataclasses import dataclass

from rtviewer.model.dose import Dose
from rtviewer.model.goals import GoalSet
from rtviewer.model.plan import Plan
from rtviewer.model.record import TreatmentRecord
from rtviewer.model.structure import StructureSet

__all__ = ["PlanCase"]


@dataclass(frozen=True)
class PlanCase:
    """A plan, its structure set, its PLAN dose and its treatment records.

    Parameters
    ----------
    plan : Plan
    structure_set : StructureSet or None
        The structure set the plan references (None when it is not in the folder).
    dose : Dose or None
        The plan's total dose: a PLAN (or FRACTION) dose referencing the plan, in Gy.
    records : tuple of TreatmentRecord
        Treatment records referencing the plan.
    goals : GoalSet or None
        The clinical goals the plan is judged by: the dose-grid coverage check warns for
        the structures they name (every organ without a goal set).
    """

    plan: Plan
    structure_set: StructureSet | None = None
    dose: Dose | None = None
    records: tuple[TreatmentRecord, ...] = ()
    goals: GoalSet | None = None
