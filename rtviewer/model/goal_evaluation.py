"""Clinical goals evaluated on a dose: value, limit, pass/fail and margin per goal.

Every value comes from the DVH engine's interpolated metrics
(:mod:`rtviewer.core.dvh_metrics`) on the structure model in use, which each result
states.  A goal is *not evaluable* (never a pass) when its structure is partly
outside the dose grid, has no volume, when a % Rx goal has no prescription, or when the
dose is only a part of the plan.  Doses are compared as whole-plan doses: a FRACTION
dose is multiplied by the number of fractions.  EQD2/BED goals convert with the goal's
α/β and the plan's number of fractions (:mod:`rtviewer.core.radiobiology`).

The margin is signed so that a positive margin is on the passing side: ``limit −
value`` for ``<``/``<=`` goals, ``value − limit`` for ``>``/``>=``, in the goal's unit.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from rtviewer.core import dvh_metrics
from rtviewer.core.dvh import Dvh, compute_dvh
from rtviewer.core.radiobiology import bed_gy, eqd2_gy, physical_from_bed_gy, physical_from_eqd2_gy
from rtviewer.model.dose import Dose, DoseSummationType, DoseUnits
from rtviewer.model.goals import Goal, GoalSet, Metric, Priority
from rtviewer.model.plan import Plan
from rtviewer.model.structure import StructureSet
from rtviewer.model.structure_names import find_roi

__all__ = ["Context", "GoalResult", "Status", "context_for", "evaluate_goal", "evaluate_goals",
           "evaluate_on_dose", "mandatory_failures"]

#: A structure with more than this fraction of its volume outside the dose grid is not
#: evaluable (the same threshold as ``rtviewer dvh``'s warning).
OUTSIDE_TOLERANCE = 1e-3


class Status:
    """The outcome of a goal (plain strings: they are CSV/JSON values)."""

    PASS = "pass"
    FAIL = "fail"
    NOT_EVALUABLE = "not evaluable"
    NO_STRUCTURE = "no structure"


@dataclass(frozen=True)
class GoalResult:
    """One goal on one dose: the ROI it matched, value, status and margin (goal's unit)."""

    goal: Goal
    roi_name: str | None
    match: str
    value: float | None
    status: str
    margin: float | None
    structure_model: str
    note: str = ""

    @property
    def failed_mandatory(self) -> bool:
        """A mandatory goal that fails or cannot be evaluated.

        A missing structure is listed, not failed: a goal set covers more organs than
        one plan contours.
        """
        return self.goal.priority is Priority.MANDATORY and self.status in (
            Status.FAIL, Status.NOT_EVALUABLE)


def _to_physical(goal: Goal, dose_gy: float, fractions: int) -> float:
    """A goal's equivalent dose as the physical whole-plan dose in ``fractions``."""
    ab = goal.alpha_beta_gy or 0.0
    if goal.equivalent == "EQD2":
        return physical_from_eqd2_gy(dose_gy, fractions, ab)
    return physical_from_bed_gy(dose_gy, fractions, ab)


def _to_equivalent(goal: Goal, dose_gy: float, fractions: int) -> float:
    ab = goal.alpha_beta_gy or 0.0
    per_fraction = dose_gy / fractions
    return eqd2_gy(per_fraction, fractions, ab) if goal.equivalent == "EQD2" \
        else bed_gy(per_fraction, fractions, ab)


def _dose_metric(goal: Goal, dvh: Dvh, scale: float) -> float:
    """A D-metric in Gy on the whole-plan scale."""
    value = {
        Metric.DMAX: lambda: dvh_metrics.dmax(dvh),
        Metric.DMIN: lambda: dvh_metrics.dmin(dvh),
        Metric.DMEAN: lambda: dvh_metrics.dmean(dvh),
        Metric.D_CC: lambda: dvh_metrics.dose_at_volume_cc(dvh, goal.parameter or 0.0),
        Metric.D_PERCENT: lambda: dvh_metrics.dose_at_volume_percent(dvh,
                                                                     goal.parameter or 0.0),
    }[goal.metric]()
    return float(value) * scale


@dataclass(frozen=True)
class Context:
    """What a goal needs besides its DVH: scales, prescription and fractions.

    ``scale`` turns the dose's values into whole-plan Gy (the number of fractions for a
    FRACTION dose); ``rx_gy`` is the whole-plan prescription; ``why_not`` says why no
    goal can be evaluated on this dose (a partial dose), else empty; ``note`` is added
    to every result (an assumption made).
    """

    scale: float
    rx_gy: float | None
    fractions: int | None
    structure_model: str
    why_not: str = ""
    note: str = ""


def _value(goal: Goal, dvh: Dvh, ctx: Context) -> tuple[float | None, str]:
    """The goal's value in its own unit, or None and why."""
    if goal.equivalent and not ctx.fractions:
        return None, f"{goal.equivalent} needs the plan's number of fractions"
    if goal.is_dose_goal:
        dose = _dose_metric(goal, dvh, ctx.scale)
        if goal.unit == "% Rx":
            if not ctx.rx_gy:
                return None, "no prescription for a % Rx goal"
            return 100.0 * dose / ctx.rx_gy, ""
        if goal.equivalent and ctx.fractions:
            return _to_equivalent(goal, dose, ctx.fractions), ""
        return dose, ""
    threshold = goal.parameter or 0.0
    if goal.metric is Metric.V_PERCENT_RX:
        if not ctx.rx_gy:
            return None, "no prescription for a % Rx goal"
        threshold = ctx.rx_gy * threshold / 100.0
    elif goal.equivalent and ctx.fractions:
        threshold = _to_physical(goal, threshold, ctx.fractions)
    volume = dvh_metrics.volume_at_dose_gy(dvh, threshold / ctx.scale,
                                           relative=goal.unit == "%")
    return float(volume), ""


def _margin(goal: Goal, value: float) -> float:
    return goal.limit - value if goal.comparison in ("<", "<=") else value - goal.limit


def evaluate_goal(goal: Goal, roi_name: str, match: str, dvh: Dvh | None,
                  ctx: Context) -> GoalResult:
    """One goal on the DVH of its matched ROI (``dvh`` None: the ROI has no volume)."""
    def result(value: float | None, status: str, note: str = "") -> GoalResult:
        margin = None if value is None else _margin(goal, value)
        notes = "; ".join(n for n in (note, ctx.note) if n)
        return GoalResult(goal, roi_name, match, value, status, margin, ctx.structure_model,
                          notes)

    if ctx.why_not:
        return result(None, Status.NOT_EVALUABLE, ctx.why_not)
    if dvh is None or dvh.volume_cc <= 0:
        return result(None, Status.NOT_EVALUABLE, "the structure has no volume")
    outside = dvh.outside_volume_cc
    if outside > OUTSIDE_TOLERANCE * dvh.volume_cc:
        return result(None, Status.NOT_EVALUABLE,
                      f"{outside:.3g} cc of {dvh.volume_cc:.4g} cc lie outside the dose grid")
    value, why = _value(goal, dvh, ctx)
    if value is None or not math.isfinite(value):
        return result(None, Status.NOT_EVALUABLE, why or "undefined for this structure "
                      "(e.g. D0.03cc of a structure smaller than 0.03 cc)")
    return result(value, Status.PASS if goal.passes(value) else Status.FAIL)


def evaluate_goals(goal_set: GoalSet, roi_names: list[str],
                   dvh_of: Callable[[str], Dvh | None], ctx: Context,
                   synonyms: Mapping[str, str] | None = None) -> tuple[GoalResult, ...]:
    """Every goal of ``goal_set`` that applies to the plan's fractions, in file order.

    Parameters
    ----------
    goal_set : GoalSet
    roi_names : list of str
        The structure set's ROI names (with closed contours).
    dvh_of : callable
        ROI name → its DVH (computed on demand, once per ROI by the caller's cache).
    ctx : Context
    synonyms : mapping, optional
        User synonyms (other name → TG-263 name), over the goal set's own.
    """
    table = dict(goal_set.synonyms)
    table.update(synonyms or {})
    results = []
    for goal in goal_set.goals:
        if not goal.applies_to(ctx.fractions):
            continue
        found = find_roi(goal.structure, roi_names, table)
        if found is None:
            results.append(GoalResult(goal, None, "no matching structure", None,
                                      Status.NO_STRUCTURE, None, ctx.structure_model))
            continue
        results.append(evaluate_goal(goal, found.roi_name, found.how, dvh_of(found.roi_name),
                                     ctx))
    return tuple(results)


_PART_DOSES = {DoseSummationType.BEAM, DoseSummationType.BEAM_SESSION,
               DoseSummationType.CONTROL_POINT, DoseSummationType.FRACTION_SESSION,
               DoseSummationType.BRACHY_SESSION}


def context_for(dose: Dose, plan: Plan | None, structure_model: str) -> Context:
    """The :class:`Context` of goals on ``dose`` for ``plan`` (None: no plan found)."""
    fractions = plan.fractions_planned if plan is not None else None
    rx = plan.prescription.dose_gy if plan is not None else None
    if dose.units is not DoseUnits.GY:
        return Context(1.0, rx, fractions, structure_model,
                       f"the dose is {dose.units.value}, not Gy")
    summation = dose.summation_type
    if summation in _PART_DOSES:
        return Context(1.0, rx, fractions, structure_model,
                       f"{summation.value} dose: only a part of the plan")
    if summation is DoseSummationType.FRACTION and plan is None:
        return Context(1.0, rx, fractions, structure_model,
                       note="no plan: the FRACTION dose is compared as stored (one fraction)")
    if summation is DoseSummationType.FRACTION:
        if not fractions:
            return Context(1.0, rx, fractions, structure_model,
                           "FRACTION dose and no number of fractions")
        return Context(float(fractions), rx, fractions, structure_model)
    return Context(1.0, rx, fractions, structure_model)


def evaluate_on_dose(goal_set: GoalSet, structure_set: StructureSet, dose: Dose,
                     plan: Plan | None, structure_model: str,
                     synonyms: Mapping[str, str] | None = None) -> tuple[GoalResult, ...]:
    """Every goal of ``goal_set`` on ``dose``.

    DVHs (:func:`rtviewer.core.dvh.compute_dvh`) are computed for the matched ROIs with
    closed contours only, each once.
    """
    rois = {roi.name: roi for roi in structure_set.rois
            if any(c.is_closed for c in roi.contours)}
    cache: dict[str, Dvh] = {}

    def dvh_of(name: str) -> Dvh:
        if name not in cache:
            cache[name] = compute_dvh(rois[name].closed_polygons_mm(), dose.dose_gy,
                                      dose.grid, model=structure_model)
        return cache[name]

    return evaluate_goals(goal_set, list(rois), dvh_of,
                          context_for(dose, plan, structure_model), synonyms)


def mandatory_failures(results: tuple[GoalResult, ...]) -> tuple[GoalResult, ...]:
    """Mandatory goals that fail or cannot be evaluated."""
    return tuple(r for r in results if r.failed_mandatory)
