"""Dose controls: reference dose with its source, isodose levels and legend, colourwash."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from rtviewer.model.tg43_mark import is_tg43_dose
from rtviewer.printable import printable
from rtviewer.ui.views.view_state import DEFAULT_ISODOSE_PERCENT, ViewState
from rtviewer.view.reference_dose import ReferenceDose

__all__ = ["DosePanel", "parse_levels"]


def parse_levels(text: str) -> tuple[float, ...]:
    """Isodose levels typed as ``"107, 105 100;95"`` -> floats (invalid entries raise).

    Examples
    --------
    >>> parse_levels("100, 95 50")
    (100.0, 95.0, 50.0)
    """
    parts = [p for p in text.replace(";", " ").replace(",", " ").split() if p]
    values = tuple(float(p) for p in parts)
    if any(v <= 0 for v in values):
        raise ValueError("isodose levels must be positive")
    return values


def _fmt(values: tuple[float, ...]) -> str:
    return ", ".join(f"{v:g}" for v in values)


class DosePanel(QtWidgets.QWidget):
    """Reference dose, isodose levels with a legend, colourwash."""

    def __init__(self, state: ViewState, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self._plan_reference: ReferenceDose | None = None
        self.reference = QtWidgets.QDoubleSpinBox()
        self.reference.setRange(0.0, 1000.0)
        self.reference.setDecimals(3)
        self.reference.setSuffix(" Gy")
        self.reference.setSpecialValueText("none")
        self.source = QtWidgets.QLabel("no reference dose")
        self.source.setWordWrap(True)
        self.use_plan = QtWidgets.QPushButton("Use plan prescription")
        self.levels = QtWidgets.QLineEdit(_fmt(DEFAULT_ISODOSE_PERCENT))
        self.absolute = QtWidgets.QCheckBox("Levels in Gy")
        self.legend = QtWidgets.QListWidget()
        self.wash = QtWidgets.QCheckBox("Colourwash")
        self.threshold = QtWidgets.QDoubleSpinBox()
        self.threshold.setRange(0.0, 200.0)
        self.threshold.setSuffix(" % (low-dose cut)")
        self.threshold.setValue(state.colourwash[1])
        self.dose_info = QtWidgets.QLabel("no dose loaded")
        self.dose_info.setWordWrap(True)
        self.warnings = QtWidgets.QLabel()
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet("color: #b00000; font-weight: bold")
        self.warnings.hide()
        form = QtWidgets.QFormLayout(self)
        form.addRow("Dose", self.dose_info)
        form.addRow(self.warnings)
        form.addRow("Reference", self.reference)
        form.addRow("", self.source)
        form.addRow("", self.use_plan)
        form.addRow("Isodose levels", self.levels)
        form.addRow("", self.absolute)
        form.addRow(self.legend)
        form.addRow(self.wash, self.threshold)
        self.reference.editingFinished.connect(self._on_reference_edited)
        self.use_plan.clicked.connect(lambda: self.state.set_reference_dose(self._plan_reference))
        self.levels.editingFinished.connect(self._on_levels_edited)
        self.absolute.toggled.connect(self._on_absolute_toggled)
        self.wash.toggled.connect(lambda on: self.state.set_colourwash(on))
        self.threshold.valueChanged.connect(
            lambda v: self.state.set_colourwash(self.state.colourwash[0], v))
        for signal in (state.referenceDoseChanged, state.isodoseLevelsChanged,
                       state.isodoseAbsoluteChanged, state.colourwashChanged):
            signal.connect(self._sync)
        self._sync()

    def set_dose(self, dose: object | None) -> None:
        """Describe the shown RT Dose: file, summation and dose type, units, maximum."""
        if dose is None:
            self.dose_info.setText("no dose loaded")
            self.dose_info.setToolTip("")
            return
        summation, dose_type, units = [getattr(getattr(dose, a), "value", None) or "?"
                                       for a in ("summation_type", "dose_type", "units")]
        path = dose.path  # type: ignore[attr-defined]
        self.dose_info.setToolTip(str(path))  # the file (often a UID) only here
        beams = getattr(dose, "referenced_beam_numbers", ())
        beam = (f", beam {', '.join(map(str, beams))}"
                if summation == "BEAM" and beams else "")  # six BEAM doses differ by beam
        text = (f"{summation} dose{beam} ({dose_type}, {units}), "
                f"maximum {dose.max_gy:.3f} "  # type: ignore[attr-defined]
                f"{'Gy' if dose.is_absolute else '(relative units)'}")  # type: ignore[attr-defined]
        lines = [text]
        if is_tg43_dose(dose):  # type: ignore[arg-type]
            # never to be taken for the planning system's dose: say what it is
            lines.append(next(f.message for f in dose.findings))  # type: ignore[attr-defined]
        self.dose_info.setText("\n".join(printable(line) for line in lines))

    def set_warnings(self, warnings: tuple[str, ...]) -> None:
        """Flag what makes the dose's percentages doubtful (another plan, implausible peak)."""
        self.warnings.setText("\n".join(f"⚠ {printable(w)}" for w in warnings))
        self.warnings.setVisible(bool(warnings))

    def set_plan_reference(self, reference: ReferenceDose | None) -> None:
        """The plan's own reference (what "Use plan prescription" restores)."""
        self._plan_reference = reference
        self.use_plan.setEnabled(reference is not None)

    # -- view -> state ----------------------------------------------------------------
    def _on_reference_edited(self) -> None:
        value = self.reference.value()
        current = self.state.reference_dose
        if value <= 0:
            self.state.set_reference_dose(None)
        elif current is None or abs(current.dose_gy - value) > 1e-9:
            self.state.set_reference_dose(ReferenceDose(value, "user"))

    def _on_levels_edited(self) -> None:
        try:
            self.state.set_isodose_levels(parse_levels(self.levels.text()))
        except ValueError:
            self._sync()  # put the valid levels back

    def _on_absolute_toggled(self, on: bool) -> None:
        """Switching units converts the levels so the lines stay where they are."""
        reference = self.state.reference_dose
        levels = self.state.isodose_levels
        if reference is not None:
            factor = reference.dose_gy / 100.0
            levels = tuple(v * factor for v in levels) if on else tuple(v / factor for v in levels)
        self.state.set_isodose_absolute(on)
        self.state.set_isodose_levels(levels)

    # -- state -> view ----------------------------------------------------------------
    def _sync(self, *_args: object) -> None:
        s = self.state
        reference = s.reference_dose
        with QtCore.QSignalBlocker(self.reference):
            self.reference.setValue(reference.dose_gy if reference else 0.0)
        self.source.setText(f"source: {reference.source}" if reference else "no reference dose")
        with QtCore.QSignalBlocker(self.levels):
            self.levels.setText(_fmt(s.isodose_levels))
        with QtCore.QSignalBlocker(self.absolute):
            self.absolute.setChecked(s.isodose_absolute)
        with QtCore.QSignalBlocker(self.wash), QtCore.QSignalBlocker(self.threshold):
            self.wash.setChecked(s.colourwash[0])
            self.threshold.setValue(s.colourwash[1])
        self._fill_legend()

    def refresh_legend(self) -> None:
        """Redraw the legend (another structure set changes the isodoses' colours)."""
        self._fill_legend()

    def _fill_legend(self) -> None:
        self.legend.clear()
        # the colours the lines have: the palette keeps clear of the structures' colours
        colours = self.state.isodose_colours()
        for level, gy, rgb in zip(self.state.isodose_levels, self.state.isodose_levels_gy(),
                                  colours, strict=False):
            text = (f"{gy:.2f} Gy" if self.state.isodose_absolute
                    else f"{level:g} %  =  {gy:.2f} Gy")
            pixmap = QtGui.QPixmap(24, 4)
            pixmap.fill(QtGui.QColor(*rgb))
            self.legend.addItem(QtWidgets.QListWidgetItem(QtGui.QIcon(pixmap), text))
        if self.legend.count() == 0:
            self.legend.addItem("set a reference dose to draw relative isodoses")
