"""From one selected object in a scanned folder to the chain the viewer loads.

Selecting an RT Dose, RT Plan or RT Structure Set loads plan → structures →
images; alternatives (several plans or doses in one study) are listed, never
merged. Pure logic on :class:`~rtviewer.model.index.ScanResult` (no Qt), shared
by the window and ``rtviewer render``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rtviewer.model.index import Instance, Reference, ScanResult, Series, Study
from rtviewer.model.kind import PLAN_KINDS, Kind

__all__ = ["Chain", "chain_for", "default_chain", "find_instance", "window_chain"]


@dataclass(frozen=True)
class Chain:
    """The objects to load together (paths), and what else was on offer.

    Attributes
    ----------
    image_paths : tuple of Path
        The image series' files (empty without images).
    structures, plan, dose : Path or None
        The RT Structure Set, RT Plan and RT Dose files.
    other_doses, other_plans : tuple of Path
        Other doses of the plan / other plans of the study, offered to the user.
    notes : tuple of str
        Why each object was chosen (``rtviewer render`` states them on stderr).
    """

    image_paths: tuple[Path, ...] = ()
    structures: Path | None = None
    plan: Path | None = None
    dose: Path | None = None
    other_doses: tuple[Path, ...] = ()
    other_plans: tuple[Path, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def renderable(self) -> bool:
        """Whether anything can be drawn (images, structures or dose)."""
        return bool(self.image_paths) or self.structures is not None or self.dose is not None


def _instances(study: Study) -> list[Instance]:
    return [inst for series in study.series for inst in series.instances]


def _locate(scan: ScanResult, path: Path) -> tuple[Study, Instance] | None:
    for patient in scan.patients:
        for study in patient.studies:
            for inst in _instances(study):
                if inst.path == path:
                    return study, inst
    return None


def find_instance(scan: ScanResult, key: str) -> Instance | None:
    """The instance whose path (absolute or relative to the root) or SOP Instance UID is ``key``."""
    candidate = Path(key)
    paths = {candidate.resolve(), (scan.root / candidate).resolve()}
    matches = [i for i in scan.instances() if i.path.resolve() in paths]
    if not matches:
        matches = [i for i in scan.instances() if i.sop_instance_uid == key]
    return matches[0] if matches else None


def _ref(inst: Instance | None, kind: str) -> Reference | None:
    if inst is None:
        return None
    return next((r for r in inst.references if r.kind == kind and r.resolved), None)


def _all_series(scan: ScanResult) -> list[Series]:
    return [se for p in scan.patients for st in p.studies for se in st.series]


def _image_series_for(scan: ScanResult, structures: Instance | None,
                      frame_uid: str | None, notes: list[str]) -> tuple[Path, ...]:
    """The structure set's image series, else the largest image series on its frame."""
    images = [se for se in _all_series(scan)
              if se.instances and se.instances[0].kind == Kind.IMAGE]
    ref = _ref(structures, "image_series")
    if ref is not None:
        matching = [se for se in images if se.series_instance_uid == ref.uid]
        if matching:
            best = max(matching, key=lambda se: se.instance_count)
            notes.append(f"images: series {ref.uid} referenced by the structure set "
                         f"({best.instance_count} files)")
            return tuple(i.path for i in best.instances)
    if frame_uid:
        same_frame = [se for se in images if se.frame_of_reference_uid == frame_uid]
        if same_frame:
            best = max(same_frame, key=lambda se: (se.modality == "CT", se.instance_count))
            notes.append(f"images: {best.modality} series on the same Frame of Reference "
                         f"({best.instance_count} files)")
            return tuple(i.path for i in best.instances)
    return ()


def _is_beam_dose(inst: Instance) -> bool:
    """Whether an RT Dose's summary names the BEAM summation type."""
    return inst.kind == Kind.DOSE and re.search(r"\bBEAM\b", inst.summary or "") is not None


def _doses_of_plan(scan: ScanResult, plan: Instance) -> list[Instance]:
    doses = [i for i in scan.instances() if i.kind == Kind.DOSE
             and any(r.kind == "rtplan" and r.uid == plan.sop_instance_uid
                     and r.path == plan.path for r in i.references)]
    # a PLAN (whole-plan) dose first, BEAM doses last
    return sorted(doses, key=lambda d: (_is_beam_dose(d), str(d.path)))


def _plans_of_structures(scan: ScanResult, structures: Instance) -> list[Instance]:
    return sorted((i for i in scan.instances() if i.kind in PLAN_KINDS
                   and any(r.kind == "rtstruct" and r.path == structures.path
                           for r in i.references)), key=lambda i: str(i.path))


def chain_for(scan: ScanResult, path: Path) -> Chain:
    """The chain of objects to load when the user selects the file ``path``.

    Parameters
    ----------
    scan : ScanResult
        The index of the opened folder.
    path : Path
        An RTDOSE, RTPLAN, RTSTRUCT or image file of ``scan``.
    """
    located = _locate(scan, Path(path))
    if located is None:
        return Chain(notes=(f"{path} is not in the scanned folder",))
    study, inst = located
    notes: list[str] = []
    dose = plan = structures = None
    if inst.kind == Kind.DOSE:
        dose = inst
        plan = _instance_at(scan, _ref(dose, "rtplan"))
    elif inst.kind in PLAN_KINDS:
        plan = inst
    elif inst.kind == Kind.STRUCTURE_SET:
        structures = inst
    elif inst.kind == Kind.IMAGE:
        series = next(se for se in study.series if inst in se.instances)
        return Chain(image_paths=tuple(i.path for i in series.instances),
                     notes=(f"images: the selected series ({series.instance_count} files)",))
    else:
        return Chain(notes=(f"{inst.sop_class_name} has nothing to show on the slice views",))
    doses = _doses_of_plan(scan, plan) if plan is not None else []
    if dose is None and doses:
        dose = doses[0]
        notes.append(f"dose: {dose.path.name}, the plan's {_summation(dose)} dose")
    if structures is None:
        structures = _instance_at(scan, _ref(dose, "rtstruct") or _ref(plan, "rtstruct"))
    frame_uid = next((i.frame_of_reference_uid for i in (structures, dose, plan)
                      if i is not None and i.frame_of_reference_uid), None)
    images = _image_series_for(scan, structures, frame_uid, notes)
    plans = [i for i in _instances(study) if i.kind in PLAN_KINDS]
    return Chain(image_paths=images, structures=_path(structures), plan=_path(plan),
                 dose=_path(dose),
                 other_doses=tuple(d.path for d in doses if dose is None or d.path != dose.path),
                 other_plans=tuple(p.path for p in plans if plan is None or p.path != plan.path),
                 notes=tuple(notes))


def _summation(dose: Instance) -> str:
    summary = (dose.summary or "").upper()
    return next((s for s in ("PLAN", "BEAM", "FRACTION", "BRACHY") if s in summary), "first")


def _instance_at(scan: ScanResult, ref: Reference | None) -> Instance | None:
    if ref is None or ref.path is None:
        return None
    return next((i for i in scan.instances() if i.path == ref.path), None)


def _path(inst: Instance | None) -> Path | None:
    return inst.path if inst is not None else None


def default_chain(scan: ScanResult, patient_id: str | None = None, *,
                  accept: Callable[[Chain], bool] | None = None) -> tuple[Chain, str]:
    """The chain ``rtviewer render`` shows by default, and a sentence saying why.

    The patient with the lowest Patient ID that has something renderable; within
    it a plan first (its PLAN dose and structure set), else a dose, a structure
    set, an image series. ``accept`` says what counts as renderable (default:
    :attr:`Chain.renderable`; a beam's-eye view needs only a plan).
    """
    accept = accept or (lambda chain: chain.renderable)
    patients = sorted(scan.patients, key=lambda p: (p.patient_id is None, p.patient_id or ""))
    for patient in patients:
        if patient_id is not None and patient.patient_id != patient_id:
            continue
        for kinds in (PLAN_KINDS, {Kind.DOSE}, {Kind.STRUCTURE_SET}, {Kind.IMAGE}):
            for study in patient.studies:
                # whole-plan doses before BEAM doses, then by path
                for inst in sorted(_instances(study), key=lambda i: (
                        _is_beam_dose(i), str(i.path))):
                    if inst.kind in kinds:
                        chain = chain_for(scan, inst.path)
                        if accept(chain):
                            why = (f"patient {patient.patient_id!r}: starting from "
                                   f"{inst.kind.upper()} {inst.path.name}")
                            return chain, why
    return Chain(), "nothing renderable found"


def window_chain(scan: ScanResult, patient_id: str | None = None) -> tuple[Chain, str]:
    """What the window shows of a folder (or a patient): a plan alone still draws.

    The window's choice, also made by the start-up loader before the window exists
    (:mod:`rtviewer.ui.workers.prefetch`): both must pick the same chain.
    """
    chain, why = default_chain(scan, patient_id)
    if not chain.renderable:  # a plan alone still draws its beams or channels
        chain, why = default_chain(scan, patient_id, accept=lambda c: c.plan is not None)
    return chain, why
