"""Gather each plan of a scanned folder with its structure set, PLAN dose and records."""

from __future__ import annotations

from pathlib import Path

from rtviewer.dicom.check.collector import Collector
from rtviewer.dicom.check.objects import ObjectStore
from rtviewer.dicom.scan import scan
from rtviewer.model.dose import Dose, DoseSummationType, DoseUnits
from rtviewer.model.plan import Plan
from rtviewer.model.plan_case import PlanCase
from rtviewer.model.record import TreatmentRecord
from rtviewer.model.structure import StructureSet

__all__ = ["plan_cases", "load_plan_cases"]



def plan_cases(store: ObjectStore) -> list[tuple[Path, PlanCase]]:
    """Every external-beam plan of the store with the objects that reference it.

    A plan's structure set is the one it references; its dose the PLAN dose in Gy that
    references it (a FRACTION or BEAM dose is not the plan's total: the dose checks
    are then skipped); brachy plans are left out (their checks are TG-43's).
    """
    objects = [(p, store.get(p)) for p in store.instances]
    structures = {o.sop_instance_uid: o for _, o in objects if isinstance(o, StructureSet)}
    doses = [o for _, o in objects if isinstance(o, Dose) and o.units is DoseUnits.GY]
    records = [o for _, o in objects if isinstance(o, TreatmentRecord)]
    cases = []
    for path, plan in objects:
        if not isinstance(plan, Plan) or plan.brachy is not None or not plan.beams:
            continue
        cases.append((path, PlanCase(
            plan, structures.get(plan.referenced_structure_set_uid or ""),
            _plan_dose(plan, doses),
            tuple(r for r in records if r.referenced_plan_uid == plan.sop_instance_uid))))
    return cases


def _plan_dose(plan: Plan, doses: list[Dose]) -> Dose | None:
    mine = [d for d in doses if plan.sop_instance_uid
            and plan.sop_instance_uid in (d.referenced_plan_uids or (d.referenced_plan_uid,))]
    return next((d for d in mine if d.summation_type is DoseSummationType.PLAN), None)


def load_plan_cases(path: str | Path) -> list[tuple[Path, PlanCase]]:
    """Scan a folder and return its plan cases (readers' findings are dropped)."""
    result = scan(path, use_cache=False)
    store = ObjectStore(result, Collector(result.root))
    return plan_cases(store)
