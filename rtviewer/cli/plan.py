"""``rtviewer plan FILE_OR_FOLDER [--json]``: the plan sheet of every RT Plan there.

Header and approval, prescription and dose references, fraction groups, and per beam:
technique, MU, dose rate, angles, isocentre, SSD (computed from the source to the body
outline of the plan's RT Structure Set, beside the planning system's stored value),
field size from the jaws, MLC, accessories, tolerance table, beam dose and its point.
Exit 0 on success, 2 when no plan can be read.  Never imports Qt.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from rtviewer.cli.common import fail, print_document
from rtviewer.core.model_names import DEFAULT_MODEL, MODEL_NAMES


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``plan``."""
    p = sub.add_parser("plan", help="the plan sheet of RT Plans (beams, MU, SSD, "
                                    "prescription)",
                       description="Print the plan sheet of an RT Plan file or of every RT "
                                   "Plan in a folder (no window).")
    p.add_argument("path", metavar="FILE_OR_FOLDER", help="an RT Plan file or a folder")
    p.add_argument("--json", action="store_true", help="print JSON instead of a text sheet")
    p.add_argument("--structure-model", choices=MODEL_NAMES, default=DEFAULT_MODEL,
                   help="solid the body contours stand for when computing SSDs "
                        "(default %(default)s)")
    return p


def build_sheet(bundle, model: str):  # noqa: ANN001, ANN201 - PlanBundle in, PlanSheet out
    """The plan sheet of one bundle, SSDs to its body outline under ``model``."""
    from rtviewer.core.structure_model import build_structure_model, describe_model
    from rtviewer.model.plan_sheet import build_plan_sheet, find_body_roi

    body = body_name = None
    if bundle.structure_set is not None:
        roi, how = find_body_roi(bundle.structure_set.rois)
        if roi is not None:
            body = build_structure_model(roi.closed_polygons_mm(), model)
            body_name = f"{how}, structure model {model}: {describe_model(model)}"
        else:
            body_name = how
    return build_plan_sheet(bundle.plan, body, body_name=body_name)


def build_sheets(path: Path, model: str):  # noqa: ANN201 - list of PlanSheet (lazy import)
    """Plan sheets of the plans at ``path``; problems reported on stderr."""
    from rtviewer.cli.plan_inputs import read_bundles

    return [build_sheet(bundle, model)
            for bundle in read_bundles(path, "plan", with_doses=False)]


def run(args: argparse.Namespace) -> int:
    """Run ``plan``; exit 0 when at least one plan sheet was printed, else 2."""
    from rtviewer.model.plan_sheet_text import sheet_json, sheet_text

    path = Path(args.path)
    if not path.exists():
        return fail("plan", f"{path}: no such file or folder", 2)
    sheets = build_sheets(path, args.structure_model)
    if not sheets:
        return fail("plan", f"{path}: no readable RT Plan", 2)
    print_document(sheet_json(sheets) if args.json
                   else "\n".join(sheet_text(s) for s in sheets).rstrip("\n"))
    return 0
