"""``rtviewer dvh``: DVH statistics and curves of an RT Structure Set on an RT Dose.

``rtviewer dvh --structures RS.dcm --dose RD.dcm [--dose RD2.dcm ... [--weight W ...]]
[--roi NAME ...] [--csv OUT]
[--curves OUT] [--bin-gy W] [--structure-model slab|none|smooth] [--vgy X ...]
[--vpct P ...] [--reference-gy GY]`` or ``rtviewer dvh FOLDER``.  Exit status 0 on success,
2 on unusable input (unknown ROI, Dose Units other than GY, Frame of Reference
mismatch, no single structure/dose pair in FOLDER).  Never imports Qt.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from rtviewer.cli.common import fail
from rtviewer.core.model_names import DEFAULT_MODEL, MODEL_NAMES
from rtviewer.printable import printable

_HEADER_TAGS = ["SOPClassUID", "Modality", "FrameOfReferenceUID", "DoseSummationType",
                "ReferencedFrameOfReferenceSequence"]
_PART_DOSES = {"BEAM", "BEAM_SESSION", "CONTROL_POINT"}


class UsageError(Exception):
    """Input the command cannot use: printed, exit status 2."""


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``dvh``."""
    p = sub.add_parser("dvh", help="DVH statistics of a structure set on a dose (CSV or table)",
                       description="DVH statistics (Gy, cc) of each ROI with closed planar "
                                   "contours, on the dose as stored (value x Dose Grid "
                                   "Scaling).")
    p.add_argument("folder", nargs="?", metavar="FOLDER",
                   help="folder with exactly one RTSTRUCT and one non-BEAM RT Dose")
    p.add_argument("--structures", metavar="RS", help="RT Structure Set file")
    p.add_argument("--dose", metavar="RD", action="append",
                   help="RT Dose file; repeat to sum several (a plan sum on the finest grid "
                        "covering them; units, Dose Type, Frame of Reference and Dose "
                        "Summation Type checked)")
    p.add_argument("--weight", type=float, action="append", metavar="W",
                   help="weight of each --dose in order, e.g. the fractions of a FRACTION "
                        "dose (default 1 each; give one per --dose)")
    p.add_argument("--tg43-plan", metavar="RP",
                   help="instead of --dose: rtviewer's own TG-43 dose (one fraction, every "
                        "pulse) of this brachytherapy RT Plan's dwells, on a grid around the "
                        "applicator and the targets / organs at risk; needs --structures")
    p.add_argument("--tg43-grid-mm", type=float, default=2.0, metavar="MM",
                   help="spacing of the --tg43-plan dose grid (default 2 mm)")
    p.add_argument("--roi", action="append", metavar="NAME",
                   help="only this ROI (exact name; repeatable)")
    p.add_argument("--csv", metavar="OUT", help="write the statistics CSV here ('-' = stdout)")
    p.add_argument("--curves", metavar="OUT", help="write cumulative curves (cc) as CSV here")
    p.add_argument("--bin-gy", type=float, default=0.01, metavar="W",
                   help="dose step of --curves in Gy (default 0.01)")
    p.add_argument("--structure-model", choices=MODEL_NAMES, default=DEFAULT_MODEL,
                   help="solid the contours stand for: slab (default; flat end caps half a "
                        "contour spacing beyond the end contours), none (no end caps)"
                        + (", smooth (shape-based interpolation)" if "smooth" in MODEL_NAMES
                           else ""))
    p.add_argument("--vgy", type=float, action="append", default=[], metavar="X",
                   help="add V(X Gy) columns, cc and %% of volume (repeatable)")
    p.add_argument("--vpct", type=float, action="append", default=[], metavar="P",
                   help="add V(P %% of the reference dose) columns (repeatable)")
    p.add_argument("--reference-gy", type=float, metavar="GY",
                   help="dose that 100 %% means (--vpct, Paddick CI); default the "
                        "prescription of the dose's RT Plan when it is in the dose's folder, "
                        "read as the Dose Summation Type says (FRACTION: per fraction)")
    return p


def _header(path: Path) -> dict[str, str | None] | None:
    from rtviewer.dicom.files import read_dataset
    from rtviewer.errors import RtViewerError

    try:
        ds, _ = read_dataset(path, stop_before_pixels=True, specific_tags=_HEADER_TAGS)
    except (RtViewerError, OSError):
        return None
    frame = ds.get("FrameOfReferenceUID")
    refs = ds.get("ReferencedFrameOfReferenceSequence") or []
    if not frame and len(refs):
        frame = refs[0].get("FrameOfReferenceUID")
    return {"modality": str(ds.get("Modality", "")), "frame": str(frame) if frame else None,
            "summation": str(ds.get("DoseSummationType", "")).upper()}


def _command(rs: Path, rd: Path) -> str:
    return f"rtviewer dvh --structures {shlex.quote(str(rs))} --dose {shlex.quote(str(rd))}"


def find_pair(folder: Path) -> tuple[Path, Path]:
    """The one RTSTRUCT and one non-BEAM RT Dose of a folder on one Frame of Reference."""
    if not folder.is_dir():
        raise UsageError(f"{folder}: not a folder")
    structures, doses = [], []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        header = _header(path)
        if header is None:
            continue
        if header["modality"] == "RTSTRUCT":
            structures.append((path, header["frame"]))
        elif header["modality"] == "RTDOSE" and header["summation"] not in _PART_DOSES:
            doses.append((path, header["frame"]))
    if len(structures) == 1 and len(doses) == 1 and structures[0][1] == doses[0][1]:
        return structures[0][0], doses[0][0]
    pairs = [(s, d) for s, sf in structures for d, df in doses if sf == df] or [
        (s, d) for s, _ in structures for d, _ in doses]
    lines = [f"{folder}: {len(structures)} RTSTRUCT and {len(doses)} non-BEAM RT Dose files; "
             "need exactly one of each on the same Frame of Reference."]
    if pairs:
        lines.append("Candidate pairs:")
        lines += [f"  {_command(s, d)}" for s, d in pairs]
    raise UsageError("\n".join(lines))


def _summed(paths: list[Path], weights: list[float] | None):  # noqa: ANN202 - a Dose
    """The one dose, or the weighted plan sum of several (stated on stderr)."""
    from rtviewer.dicom.dose import read_dose
    from rtviewer.model.plan_sum import WeightedDose, plan_sum, sum_label

    if weights is not None and len(weights) != len(paths):
        raise UsageError(f"{len(weights)} --weight for {len(paths)} --dose: give one per dose")
    doses = [read_dose(p) for p in paths]
    if len(doses) == 1 and weights is None:
        return doses[0]
    terms = [WeightedDose(d, w) for d, w in zip(doses, weights or [1.0] * len(doses),
                                                strict=True)]
    dose = plan_sum(terms)
    print(f"rtviewer dvh: plan sum {printable(sum_label(terms))} on "
          f"{'x'.join(str(n) for n in dose.grid.shape[::-1])} voxels", file=sys.stderr)
    return dose


def load_pair(rs: Path, rd: Path | list[Path], weights: list[float] | None = None):  # noqa: ANN202
    """The structure set and the (summed) dose in Gy on one Frame of Reference, or UsageError."""
    from rtviewer.dicom.structure import read_structure_set

    return _pair(read_structure_set, rs, rd, weights)


def load_head_pair(rs: Path, rd: Path | list[Path],  # noqa: ANN201 - (StructureSetHead, Dose)
                   weights: list[float] | None = None):
    """As :func:`load_pair`, the structure set read only up to its ROIs.

    Its ROIs are decoded one by one, each with its DVH
    (:mod:`rtviewer.cli.dvh_per_roi`).
    """
    from rtviewer.dicom.structure import read_structure_head

    return _pair(read_structure_head, rs, rd, weights)


def _pair(read, rs: Path, rd: Path | list[Path], weights: list[float] | None):  # noqa: ANN001, ANN202
    from rtviewer.errors import RtViewerError
    from rtviewer.model.dose import DoseUnits

    paths = rd if isinstance(rd, list) else [rd]
    try:
        structure_set = read(rs)
        dose = _summed(paths, weights)
    except RtViewerError as exc:
        raise UsageError(str(exc)) from exc
    rd = paths[0]
    if dose.units is not DoseUnits.GY:
        raise UsageError(f"{rd}: Dose Units is {dose.units.value}, not GY; "
                         "DVHs in Gy need an absolute dose")
    frames = (structure_set.frame_of_reference_uid, dose.grid.frame_of_reference_uid)
    if all(frames) and frames[0] != frames[1]:
        raise UsageError(f"Frame of Reference mismatch: {rs} is on {frames[0]}, "
                         f"{rd} on {frames[1]}")
    return structure_set, dose


def _check_selection(outcomes, names: list[str] | None) -> None:  # noqa: ANN001 - RoiOutcomes
    """Say which ROIs have no closed contour; UsageError for a name no closed ROI has."""
    for outcome in outcomes:
        if not outcome.closed:
            print(f"rtviewer dvh: ROI {outcome.roi_number} '{printable(outcome.name)}' has no "
                  "CLOSED_PLANAR contour (marker or open contours): not in the table",
                  file=sys.stderr)
    known = {o.name for o in outcomes if o.closed}
    unknown = [n for n in names or () if n not in known]
    if unknown:
        raise UsageError(f"unknown ROI name(s) {unknown}; ROIs with closed "
                         f"contours: {sorted(o.name for o in outcomes if o.closed)}")


def _plan_of(dose):  # noqa: ANN001, ANN202 - Dose in, Plan or None out
    """The RT Plan the dose references, when a file in the dose's folder is that plan."""
    from rtviewer.dicom.files import read_dataset
    from rtviewer.errors import RtViewerError

    wanted = set(dose.referenced_plan_uids) | (
        {dose.referenced_plan_uid} if dose.referenced_plan_uid else set())
    if not wanted:
        return None
    for path in sorted(p for p in dose.path.parent.iterdir() if p.is_file()):
        try:
            ds, _ = read_dataset(path, stop_before_pixels=True,
                                 specific_tags=["Modality", "SOPInstanceUID"])
        except (RtViewerError, OSError):
            continue
        if str(ds.get("Modality", "")) == "RTPLAN" and str(ds.get("SOPInstanceUID")) in wanted:
            from rtviewer.dicom.plan import read_plan  # here: its import is a tenth of a second

            try:
                return read_plan(path)
            except RtViewerError:
                return None
    return None


def _reference(args: argparse.Namespace, dose) -> tuple[float | None, str]:  # noqa: ANN001
    """The reference dose (Gy) for % levels and Paddick CI and its source, said on stderr.

    The dose's RT Plan is looked for in the dose's folder; what makes the dose doubtful
    is said with or without it (another plan, an implausible peak), and so is what
    was assumed when the plan is absent.
    """
    from rtviewer.model.dose_reference import (
        dose_warnings,
        percent_reference,
        reference_without_plan,
    )

    plan = _plan_of(dose)
    for warning in dose_warnings(dose, plan):
        print(f"rtviewer dvh: {printable(warning)}", file=sys.stderr)
    if args.reference_gy is not None:
        print(f"rtviewer dvh: 100 % = {args.reference_gy:g} Gy (--reference-gy)",
              file=sys.stderr)
        return float(args.reference_gy), "--reference-gy"
    if plan is None:
        reference = reference_without_plan(dose, f"in {dose.path.parent}")
    else:
        reference = percent_reference(dose, plan)
    label = reference.label
    if reference.dose_gy is None:
        print(f"rtviewer dvh: no reference dose for percentages: {printable(label)}; the "
              "V(P %) columns and Paddick CI are empty: give --reference-gy GY",
              file=sys.stderr)
        return None, label
    print(f"rtviewer dvh: 100 % = {reference.dose_gy:.4g} Gy, {printable(label)}",
          file=sys.stderr)
    return reference.dose_gy, label


def _warn_outside(rows) -> None:  # noqa: ANN001 - DvhRow list
    for row in rows:
        if row.dvh.outside_volume_cc > 1e-3 * max(row.dvh.volume_cc, 1e-9):
            print(f"rtviewer dvh: ROI {row.roi_number} '{printable(row.roi_name)}': "
                  f"{row.dvh.outside_volume_cc:.3g} cc outside the dose grid, counted as 0 Gy",
                  file=sys.stderr)


def _write(target: str, text: str) -> None:
    if target == "-":
        sys.stdout.write(text)
    else:
        Path(target).write_text(text, encoding="utf-8", newline="")


def _inputs(args: argparse.Namespace):  # noqa: ANN202 - (StructureSet or head, Dose)
    """The structure set (read up to its ROIs from a file) and dose the arguments name.

    UsageError when they cannot be used.
    """
    if args.folder and (args.structures or args.dose or args.tg43_plan):
        raise UsageError("give either FOLDER or --structures and --dose, not both")
    if args.tg43_plan:
        if args.dose or not args.structures:
            raise UsageError("--tg43-plan goes with --structures RS and without --dose")
        return tg43_pair(Path(args.structures), Path(args.tg43_plan), args.tg43_grid_mm)
    if args.folder:
        rs, rd = find_pair(Path(args.folder))
        return load_head_pair(rs, [rd], args.weight)
    if args.structures and args.dose:
        return load_head_pair(Path(args.structures), [Path(d) for d in args.dose], args.weight)
    raise UsageError("give FOLDER, or both --structures RS and --dose RD")


def tg43_pair(rs: Path, rp: Path, grid_mm: float):  # noqa: ANN201 - (StructureSet, Dose)
    """The structure set and rtviewer's TG-43 dose of the plan ``rp``'s dwells, or UsageError.

    What the dose is (not the planning system's) is said on stderr.
    """
    from rtviewer.dicom.plan import read_plan
    from rtviewer.dicom.structure import read_structure_set
    from rtviewer.errors import RtViewerError
    from rtviewer.model.brachy_tg43_dose import tg43_dose

    if not grid_mm > 0:
        raise UsageError(f"--tg43-grid-mm must be positive, got {grid_mm}")
    try:
        structure_set, plan = read_structure_set(rs), read_plan(rp)
        result = tg43_dose(plan, structure_set, grid_mm=grid_mm)
    except (RtViewerError, ValueError) as exc:
        raise UsageError(f"--tg43-plan {rp}: {exc}") from exc
    assert result is not None  # never cancelled here
    print(f"rtviewer dvh: dose: {printable(result.dose.findings[0].message)}", file=sys.stderr)
    return structure_set, result.dose


def run(args: argparse.Namespace) -> int:
    """Run ``dvh``; exit 0 on success, 2 on unusable input."""
    from rtviewer.cli.dvh_per_roi import roi_outcomes, rows_of, source_of
    from rtviewer.cli.dvh_table import (
        curves_csv,
        levels_for,
        model_spreads,
        readable_table,
        statistics_csv,
    )

    model = args.structure_model
    try:
        if not args.bin_gy > 0:
            raise UsageError(f"--bin-gy must be positive, got {args.bin_gy}")
        if args.reference_gy is not None and not args.reference_gy > 0:
            raise UsageError(f"--reference-gy must be positive, got {args.reference_gy}")
        structures, dose = _inputs(args)
        # each ROI decoded, modelled and computed in one unit of work
        outcomes = roi_outcomes(source_of(structures), dose.dose_gy, dose.grid,
                                names=args.roi, model=model, notes=True)
        _check_selection(outcomes, args.roi)
    except UsageError as exc:
        return fail("dvh", exc, 2)
    rows = rows_of(outcomes)
    noted = sorted((o for o in outcomes if o.model_note and o.dvh is not None),
                   key=lambda o: o.roi_number)
    flagged = [(o.roi_number, o.name, o.polygons, o.model_note or "") for o in noted]
    for line in model_spreads(flagged, dose.dose_gy, dose.grid, model,
                              known=[o.dvh for o in noted if o.dvh is not None]):
        print(f"rtviewer dvh: {line}", file=sys.stderr)
    reference_gy, reference_label = _reference(args, dose)
    levels = levels_for(dose.dose_gy, dose.grid, vgy=args.vgy, vpct=args.vpct,
                        reference_gy=reference_gy, reference_label=reference_label)
    _warn_outside(rows)
    if args.csv:
        _write(args.csv, statistics_csv(rows, levels))
    else:
        sys.stdout.write(readable_table(rows, levels))
    if args.curves:
        _write(args.curves, curves_csv(rows, args.bin_gy))
    return 0
