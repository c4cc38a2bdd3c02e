"""``rtviewer compare A B``: two RT Doses, Structure Sets or Plans against each other.

``rtviewer compare A.dcm B.dcm [--structures RS] [--gamma 3%/3mm] [--cutoff 10] [--local]
[--csv OUT] [--json]``: A is the reference.  Two doses: B − A, per-structure DVH metrics of
both and their differences, gamma pass rates overall and per structure.  Two structure
sets on one frame: volume difference, Dice, mean and 95 % Hausdorff surface distance per
ROI name they share.  Two plans: the plan sheets side by side (MU, angles, energies ...),
differences marked.  Exit 0 on success, 2 on unusable input (other kinds, other units,
other Frames of Reference without a registration).  Never imports Qt.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from rtviewer.cli.common import fail, print_document
from rtviewer.core.model_names import DEFAULT_MODEL, MODEL_NAMES
from rtviewer.printable import printable


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``compare``."""
    p = sub.add_parser("compare", help="compare two RT Doses (DVH metrics, gamma), two "
                                       "RT Structure Sets (Dice, Hausdorff) or two RT Plans",
                       description="Compare B against the reference A: two RT Doses, or two "
                                   "RT Structure Sets on one Frame of Reference.")
    p.add_argument("a", metavar="A", help="reference RT Dose or RT Structure Set")
    p.add_argument("b", metavar="B", help="compared RT Dose or RT Structure Set")
    p.add_argument("--structures", metavar="RS",
                   help="RT Structure Set for per-structure DVH metrics and gamma (doses)")
    p.add_argument("--roi", action="append", metavar="NAME",
                   help="only this ROI (exact name; repeatable)")
    p.add_argument("--gamma", metavar="CRITERIA",
                   help="gamma criteria, e.g. 3%%/3mm (doses; global unless --local)")
    p.add_argument("--cutoff", type=float, default=10.0, metavar="PCT",
                   help="gamma low-dose cut-off in %% of the reference maximum (default 10)")
    p.add_argument("--local", action="store_true", help="local gamma dose difference")
    p.add_argument("--voxel-mm", type=float, default=1.0, metavar="MM",
                   help="sampling step of structure-set comparison (default 1 mm)")
    p.add_argument("--structure-model", choices=MODEL_NAMES, default=DEFAULT_MODEL,
                   help="solid the contours stand for (default %(default)s)")
    p.add_argument("--registration", metavar="REG",
                   help="Spatial Registration (rigid) bringing B (and --structures) on another "
                        "Frame of Reference into A's")
    p.add_argument("--csv", metavar="OUT", help="write the table as CSV here ('-' = stdout)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    return p


class UsageError(Exception):
    """Input the command cannot use: printed, exit status 2."""


def _modality(path: Path) -> str:
    from rtviewer.dicom.files import read_dataset
    from rtviewer.errors import RtViewerError

    try:
        ds, _ = read_dataset(path, stop_before_pixels=True, specific_tags=["Modality"])
    except (RtViewerError, OSError) as exc:
        raise UsageError(str(exc)) from exc
    return str(ds.get("Modality", "")).upper()


def _write(target: str, text: str) -> None:
    if target == "-":
        sys.stdout.write(text)
    else:
        Path(target).write_text(text, encoding="utf-8")


def _progress(done: int, total: int, step: str) -> None:
    print(f"rtviewer compare: {done}/{total} {printable(step)}", file=sys.stderr)


class GammaProgress:
    """Gamma's slabs on stderr once it has run ``quiet_s`` seconds, every ``every_s``.

    A gamma of doses that agree takes a second and prints nothing; one of doses that
    really differ (tens of seconds) says how far it is.
    """

    def __init__(self, quiet_s: float = 2.0, every_s: float = 2.0) -> None:
        self.quiet_s, self.every_s = quiet_s, every_s
        self.start = self.last = time.monotonic()

    def __call__(self, done: int, total: int) -> None:
        """``done`` of ``total`` slabs searched (0: gamma starts)."""
        now = time.monotonic()
        if done == 0:
            self.start = self.last = now
            return
        if now - self.start >= self.quiet_s and (now - self.last >= self.every_s
                                                 or done == total):
            self.last = now
            print(f"rtviewer compare: gamma {done}/{total} slabs searched "
                  f"({now - self.start:.0f} s)", file=sys.stderr)


def _into_frame(args: argparse.Namespace, thing: Any, frame: str | None,
                own_frame: str | None) -> Any:
    """``thing`` (a Dose or StructureSet) moved by --registration into ``frame`` if needed."""
    if not args.registration or not frame or not own_frame or frame == own_frame:
        return thing
    from rtviewer.dicom.registration import read_registration
    from rtviewer.model.dose import Dose
    from rtviewer.model.registration import dose_in_frame, structure_set_in_frame

    registration = read_registration(args.registration)
    matrix = registration.matrix(own_frame, frame)
    rows = "; ".join(" ".join(f"{v:.4f}" for v in row) for row in matrix[:3])
    print(f"rtviewer compare: {printable(thing.path.name)} moved from Frame of Reference "
          f"{printable(own_frame)} into {printable(frame)} by "
          f"{printable(registration.path.name)}: [{rows}]", file=sys.stderr)
    if isinstance(thing, Dose):
        return dose_in_frame(thing, matrix, frame)
    return structure_set_in_frame(thing, matrix, frame)


def _doses(args: argparse.Namespace) -> tuple[str, str]:
    from rtviewer.cli import compare_table as table
    from rtviewer.core.gamma import parse_criteria
    from rtviewer.dicom.dose import read_dose
    from rtviewer.dicom.structure import read_structure_set
    from rtviewer.model.plan_compare import compare_doses

    try:
        # The command prints pass rates only: a voxel's search stops once it passes.
        criteria = (parse_criteria(args.gamma, cutoff_percent=args.cutoff, local=args.local,
                                   pass_rate_only=True) if args.gamma else None)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    a, b = read_dose(args.a), read_dose(args.b)
    b = _into_frame(args, b, a.grid.frame_of_reference_uid, b.grid.frame_of_reference_uid)
    rois: list = []  # Roi (lazy import)
    if args.structures:
        structure_set = read_structure_set(args.structures)
        structure_set = _into_frame(args, structure_set, a.grid.frame_of_reference_uid,
                                    structure_set.frame_of_reference_uid)
        frame = structure_set.frame_of_reference_uid
        if frame and a.grid.frame_of_reference_uid and frame != a.grid.frame_of_reference_uid:
            raise UsageError(f"{args.structures} is on Frame of Reference {frame}, {args.a} on "
                             f"{a.grid.frame_of_reference_uid}")
        rois = [r for r in structure_set.rois if r.closed_polygons_mm()]
        if args.roi:
            unknown = sorted(set(args.roi) - {r.name for r in rois})
            if unknown:
                raise UsageError(f"unknown ROI name(s) {unknown}; ROIs with closed contours: "
                                 f"{[r.name for r in rois]}")
            rois = [r for r in rois if r.name in args.roi]
    result = compare_doses(a, b, rois, criteria=criteria, model=args.structure_model,
                           progress=_progress, gamma_progress=GammaProgress())
    return table.dose_csv(result), (table.dose_json(result) if args.json
                                    else table.dose_text(result))


def _structure_sets(args: argparse.Namespace) -> tuple[str, str]:
    from rtviewer.cli import compare_table as table
    from rtviewer.dicom.structure import read_structure_set
    from rtviewer.model.plan_compare import compare_structure_sets

    if not args.voxel_mm > 0:
        raise UsageError(f"--voxel-mm must be positive, got {args.voxel_mm}")
    a, b = read_structure_set(args.a), read_structure_set(args.b)
    b = _into_frame(args, b, a.frame_of_reference_uid, b.frame_of_reference_uid)
    rows, only_a, only_b = compare_structure_sets(a, b, voxel_mm=args.voxel_mm, names=args.roi,
                                                  model=args.structure_model,
                                                  progress=_progress)
    for side, names in (("A", only_a), ("B", only_b)):
        if names:
            print(f"rtviewer compare: only in {side} (not compared): "
                  f"{printable(', '.join(names))}", file=sys.stderr)
    return table.structures_csv(rows), (table.structures_json(rows, only_a, only_b)
                                        if args.json else table.structures_text(rows))


def _plans(args: argparse.Namespace) -> tuple[str, str]:
    from rtviewer.cli import compare_table as table
    from rtviewer.cli.plan import build_sheets
    from rtviewer.model.plan_sheet_compare import compare_sheets

    sheets = [build_sheets(Path(p), args.structure_model) for p in (args.a, args.b)]
    for path, found in zip((args.a, args.b), sheets, strict=True):
        if not found:
            raise UsageError(f"{path}: no readable RT Plan")
    rows = compare_sheets(sheets[0][0], sheets[1][0])
    return table.sheets_csv(rows), (table.sheets_json(rows) if args.json else table.sheets_text(
        rows, Path(args.a).name, Path(args.b).name))


def run(args: argparse.Namespace) -> int:
    """Run ``compare``; exit 0 on success, 2 on unusable input."""
    from rtviewer.errors import RtViewerError

    try:
        kinds = (_modality(Path(args.a)), _modality(Path(args.b)))
        if kinds == ("RTDOSE", "RTDOSE"):
            csv_text, shown = _doses(args)
        elif kinds == ("RTSTRUCT", "RTSTRUCT"):
            csv_text, shown = _structure_sets(args)
        elif kinds == ("RTPLAN", "RTPLAN"):
            csv_text, shown = _plans(args)
        else:
            names = [kind or "not DICOM-RT" for kind in kinds]
            raise UsageError(f"A is {names[0]} and B {names[1]}: compare takes two RTDOSE, "
                             "two RTSTRUCT or two RTPLAN files")
    except (UsageError, RtViewerError, ValueError) as exc:
        return fail("compare", exc, 2)
    if args.csv:
        _write(args.csv, csv_text)
    if args.csv != "-":
        print_document(shown.rstrip("\n"))
    return 0
