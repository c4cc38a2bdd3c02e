"""Fill the review report (:mod:`rtviewer.model.review_report`) from the headless APIs.

Each section comes from what a command already computes: the plan sheet (``rtviewer
plan``), the dose reference and structure model (``rtviewer dvh``), the DVH statistics
(``dvh_table``), clinical goals (``rtviewer goals``), doses at points (``rtviewer
points``), the brachy second check and its treatment records (``rtviewer brachy-check``),
and the findings of ``rtviewer check``.  A section is left out when it has nothing to show;
what could not be computed is said in the section (or the report's notes), never dropped.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rtviewer.model.review_report import (
    SECTIONS,
    Column,
    Fields,
    LegendItem,
    Paragraph,
    Picture,
    ReportHeader,
    ReviewReport,
    Section,
    Table,
)
from rtviewer.printable import printable

TITLES = dict(SECTIONS)
#: Beams side by side in one table of the plan sheet (more make a second table).
BEAMS_PER_TABLE = 6


@dataclass(frozen=True)
class ReportInputs:
    """What the user asked for (the CLI's options; the window passes the same)."""

    folder: Path
    plan: str | None = None
    dose: str | None = None
    goals: str | None = None
    reviewer: str = ""
    comment: str = ""
    structure_model: str = "slab"
    sections: frozenset[str] | None = None  # None: every section with something to show
    pictures: bool = True
    compare: str | None = None
    gamma: str = "3%/3mm"
    point: str | None = None  # "X,Y,Z" mm or a point's name: the planes through it


def _log(line: str) -> None:
    print(f"rtviewer report: {printable(line)}", file=sys.stderr)


def _matches(obj: Any, wanted: str) -> bool:
    path = Path(str(getattr(obj, "path", "")))
    return wanted in (getattr(obj, "sop_instance_uid", None), str(path), path.name) or (
        Path(wanted).exists() and path.exists() and Path(wanted).resolve() == path.resolve())


def choose_bundle(inputs: ReportInputs) -> Any:
    """The plan bundle the report is about (``--plan``, else the first plan with a dose)."""
    from rtviewer.cli.dvh import UsageError
    from rtviewer.cli.plan_inputs import read_bundles

    bundles = read_bundles(inputs.folder, "report")
    if inputs.plan:
        bundles = [b for b in bundles if _matches(b.plan, inputs.plan)]
        if not bundles:
            raise UsageError(f"--plan {inputs.plan}: no readable RT Plan of that UID or file "
                             f"under {inputs.folder}")
    if not bundles:
        raise UsageError(f"{inputs.folder}: no readable RT Plan")
    bundle = next((b for b in bundles if b.doses), bundles[0])
    if len(bundles) > 1:
        _log(f"{len(bundles)} plans; the report is of {Path(bundle.plan.path).name} "
             "(choose another with --plan)")
    return bundle


def choose_dose(bundle: Any, wanted: str | None) -> Any:
    """The dose of the report: ``--dose`` (a file or UID), else the plan's whole dose."""
    from rtviewer.cli.dvh import UsageError
    from rtviewer.dicom.dose import read_dose
    from rtviewer.errors import RtViewerError

    if not wanted:
        return bundle.doses[0] if bundle.doses else None
    found = next((d for d in bundle.doses if _matches(d, wanted)), None)
    if found is not None:
        return found
    if Path(wanted).is_file():
        try:
            return read_dose(Path(wanted))
        except RtViewerError as exc:
            raise UsageError(str(exc)) from exc
    raise UsageError(f"--dose {wanted}: not a file, nor the UID of a dose of the plan")


def _num(value: Any) -> float | None:
    return None if value is None or not math.isfinite(float(value)) else float(value)


# -- sections --------------------------------------------------------------------------

def _plan_section(sheet: Any) -> Section:
    from rtviewer.model.plan_sheet_text import (
        BEAM_FIELDS,
        beam_cells,
        dose_reference_rows,
        header_rows,
    )

    blocks: list[Any] = [Fields(tuple(header_rows(sheet)))]
    if sheet.dose_references:
        blocks.append(Table("Dose references", tuple(Column(t) for t in (
            "#", "Description", "Type", "Structure", "ROI / point (mm)", "Doses")),
            tuple(dose_reference_rows(sheet))))
    cells = [beam_cells(b) for b in sheet.beams]
    for start in range(0, len(cells), BEAMS_PER_TABLE):  # one column per beam
        chunk = cells[start:start + BEAMS_PER_TABLE]
        title = "Beams (MU per fraction; angles IEC 61217)" + (
            f", {start + 1}–{start + len(chunk)} of {len(cells)}"
            if len(cells) > BEAMS_PER_TABLE else "")
        blocks.append(Table(title, (Column(""), *(Column(c[0]) for c in chunk)),
                            tuple((name, *(c[i] for c in chunk))
                                  for i, (name, _) in enumerate(BEAM_FIELDS) if i > 0)))
    blocks += [Paragraph(f"Note: {n}") for n in sheet.notes]
    return Section("plan", TITLES["plan"], tuple(blocks))


def _reference_section(plan: Any, dose: Any, model: str) -> tuple[Section, float | None]:
    from rtviewer.core.structure_model import describe_model
    from rtviewer.model.dose_reference import dose_warnings, percent_reference

    reference = percent_reference(dose, plan)
    rx = getattr(getattr(plan, "prescription", None), "dose_gy", None)
    pairs = [("Prescription", "not stated" if not rx else f"{rx:.2f} Gy"),
             ("Fractions planned", str(plan.fractions_planned or "not stated"))]
    if dose is not None:
        summation = getattr(dose.summation_type, "value", "not stated")
        pairs += [("Dose", f"{Path(str(dose.path)).name} ({summation}, "
                           f"{getattr(dose.units, 'value', dose.units)}), maximum "
                           f"{float(dose.dose_gy.max()):.2f} Gy"),
                  ("100 % means", "—" if reference.dose_gy is None else
                   f"{reference.dose_gy:.2f} Gy"), ("Reference from", reference.label)]
    else:
        pairs.append(("Dose", "no RT Dose references this plan"))
    pairs.append(("Structure model for DVHs", f"{model}: {describe_model(model)}"))
    blocks: list[Any] = [Fields(tuple((k, printable(v)) for k, v in pairs))]
    blocks += [Paragraph(f"Warning: {printable(w)}") for w in dose_warnings(dose, plan)]
    return Section("reference", TITLES["reference"], tuple(blocks)), reference.dose_gy


def _dvh_rows(structure_set: Any, dose: Any, model: str) -> list[Any]:
    """The DVH of every structure with closed contours (``dvh_table.DvhRow``), in-process.

    Computed once: the DVH table and the DVH picture both draw these.
    """
    from rtviewer.cli.dvh_table import compute_rows
    from rtviewer.model.dvh_rois import dvh_rois

    chosen = dvh_rois(structure_set)
    for roi in chosen.without_closed_contour:
        print(f"rtviewer report: ROI {roi.roi_number} '{printable(roi.name)}' has no "
              "CLOSED_PLANAR contour (marker or open contours): not in the DVH table",
              file=sys.stderr)
    rois = chosen.polygons()
    return compute_rows(rois, dose.dose_gy, dose.grid, model=model) if rois else []


def _dvh_section(rows: list[Any], dose: Any, model: str, reference_gy: float | None
                 ) -> Section | None:
    from rtviewer.cli.dvh_table import levels_for

    if not rows:
        return None
    vpct = (100.0, 95.0) if reference_gy else ()
    levels = levels_for(dose.dose_gy, dose.grid, vpct=vpct, reference_gy=reference_gy)
    gy = [Column(t, "Gy", 2) for t in ("Dmin", "Dmean", "Dmax", "D98%", "D95%", "D50%",
                                       "D2%", "D0.03cc")]
    columns = [Column("ROI"), Column("Volume", "cc", 2), *gy]
    columns += [Column(f"V{p:g}%Rx", "%", 1) for p in vpct]
    table_rows = []
    for row in rows:
        v = row.values(levels)
        # values(): volume, dmin, dmean, dmax, d99, d98, d95, d50, d5, d2, d1, d0.03cc, ...
        cells = [printable(row.roi_name), _num(v[0]), _num(v[1]), _num(v[2]), _num(v[3]),
                 _num(v[5]), _num(v[6]), _num(v[7]), _num(v[9]), _num(v[11])]
        cells += [_num(v[-2 * len(vpct) + 2 * i + 1]) for i in range(len(vpct))]
        table_rows.append(tuple(cells))
    note = ("Doses are the stored values × Dose Grid Scaling; volumes include the end caps "
            f"of the {model} structure model; D0.03cc and Dmax from every voxel.")
    if reference_gy:
        note += f" V%Rx: % of the structure's volume at or above that % of {reference_gy:.2f} Gy."
    return Section("dvh_table", TITLES["dvh_table"],
                   (Table("", tuple(columns), tuple(table_rows), note),))


def _goals_section(goals: str, plan: Any, structure_set: Any, dose: Any, model: str
                   ) -> Section:
    from rtviewer.cli.common import goal_synonyms
    from rtviewer.dicom.goal_file import goal_set_named
    from rtviewer.model.goal_evaluation import evaluate_on_dose

    goal_set = goal_set_named(goals)
    results = evaluate_on_dose(goal_set, structure_set, dose, plan, model,
                               goal_synonyms(None, "report"))
    columns = (Column("Structure"), Column("ROI"), Column("Goal"), Column("Priority"),
               Column("Value", digits=2), Column("Limit", digits=2), Column("Unit"),
               Column("Result"), Column("Margin", digits=2), Column("Note"))
    rows = []
    for r in results:
        unit = r.goal.unit + (f" {r.goal.equivalent}" if r.goal.equivalent else "")
        rows.append((printable(r.goal.structure), printable(r.roi_name or "—"),
                     printable(r.goal.text), r.goal.priority.value, _num(r.value),
                     _num(r.goal.limit), unit, r.status.upper(), _num(r.margin),
                     printable(r.note or "")))
    failed = sum(1 for r in results if r.failed_mandatory)
    note = (f"Goal set {goal_set.name}" + (f" ({goal_set.citation})" if goal_set.citation
                                           else "")
            + f"; value, limit and margin in the unit of the row; a positive margin is on the "
              f"passing side; {failed} mandatory goal(s) fail or cannot be evaluated.")
    return Section("goals", TITLES["goals"], (Table("", columns, tuple(rows),
                                                    printable(note)),))


def _points_section(plan: Any, structure_set: Any, dose: Any) -> Section | None:
    from rtviewer.model.plan_points import collect_points, doses_at_points, point_row

    results = doses_at_points(collect_points(plan, structure_set, dose), dose, plan)
    if not results:
        return None
    columns = (Column("Point"), Column("Source"), Column("x", "mm", 1), Column("y", "mm", 1),
               Column("z", "mm", 1), Column("Dose here", "Gy", 3),
               Column("Planning system", "Gy", 3), Column("Difference", "Gy", 3),
               Column("Difference", "%", 2), Column("Note"))
    rows = []
    for result in results:
        r = point_row(result)
        rows.append((printable(str(r["label"])), printable(str(r["source"])), _num(r["x_mm"]),
                     _num(r["y_mm"]), _num(r["z_mm"]), _num(r["dose_gy"]),
                     _num(r["planned_gy"]), _num(r["difference_gy"]),
                     _num(r["difference_percent"]), printable(str(r["note"] or ""))))
    note = ("Dose here: trilinear interpolation of the RT Dose; planning system: the value the "
            "plan states, on the dose's scale." if dose is not None else
            "No RT Dose: the planning system's values only.")
    return Section("points", TITLES["points"], (Table("", columns, tuple(rows), note),))


def _brachy_sections(inputs: ReportInputs, plan: Any, structure_set: Any) -> list[Section]:
    from rtviewer.dicom.brachy_files import brachy_plans_and_records, plan_deliveries
    from rtviewer.model.brachy_check import DEFAULT_TOLERANCE_PCT, check_plan, roi_points

    try:
        check = check_plan(plan, roi_points=roi_points(structure_set))
    except (ValueError, KeyError) as exc:
        return [Section("brachy_check", TITLES["brachy_check"],
                        (Paragraph(f"Not checked: {printable(exc)}"),))]
    s = check.strength
    pairs = (("Source", f"{check.source_name}; data {check.source_note}"),
             ("Strength", f"{s.reference_u:.4g} U at {s.reference_time} (file); "
                          f"{s.at_time_u:.4g} U at {s.at_time} (decay {s.decay:.5f})"),
             ("TRAK per fraction", f"{check.trak_ugy:.5g} µGy at 1 m" + (
                 "" if check.trak_file_ugy is None else
                 f" (file: {check.trak_file_ugy:.5g} µGy, {check.trak_file_as})")),
             ("Tolerance", f"{check.tolerance_pct:g} %"))
    columns = (Column("Point"), Column("TG-43 dose per fraction", "Gy", 4),
               Column("Planned", "Gy", 4), Column("Compared as"),
               Column("Difference", "%", 2), Column("Result"))
    rows = tuple((printable(p.label), p.dose_per_fraction_gy, _num(p.planned_gy),
                  p.compared_as, _num(p.difference_pct), p.status.upper())
                 for p in check.points)
    blocks: list[Any] = [Fields(tuple((k, printable(v)) for k, v in pairs)),
                         Table("Reference points (TG-43 point-source dose of every dwell)",
                               columns, rows)]
    blocks += [Paragraph(f"Note: {printable(n)}") for n in check.notes]
    sections = [Section("brachy_check", TITLES["brachy_check"], tuple(blocks))]
    _, records = brachy_plans_and_records(inputs.folder)
    deliveries, unreadable = plan_deliveries(plan, records, DEFAULT_TOLERANCE_PCT)
    for error in unreadable:
        print(f"rtviewer report: {printable(error)}", file=sys.stderr)
    if deliveries:
        record_columns = (Column("Fraction"), Column("Date and time"), Column("Channel"),
                          Column("Expected", "s", 1), Column("Delivered", "s", 1),
                          Column("Difference", "%", 2), Column("Result"))
        record_rows = tuple((str(d.fraction_number), str(d.date_time or "—"), str(c.channel_number),
                      _num(c.expected_s), _num(c.delivered_s), _num(c.difference_pct),
                      c.status.upper()) for d in deliveries for c in d.channels)
        trak = sum(d.trak_ugy or 0.0 for d in deliveries)
        note = (f"Expected: planned channel time × decay ratio S(plan)/S(delivery); "
                f"delivered TRAK in total {trak:.5g} µGy at 1 m over {len(deliveries)} "
                "record(s).")
        sections.append(Section("records", TITLES["records"],
                                (Table("", record_columns, record_rows, note),)))
    return sections


def _beam_records_section(folder: Path, plan: Any) -> Section | None:
    """Delivered against planned MU per beam and session, fractions and interruptions.

    From the RT (Ion) Beams Treatment Records under ``folder`` that reference ``plan``
    (:mod:`rtviewer.view.record_summary`, as the window's Records tab counts them).
    """
    from rtviewer.dicom.record_files import beam_records_of_plan
    from rtviewer.view.record_summary import MU_TOLERANCE, beam_rows

    records, unreadable = beam_records_of_plan(folder, plan.sop_instance_uid)
    for error in unreadable:
        _log(str(error))
    if not records:
        return None
    ordered = sorted(records, key=lambda r: (r.session.date_time is None,
                                             r.session.date_time or dt.datetime.min, r.path))
    session_rows = []
    for record in ordered:
        s = record.session
        when = s.date_time.isoformat(sep=" ", timespec="minutes") if s.date_time else "—"
        for b in record.beams:
            beam = plan.beam(b.referenced_beam_number) if b.referenced_beam_number else None
            planned = beam.meterset if beam is not None and beam.meterset is not None \
                else b.specified_meterset
            diff = (100.0 * (b.delivered_meterset - planned) / planned
                    if planned and b.delivered_meterset is not None else None)
            fraction = b.current_fraction_number or s.current_fraction_number
            status = b.termination_status.value if b.termination_status else "not stated"
            reason = f" ({b.termination_reason})" if b.termination_reason else ""
            session_rows.append((when, "—" if fraction is None else str(fraction),
                                 printable(f"{b.referenced_beam_number} {b.name or ''}"),
                                 _num(planned), _num(b.delivered_meterset), _num(diff),
                                 printable(status + reason)))
    summary = tuple((printable(r.beam), f"{r.fractions_delivered} of "
                     f"{r.fractions_planned or '?'}", str(r.interrupted),
                     _num(r.delivered_mu), _num(r.planned_mu)) for r in beam_rows(plan, records))
    interrupted = sum(1 for r in records if r.interrupted)
    fractions = {b.current_fraction_number or r.session.current_fraction_number
                 for r in records for b in r.beams} - {None}
    head = Paragraph(f"{len(records)} treatment record(s) of this plan: {len(fractions)} "
                     f"fraction(s) with deliveries of {plan.fractions_planned or '?'} planned; "
                     f"{interrupted} session(s) interrupted (a beam not NORMAL or short of "
                     f"its MU by more than {100 * MU_TOLERANCE:g} % of the plan).")
    blocks: list[Any] = [head, Table("Per beam over all sessions", (
        Column("Beam"), Column("Fractions complete"), Column("Interrupted"),
        Column("Delivered", "MU", 1), Column("Planned (all fractions)", "MU", 1)), summary),
        Table("Per beam and session", (
            Column("Session"), Column("Fraction"), Column("Beam"), Column("Planned", "MU", 1),
            Column("Delivered", "MU", 1), Column("Difference", "%", 2),
            Column("Termination")), tuple(session_rows),
            "Planned: the plan's Beam Meterset per fraction (else the record's Specified "
            "Meterset). A beam completed in a later session of the same fraction counts "
            "once in 'Fractions complete'.")]
    return Section("records", TITLES["records"], tuple(blocks))


def _plan_checks_section(plan: Any, structures: Any, dose: Any, goals: str | None = None
                         ) -> Section | None:
    """The automated plan checks of ``rtviewer check --plan-review`` (default profile).

    With the report's ``--goals``, the dose-grid coverage judges the structures they name.
    """
    from rtviewer.dicom.goal_file import goal_set_named
    from rtviewer.model.plan_case import PlanCase
    from rtviewer.review import load_profile, review_plan

    if getattr(plan, "brachy", None) is not None or not plan.beams:
        return None
    profile = load_profile(None)
    goal_set = goal_set_named(goals) if goals else None
    found = review_plan(PlanCase(plan, structures, dose, goals=goal_set), profile)
    summary = Paragraph(f"{len(found)} finding(s) of the plan checks (profile "
                        f"{printable(str(profile.source))}); treatment records are not part "
                        "of this report's plan checks.")
    if not found:
        return Section("plan_checks", TITLES["plan_checks"], (summary,))
    rows = tuple((f.severity.value.upper(), f.code, printable(", ".join(f.objects) or "—"),
                  printable(f.message)) for f in found)
    return Section("plan_checks", TITLES["plan_checks"], (summary, Table("", (
        Column("Severity"), Column("Code"), Column("Objects"), Column("Finding")), rows)))


def _comparison_section(inputs: ReportInputs, dose: Any, structures: Any) -> Section:
    """B (``--compare``) against the report's dose A: B − A, DVH metrics and gamma."""
    from rtviewer.cli.dvh import UsageError
    from rtviewer.core.gamma import parse_criteria
    from rtviewer.dicom.dose import read_dose
    from rtviewer.errors import RtViewerError
    from rtviewer.model.plan_compare import compare_doses

    if dose is None:
        raise UsageError("--compare: the plan has no dose to compare with")
    try:
        other = read_dose(Path(str(inputs.compare)))
        criteria = parse_criteria(inputs.gamma, pass_rate_only=True)  # rates only: exact, fast
        result = compare_doses(dose, other, structures.rois if structures else (),
                               criteria=criteria, model=inputs.structure_model)
    except (RtViewerError, ValueError) as exc:
        raise UsageError(f"--compare {inputs.compare}: {exc}") from exc
    pairs = [("A (reference)", Path(str(dose.path)).name),
             ("B (evaluated)", Path(str(other.path)).name),
             ("Largest |B − A|", f"{result.max_abs_difference_gy:.3f} Gy on A's grid")]
    if result.gamma is not None:
        c = result.gamma.criteria
        pairs.append(("Gamma", f"{c.dose_percent:g} %/{c.distance_mm:g} mm "
                               f"{'local' if c.local else 'global'}, cut-off "
                               f"{c.cutoff_percent:g} %: pass rate "
                               f"{100.0 * result.gamma.pass_rate():.2f} %"))
    rows = []
    for s in result.structures:
        for m in s.metrics:
            rows.append((printable(s.name), m.name, m.unit, _num(m.a), _num(m.b),
                         _num(m.difference)))
        if s.gamma_pass_rate is not None:
            rows.append((printable(s.name), "gamma pass rate", "%", None,
                         _num(100.0 * s.gamma_pass_rate), None))
    columns = (Column("Structure"), Column("Metric"), Column("Unit"), Column("A", digits=2),
               Column("B", digits=2), Column("B − A", digits=2))
    blocks: list[Any] = [Fields(tuple(pairs))]
    if rows:
        blocks.append(Table("Per structure (A, B and B − A in the row's unit)", columns,
                            tuple(rows)))
    return Section("comparison", TITLES["comparison"], tuple(blocks))


def _check_section(folder: Path) -> Section | None:
    from rtviewer.dicom.check import check_path
    from rtviewer.errors import RtViewerError

    try:
        report = check_path(folder)
    except RtViewerError as exc:
        return Section("check", TITLES["check"], (Paragraph(f"Not run: {printable(exc)}"),))
    shown = [f for f in report.findings if f.severity.value in ("error", "warning")]
    counts = report.counts()
    summary = Paragraph(f"{counts['error']} error(s), {counts['warning']} warning(s), "
                        f"{counts['info']} information(s) for the folder's files.")
    if not shown:
        return Section("check", TITLES["check"], (summary,))
    rows = tuple((f.severity.value.upper(), f.code, printable(f.path or "."),
                  printable(f.message)) for f in shown)
    return Section("check", TITLES["check"], (summary, Table("", (
        Column("Severity"), Column("Code"), Column("File"), Column("Message")), rows)))


def _picture_sections(inputs: ReportInputs, scratch: Path, plan: Any, structures: Any,
                      dose: Any, dvh_rows: list[Any]) -> list[Section]:
    from rtviewer.ui.render.report_pictures import NothingToRender, render_report_pictures

    position, named = _picture_point(inputs.point, plan, structures, dose)
    plan_path = str(plan.path)
    try:
        pictures = render_report_pictures(
            inputs.folder, scratch, lambda line: _log(line.removeprefix("render: ")),
            plan=plan_path, dose=str(dose.path) if dose is not None else None,
            model=inputs.structure_model, dvhs={r.roi_number: r.dvh for r in dvh_rows},
            position_mm=position, position_note=named)
    except NothingToRender as exc:
        _log(f"no pictures: {exc}")
        return []
    by_kind: dict[str, list[Picture]] = {}
    for p in pictures:
        legend = tuple(LegendItem(f"{pct:.0f} % ({gy:.2f} Gy)", rgb)
                       for pct, gy, rgb in p.isodoses)
        legend += tuple(LegendItem(printable(name), rgb) for name, rgb in p.structures)
        key = {"dvh": "dvh_plot", "bev": "bev"}.get(p.kind, "planes")
        by_kind.setdefault(key, []).append(Picture(str(p.path), printable(p.caption), legend,
                                                   p.mm_per_pixel))
    return [Section(key, TITLES[key], tuple(blocks)) for key, blocks in by_kind.items()]


def _picture_point(wanted: str | None, plan: Any, structures: Any, dose: Any
                   ) -> tuple[tuple[float, float, float] | None, str | None]:
    """``--point``: patient mm ``(x, y, z)`` and how the captions name it (None: default).

    Raises
    ------
    UsageError
        Neither three numbers nor the name of a point of the plan, structure set or dose.
    """
    from rtviewer.cli.dvh import UsageError
    from rtviewer.model.plan_points import collect_points

    if not wanted:
        return None, None
    parts = wanted.split(",")
    if len(parts) == 3:
        try:
            xyz = tuple(float(v) for v in parts)
        except ValueError:
            pass
        else:
            if all(math.isfinite(v) for v in xyz):
                return (xyz[0], xyz[1], xyz[2]), "--point"
    points = collect_points(plan, structures, dose)
    found = [p for p in points if p.label.strip().casefold() == wanted.strip().casefold()]
    if not found:
        names = sorted({p.label for p in points})
        raise UsageError(f"--point {wanted}: not X,Y,Z in mm nor a point of the plan, "
                         f"structure set or dose (points: {', '.join(names) or 'none'})")
    x, y, z = (float(v) for v in found[0].xyz_mm)
    return (x, y, z), f"point {found[0].label} ({found[0].source})"


def _reviewer_section(inputs: ReportInputs, today: str) -> Section:
    pairs = [("Reviewer", inputs.reviewer or "_" * 30), ("Date", today),
             ("Signature", "_" * 40)]
    blocks: list[Any] = [Fields(tuple(pairs))]
    if inputs.comment:
        blocks.append(Paragraph(f"Comment: {inputs.comment}"))
    return Section("reviewer", TITLES["reviewer"], tuple(blocks))


def build_report(inputs: ReportInputs, scratch: Path) -> ReviewReport:
    """The report of ``inputs``; its PNGs go into ``scratch`` (not the patient's folder).

    The plan bundle, the pictures' scene and the folder check read the same structure
    set and dose: within one report each is read once (:mod:`rtviewer.dicom.read_once`).

    Raises
    ------
    UsageError
        No plan, an unknown ``--plan``/``--dose``.
    RtViewerError
        An unknown or unreadable goal set (``GoalFileError``), an unreadable dose.
    """
    from rtviewer.dicom.read_once import reading_once

    with reading_once():
        return _build_report(inputs, scratch)


def _build_report(inputs: ReportInputs, scratch: Path) -> ReviewReport:
    from rtviewer import __version__
    from rtviewer.cli.plan import build_sheet
    from rtviewer.dicom.goal_file import goal_set_named

    if inputs.goals:
        goal_set_named(inputs.goals)  # an unknown goal set is a usage error before any work
    bundle = choose_bundle(inputs)
    plan, structures = bundle.plan, bundle.structure_set
    dose = choose_dose(bundle, inputs.dose)
    model = inputs.structure_model
    sheet = build_sheet(bundle, model)
    now = dt.datetime.now(dt.UTC)
    header = ReportHeader(printable(sheet.patient_name or "—"),
                          printable(sheet.patient_id or "—"),
                          printable(sheet.label or sheet.name or Path(plan.path).name),
                          now.strftime("%Y-%m-%d %H:%M UTC"), __version__,
                          printable(str(inputs.folder)))
    wanted = inputs.sections
    sections: list[Section] = [_plan_section(sheet)]
    reference_section, reference_gy = _reference_section(plan, dose, model)
    sections.append(reference_section)
    dvh_rows = (_dvh_rows(structures, dose, model)
                if dose is not None and structures is not None else [])
    if inputs.pictures and (wanted is None or wanted & {"planes", "bev", "dvh_plot"}):
        sections += _picture_sections(inputs, scratch, plan, structures, dose, dvh_rows)
    if dose is not None and structures is not None:
        dvh = _dvh_section(dvh_rows, dose, model, reference_gy)
        sections += [dvh] if dvh is not None else []
        if inputs.goals:
            sections.append(_goals_section(inputs.goals, plan, structures, dose, model))
    points = _points_section(plan, structures, dose)
    sections += [points] if points is not None else []
    if getattr(plan, "brachy", None) is not None:
        sections += _brachy_sections(inputs, plan, structures)
    elif wanted is None or "records" in wanted:
        records = _beam_records_section(inputs.folder, plan)
        sections += [records] if records is not None else []
    if wanted is None or "plan_checks" in wanted:
        plan_checks = _plan_checks_section(plan, structures, dose, inputs.goals)
        sections += [plan_checks] if plan_checks is not None else []
    if inputs.compare:
        sections.append(_comparison_section(inputs, dose, structures))
    check = _check_section(inputs.folder)
    sections += [check] if check is not None else []
    sections.append(_reviewer_section(inputs, now.strftime("%Y-%m-%d")))
    order = [key for key, _ in SECTIONS]
    sections.sort(key=lambda s: order.index(s.key))
    if wanted is not None:
        sections = [s for s in sections if s.key in wanted]
    return ReviewReport(header, tuple(sections), tuple(bundle.notes))
