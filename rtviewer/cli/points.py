"""``rtviewer points FILE_OR_FOLDER [--json|--csv]``: doses at every point the files define.

For each RT Plan at the path (with the RT Structure Set it references and the first
whole-plan RT Dose that references it): dose reference points, beam and brachy dose
specification points, the RT Dose's own points and the structure set's POINT ROIs,
with coordinates (mm), our trilinear dose, the planning system's value where the file
carries one and the difference in Gy and %.  Exit 0 on success, 2 when no plan can be
read.  Never imports Qt.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path

from rtviewer.cli.common import fail, print_document
from rtviewer.printable import printable


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``points``."""
    p = sub.add_parser("points", help="doses at the plan's reference points, ours beside the "
                                      "planning system's",
                       description="Doses at every point of an RT Plan, its structure set and "
                                   "dose: our trilinear dose and the planning system's value.")
    p.add_argument("path", metavar="FILE_OR_FOLDER", help="an RT Plan file or a folder")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print JSON")
    out.add_argument("--csv", action="store_true", help="print CSV")
    return p


def _rows(path: Path) -> list[dict[str, object]]:
    from rtviewer.cli.plan_inputs import read_bundles
    from rtviewer.model.plan_points import collect_points, doses_at_points, point_row

    rows = []
    for bundle in read_bundles(path, "points"):
        plan_path = Path(bundle.plan.path)
        dose = bundle.doses[0] if bundle.doses else None
        if dose is not None:
            summation = getattr(dose.summation_type, "value", "no summation type")
            print(f"rtviewer points: {printable(plan_path.name)}: dose "
                  f"{printable(dose.path.name)} ({summation})", file=sys.stderr)
        points = collect_points(bundle.plan, bundle.structure_set, dose)
        for result in doses_at_points(points, dose, bundle.plan):
            rows.append({"plan": str(plan_path), **point_row(result)})
    return rows


def _number(value: object) -> str:
    return f"{value:.4f}" if isinstance(value, float) else ("" if value is None else str(value))


def _text(rows: list[dict[str, object]]) -> str:
    lines = []
    for plan in dict.fromkeys(str(r["plan"]) for r in rows):
        lines.append(f"== {printable(plan)}")
        for r in (r for r in rows if r["plan"] == plan):
            diff = "" if r["difference_gy"] is None else \
                f"  diff {r['difference_gy']:+.3f} Gy" + (
                    "" if r["difference_percent"] is None
                    else f" ({r['difference_percent']:+.2f} %)")
            ours = "—" if r["dose_gy"] is None else f"{r['dose_gy']:.3f} Gy"
            planned = "" if r["planned_gy"] is None else \
                f"  TPS {r['planned_gy']:.3f} Gy ({r['planned_from']})"
            lines.append(printable(
                f"{r['label']} [{r['source']}] ({r['x_mm']:.1f}, {r['y_mm']:.1f}, "
                f"{r['z_mm']:.1f}) mm: {ours}{planned}{diff}"
                + (f"  stated: {r['stated']}" if r["stated"] else "")
                + (f"  ({r['note']})" if r["note"] else "")))
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Run ``points``; exit 0 when at least one plan was read, else 2."""
    from rtviewer.model.plan_points import POINT_COLUMNS

    path = Path(args.path)
    if not path.exists():
        return fail("points", f"{path}: no such file or folder", 2)
    rows = _rows(path)
    if not rows:
        return fail("points", f"{path}: no readable RT Plan with points", 2)
    if args.json:
        print_document(json.dumps(rows, indent=1, ensure_ascii=False))
    elif args.csv:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(("plan", *POINT_COLUMNS))
        writer.writerows([[_number(r[c]) for c in ("plan", *POINT_COLUMNS)] for r in rows])
        print_document(buffer.getvalue().rstrip("\n"))
    else:
        print_document(_text(rows))
    return 0
