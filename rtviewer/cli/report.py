"""``rtviewer report FOLDER --out review.pdf``: the plan-review report as PDF (and JSON).

``[--plan UID|FILE] [--dose FILE|UID] [--goals FILE] [--compare DOSE] [--reviewer NAME]
[--comment TEXT] [--page a4|letter] [--json OUT] [--structure-model M] [--no-pictures]
[--sections KEY,...]``.  The PDF and the JSON are written from one
:class:`~rtviewer.model.review_report.ReviewReport`.  Pictures are drawn by the window's
widgets offscreen (as ``rtviewer render``).  Exit 0 on success, 2 on a usage error (no
plan, unknown plan/dose/goal set, an output inside FOLDER).  Never writes into FOLDER.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from rtviewer.cli.common import fail
from rtviewer.core.model_names import DEFAULT_MODEL, MODEL_NAMES
from rtviewer.printable import printable


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``report``."""
    p = sub.add_parser("report", help="a plan-review report to file (PDF, and JSON)",
                       description="Write a plan-review report of a plan in FOLDER: plan "
                                   "sheet, dose reference, pictures, DVH, goals, points, "
                                   "brachy check, records, check findings and a reviewer "
                                   "block. Exit 0 on success, 2 on a usage error.")
    p.add_argument("folder", metavar="FOLDER", help="folder with the plan and its objects")
    p.add_argument("--out", required=True, type=Path, help="PDF file to write")
    p.add_argument("--plan", metavar="UID|FILE", help="the RT Plan (default: the first plan "
                                                      "with a dose)")
    p.add_argument("--dose", metavar="FILE|UID", help="the RT Dose (default: the plan's "
                                                      "whole-plan dose)")
    p.add_argument("--goals", metavar="FILE", help="clinical goal file (YAML/JSON) or the "
                                                   "name of a shipped set (e.g. quantec)")
    p.add_argument("--compare", metavar="DOSE",
                   help="a second RT Dose file (B) to compare with the plan's dose (A): "
                        "B − A, DVH metrics of both per structure, gamma")
    p.add_argument("--gamma", default="3%/3mm", metavar="CRITERIA",
                   help="gamma criteria of --compare (default %(default)s, global, 10 %% "
                        "cut-off)")
    p.add_argument("--reviewer", default="", metavar="NAME", help="reviewer's name")
    p.add_argument("--comment", default="", metavar="TEXT", help="reviewer's comment")
    p.add_argument("--page", choices=("a4", "letter"), default="a4",
                   help="paper size (default %(default)s)")
    p.add_argument("--json", type=Path, metavar="OUT", help="also write the report as JSON")
    p.add_argument("--structure-model", choices=MODEL_NAMES, default=DEFAULT_MODEL,
                   help="solid the contours stand for (default %(default)s)")
    p.add_argument("--no-pictures", action="store_true",
                   help="leave out the pictures (no Qt needed)")
    p.add_argument("--point", metavar="X,Y,Z|NAME",
                   help="the axial, sagittal and coronal pictures through this point: "
                        "patient coordinates in mm, or the name of a reference point, POI "
                        "or point ROI (default: the isocentre)")
    p.add_argument("--sections", metavar="KEY,...",
                   help="only these sections (keys: see the JSON's section keys)")
    return p


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.absolute().resolve().relative_to(folder.absolute().resolve())
    except ValueError:
        return False
    return True


def _usage(args: argparse.Namespace) -> str | None:
    """Why the options cannot be used, or None."""
    from rtviewer.cli.report_build import TITLES

    folder = Path(args.folder)
    if not folder.is_dir():
        return f"{folder}: not a folder"
    for out in (args.out, args.json):
        if out is None:
            continue
        if _inside(out, folder):
            return f"{out} is inside {folder}: the report is never written into the " \
                   "patient's folder"
        if out.is_dir():
            return f"{out} is a folder; give a file name"
        if not out.absolute().parent.is_dir():
            return f"{out.absolute().parent}: no such folder for {out}"
    if args.compare and not Path(args.compare).is_file():
        return f"--compare {args.compare}: no such file"
    if args.sections:
        unknown = set(args.sections.split(",")) - set(TITLES)
        if unknown:
            return f"--sections: unknown {sorted(unknown)}; known {list(TITLES)}"
    return None


def run(args: argparse.Namespace) -> int:
    """Run ``report``; exit 0 written, 2 usage error."""
    from rtviewer.cli.dvh import UsageError
    from rtviewer.cli.report_build import ReportInputs, build_report
    from rtviewer.cli.report_pdf import write_pdf
    from rtviewer.errors import RtViewerError
    from rtviewer.model.review_report import report_as_dict

    why = _usage(args)
    if why:
        return fail("report", why, 2)
    inputs = ReportInputs(Path(args.folder), args.plan, args.dose, args.goals, args.reviewer,
                          args.comment, args.structure_model,
                          frozenset(args.sections.split(",")) if args.sections else None,
                          not args.no_pictures, args.compare, args.gamma, args.point)
    with tempfile.TemporaryDirectory(prefix="rtviewer-report-") as scratch:
        try:
            report = build_report(inputs, Path(scratch))
        except (UsageError, RtViewerError) as exc:
            return fail("report", exc, 2)
        try:
            write_pdf(report, args.out, args.page)
            if args.json:
                args.json.write_text(json.dumps(report_as_dict(report), indent=1,
                                                ensure_ascii=False), encoding="utf-8")
        except OSError as exc:
            return fail("report", f"cannot write {args.out}: {exc.strerror or exc}", 2)
    print(printable(str(args.out)))
    if args.json:
        print(printable(str(args.json)), file=sys.stdout)
    return 0
