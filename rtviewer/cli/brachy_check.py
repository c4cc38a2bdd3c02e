"""``rtviewer brachy-check FOLDER``: an independent TG-43 check of brachy plans' point doses.

``rtviewer brachy-check FOLDER [--json] [--tolerance PCT] [--source KEY]
[--treatment-date YYYY-MM-DD[THH:MM]]``. For every brachytherapy RT Plan under FOLDER:
the source and its strength (file value and decayed), TRAK per channel and per plan, and
per reference point the dose from the dwells (TG-43U1 2-D formalism, AAPM/ESTRO consensus
data) beside the planning system's value, the difference in % and PASS/WARN against the
tolerance; every RT Brachy Treatment Record under FOLDER that references the plan, its
channel times against the plan's × the decay ratio, and the delivered TRAK per fraction and
in total. Exit status 0 when every point and channel passes, 1 when one warns, 2 on
unusable input (no brachy plan, unreadable plan, no dataset for the source). Never imports
Qt.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from pathlib import Path
from typing import Any

from rtviewer.cli.common import fail, print_document

COMMAND = "brachy-check"


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``brachy-check``."""
    p = sub.add_parser(COMMAND, help="TG-43 second check of brachy plans' reference-point doses",
                       description="Dose at every reference point of each brachytherapy plan "
                                   "from its dwells (TG-43U1 2-D formalism, AAPM/ESTRO "
                                   "consensus data) against the planning system's value.")
    p.add_argument("folder", metavar="FOLDER", help="folder searched for RT Plans (recursive)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--tolerance", type=float, default=5.0, metavar="PCT",
                   help="difference (%%) above which a point warns (default 5)")
    p.add_argument("--source", metavar="KEY",
                   help="consensus dataset to use instead of the one the plan names "
                        "(mHDR-v2, 'GammaMed Plus HDR', 'GammaMed Plus PDR')")
    p.add_argument("--dvh", action="store_true",
                   help="also compute the 3-D TG-43 dose of the dwells on a grid around the "
                        "plan's structures, their DVH and the GEC-ESTRO parameters (D90, "
                        "D98, V100/V150/V200 of targets; D2cc, D0.1cc of organs at risk; "
                        "EQD2 per fraction and over the planned fractions)")
    p.add_argument("--grid-mm", type=float, default=2.0, metavar="MM",
                   help="spacing of the --dvh dose grid (default 2 mm)")
    p.add_argument("--prescription-gy", type=float, metavar="GY",
                   help="dose per fraction V100 refers to (default: the Brachy Application "
                        "Setup Dose)")
    p.add_argument("--alpha-beta-target", type=float, default=10.0, metavar="GY",
                   help="α/β of targets for EQD2 (default 10 Gy)")
    p.add_argument("--alpha-beta-oar", type=float, default=3.0, metavar="GY",
                   help="α/β of organs at risk for EQD2 (default 3 Gy)")
    p.add_argument("--ebrt-eqd2-target", type=float, default=0.0, metavar="GY",
                   help="external-beam EQD2 added to the targets' total EQD2 (default 0)")
    p.add_argument("--ebrt-eqd2-oar", type=float, default=0.0, metavar="GY",
                   help="external-beam EQD2 added to the organs at risk's total EQD2")
    p.add_argument("--treatment-date", metavar="DATE",
                   help="decay the source to this date/time (YYYY-MM-DD or "
                        "YYYY-MM-DDTHH:MM); default: the RT Plan Date/Time, the time the "
                        "planning system computed the plan for")
    return p


def _deliveries(plan: Any, record_paths: list[Path], tolerance: float) -> list[Any]:
    """Every record under FOLDER that references ``plan``, compared with it."""
    from rtviewer.dicom.brachy_files import plan_deliveries

    deliveries, unreadable = plan_deliveries(plan, record_paths, tolerance)
    for exc in unreadable:
        print(f"rtviewer {COMMAND}: {exc}", file=sys.stderr)
    return deliveries


def _structure_set(folder: Path, structure_set_uid: str | None) -> Any:
    """The plan's structure set when it is under FOLDER, else None."""
    from rtviewer.dicom.files import read_dataset
    from rtviewer.dicom.structure import read_structure_set
    from rtviewer.errors import RtViewerError

    if not structure_set_uid:
        return None
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        try:
            ds, _ = read_dataset(path, stop_before_pixels=True,
                                 specific_tags=["Modality", "SOPInstanceUID"])
            if str(ds.get("Modality", "")) == "RTSTRUCT" and \
                    str(ds.get("SOPInstanceUID", "")) == structure_set_uid:
                return read_structure_set(path)
        except (RtViewerError, OSError):
            continue
    return None


def _gec_estro(plan: Any, check: Any, structure_set: Any, args: argparse.Namespace
               ) -> dict[str, Any]:
    """The --dvh part: the grid, and per target / organ at risk its parameters."""
    from dataclasses import asdict

    from rtviewer.model.gec_estro import EqdSettings
    from rtviewer.model.gec_estro_plan import (
        dwell_dvhs,
        metrics_of,
        plan_prescription_gy,
        prescription_note,
    )

    dvhs = dwell_dvhs(plan, structure_set, source_key=check.source_key,
                      strength_u=check.strength.at_time_u, grid_mm=args.grid_mm)
    assert dvhs is not None  # never cancelled here
    prescription = args.prescription_gy or plan_prescription_gy(plan)
    notes = list(dvhs.notes)
    if prescription is None and (note := prescription_note(plan)):
        notes.append(f"{note} (--prescription-gy)")
    settings = EqdSettings(args.alpha_beta_target, args.alpha_beta_oar, args.ebrt_eqd2_target,
                           args.ebrt_eqd2_oar)
    fractions = plan.fractions_planned or 1
    metrics = [asdict(m) for m in metrics_of(dvhs, prescription_gy=prescription,
                                             fractions=fractions, settings=settings)]
    grid = dvhs.grid
    return {"grid_mm": args.grid_mm, "grid_shape_kji": list(grid.shape),
            "grid_origin_mm": [float(v) for v in grid.origin_mm],
            "dose_max_gy": dvhs.dose_max_gy, "prescription_gy": prescription,
            "fractions": fractions, "settings": asdict(settings), "structures": metrics,
            "notes": notes}


def _gec_estro_table(gec: dict[str, Any]) -> str:
    lines = [f"  GEC-ESTRO (TG-43 dose of the dwells on a {gec['grid_mm']:g} mm grid "
             f"{'x'.join(str(n) for n in gec['grid_shape_kji'][::-1])}, per fraction; EQD2 "
             f"over {gec['fractions']} fraction(s), α/β {gec['settings']['alpha_beta_target_gy']:g}"
             f" / {gec['settings']['alpha_beta_oar_gy']:g} Gy):"]
    for m in gec["structures"]:
        values = ", ".join(f"{k} {v:.3f} Gy (EQD2 {m['eqd2_gy'].get(k, float('nan')):.2f})"
                           for k, v in m["values_gy"].items())
        volumes = ", ".join(f"{k} {v:.1f} %" for k, v in m["volumes_pct"].items())
        lines.append(f"    {m['name']} ({m['role']}, {m['volume_cc']:.1f} cc): {values}"
                     + (f"; {volumes}" if volumes else ""))
    lines += [f"    note: {n}" for n in gec["notes"]]
    return "\n" + "\n".join(lines)


def _treatment_time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--treatment-date {text!r} is not YYYY-MM-DD[THH:MM]") from None


def _records_table(deliveries: list[Any]) -> str:
    if not deliveries:
        return ""
    lines = ["  treatment records (channel time x decay ratio S(plan)/S(delivery)):"]
    total = 0.0
    for d in deliveries:
        ratio = "—" if d.decay_ratio is None else f"{d.decay_ratio:.5f}"
        trak = "—" if d.trak_ugy is None else f"{d.trak_ugy:.6g}"
        total += d.trak_ugy or 0.0
        lines.append(f"    fraction {d.fraction_number} at {d.date_time}: decay ratio {ratio}, "
                     f"delivered TRAK {trak} µGy at 1 m")
        for c in d.channels:
            expected = "—" if c.expected_s is None else f"{c.expected_s:.1f}"
            delivered = "—" if c.delivered_s is None else f"{c.delivered_s:.1f}"
            diff = "" if c.difference_pct is None else f"{c.difference_pct:+.2f} %"
            lines.append(f"      channel {c.channel_number}: expected {expected} s, "
                         f"delivered {delivered} s {diff} {c.status}")
        lines += [f"      note: {n}" for n in d.notes]
    lines.append(f"    delivered TRAK in total: {total:.6g} µGy at 1 m over {len(deliveries)} "
                 "record(s)")
    return "\n" + "\n".join(lines)


def _as_dict(check: Any, path: Path, deliveries: list[Any]) -> dict[str, Any]:
    from dataclasses import asdict

    data = asdict(check)
    records = []
    for delivery in deliveries:
        record = asdict(delivery)
        _iso_times(record["strength_at_delivery"])
        record["passed"] = delivery.passed
        records.append(record)
    data["records"] = records
    data["delivered_trak_ugy"] = sum(d.trak_ugy or 0.0 for d in deliveries)
    data["file"] = str(path)
    data["passed"] = check.passed
    data["trak_file_as"] = check.trak_file_as
    _iso_times(data["strength"])
    _iso_times(data["at_plan_time"])
    return data


def _finite(value: Any) -> Any:
    """``value`` with every NaN or infinite float as None (JSON has neither)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _iso_times(strength: dict[str, Any] | None) -> None:
    """A SourceStrength dict's date-times as ISO text (JSON has no date-time)."""
    for key in ("reference_time", "at_time"):
        if strength is not None and strength[key] is not None:
            strength[key] = strength[key].isoformat()


def _table(check: Any, path: Path) -> str:
    s = check.strength
    lines = [f"{path}: plan '{check.plan_label}'",
             f"  source: {check.source_name}; data {check.source_note}",
             f"  strength: {s.reference_u:.6g} U at {s.reference_time} (file); "
             f"{s.at_time_u:.6g} U at {s.at_time} (decay {s.decay:.5f}, half-life "
             f"{s.half_life_days} d: {s.half_life_source})"
             + ("" if check.at_plan_time is None else
                f"; {check.at_plan_time.at_time_u:.6g} U at the RT Plan Date/Time "
                f"{check.at_plan_time.at_time}"),
             f"  TRAK per fraction: {check.trak_ugy:.6g} µGy at 1 m"
             + (f" ({check.pulses} pulses: {check.trak_ugy / check.pulses:.6g} per pulse)"
                if check.pulses > 1 else "")
             + ("; file: —" if check.trak_file_ugy is None else
                f"; file: {check.trak_file_ugy:.6g} ({check.trak_file_as})")]
    for c in check.channels:
        lines.append(f"    channel {c.channel_number}: {c.time_s:.1f} s, TRAK "
                     f"{c.trak_ugy:.6g} µGy at 1 m")
    lines.append(f"  {'point':<24} {'TG-43 Gy/fx':>12} {'per pulse':>10} {'planned Gy':>11} "
                 f"{'as':>12} {'diff %':>8}  status (tolerance {check.tolerance_pct:g} %)")
    for p in check.points:
        pulse = "" if p.dose_per_pulse_gy is None else f"{p.dose_per_pulse_gy:.4f}"
        planned = "—" if p.planned_gy is None else f"{p.planned_gy:.4f}"
        diff = "" if p.difference_pct is None else f"{p.difference_pct:+.2f}"
        lines.append(f"  {p.label[:24]:<24} {p.dose_per_fraction_gy:>12.4f} {pulse:>10} "
                     f"{planned:>11} {p.compared_as:>12} {diff:>8}  {p.status}"
                     + (f"  [{p.planned_source}]" if p.planned_source else ""))
    lines += [f"  note: {n}" for n in check.notes]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Check every brachy plan under the folder; see the module doc for the exit status."""
    from rtviewer.dicom.brachy_files import brachy_plans_and_records
    from rtviewer.dicom.plan import read_plan
    from rtviewer.errors import RtViewerError
    from rtviewer.model.brachy_check import check_plan, roi_points
    from rtviewer.printable import printable

    folder = Path(args.folder)
    if not folder.is_dir():
        return fail(COMMAND, f"{folder}: not a folder", 2)
    try:
        when = _treatment_time(args.treatment_date)
    except ValueError as exc:
        return fail(COMMAND, exc, 2)
    plans, record_paths = brachy_plans_and_records(folder)
    if not plans:
        return fail(COMMAND, f"{folder}: no brachytherapy RT Plan", 2)
    results, texts, status = [], [], 0
    for path in plans:
        try:
            plan = read_plan(path)
            structure_set = _structure_set(folder, plan.referenced_structure_set_uid)
            check = check_plan(plan, roi_points=roi_points(structure_set),
                               source_key=args.source, treatment_time=when,
                               tolerance_pct=args.tolerance)
            gec = _gec_estro(plan, check, structure_set, args) if args.dvh else None
        except (RtViewerError, ValueError, KeyError) as exc:
            print(f"rtviewer {COMMAND}: {printable(path)}: {printable(exc)}", file=sys.stderr)
            status = 2
            continue
        deliveries = _deliveries(plan, record_paths, args.tolerance)
        results.append(_as_dict(check, path, deliveries))
        texts.append(_table(check, path) + _records_table(deliveries)
                     + ("" if gec is None else _gec_estro_table(gec)))
        if gec is not None:
            results[-1]["gec_estro"] = gec
        if status == 0 and not (check.passed and all(d.passed for d in deliveries)):
            status = 1
    if args.json:
        print_document(json.dumps(_finite({"tolerance_pct": args.tolerance, "plans": results}),
                                  indent=1, ensure_ascii=False, allow_nan=False))
    elif texts:
        print_document("\n\n".join("\n".join(printable(line) for line in t.splitlines())
                                   for t in texts))
    return status
