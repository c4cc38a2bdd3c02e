"""Goal results as a readable table, CSV and JSON (``rtviewer goals``, the DVH panel).

CSV columns and JSON fields (:data:`GOAL_COLUMNS`) are public once landed: add, never
rename.  ``value``, ``limit`` and ``margin`` are in ``unit`` (Gy, % Rx, % or cc; EQD2 or
BED Gy when ``equivalent`` says so); a positive margin is on the passing side.
"""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

from rtviewer.model.goal_evaluation import GoalResult
from rtviewer.model.goals import GoalSet
from rtviewer.printable import printable

__all__ = ["GOAL_COLUMNS", "result_row", "results_csv", "results_json", "results_text"]

GOAL_COLUMNS = ("plan", "dose", "structure", "roi", "match", "goal", "priority", "value",
                "limit", "unit", "status", "margin", "structure_model", "equivalent",
                "alpha_beta_gy", "fractions", "source", "note")

Evaluated = list[tuple[Any, Any, tuple[GoalResult, ...]]]


def _number(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else float(value)


def result_row(result: GoalResult, plan: Any = None, dose: Any = None) -> dict[str, Any]:
    """One result as a dict of :data:`GOAL_COLUMNS`."""
    goal = result.goal
    return {"plan": getattr(plan, "path", None), "dose": str(getattr(dose, "path", "")) or None,
            "structure": goal.structure, "roi": result.roi_name, "match": result.match,
            "goal": goal.text, "priority": goal.priority.value, "value": _number(result.value),
            "limit": goal.limit, "unit": goal.unit + (f" {goal.equivalent}"
                                                      if goal.equivalent else ""),
            "status": result.status, "margin": _number(result.margin),
            "structure_model": result.structure_model, "equivalent": goal.equivalent,
            "alpha_beta_gy": goal.alpha_beta_gy,
            "fractions": " ".join(map(str, goal.fractions)) or None,
            "source": goal.source, "note": result.note}


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def results_csv(evaluated: Evaluated) -> str:
    """CSV with a header of :data:`GOAL_COLUMNS`, one row per goal and plan."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(GOAL_COLUMNS)
    for plan, dose, results in evaluated:
        for result in results:
            row = result_row(result, plan, dose)
            writer.writerow([_cell(row[c]) for c in GOAL_COLUMNS])
    return buffer.getvalue()


def results_json(goal_set: GoalSet, evaluated: Evaluated) -> str:
    """JSON: the goal set's name and citation, and the rows."""
    rows = [result_row(r, plan, dose) for plan, dose, results in evaluated for r in results]
    return json.dumps({"goal_set": goal_set.name, "citation": goal_set.citation,
                       "results": rows}, indent=1, ensure_ascii=False)


def value_text(result: GoalResult) -> str:
    """The value with its unit, or the status when there is none."""
    if result.value is None:
        return "—"
    unit = result.goal.unit + (f" {result.goal.equivalent}" if result.goal.equivalent else "")
    return f"{result.value:.2f} {unit}"


def results_text(goal_set: GoalSet, evaluated: Evaluated) -> str:
    """A readable table per plan: structure (match), goal, value, status, margin."""
    lines = [printable(f"Goal set: {goal_set.name}"), printable(f"Citation: {goal_set.citation}")]
    for plan, dose, results in evaluated:
        lines += ["", printable(f"== plan {getattr(plan, 'label', None) or '—'} "
                                f"({getattr(plan, 'path', 'no plan')}), dose "
                                f"{getattr(dose, 'path', '')}")]
        if results:
            lines.append(f"structure model: {results[0].structure_model}")
        for r in results:
            margin = "" if r.margin is None else f"  margin {r.margin:+.2f}"
            roi = f"{r.roi_name} ({r.match})" if r.roi_name else r.match
            lines.append(printable(
                f"[{r.status.upper():>13}] {r.goal.priority.value:<9} {r.goal.structure}: "
                f"{r.goal.text} -> {value_text(r)}{margin}  ROI {roi}"
                + (f"  ({r.note})" if r.note else "")))
    return "\n".join(lines)
