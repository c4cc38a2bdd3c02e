"""Plan summary: label, intent, prescription, fractions, the beam table and the plan sheet."""

from __future__ import annotations

import contextlib
import html
import threading
from collections.abc import Sequence
from typing import Any

from PySide6 import QtCore, QtWidgets

from rtviewer.printable import printable
from rtviewer.view.beam_accessories import accessory_summary

__all__ = ["PlanPanel", "beam_rows"]

BEAM_COLUMNS = ("Beam", "Type", "Radiation", "Gantry (°)", "Collimator (°)", "Couch (°)", "MU",
                "CPs", "Accessories")


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


def beam_rows(plan: Any) -> list[tuple[str, ...]]:
    """One row of :data:`BEAM_COLUMNS` strings per beam of ``plan`` (file order)."""
    rows: list[tuple[str, ...]] = []
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
                     mu, str(len(cps)), accessory_summary(beam)))
    return rows


def _last_set(cps: tuple[Any, ...], name: str) -> float | None:
    """The last control point's value of an attribute that later points may omit."""
    for cp in reversed(cps):
        value = getattr(cp, name, None)
        if value is not None:
            return float(value)
    return None


def plan_summary_text(plan: Any) -> str:
    """Label, intent, prescription (with its source) and fractions, as rich text."""
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
            ("Approval", plan.approval_status or "—"),
            ("Machine", ", ".join(sorted({b.machine_name for b in plan.beams
                                          if b.machine_name})) or "—")]
    return "<table>" + "".join(f"<tr><td><b>{k}</b>&nbsp;</td><td>{v}</td></tr>"
                               for k, v in rows) + "</table>"


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
        self.summary.setTextInteractionFlags(
            self.summary.textInteractionFlags().TextSelectableByMouse)
        self.beams = QtWidgets.QTableWidget(0, len(BEAM_COLUMNS))
        self.beams.setHorizontalHeaderLabels(list(BEAM_COLUMNS))
        self.beams.verticalHeader().setVisible(False)
        self.beams.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        self.sheet = QtWidgets.QTextBrowser()
        self.sheet.setVisible(False)
        splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        splitter.addWidget(self.beams)
        splitter.addWidget(self.sheet)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        self._numbers: list[int] = []
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
        self.sheet.setHtml(printable(plan_sheet_html(sheet)))
        self.sheet.setVisible(sheet is not None)
        self.sheetShown.emit()

    def set_plan(self, plan: Any) -> None:
        """Show ``plan`` (an :class:`rtviewer.model.plan.Plan`) or nothing."""
        self.summary.setText(plan_summary_text(plan))
        rows = beam_rows(plan)
        self._numbers = [b.number for b in getattr(plan, "beams", ()) or ()]
        with QtCore.QSignalBlocker(self.beams):
            self.beams.setRowCount(len(rows))
            for r, row in enumerate(rows):
                for c, text in enumerate(row):
                    item = QtWidgets.QTableWidgetItem(printable(text))
                    if c == 0:  # check box: beam drawn on the slice views
                        item.setFlags(item.flags() | QtCore.Qt.ItemFlag.ItemIsUserCheckable)
                        item.setCheckState(QtCore.Qt.CheckState.Unchecked)
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


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
