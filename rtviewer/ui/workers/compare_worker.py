"""Comparisons off the GUI thread: dose B against A, two structure sets, two plan sheets.

Each worker reads what it still needs (B's file, the plans), brings B into A's Frame of
Reference when a rigid registration connects them (refused with the reason otherwise,
:func:`rtviewer.view.compare_frames.frame_route`), runs the headless comparison of
:mod:`rtviewer.model.plan_compare` and emits ``progressed(done, total, step)`` and then
``done(result)``, the result being the outcome or the exception that stopped it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6 import QtCore

from rtviewer.core.gamma import GammaCancelled, GammaCriteria
from rtviewer.core.structure_model import DEFAULT_MODEL
from rtviewer.errors import IncompatibleDataError
from rtviewer.model.dose import Dose
from rtviewer.model.plan_compare import (
    DoseComparison,
    StructurePairComparison,
    compare_doses,
    compare_structure_sets,
)
from rtviewer.model.plan_sheet_compare import SheetRow
from rtviewer.model.registration import SpatialRegistration, dose_in_frame, structure_set_in_frame
from rtviewer.model.structure import Roi, StructureSet
from rtviewer.ui.workers.detached_thread import DetachedThread
from rtviewer.view.compare_frames import FrameRoute, frame_route

__all__ = ["DoseCompareJob", "DoseCompareOutcome", "DoseCompareWorker",
           "StructureCompareOutcome", "StructureCompareWorker"]


class Cancelled(Exception):
    """The user started another comparison or closed the window."""


@dataclass(frozen=True, eq=False)
class DoseCompareJob:
    """What a dose comparison needs.

    ``a`` is a loaded dose or its file; ``b`` one dose (or file), or several
    ``(dose or file, weight)`` terms compared as their plan sum
    (:func:`rtviewer.model.plan_sum.plan_sum`); ``plan_a`` / ``plan_b`` (a Plan or
    a file) give the plan sheets side by side when both are known; ``structures`` is the
    structure set whose body outline gives the sheets' SSDs.
    """

    a: Dose | Path
    b: Dose | Path | Sequence[tuple[Dose | Path, float]]
    rois: Sequence[Roi] = ()
    criteria: GammaCriteria | None = None
    model: str = DEFAULT_MODEL
    registrations: Sequence[SpatialRegistration] = ()
    deformable: Sequence[Path] = ()
    plan_a: Any = None
    plan_b: Any = None
    structures: StructureSet | Path | None = None


@dataclass(frozen=True, eq=False)
class DoseCompareOutcome:
    """The comparison, how B reached A's frame, and the plan sheets' rows (or why none)."""

    comparison: DoseComparison
    route: FrameRoute
    sheet_rows: tuple[SheetRow, ...] = ()
    sheet_note: str = ""
    plan_labels: tuple[str, str] = field(default=("A", "B"))


def _read_dose(source: Dose | Path) -> Dose:
    from rtviewer.dicom.dose import read_dose

    return source if isinstance(source, Dose) else read_dose(source)


def _b_dose(source: Dose | Path | Sequence[tuple[Dose | Path, float]]) -> Dose:
    """B: one dose, or the weighted sum of several (one term of weight 1 is that dose)."""
    from rtviewer.model.plan_sum import WeightedDose, plan_sum

    if isinstance(source, Dose | Path):
        return _read_dose(source)
    terms = list(source)
    if len(terms) == 1 and terms[0][1] == 1.0:
        return _read_dose(terms[0][0])
    return plan_sum([WeightedDose(_read_dose(d), float(w)) for d, w in terms])


def _read_plan(source: Any) -> Any:
    from rtviewer.dicom.plan import read_plan

    return read_plan(source) if isinstance(source, Path) else source


class _Worker(DetachedThread):
    progressed = QtCore.Signal(int, int, str)
    done = QtCore.Signal(object)

    def _progress(self, done: int, total: int, step: str) -> None:
        if self._cancel.is_set():
            raise Cancelled("cancelled")
        self.progressed.emit(done, total, step)

    def run(self) -> None:  # noqa: D102 - QThread.run
        try:
            result: object = self.work()
        except Exception as exc:  # noqa: BLE001 - shown to the user; messages name the file
            result = exc
        if not self._cancel.is_set():
            self.done.emit(result)

    def work(self) -> object:
        raise NotImplementedError


class DoseCompareWorker(_Worker):
    """B against A in a worker thread (difference, DVHs, gamma, plan sheets).

    Gamma reports its own progress, ``gamma_progressed(slabs done, slabs in all)``;
    :meth:`cancel_gamma` stops it between two slabs and the comparison goes on without
    it (its ``gamma_note`` says "gamma cancelled").
    """

    gamma_progressed = QtCore.Signal(int, int)

    def __init__(self, job: DoseCompareJob) -> None:
        super().__init__()
        self.job = job
        self._gamma_cancel = threading.Event()

    def cancel_gamma(self) -> None:
        """Drop the gamma at its next slab; the rest of the comparison still comes."""
        self._gamma_cancel.set()

    def _gamma_progress(self, done: int, total: int) -> None:
        if self._cancel.is_set():
            raise Cancelled("cancelled")
        if self._gamma_cancel.is_set():
            raise GammaCancelled("gamma cancelled")
        self.gamma_progressed.emit(done, total)

    def work(self) -> DoseCompareOutcome:  # noqa: D102
        job = self.job
        a, b = _read_dose(job.a), _b_dose(job.b)
        a_frame, b_frame = a.grid.frame_of_reference_uid, b.grid.frame_of_reference_uid
        route = frame_route(a_frame, b_frame, b.path.name, registrations=job.registrations,
                            deformable=job.deformable)
        if route.refusal is not None:
            raise IncompatibleDataError(route.refusal, path=b.path)
        if route.matrix is not None and a_frame:
            b = dose_in_frame(b, route.matrix, a_frame)
        structures = job.structures
        if isinstance(structures, Path):
            from rtviewer.dicom.structure import read_structure_set

            structures = read_structure_set(structures)
        rois = list(job.rois) or ([r for r in structures.rois if r.closed_polygons_mm()]
                                  if structures is not None else [])
        comparison = compare_doses(a, b, rois, criteria=job.criteria, model=job.model,
                                   progress=self._progress,
                                   gamma_progress=self._gamma_progress)
        rows, note, labels = self._sheets(structures)
        return DoseCompareOutcome(comparison, route, rows, note, labels)

    def _sheets(self, structures: StructureSet | None
                ) -> tuple[tuple[SheetRow, ...], str, tuple[str, str]]:
        """The two plan sheets compared, or why not."""
        from rtviewer.model.plan_sheet_compare import compare_sheets
        from rtviewer.ui.panels.plan_panel import compute_plan_sheet

        job = self.job
        if job.plan_a is None or job.plan_b is None:
            missing = "A" if job.plan_a is None else "B"
            return (), f"No plan sheets side by side: the plan of {missing} was not found.", \
                ("A", "B")
        plan_a, plan_b = _read_plan(job.plan_a), _read_plan(job.plan_b)
        sheets = [compute_plan_sheet(p, structures, job.model) for p in (plan_a, plan_b)]
        labels = (sheets[0].label or "A", sheets[1].label or "B")
        return compare_sheets(sheets[0], sheets[1]), "", labels


@dataclass(frozen=True, eq=False)
class StructureCompareOutcome:
    """Agreement per shared ROI name, the names found in one set only, the frame route."""

    rows: tuple[StructurePairComparison, ...]
    only_a: tuple[str, ...]
    only_b: tuple[str, ...]
    route: FrameRoute
    b_label: str


class StructureCompareWorker(_Worker):
    """Two structure sets on one frame (or brought into it by a rigid REG)."""

    def __init__(self, a: StructureSet, b: StructureSet | Path, *, voxel_mm: float = 1.0,
                 model: str = DEFAULT_MODEL,
                 registrations: Sequence[SpatialRegistration] = (),
                 deformable: Sequence[Path] = ()) -> None:
        super().__init__()
        self._args = (a, b, voxel_mm, model, registrations, deformable)

    def work(self) -> StructureCompareOutcome:  # noqa: D102
        from rtviewer.dicom.structure import read_structure_set

        a, b, voxel_mm, model, registrations, deformable = self._args
        b = b if isinstance(b, StructureSet) else read_structure_set(b)
        a_frame, b_frame = a.frame_of_reference_uid, b.frame_of_reference_uid
        route = frame_route(a_frame, b_frame, b.path.name, registrations=registrations,
                            deformable=deformable)
        if route.refusal is not None:
            raise IncompatibleDataError(route.refusal, path=b.path)
        if route.matrix is not None and a_frame:
            b = structure_set_in_frame(b, route.matrix, a_frame)
        rows, only_a, only_b = compare_structure_sets(a, b, voxel_mm=voxel_mm, model=model,
                                                      progress=self._progress)
        return StructureCompareOutcome(rows, only_a, only_b, route, b.label or b.path.name)
