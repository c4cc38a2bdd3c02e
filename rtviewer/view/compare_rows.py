"""The comparison's tables as text cells with highlights (no Qt).

Metrics per structure, agreement of two structure sets, the gamma summary; the Compare
tab and the Compare Doses dialog show them.

A metric difference is highlighted when it exceeds :data:`DOSE_HIGHLIGHT_FRACTION` of
A's maximum dose (dose metrics) or :data:`VOLUME_HIGHLIGHT_POINTS` percentage points
(volume metrics): the size of a difference a plan check flags.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from rtviewer.core.gamma import value_steps
from rtviewer.model.plan_compare import DoseComparison, StructurePairComparison

__all__ = ["DOSE_HIGHLIGHT_FRACTION", "SHOWN_METRICS", "VOLUME_HIGHLIGHT_POINTS", "Cell",
           "gamma_summary", "metric_table", "structure_table"]

#: Metrics of the window's table, each as A, B and B − A columns.
SHOWN_METRICS = ("Dmean", "Dmax", "D95%", "D2%", "V20Gy")
#: A dose-metric difference above this fraction of A's maximum is highlighted.
DOSE_HIGHLIGHT_FRACTION = 0.02
#: A volume-metric difference above this many percentage points is highlighted.
VOLUME_HIGHLIGHT_POINTS = 2.0


@dataclass(frozen=True)
class Cell:
    """One table cell: its text and whether it is highlighted as a notable difference."""

    text: str
    highlight: bool = False


def _number(value: float | None, digits: int) -> str:
    return "" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


def metric_table(comparison: DoseComparison, names: Sequence[str] = SHOWN_METRICS
                 ) -> tuple[list[str], list[list[Cell]]]:
    """Headers and rows: ROI, then A, B, B − A per metric, then the gamma pass rate.

    Doses in Gy with 3 decimals, volumes in % with 2; the gamma column (0-100 %) is
    present only when gamma was computed ("no voxel" when none of the ROI is above the
    cut-off).
    """
    dose_limit = DOSE_HIGHLIGHT_FRACTION * comparison.reference.max_gy
    headers = ["ROI"]
    for name in names:
        unit = _unit(comparison, name)
        headers += [f"{name} A ({unit})", f"{name} B ({unit})", f"{name} B−A ({unit})"]
    if comparison.gamma is not None:
        headers.append("γ pass (%)")
    rows = []
    for s in comparison.structures:
        by_name = {m.name: m for m in s.metrics}
        row = [Cell(s.name)]
        for name in names:
            m = by_name[name]
            digits, limit = (3, dose_limit) if m.unit == "Gy" else (2, VOLUME_HIGHLIGHT_POINTS)
            difference = m.difference
            row += [Cell(_number(m.a, digits)), Cell(_number(m.b, digits)),
                    Cell(_number(difference, digits),
                         math.isfinite(difference) and abs(difference) > limit)]
        if comparison.gamma is not None:
            rate = s.gamma_pass_rate
            row.append(Cell("no voxel" if rate is None or not math.isfinite(rate)
                            else f"{100 * rate:.1f}"))
        rows.append(row)
    return headers, rows


def _unit(comparison: DoseComparison, name: str) -> str:
    for s in comparison.structures:
        for m in s.metrics:
            if m.name == name:
                return m.unit
    return ""


def gamma_summary(comparison: DoseComparison) -> str:
    """One line: criteria, normalisation, evaluated voxels and the overall pass rate."""
    gamma = comparison.gamma
    if gamma is None:
        return (f"{comparison.gamma_note.capitalize()}: no gamma." if comparison.gamma_note
                else "No gamma computed.")
    voxels = int(gamma.evaluated.sum())
    rate = gamma.pass_rate()
    shown = "no voxel above the cut-off" if not math.isfinite(rate) else \
        f"{100 * rate:.1f} % of {voxels} voxels pass"
    bound = (" (pass / fail: each voxel searched within the DTA until it passes)"
             if gamma.criteria.pass_rate_only else
             f" (failing voxels' values searched beyond the DTA at DTA/"
             f"{value_steps(gamma.criteria)})")
    return (f"Gamma {gamma.criteria.label}, normalisation {gamma.normalisation_gy:.3f} Gy: "
            f"{shown}{bound}.")


def structure_table(rows: Sequence[StructurePairComparison]
                    ) -> tuple[list[str], list[list[Cell]]]:
    """Headers and rows of two structure sets' agreement per shared ROI name.

    Dice below 0.9 and a 95 % Hausdorff distance above 3 mm are highlighted (contours a
    reviewer looks at again).
    """
    headers = ["ROI", "Volume A (cc)", "Volume B (cc)", "B−A (cc)", "Dice",
               "Mean surface (mm)", "HD95 (mm)", "Hausdorff (mm)"]
    table = []
    for r in rows:
        a = r.agreement
        table.append([Cell(r.name), Cell(_number(a.volume_a_cc, 2)),
                      Cell(_number(a.volume_b_cc, 2)), Cell(_number(a.volume_difference_cc, 2)),
                      Cell(_number(a.dice, 3), math.isfinite(a.dice) and a.dice < 0.9),
                      Cell(_number(a.mean_surface_mm, 2)),
                      Cell(_number(a.hausdorff95_mm, 2),
                           math.isfinite(a.hausdorff95_mm) and a.hausdorff95_mm > 3.0),
                      Cell(_number(a.hausdorff_mm, 2))])
    return headers, table
