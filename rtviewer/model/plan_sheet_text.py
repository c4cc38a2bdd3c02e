"""The plan sheet as text (a readable sheet), as table cells (the Plan tab) and as JSON.

JSON fields are the :class:`~rtviewer.model.plan_sheet.PlanSheet` dataclass fields
(public once landed: add, never rename); units in the field names or in the module
docstring of :mod:`rtviewer.model.plan_sheet`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from rtviewer.model.plan_sheet import BeamSheet, PlanSheet, sheet_as_dict
from rtviewer.printable import printable

__all__ = ["BEAM_FIELDS", "beam_cells", "dose_reference_rows", "header_rows", "sheet_json",
           "sheet_text"]


def _n(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    text = f"{value:.{digits}f}"
    return "0" if text.strip("-0.") == "" else text


def _xyz(value: tuple[float, float, float] | None) -> str:
    return "—" if value is None else "(" + ", ".join(f"{v:.1f}" for v in value) + ")"


def _angles(beam: BeamSheet) -> str:
    start, stop = beam.gantry_start_deg, beam.gantry_stop_deg
    if start is None:
        return "—"
    if stop is None or abs(stop - start) < 0.05:
        return _n(start)
    return f"{_n(start)} → {_n(stop)} {beam.gantry_direction or ''}".strip()


def _ssd(beam: BeamSheet) -> str:
    computed = "—" if beam.ssd_mm is None else f"{beam.ssd_mm / 10:.2f} cm"
    if beam.ssd_stored_mm is not None:
        computed += f" (TPS {beam.ssd_stored_mm / 10:.2f} cm)"
    return computed


def _field(beam: BeamSheet) -> str:
    if beam.field_x_mm is None and beam.field_y_mm is None:
        return "—"
    return f"{_n(beam.field_x_mm and beam.field_x_mm / 10)} × " \
           f"{_n(beam.field_y_mm and beam.field_y_mm / 10)} cm"


def _accessories(beam: BeamSheet) -> str:
    parts = list(beam.wedges) + list(beam.blocks) + list(beam.applicators) \
        + list(beam.compensators)
    if beam.boli:
        parts.append(f"{beam.boli} bolus")
    return "; ".join(parts) or "—"


#: Column titles of the beam table (text and the Plan tab), with the cell of each beam.
BEAM_FIELDS: tuple[tuple[str, Any], ...] = (
    ("Beam", lambda b: f"{b.number} {b.name or ''}".strip()),
    ("Use", lambda b: b.delivery_type or "—"),
    ("Radiation", lambda b: " ".join(p for p in (b.radiation_type or "", b.energy or "")
                                     if p) or "—"),
    ("Machine", lambda b: b.machine or "—"),
    ("Technique", lambda b: b.technique + (f"; {b.imaging}" if b.imaging else "")),
    ("MU", lambda b: _n(b.meterset)),
    ("Dose rate", lambda b: _n(b.dose_rate, 0)),
    ("Gantry (°)", _angles),
    ("Coll (°)", lambda b: _n(b.collimator_deg)),
    ("Couch (°)", lambda b: _n(b.couch_deg)),
    ("Isocentre (mm)", lambda b: f"{b.isocentre_label or ''} {_xyz(b.isocentre_mm)}".strip()),
    ("SSD", _ssd),
    ("Field (jaws)", _field),
    ("MLC", lambda b: b.mlc or "—"),
    ("Accessories", _accessories),
    ("Tolerance", lambda b: b.tolerance_table or "—"),
    ("Beam dose (Gy)", lambda b: _n(b.beam_dose_gy, 3)),
    ("Dose point (mm)", lambda b: _xyz(b.dose_point_mm)),
)


def beam_cells(beam: BeamSheet) -> tuple[str, ...]:
    """The beam's cells, in :data:`BEAM_FIELDS` order."""
    return tuple(printable(str(cell(beam))) for _, cell in BEAM_FIELDS)


def header_rows(sheet: PlanSheet) -> list[tuple[str, str]]:
    """Label/value rows of the sheet's header (plan, approval, prescription)."""
    rx = "not stated" if sheet.prescription_gy is None else f"{sheet.prescription_gy:.2f} Gy"
    if sheet.prescription_gy and sheet.fractions_planned:
        rx += f" ({sheet.prescription_gy / sheet.fractions_planned:.2f} Gy × " \
              f"{sheet.fractions_planned})"
    approval = " ".join(p for p in (sheet.approval_status or "—",
                                    f"by {sheet.reviewer_name}" if sheet.reviewer_name else "",
                                    f"on {sheet.review_date}" if sheet.review_date else "")
                        if p)
    rows = [("Plan", f"{sheet.label or '—'} / {sheet.name or '—'} ({sheet.kind})"),
            ("Patient", f"{sheet.patient_name or '—'} ({sheet.patient_id or '—'})"),
            ("Intent", sheet.intent or "—"), ("Date", sheet.date or "—"),
            ("Planning system", " ".join(p for p in (sheet.manufacturer, sheet.model_name)
                                         if p) or "—"),
            ("Approval", approval), ("Prescription", rx),
            ("Prescription source", sheet.prescription_source),
            ("Total MU / fraction", _n(sheet.total_mu_per_fraction)),
            ("SSD to", sheet.ssd_body or "—")]
    for group in sheet.fraction_groups:
        rows.append((f"Fraction group {group.number}",
                     f"{group.fractions_planned} fractions, beams "
                     f"{list(group.beam_numbers) or '—'}"
                     + (f", brachy setups {list(group.brachy_setup_numbers)}"
                        if group.brachy_setup_numbers else "")
                     + _setup_doses(group.brachy_setup_doses_gy)
                     + f", {_n(group.total_mu_per_fraction)} MU/fraction"))
    for iso in sheet.isocentres:
        rows.append((iso.label, f"{_xyz(iso.position_mm)} mm, beams {list(iso.beam_numbers)}"))
    return [(k, printable(v)) for k, v in rows]


def dose_reference_rows(sheet: PlanSheet) -> list[tuple[str, ...]]:
    """Number, description, type, structure type, ROI / point, doses of each reference."""
    return [(str(r.number), printable(r.description or "—"), r.reference_type or "—",
             r.structure_type or "—",
             f"ROI {r.referenced_roi_number}" if r.referenced_roi_number is not None
             else _xyz(r.point_mm),
             "; ".join(f"{label} {value:g} Gy" for label, value in r.doses_gy) or "—")
            for r in sheet.dose_references]


def _table(rows: Iterable[tuple[str, ...]], titles: tuple[str, ...]) -> list[str]:
    rows = [titles, *rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(titles))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
            for r in rows]


def sheet_text(sheet: PlanSheet) -> str:
    """The readable plan sheet: header, dose references, beam table, notes."""
    lines = [f"== {printable(sheet.path)}"]
    width = max(len(k) for k, _ in header_rows(sheet))
    lines += [f"{k.ljust(width)}  {v}" for k, v in header_rows(sheet)]
    if sheet.dose_references:
        lines += ["", "Dose references:"]
        lines += _table(dose_reference_rows(sheet), ("#", "Description", "Type", "Structure",
                                                     "ROI / point (mm)", "Doses"))
    if sheet.beams:
        lines += ["", "Beams:"]
        lines += _table((beam_cells(b) for b in sheet.beams),
                        tuple(t for t, _ in BEAM_FIELDS))
    for beam in sheet.beams:
        for label, value in beam.ion:
            lines.append(f"beam {beam.number}: {label}: {printable(value)}")
    lines += [f"note: {printable(n)}" for n in sheet.notes]
    return "\n".join(lines) + "\n"


def sheet_json(sheets: list[PlanSheet]) -> str:
    """A JSON list with one object per plan sheet."""
    return json.dumps([sheet_as_dict(s) for s in sheets], indent=1, ensure_ascii=False)


def _setup_doses(doses_gy: tuple[float | None, ...]) -> str:
    """``" (Application Setup Dose 6.00156 Gy)"``: what the dwell times are normalised to."""
    stated = [f"{d:g} Gy" for d in doses_gy if d]
    return f" (Application Setup Dose {', '.join(stated)})" if stated else ""
