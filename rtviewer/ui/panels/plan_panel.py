"""Plan summary and the table that fits the plan, above the plan sheet.

External beams: one row per beam with energy, angles, MU, dose rate, jaw field size,
SSD (once the plan sheet has computed it to the body outline), isocentre, tolerance
table and accessories; the summary adds the total MU and the isocentres. Brachytherapy:
one row per channel (applicator, source, dwells, time) instead of an empty beam
table; the summary names afterloader, source and the reference points with their
coordinates (the dwell table and the TG-43 check are the Brachy tab's).
"""

from __future__ import annotations

import contextlib
import html
import threading
from collections.abc import Sequence
from typing import Any

from PySide6 import QtCore, QtWidgets

from rtviewer.model.structure import ContourType
from rtviewer.printable import printable
from rtviewer.view.beam_accessories import accessory_summary

__all__ = ["PlanPanel", "beam_rows", "channel_rows"]

BEAM_COLUMNS = ("Beam", "Type", "Radiation", "Gantry (°)", "Collimator (°)", "Couch (°)", "MU",
                "CPs", "Accessories", "Dose rate (MU/min)", "Field X × Y (jaws)", "SSD",
                "Isocentre (mm)", "Tolerance table")
#: The plan sheet's columns (``model.plan_sheet_text.BEAM_FIELDS``) after BEAM_COLUMNS[:9].
_SHEET_COLUMNS = ("Dose rate", "Field (jaws)", "SSD", "Isocentre (mm)", "Tolerance")
CHANNEL_COLUMNS = ("Channel", "Applicator", "Source", "Dwells", "Time (s)", "Step (mm)",
                   "Length (mm)", "Transfer tube")


def _deg(value: float) -> str:
    """An angle to 0.1°, without trailing zeros (stored 7e-10 is shown as 0)."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _angle(first: float | None, last: float | None) -> str:
    if first is None:
        return "—"
    if last is None or abs(last - first) < 0.05:
        return _deg(first)
    return f"{_deg(first)} → {_deg(last)}"


def _enum_text(value: Any) -> str:
    return "" if value is None else str(getattr(value, "value", value))


def _sheet_cells(sheet: Any, number: int) -> tuple[str, ...]:
    """The plan sheet's dose rate, field, SSD, isocentre and tolerance cells of a beam."""
    from rtviewer.model.plan_sheet_text import BEAM_FIELDS

    beam = sheet.beam(number) if sheet is not None else None
    if beam is None:
        return ("—",) * len(_SHEET_COLUMNS)
    cells = dict(BEAM_FIELDS)
    return tuple(str(cells[title](beam)) for title in _SHEET_COLUMNS)


def quick_sheet(plan: Any) -> Any:
    """The plan sheet without SSDs (no body outline): milliseconds, for the beam table."""
    from rtviewer.model.plan_sheet import build_plan_sheet

    if plan is None or not getattr(plan, "beams", ()):
        return None
    return build_plan_sheet(plan, None)


def beam_rows(plan: Any, sheet: Any = None) -> list[tuple[str, ...]]:
    """One row of :data:`BEAM_COLUMNS` strings per beam of ``plan`` (file order).

    ``sheet`` (the plan sheet of ``plan``) gives the last columns; without it they
    come from a sheet built here without SSDs.
    """
    rows: list[tuple[str, ...]] = []
    if sheet is None:
        sheet = quick_sheet(plan)
    for beam in getattr(plan, "beams", ()) or ():
        cps = beam.control_points
        first = cps[0] if cps else None
        last = cps[-1] if cps else None

        def attr(cp: Any, name: str) -> float | None:
            return getattr(cp, name, None) if cp is not None else None

        energy = beam.nominal_energy
        radiation = _enum_text(beam.radiation_type)
        if energy is not None:
            unit = "MV" if radiation == "PHOTON" else "MeV"
            radiation += f" {energy:g} {unit}"
        kind = " ".join(t for t in (_enum_text(beam.beam_type), _enum_text(beam.delivery_type))
                        if t)
        mu = f"{beam.meterset:.1f}" if beam.meterset is not None else "—"
        rows.append((f"{beam.number}: {beam.name or ''}".strip(), kind, radiation.strip(),
                     _angle(attr(first, "gantry_angle_deg"), _last_set(cps, "gantry_angle_deg")),
                     _angle(attr(first, "collimator_angle_deg"), attr(last, "collimator_angle_deg")
                            if attr(last, "collimator_angle_deg") is not None else None),
                     _angle(attr(first, "couch_angle_deg"), None),
                     mu, str(len(cps)), accessory_summary(beam))
                    + _sheet_cells(sheet, beam.number))
    return rows


def _number(value: float | None, fmt: str = ".1f") -> str:
    return "—" if value is None else format(value, fmt)


def channel_rows(plan: Any) -> list[tuple[str, ...]]:
    """One row of :data:`CHANNEL_COLUMNS` strings per brachy channel (file order).

    Dwells counts positions with a time above zero, of all stated; times are per pulse
    (as Channel Total Time).
    """
    brachy = getattr(plan, "brachy", None)
    if brachy is None:
        return []
    sources = {s.number: s for s in brachy.sources}
    rows: list[tuple[str, ...]] = []
    for c in brachy.channels:
        applicator = " ".join(str(t) for t in (c.source_applicator_id, c.source_applicator_name,
                                                c.source_applicator_type) if t) or "—"
        if c.referenced_roi_number is not None:
            applicator += f" (ROI {c.referenced_roi_number})"
        source = sources.get(c.referenced_source_number)
        source_text = (f"{c.referenced_source_number}: {source.isotope_name or '?'}"
                       if source is not None else _number(c.referenced_source_number, "d"))
        times = c.dwell_times_s
        dwells = ("—" if times is None
                  else f"{int((times > 0).sum())} of {len(times)}")
        tube = _number(c.transfer_tube_length_mm) if c.transfer_tube_number is not None else "—"
        rows.append((_number(c.number, "d"), applicator, source_text, dwells,
                     _number(c.total_time_s), _number(c.source_applicator_step_size_mm),
                     _number(c.length_mm), tube))
    return rows


def _last_set(cps: tuple[Any, ...], name: str) -> float | None:
    """The last control point's value of an attribute that later points may omit."""
    for cp in reversed(cps):
        value = getattr(cp, name, None)
        if value is not None:
            return float(value)
    return None


def plan_summary_text(plan: Any, structures: Any = None) -> str:
    """Label, intent, prescription (with its source) and fractions, as rich text.

    ``structures`` gives the coordinates of dose references that name a POINT ROI.
    """
    if plan is None:
        return "<i>No plan loaded.</i>"
    p = plan.prescription
    dose = f"{p.dose_gy:.2f} Gy" if p is not None and p.dose_gy else "not stated"
    fractions = plan.fractions_planned
    per_fraction = (f" ({p.dose_gy / fractions:.2f} Gy × {fractions})"
                    if p is not None and p.dose_gy and fractions else "")
    rows = [("Label", plan.label or "—"), ("Name", plan.name or "—"),
            ("Intent", plan.intent or "—"), ("Prescription", dose + per_fraction),
            ("Source", p.source if p is not None else "—"),
            ("Fractions", str(fractions) if fractions else "—"),
            ("Approval", plan.approval_status or "—")]
    rows += _brachy_rows(plan, structures) if getattr(plan, "brachy", None) is not None \
        else _external_rows(plan)
    return "<table>" + "".join(f"<tr><td valign='top'><b>{k}</b>&nbsp;</td>"
                               f"<td>{html.escape(v)}</td></tr>" for k, v in rows) + "</table>"


def _external_rows(plan: Any) -> list[tuple[str, str]]:
    """Machine, total MU per fraction and the isocentres (with their beams)."""
    rows = [("Machine", ", ".join(sorted({b.machine_name for b in plan.beams
                                          if b.machine_name})) or "—")]
    sheet = quick_sheet(plan)
    if sheet is None:
        return rows
    total = sheet.total_mu_per_fraction
    rows.append(("Total MU", "—" if total is None else f"{total:.1f} MU per fraction"))
    for iso in sheet.isocentres:
        xyz = ", ".join(f"{v:.1f}" for v in iso.position_mm)
        beams = ", ".join(str(n) for n in iso.beam_numbers)
        rows.append(("Isocentre", f"{iso.label} ({xyz}) mm, beams {beams}".strip()))
    return rows


def _reference_xyz(reference: Any, structures: Any) -> tuple[tuple[float, ...] | None, str]:
    """A dose reference's point (mm) and where it comes from: the plan or its POINT ROI."""
    if reference.point_mm is not None:
        return tuple(float(v) for v in reference.point_mm), ""
    number = reference.referenced_roi_number
    if number is None or structures is None:
        return None, ""
    roi = next((r for r in structures.rois if r.roi_number == number), None)
    point = next((c.points_mm[0] for c in (roi.contours if roi is not None else ())
                  if c.contour_type is ContourType.POINT and len(c.points_mm)), None)
    if point is None or roi is None:
        return None, ""
    return tuple(float(v) for v in point), f", ROI {number} '{roi.name}'"


def _brachy_rows(plan: Any, structures: Any = None) -> list[tuple[str, str]]:
    """Treatment, afterloader, sources, total time and the reference points' coordinates."""
    b = plan.brachy
    kind = b.treatment_type.value if b.treatment_type is not None else "Brachytherapy"
    total = sum(c.total_time_s or 0.0 for c in b.channels)
    rows = [("Treatment", f"{kind} {b.technique or ''}".strip()),
            ("Afterloader", b.machine_name or "—"),
            ("Total time", f"{total:.1f} s in {len(b.channels)} channel(s)")]
    for s in b.sources:
        strength = ("strength not stated" if s.reference_air_kerma_rate is None
                    else f"RAKR {s.reference_air_kerma_rate:g} µGy·h⁻¹ at 1 m")
        when = f" on {s.strength_reference:%Y-%m-%d %H:%M}" if s.strength_reference else ""
        rows.append((f"Source {s.number}", f"{s.isotope_name or '?'} ({s.source_type or '?'}),"
                     f" {strength}{when}"))
    placed = 0
    for d in plan.dose_references:
        xyz, where = _reference_xyz(d, structures)
        if xyz is None:
            continue
        placed += 1
        dose = (f", {d.target_prescription_dose_gy:g} Gy" if d.target_prescription_dose_gy
                else "")
        rows.append(("Reference point", f"{d.number} {d.description or ''}: "
                     f"({xyz[0]:.1f}, {xyz[1]:.1f}, {xyz[2]:.1f}) mm{where}{dose}"))
    if not placed:
        rows.append(("Reference point", "none with coordinates (in the plan or as a POINT ROI "
                     "of the structure set)"))
    rows.append(("Dwells", "positions, times and the TG-43 check: the Brachy tab"))
    return rows


def plan_sheet_html(sheet: Any) -> str:
    """The plan sheet (:class:`rtviewer.model.plan_sheet.PlanSheet`) as rich text tables."""
    from rtviewer.model.plan_sheet_text import (
        BEAM_FIELDS,
        beam_cells,
        dose_reference_rows,
        header_rows,
    )

    if sheet is None:
        return ""

    def table(titles: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
        head = "".join(f"<th align='left'>{html.escape(t)}</th>" for t in titles)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>"
                       for row in rows)
        head = f"<tr>{head}</tr>" if any(titles) else ""
        return f"<table border='1' cellspacing='0' cellpadding='2'>{head}{body}</table>"

    parts = ["<h3>Plan sheet</h3>", table(("", ""), header_rows(sheet))]
    if sheet.dose_references:
        parts += ["<h4>Dose references</h4>",
                  table(("#", "Description", "Type", "Structure", "ROI / point (mm)", "Doses"),
                        dose_reference_rows(sheet))]
    if sheet.beams:
        parts += ["<h4>Beams</h4>", table(tuple(t for t, _ in BEAM_FIELDS),
                                          [beam_cells(b) for b in sheet.beams])]
    parts += [f"<p><i>{html.escape(n)}</i></p>" for n in sheet.notes]
    return "".join(parts)


def compute_plan_sheet(plan: Any, structures: Any, model: str = "slab") -> Any:
    """The plan sheet with SSDs to the structure set's body outline (worker thread)."""
    from rtviewer.core.structure_model import build_structure_model, describe_model
    from rtviewer.model.plan_sheet import build_plan_sheet, find_body_roi

    body = body_name = None
    if structures is not None:
        roi, how = find_body_roi(structures.rois)
        if roi is not None:
            body = build_structure_model(roi.closed_polygons_mm(), model)
            body_name = f"{how}, structure model {model}: {describe_model(model)}"
        else:
            body_name = how
    return build_plan_sheet(plan, body, body_name=body_name)


class PlanPanel(QtWidgets.QWidget):
    """Shows the loaded plan; the beam check boxes emit ``beamToggled(number, shown)``.

    :meth:`show_sheet` fills the plan sheet below the beam table; its SSDs are computed
    in a daemon thread (``sheetShown`` when it is on screen).
    """

    beamToggled = QtCore.Signal(int, bool)
    sheetShown = QtCore.Signal()
    _sheetComputed = QtCore.Signal(int, object)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QtWidgets.QLabel(plan_summary_text(None))
        # long values (a prescription's source, a reference point) wrap in their cell:
        # unwrapped they ran past the side panel's edge
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(
            self.summary.textInteractionFlags().TextSelectableByMouse)
        self.beams = QtWidgets.QTableWidget(0, len(BEAM_COLUMNS))
        self.beams.setHorizontalHeaderLabels(list(BEAM_COLUMNS))
        self.beams.verticalHeader().setVisible(False)
        self.beams.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.channels = QtWidgets.QTableWidget(0, len(CHANNEL_COLUMNS))
        self.channels.setHorizontalHeaderLabels(list(CHANNEL_COLUMNS))
        self.channels.verticalHeader().setVisible(False)
        self.channels.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.channels.setVisible(False)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        self.sheet = QtWidgets.QTextBrowser()
        self.sheet.setVisible(False)
        splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        splitter.addWidget(self.beams)
        splitter.addWidget(self.channels)
        splitter.addWidget(self.sheet)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        self._numbers: list[int] = []
        self._plan: Any = None
        self._sheet_token = 0
        self.asynchronous = True
        self.sheet_model: Any = None
        self.beams.itemChanged.connect(self._on_item_changed)
        self._sheetComputed.connect(self._on_sheet_computed)

    def show_sheet(self, plan: Any, structures: Any) -> None:
        """Compute and show the plan sheet of ``plan`` (SSDs to ``structures``' body).

        In a daemon thread unless ``self.asynchronous`` is False (offscreen renders).
        """
        self._sheet_token += 1
        token = self._sheet_token
        if plan is not None and plan is self._plan:
            self.summary.setText(plan_summary_text(plan, structures))  # ROI points placed
        if plan is None:
            self._on_sheet_computed(token, None)
            return
        if not self.asynchronous:
            self._on_sheet_computed(token, compute_plan_sheet(plan, structures))
            return
        self.sheet.setHtml("<i>Computing the plan sheet (SSDs to the body outline)…</i>")
        self.sheet.setVisible(True)

        def work() -> None:
            result = compute_plan_sheet(plan, structures)
            with contextlib.suppress(RuntimeError):  # the panel was closed meanwhile
                self._sheetComputed.emit(token, result)

        threading.Thread(target=work, daemon=True, name="rtviewer-plan-sheet").start()

    def _on_sheet_computed(self, token: int, sheet: Any) -> None:
        if token != self._sheet_token:
            return  # another plan was loaded meanwhile
        self.sheet_model = sheet
        if sheet is not None and self._plan is not None and self._numbers:
            self._fill_beams(beam_rows(self._plan, sheet))  # now with the SSDs
        self.sheet.setHtml(printable(plan_sheet_html(sheet)))
        self.sheet.setVisible(sheet is not None)
        self.sheetShown.emit()

    def set_plan(self, plan: Any) -> None:
        """Show ``plan`` (an :class:`rtviewer.model.plan.Plan`) or nothing."""
        self._plan = plan
        self.summary.setText(plan_summary_text(plan))
        self._numbers = [b.number for b in getattr(plan, "beams", ()) or ()]
        brachy = getattr(plan, "brachy", None) is not None
        self.beams.setVisible(not brachy)
        self.channels.setVisible(brachy)
        with QtCore.QSignalBlocker(self.beams):
            self.beams.setRowCount(0)  # another plan: no check box carried over
        self._fill_beams(beam_rows(plan))
        _fill_table(self.channels, channel_rows(plan))

    def _fill_beams(self, rows: list[tuple[str, ...]]) -> None:
        """The beam rows, keeping the check boxes' state (the SSDs arrive later)."""
        checks = [self.beams.item(r, 0) for r in range(len(self._numbers))]
        shown = {n for n, item in zip(self._numbers, checks, strict=True) if item is not None
                 and item.checkState() == QtCore.Qt.CheckState.Checked}
        with QtCore.QSignalBlocker(self.beams):
            self.beams.setRowCount(len(rows))
            for r, row in enumerate(rows):
                for c, text in enumerate(row):
                    item = QtWidgets.QTableWidgetItem(printable(text))
                    if c == 0:  # check box: beam drawn on the slice views
                        item.setFlags(item.flags() | QtCore.Qt.ItemFlag.ItemIsUserCheckable)
                        item.setCheckState(QtCore.Qt.CheckState.Checked
                                           if self._numbers[r] in shown
                                           else QtCore.Qt.CheckState.Unchecked)
                    elif _is_number(text):  # angles, MU, CPs right-aligned, as in a TPS
                        item.setTextAlignment(QtCore.Qt.AlignmentFlag.AlignRight
                                              | QtCore.Qt.AlignmentFlag.AlignVCenter)
                    self.beams.setItem(r, c, item)
        self.beams.resizeColumnsToContents()

    def set_visible_beams(self, numbers: frozenset[int]) -> None:
        """Tick the check boxes of the beams drawn on the slice views."""
        with QtCore.QSignalBlocker(self.beams):
            for r, number in enumerate(self._numbers):
                item = self.beams.item(r, 0)
                if item is not None:
                    item.setCheckState(QtCore.Qt.CheckState.Checked if number in numbers
                                       else QtCore.Qt.CheckState.Unchecked)

    def _on_item_changed(self, item: QtWidgets.QTableWidgetItem) -> None:
        if item.column() == 0 and item.row() < len(self._numbers):
            self.beamToggled.emit(self._numbers[item.row()],
                                  item.checkState() == QtCore.Qt.CheckState.Checked)


def _fill_table(table: QtWidgets.QTableWidget, rows: list[tuple[str, ...]]) -> None:
    """Rows of strings, numbers right-aligned."""
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            item = QtWidgets.QTableWidgetItem(printable(text))
            if _is_number(text):
                item.setTextAlignment(QtCore.Qt.AlignmentFlag.AlignRight
                                      | QtCore.Qt.AlignmentFlag.AlignVCenter)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
