"""The tables ``rtviewer compare`` prints: readable text, CSV and JSON.

Columns and fields are public once landed: add, never rename.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from typing import Any

from rtviewer.core.gamma import search_limit
from rtviewer.model.plan_compare import (
    METRICS,
    DoseComparison,
    StructurePairComparison,
)
from rtviewer.model.plan_sheet_compare import SheetRow

__all__ = ["dose_csv", "dose_json", "dose_text", "sheets_csv", "sheets_json", "sheets_text",
           "structures_csv", "structures_json", "structures_text"]

_AGREEMENT = ("volume_a_cc", "volume_b_cc", "volume_difference_cc", "dice", "mean_surface_mm",
              "hausdorff95_mm", "hausdorff_mm")


def _number(value: float | None, digits: int = 4) -> float | None:
    """JSON number (None for NaN / absent)."""
    return None if value is None or not math.isfinite(value) else round(value, digits)


def _cell(value: float | None, digits: int = 4) -> str:
    """CSV/text cell: blank for NaN / absent."""
    number = _number(value, digits)
    return "" if number is None else f"{number:.{digits}f}"


def _gamma_summary(c: DoseComparison) -> dict[str, Any] | None:
    if c.gamma is None:
        return None
    return {"criteria": c.gamma.criteria.label,
            "dose_percent": c.gamma.criteria.dose_percent,
            "distance_mm": c.gamma.criteria.distance_mm,
            "cutoff_percent": c.gamma.criteria.cutoff_percent,
            "local": c.gamma.criteria.local,
            "normalisation_gy": _number(c.gamma.normalisation_gy),
            "max_gamma": c.gamma.criteria.max_gamma,
            "pass_rate_only": c.gamma.criteria.pass_rate_only,
            # what was searched for: max_gamma, or (pass / fail only) just above 1
            "search_limit_gamma": search_limit(c.gamma.criteria),
            "evaluated_voxels": int(c.gamma.evaluated.sum()),
            "pass_rate_percent": _number(100 * c.gamma.pass_rate(), 2)}


def dose_json(c: DoseComparison) -> str:
    """The whole comparison as JSON."""
    document = {
        "reference": str(c.reference.path), "evaluated": str(c.evaluated.path),
        "reference_max_gy": _number(c.reference.max_gy),
        "evaluated_max_gy": _number(c.evaluated.max_gy),
        "max_abs_difference_gy": _number(c.max_abs_difference_gy),
        "gamma": _gamma_summary(c),
        "structures": [{
            "roi_number": s.roi_number, "roi": s.name,
            "volume_cc": _number(s.dvh_a.volume_cc),
            "metrics": {m.name: {"unit": m.unit, "a": _number(m.a), "b": _number(m.b),
                                 "difference": _number(m.difference)} for m in s.metrics},
            "gamma_pass_rate_percent": (None if s.gamma_pass_rate is None
                                        else _number(100 * s.gamma_pass_rate, 2)),
            "gamma_voxels": s.gamma_voxels,
        } for s in c.structures],
    }
    return json.dumps(document, indent=2)


def _dose_columns() -> list[str]:
    columns = ["roi_number", "roi", "volume_cc"]
    for name, _fn, unit in METRICS:
        suffix = unit.lower().replace("%", "percent")
        columns += [f"{name}_a_{suffix}", f"{name}_b_{suffix}", f"{name}_diff_{suffix}"]
    return [*columns, "gamma_pass_percent", "gamma_voxels"]


def dose_csv(c: DoseComparison) -> str:
    """One row per structure: metrics of A, B and B − A, gamma pass rate."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_dose_columns())
    for s in c.structures:
        row: list[str | int] = [s.roi_number, s.name, _cell(s.dvh_a.volume_cc, 3)]
        for m in s.metrics:
            row += [_cell(m.a), _cell(m.b), _cell(m.difference)]
        rate = None if s.gamma_pass_rate is None else 100 * s.gamma_pass_rate
        row += [_cell(rate, 2), s.gamma_voxels if s.gamma_pass_rate is not None else ""]
        writer.writerow(row)
    return out.getvalue()


def dose_text(c: DoseComparison) -> str:
    """A readable summary: the doses, gamma overall, and per structure."""
    lines = [f"A (reference): {c.reference.path.name}  max {c.reference.max_gy:.3f} Gy",
             f"B (evaluated): {c.evaluated.path.name}  max {c.evaluated.max_gy:.3f} Gy",
             f"max |B - A| on A's grid: {c.max_abs_difference_gy:.4f} Gy"]
    summary = _gamma_summary(c)
    if summary is not None:
        lines.append(f"gamma {summary['criteria']} (normalisation "
                     f"{summary['normalisation_gy']} Gy, "
                     + ("pass / fail: each voxel searched within the DTA until it passes"
                        if summary["pass_rate_only"]
                        else f"search up to gamma {summary['max_gamma']:g}")
                     + f"): pass {summary['pass_rate_percent']} % of "
                     f"{summary['evaluated_voxels']} voxels")
    shown = ("Dmean", "Dmax", "D95%", "D2%")
    header = f"{'ROI':<20}" + "".join(f"{n + ' A':>10}{n + ' B':>10}{'diff':>9}" for n in shown)
    lines += ["", header + (f"{'gamma %':>9}" if summary else "")]
    for s in c.structures:
        by_name = {m.name: m for m in s.metrics}
        cells = "".join(f"{_cell(by_name[n].a, 3):>10}{_cell(by_name[n].b, 3):>10}"
                        f"{_cell(by_name[n].difference, 3):>9}" for n in shown)
        rate = "" if s.gamma_pass_rate is None else (_cell(100 * s.gamma_pass_rate, 1) or "-")
        lines.append(f"{s.name[:19]:<20}{cells}" + (f"{rate:>9}" if summary else ""))
    return "\n".join(lines) + "\n"


def structures_json(rows: Sequence[StructurePairComparison], only_a: Sequence[str],
                    only_b: Sequence[str]) -> str:
    """Structure-set agreement as JSON."""
    return json.dumps({
        "structures": [{"roi": r.name, "roi_number_a": r.roi_number_a,
                        "roi_number_b": r.roi_number_b,
                        **{k: _number(getattr(r.agreement, k)) for k in _AGREEMENT},
                        "voxel_mm": r.agreement.voxel_mm} for r in rows],
        "only_in_a": list(only_a), "only_in_b": list(only_b)}, indent=2)


def structures_csv(rows: Sequence[StructurePairComparison]) -> str:
    """One row per shared ROI name."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["roi", "roi_number_a", "roi_number_b", *_AGREEMENT])
    for r in rows:
        writer.writerow([r.name, r.roi_number_a, r.roi_number_b,
                         *(_cell(getattr(r.agreement, k)) for k in _AGREEMENT)])
    return out.getvalue()


def structures_text(rows: Sequence[StructurePairComparison]) -> str:
    """Readable agreement table."""
    lines = [f"{'ROI':<20}{'V A cc':>10}{'V B cc':>10}{'dV cc':>9}{'Dice':>7}"
             f"{'MSD mm':>8}{'HD95 mm':>9}{'HD mm':>8}"]
    for r in rows:
        g = r.agreement
        lines.append(f"{r.name[:19]:<20}{_cell(g.volume_a_cc, 2):>10}{_cell(g.volume_b_cc, 2):>10}"
                     f"{_cell(g.volume_difference_cc, 2):>9}{_cell(g.dice, 3):>7}"
                     f"{_cell(g.mean_surface_mm, 2):>8}{_cell(g.hausdorff95_mm, 2):>9}"
                     f"{_cell(g.hausdorff_mm, 2):>8}")
    return "\n".join(lines) + "\n"


def sheets_csv(rows: Sequence[SheetRow]) -> str:
    """Every compared plan and beam value: item, field, a, b, differs (0/1)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["item", "field", "a", "b", "differs"])
    for r in rows:
        writer.writerow([r.item, r.field, r.a, r.b, int(r.differs)])
    return out.getvalue()


def sheets_json(rows: Sequence[SheetRow]) -> str:
    """The compared values as JSON."""
    return json.dumps([{"item": r.item, "field": r.field, "a": r.a, "b": r.b,
                        "differs": r.differs} for r in rows], indent=2)


def sheets_text(rows: Sequence[SheetRow], a_name: str, b_name: str) -> str:
    """The plan sheets side by side; differing rows marked with ``*``."""
    lines = [f"  {'':<10}{'':<22}{'A: ' + a_name[:28]:<32}{'B: ' + b_name[:28]}"]
    for r in rows:
        mark = "*" if r.differs else " "
        lines.append(f"{mark} {r.item:<10}{r.field:<22}{r.a[:30]:<32}{r.b[:30]}")
    differing = sum(r.differs for r in rows)
    lines.append(f"{differing} of {len(rows)} values differ (*)")
    return "\n".join(lines) + "\n"
