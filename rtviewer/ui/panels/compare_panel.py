"""The Compare tab: dose B against the shown dose A, two structure sets, two plan sheets.

B is one RT Dose of the patient (another plan's, a recalculation) or the weighted sum of
several (check more than one; weights e.g. the fractions of a FRACTION dose) or a file.
The comparison runs in a worker with a progress bar (:mod:`rtviewer.ui.workers.
compare_worker`); its result goes to :class:`~rtviewer.ui.views.compare_state.
CompareState`, which the slice overlays (B isodoses dashed, B − A, gamma) and the DVH
panel (B curves dashed) follow, and fills the metric table, the gamma pass rates and the
plan sheets side by side.  Doses or structure sets on another Frame of Reference are
brought into A's by a rigid Spatial Registration found beside them, or refused with the
reason; a Deformable Spatial Registration is named out of scope.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from rtviewer.core.gamma import GammaCriteria, parse_criteria
from rtviewer.model.dose import Dose
from rtviewer.model.index import Instance
from rtviewer.model.kind import Kind
from rtviewer.model.registration import SpatialRegistration
from rtviewer.model.structure import StructureSet
from rtviewer.printable import printable
from rtviewer.ui.panels.dose_choice import DoseMaxima
from rtviewer.ui.views.compare_state import CompareState
from rtviewer.ui.workers.compare_worker import (
    DoseCompareJob,
    DoseCompareOutcome,
    DoseCompareWorker,
    StructureCompareOutcome,
    StructureCompareWorker,
)
from rtviewer.view.compare_frames import matrix_text
from rtviewer.view.compare_rows import Cell, gamma_summary, metric_table, structure_table
from rtviewer.view.compare_sources import has_compare_candidates
from rtviewer.view.dose_labels import (
    dose_kind,
    dose_label,
    plan_dose_labels,
    plan_name,
    short_name,
)
from rtviewer.view.scene import Scene

__all__ = ["HIGHLIGHT", "ComparePanel", "criteria_or_say", "fill_table"]

#: Background of a highlighted (notable) difference.
HIGHLIGHT = QtGui.QColor(255, 205, 205)
#: Item data role of a source row's name in B's label ("Lung VMAT dose").
_NAME_ROLE = QtCore.Qt.ItemDataRole.UserRole + 1


def fill_table(table: QtWidgets.QTableWidget, headers: Sequence[str],
               rows: Sequence[Sequence[Cell]]) -> None:
    """Replace a table's content with text cells, highlighted ones on :data:`HIGHLIGHT`."""
    table.clear()
    table.setColumnCount(len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            item = QtWidgets.QTableWidgetItem(printable(cell.text))
            if cell.highlight:
                item.setBackground(HIGHLIGHT)
            table.setItem(r, c, item)
    table.resizeColumnsToContents()


def criteria_or_say(read: Callable[[], GammaCriteria | None], status: QtWidgets.QLabel
                    ) -> tuple[bool, GammaCriteria | None]:
    """``(True, criteria)`` from a form's reader, or ``(False, None)`` with the error said."""
    try:
        return True, read()
    except ValueError as exc:
        status.setText(str(exc))
        return False, None


def _table() -> QtWidgets.QTableWidget:
    table = QtWidgets.QTableWidget(0, 0)
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
    return table


def _label() -> QtWidgets.QLabel:
    label = QtWidgets.QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class ComparePanel(QtWidgets.QWidget):
    """The Compare tab of the viewer.

    Parameters
    ----------
    compare_state : CompareState
        Written with each finished comparison and the display choices.
    """

    #: A dose comparison is on screen (or was cleared: None).
    compared = QtCore.Signal(object)

    def __init__(self, compare_state: CompareState,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.compare_state = compare_state
        self.scene = Scene()
        self.model = "slab"
        self.outcome: DoseCompareOutcome | None = None
        self.structure_outcome: StructureCompareOutcome | None = None
        self._worker: DoseCompareWorker | None = None
        self._b_label = self._gamma_label = ""
        self._gamma_running = False
        self._structure_worker: StructureCompareWorker | None = None
        self._instances: list[Instance] = []
        #: Series description of each file of the patient (tells recalculations apart)
        self._series: Mapping[Path, str | None] = {}
        #: Maxima of the offered doses, read in the background ("max 63.3 Gy")
        self.maxima = DoseMaxima(self)
        self.maxima.found.connect(self._relabel_sources)
        self.has_candidates = False  # another dose or structure set of the patient
        self.registrations: list[SpatialRegistration] = []
        self.deformable: list[Path] = []
        self._registrations_text = ""
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        self.a_label = _label()
        layout.addWidget(self.a_label)
        layout.addWidget(self._build_sources(), 2)
        layout.addLayout(self._build_gamma())
        layout.addLayout(self._build_run())
        layout.addLayout(self._build_display())
        self.frames = _label()
        layout.addWidget(self.frames)
        self.results = QtWidgets.QTabWidget()
        self.metrics = _table()
        self.gamma_line = _label()
        page = QtWidgets.QWidget()
        page_layout = QtWidgets.QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.addWidget(self.gamma_line)
        page_layout.addWidget(self.metrics)
        self.results.addTab(page, "DVH metrics")
        self.sheets = _table()
        self.sheet_note = _label()
        self.results.addTab(self._page(self.sheet_note, self.sheets), "Plans")
        self.results.addTab(self._build_structures(), "Structure sets")
        layout.addWidget(self.results, 5)
        self._show_a()

    @staticmethod
    def _page(*widgets: QtWidgets.QWidget) -> QtWidgets.QWidget:
        page = QtWidgets.QWidget()
        page_layout = QtWidgets.QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        for widget in widgets:
            page_layout.addWidget(widget)
        return page

    # -- construction -------------------------------------------------------------------
    def _build_sources(self) -> QtWidgets.QWidget:
        box = QtWidgets.QGroupBox("B: check one dose, or several for their weighted sum")
        self.sources = QtWidgets.QTableWidget(0, 2)
        self.sources.setHorizontalHeaderLabels(["Dose", "Weight"])
        self.sources.verticalHeader().setVisible(False)
        # one line per dose: in a narrow panel its middle elided, the plan's name and the
        # maximum kept (the whole in the tooltip)
        self.sources.setWordWrap(False)
        self.sources.setTextElideMode(QtCore.Qt.TextElideMode.ElideMiddle)
        self.sources.verticalHeader().setSectionResizeMode(
            QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        self.sources.horizontalHeader().setStretchLastSection(False)
        self.sources.horizontalHeader().setSectionResizeMode(
            0, QtWidgets.QHeaderView.ResizeMode.Stretch)
        self.sources.horizontalHeader().setSectionResizeMode(
            1, QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        self.add_file = QtWidgets.QPushButton("Add file…")
        self.add_file.clicked.connect(self._ask_file)
        inner = QtWidgets.QVBoxLayout(box)
        inner.setContentsMargins(2, 2, 2, 2)
        inner.addWidget(self.sources)
        inner.addWidget(self.add_file, 0, QtCore.Qt.AlignmentFlag.AlignLeft)
        return box

    def _build_gamma(self) -> QtWidgets.QHBoxLayout:
        self.gamma_edit = QtWidgets.QLineEdit("3%/3mm")
        self.gamma_edit.setToolTip("Gamma criteria (AAPM TG-218), e.g. 3%/3mm; empty: no gamma")
        self.gamma_edit.setMaximumWidth(80)
        # "3%/3mm" whole in a narrow panel (the other fields give way first)
        self.gamma_edit.setMinimumWidth(
            self.gamma_edit.fontMetrics().horizontalAdvance("3%/3mm") + 14)
        self.cutoff = QtWidgets.QDoubleSpinBox()
        self.cutoff.setRange(0.0, 99.0)
        self.cutoff.setValue(10.0)
        self.cutoff.setSuffix(" % cut-off")
        self.cutoff.setToolTip("Low-dose cut-off, % of A's maximum")
        self.cutoff.setMinimumWidth(self.cutoff.sizeHint().width())
        self.local = QtWidgets.QCheckBox("local")
        self.exact_gamma = QtWidgets.QCheckBox("γ values")
        self.exact_gamma.setToolTip(
            "Gamma values on a scale up to 2: passing voxels as the full search gives "
            "them, failing ones searched beyond the DTA at half the step (within about "
            "0.1); minutes where the doses really differ. Otherwise pass / fail only: "
            "each voxel searched within the DTA until it passes, the same pass rates in "
            "seconds to tens of seconds.")
        row = QtWidgets.QHBoxLayout()
        row.addWidget(QtWidgets.QLabel("γ"))
        for widget in (self.gamma_edit, self.cutoff, self.local, self.exact_gamma):
            row.addWidget(widget)
        row.addStretch(1)
        return row

    def _build_run(self) -> QtWidgets.QHBoxLayout:
        self.compare_button = QtWidgets.QPushButton("Compare")
        self.compare_button.clicked.connect(self.start)
        self.clear_button = QtWidgets.QPushButton("Clear")
        self.clear_button.clicked.connect(self.clear)
        self.cancel_button = QtWidgets.QPushButton("Cancel")
        self.cancel_button.setToolTip("During gamma: drop the gamma, keep the rest of the "
                                      "comparison. Before: stop the comparison.")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setEnabled(False)
        self.progress = QtWidgets.QProgressBar()
        self.progress.setMaximumHeight(16)
        # gamma's own bar: slabs of slices searched / all slabs
        self.gamma_progress = QtWidgets.QProgressBar()
        self.gamma_progress.setMaximumHeight(16)
        self.gamma_progress.setFormat("γ %v/%m slabs")
        self.gamma_progress.setVisible(False)
        self.status = _label()
        row = QtWidgets.QHBoxLayout()
        for widget in (self.compare_button, self.clear_button, self.cancel_button,
                       self.progress, self.gamma_progress):
            row.addWidget(widget)
        outer = QtWidgets.QVBoxLayout()
        outer.addLayout(row)
        outer.addWidget(self.status)
        wrapper = QtWidgets.QHBoxLayout()
        wrapper.addLayout(outer)
        return wrapper

    def _build_display(self) -> QtWidgets.QVBoxLayout:
        state = self.compare_state
        self.b_isodoses = QtWidgets.QCheckBox("B isodoses")
        self.b_isodoses.setToolTip("B's isodose lines, dashed, at A's levels")
        self.b_isodoses.setChecked(state.b_isodoses)
        self.b_isodoses.toggled.connect(state.set_b_isodoses)
        self.map_choice = QtWidgets.QComboBox()
        self.map_choice.addItem("No map", "none")
        self.map_choice.addItem("B − A", "difference")
        self.map_choice.addItem("Gamma", "gamma")
        self.map_choice.setCurrentIndex(self.map_choice.findData(state.map))
        self.map_choice.currentIndexChanged.connect(
            lambda i: state.set_map(self.map_choice.itemData(i)))
        self.unit_choice = QtWidgets.QComboBox()
        self.unit_choice.addItems(["Gy", "% of A max"])
        self.unit_choice.currentIndexChanged.connect(lambda i: state.set_percent(i == 1))
        self.limit = QtWidgets.QDoubleSpinBox()
        self.limit.setRange(0.0, 1000.0)
        self.limit.setDecimals(2)
        self.limit.setSpecialValueText("auto ±")
        self.limit.setToolTip("The difference drawn darkest (red: B above A, blue: below); "
                              "auto: the 99th percentile of |B − A| where A is at least "
                              "10 % of its maximum")
        self.limit.valueChanged.connect(state.set_limit)
        # two rows: whole in a side panel of 1280x800's width
        rows = QtWidgets.QVBoxLayout()
        for widgets in ((self.b_isodoses, QtWidgets.QLabel("Map"), self.map_choice),
                        (QtWidgets.QLabel("Scale"), self.unit_choice, self.limit)):
            row = QtWidgets.QHBoxLayout()
            for widget in widgets:
                row.addWidget(widget)
            row.addStretch(1)
            rows.addLayout(row)
        return rows

    def _build_structures(self) -> QtWidgets.QWidget:
        self.structure_choice = QtWidgets.QComboBox()
        self.structure_choice.setToolTip("Structure set B, compared with the shown one (A)")
        self.structure_button = QtWidgets.QPushButton("Compare structures")
        self.structure_button.clicked.connect(self.start_structures)
        self.structure_table = _table()
        self.structure_status = _label()
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.structure_choice, 1)
        row.addWidget(self.structure_button)
        page = QtWidgets.QWidget()
        page_layout = QtWidgets.QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.addLayout(row)
        page_layout.addWidget(self.structure_status)
        page_layout.addWidget(self.structure_table)
        return page

    # -- inputs -------------------------------------------------------------------------
    def set_scene(self, scene: Scene, model: str | None = None) -> None:
        """A new scene: its dose is A; any comparison on screen is cleared."""
        self.scene = scene
        if model is not None:
            self.model = model
        self.clear()
        self._show_a()

    def _show_a(self) -> None:
        dose = self.scene.dose
        if dose is None:
            self.a_label.setText("A (reference): no dose on screen: open a plan with a dose.")
        else:
            self.a_label.setText(printable(f"A (reference): the dose on screen, {self._a_name()}, "
                                           f"max {dose.max_gy:.2f} Gy"))
        self.compare_button.setEnabled(dose is not None)

    def _a_name(self) -> str:
        """A's plan label ("Lung 3DCRT dose"), else its dose kind ("PLAN dose") or file."""
        label = getattr(self.scene.plan, "label", None)
        if label:
            return f"{label} dose"
        dose = self.scene.dose
        if dose is None:
            return "A"
        instance = next((i for i in self._instances if i.path == Path(dose.path)), None)
        return (dose_kind(instance) if instance is not None else None) or short_name(
            Path(str(dose.path)))

    def set_related(self, instances: Sequence[Instance],
                    series: Mapping[Path, str | None] | None = None) -> None:
        """The patient's objects: other doses and structure sets to offer, registrations.

        ``series`` gives each file's series description, which tells two doses of one
        plan apart (a recalculation) in words rather than by file name.
        Registrations are read here (headers only, milliseconds each): their existence
        and matrices are shown, a Deformable one is named out of scope.
        """
        self._instances = list(instances)
        self._series = dict(series or {})
        shown = self.scene.dose.path if self.scene.dose is not None else None
        # whole-plan doses first (the usual B: another plan's, a recalculation), beams after
        doses = sorted((i for i in instances if i.kind == Kind.DOSE and i.path != shown),
                       key=lambda i: ("BEAM" in (dose_kind(i) or ""), str(i.path)))
        self._fill_sources([i.path for i in doses], {i.path: i for i in doses})
        self._read_registrations([i.path for i in instances if i.kind == Kind.REGISTRATION])
        shown_rs = self.scene.structures.path if self.scene.structures is not None else None
        with QtCore.QSignalBlocker(self.structure_choice):
            self.structure_choice.clear()
            for inst in instances:
                if inst.kind == Kind.STRUCTURE_SET and inst.path != shown_rs:
                    self.structure_choice.addItem(
                        printable(f"{inst.summary or inst.path.name} ({inst.path.name})"),
                        str(inst.path))
        self.structure_button.setEnabled(self.structure_choice.count() > 0
                                         and self.scene.structures is not None)
        if self.structure_choice.count() == 0:
            self.structure_status.setText("No other structure set of this patient to compare.")
        self.has_candidates = has_compare_candidates(instances, self.scene)

    def _fill_sources(self, paths: list[Path], instances: dict[Path, Instance]) -> None:
        self.sources.setRowCount(0)
        for path in paths:
            self._add_source(path, path.name)
        self._relabel_sources()
        self.maxima.request(paths)  # the labels gain "max 63.3 Gy" as each is read

    def _relabel_sources(self, *_found: object) -> None:
        """Each row in words: its plan, dose kind, maximum, series where needed (no UID)."""
        by_path = {i.path: i for i in self._instances}
        plans = {i.sop_instance_uid: i for i in self._instances if i.kind in ("rtplan",
                                                                              "rtionplan")}
        items = [item for item, _weight in self._source_rows()]
        paths = [Path(item.data(QtCore.Qt.ItemDataRole.UserRole)) for item in items]
        plan_of = [_plan_of(by_path.get(p), plans) for p in paths]
        names = [plan_name(plan.summary) if plan is not None else None for plan in plan_of]
        labels = plan_dose_labels(
            paths, [dose_label(p, by_path.get(p), self.maxima.get(p)) for p in paths],
            names, [self._series.get(p) for p in paths])
        for item, path, plan, name, label in zip(items, paths, plan_of, names, labels,
                                                 strict=True):
            item.setText(printable(label))
            series = self._series.get(path)
            item.setToolTip(printable("\n".join(
                line for line in (plan.summary if plan is not None else None,
                                  f"Series: {series}" if series else None, str(path))
                if line)))
            kind = dose_kind(by_path[path]) if path in by_path else None
            beam = (self.maxima.get(path) or "").partition(", max")[0] if kind and \
                "BEAM" in kind else ""
            if kind is not None and beam.startswith("beam"):
                kind = f"{kind} {beam}"
            # B's name in the legends: "Lung VMAT dose", "Lung 3DCRT BEAM dose beam 3"
            whole_plan = kind in (None, "PLAN dose")
            item.setData(_NAME_ROLE, (f"{name} dose" if whole_plan else f"{name} {kind}")
                         if name else kind or path.name)

    def _add_source(self, path: Path, label: str) -> None:
        row = self.sources.rowCount()
        self.sources.insertRow(row)
        item = QtWidgets.QTableWidgetItem(printable(label))
        item.setFlags(item.flags() | QtCore.Qt.ItemFlag.ItemIsUserCheckable)
        item.setFlags(item.flags() & ~QtCore.Qt.ItemFlag.ItemIsEditable)
        item.setCheckState(QtCore.Qt.CheckState.Checked if row == 0
                           else QtCore.Qt.CheckState.Unchecked)
        item.setData(QtCore.Qt.ItemDataRole.UserRole, str(path))
        item.setToolTip(str(path))
        self.sources.setItem(row, 0, item)
        weight = QtWidgets.QDoubleSpinBox()
        weight.setRange(0.001, 1000.0)
        weight.setDecimals(3)
        # as wide as its number needs: the dose's name has the rest of the row
        weight.setMaximumWidth(weight.fontMetrics().horizontalAdvance("100.000") + 30)
        weight.setValue(1.0)
        weight.setToolTip("Multiplier of this dose in the sum (e.g. fractions of a "
                          "FRACTION dose)")
        self.sources.setCellWidget(row, 1, weight)

    def _ask_file(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Dose B (RT Dose)")
        if path:
            self.add_source_file(Path(path))

    def add_source_file(self, path: Path) -> None:
        """Offer an RT Dose file as B (checked, the others unchecked)."""
        for item, _weight in self._source_rows():
            item.setCheckState(QtCore.Qt.CheckState.Unchecked)
        self._add_source(path, path.name)
        self._source_rows()[-1][0].setCheckState(QtCore.Qt.CheckState.Checked)
        self._relabel_sources()
        self.maxima.request([path])

    def _source_rows(self) -> list[tuple[QtWidgets.QTableWidgetItem, QtWidgets.QDoubleSpinBox]]:
        rows = []
        for row in range(self.sources.rowCount()):
            item, weight = self.sources.item(row, 0), self.sources.cellWidget(row, 1)
            if item is not None and isinstance(weight, QtWidgets.QDoubleSpinBox):
                rows.append((item, weight))
        return rows

    def checked_sources(self) -> list[tuple[Path, float]]:
        """The checked doses with their weights."""
        return [(Path(item.data(QtCore.Qt.ItemDataRole.UserRole)), float(weight.value()))
                for item, weight in self._source_rows()
                if item.checkState() == QtCore.Qt.CheckState.Checked]

    def _read_registrations(self, paths: list[Path]) -> None:
        from rtviewer.dicom.registration import DEFORMABLE_OUT_OF_SCOPE, read_registration
        from rtviewer.errors import RtViewerError

        self.registrations, self.deformable = [], []
        lines = []
        for path in paths:
            try:
                registration = read_registration(path)
            except RtViewerError as exc:
                if DEFORMABLE_OUT_OF_SCOPE in str(exc):
                    self.deformable.append(path)
                    lines.append(f"{path.name}: Deformable Spatial Registration found: "
                                 "out of scope (rtviewer applies rigid matrices only).")
                else:
                    lines.append(f"{path.name}: not usable: {exc}")
                continue
            self.registrations.append(registration)
            for t in registration.transforms:
                lines.append(f"{path.name}: {t.matrix_type} Frame {t.frame_of_reference_uid} → "
                             f"{registration.frame_of_reference_uid}: "
                             f"[{matrix_text(t.matrix)}]")
        self._registrations_text = printable(
            "Registrations: " + (" ".join(lines) if lines else "none in this patient's folder."))
        self.frames.setText(self._registrations_text)

    # -- dose comparison ----------------------------------------------------------------
    def criteria(self) -> GammaCriteria | None:
        """The gamma criteria of the form (None when the field is empty)."""
        text = self.gamma_edit.text().strip()
        if not text:
            return None
        return parse_criteria(text, cutoff_percent=self.cutoff.value(),
                              local=self.local.isChecked(),
                              pass_rate_only=not self.exact_gamma.isChecked())

    def start(self) -> None:
        """Compare the checked dose(s) B against A in a worker; the tables fill when done."""
        terms = self.checked_sources()
        if not terms:
            self.status.setText("Check a dose B to compare with A.")
            return
        names = {Path(item.data(QtCore.Qt.ItemDataRole.UserRole)): item.data(_NAME_ROLE)
                 for item, _weight in self._source_rows()}
        label = " + ".join(f"{w:g} × {names.get(p) or p.name}" if w != 1
                           else names.get(p) or p.name for p, w in terms)
        self.compare_with(terms, label, plan_b=self._plan_b(terms))

    def compare_with(self, b: Dose | Path | list[tuple[Path, float]], label: str, *,
                     plan_b: Any = None) -> None:
        """Compare ``b`` (a dose, a file, or weighted files summed) against A in a worker."""
        dose = self.scene.dose
        if dose is None:
            self.status.setText("No dose A on screen.")
            return
        ok, criteria = criteria_or_say(self.criteria, self.status)
        if not ok:
            return
        structures = self.scene.structures
        rois = [r for r in structures.rois if r.closed_polygons_mm()] if structures else []
        job = DoseCompareJob(a=dose, b=b, rois=rois, criteria=criteria, model=self.model,
                             registrations=tuple(self.registrations),
                             deformable=tuple(self.deformable), plan_a=self.scene.plan,
                             plan_b=plan_b, structures=structures)
        self._cancel_worker()
        worker = DoseCompareWorker(job)
        worker.progressed.connect(self._progressed)
        worker.gamma_progressed.connect(self._gamma_progressed)
        worker.done.connect(self._finished)
        self._worker = worker
        self._b_label = label
        self._gamma_label = criteria.label if criteria is not None else ""
        self._gamma_running = False
        self.status.setText("Comparing…")
        self.progress.setRange(0, 0)
        self.cancel_button.setEnabled(True)
        worker.start_detached()

    def _plan_b(self, terms: list[tuple[Path, float]]) -> Path | None:
        """The plan B's dose refers to (one plan only: a sum of several plans has none)."""
        by_path = {i.path: i for i in self._instances}
        plans = {i.sop_instance_uid: i for i in self._instances if i.kind in ("rtplan",
                                                                              "rtionplan")}
        found = {p.path for path, _w in terms
                 if (p := _plan_of(by_path.get(path), plans)) is not None}
        return found.pop() if len(found) == 1 else None

    def _progressed(self, done: int, total: int, step: str) -> None:
        self._gamma_running = False
        self.gamma_progress.setVisible(False)
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        text = f"{done}/{total}: {step}"
        if done == 1 and self._gamma_label:
            text += f"; computing gamma {self._gamma_label} (Cancel drops it)"
        self.status.setText(printable(text))

    def _gamma_progressed(self, done: int, total: int) -> None:
        """Gamma's own bar: ``done`` of ``total`` slabs of slices searched."""
        self._gamma_running = True
        self.gamma_progress.setVisible(True)
        self.gamma_progress.setRange(0, max(total, 1))
        self.gamma_progress.setValue(done)

    def cancel(self) -> None:
        """Cancel: during gamma drop the gamma only, before it stop the comparison.

        Either way the view stays as it is until a result comes: no half-made
        comparison is shown.
        """
        worker = self._worker
        if worker is None:
            return
        if self._gamma_running:
            worker.cancel_gamma()
            self.status.setText("Cancelling gamma: the comparison follows without it…")
            return
        self._cancel_worker()
        self._stopped()
        self.status.setText("Comparison cancelled." + (" The comparison on screen is the "
                                                       "previous one." if self.outcome else ""))

    def _stopped(self) -> None:
        """Bars and buttons back at rest (no comparison running)."""
        self._gamma_running = False
        self.gamma_progress.setVisible(False)
        self.cancel_button.setEnabled(False)
        self.progress.setRange(0, 1)

    def _finished(self, result: object) -> None:
        self._worker = None
        self._stopped()
        self.progress.setValue(1)
        if not isinstance(result, DoseCompareOutcome):
            self.status.setText(printable(f"Comparison refused or failed: {result}"))
            self.progress.setValue(0)
            return
        self.show_outcome(result)

    def show_outcome(self, outcome: DoseCompareOutcome) -> None:
        """Put a finished comparison on screen: tables, overlays, DVH curves."""
        self.outcome = outcome
        c = outcome.comparison
        a_name = self._a_name()
        b_name = self._b_label
        if outcome.sheet_rows and " + " not in b_name:  # B is one plan's dose: say which
            b_name = f"{outcome.plan_labels[1]} dose"
        if b_name == a_name:  # a recalculation of the same plan: say which is which
            a_name, b_name = self._told_apart(a_name, c.reference.path, c.evaluated.path)
        cancelled = f"{c.gamma_note.capitalize()}: no gamma. " if c.gamma_note else ""
        self.status.setText(printable(
            f"{cancelled}A {a_name}: max {c.reference.max_gy:.3f} Gy; B {b_name}: max "
            f"{c.evaluated.max_gy:.3f} Gy; max |B−A| {c.max_abs_difference_gy:.3f} Gy. "
            "Highlighted: dose differences above 2 % of A's maximum, volumes above 2 points."))
        self.frames.setText(printable(outcome.route.note) + ". " + self._registrations_text)
        self.gamma_line.setText(printable(gamma_summary(c)))
        fill_table(self.metrics, *metric_table(c))
        self._show_sheets(outcome)
        self.compare_state.set_comparison(c, b_name, a_name)
        self.compared.emit(c)

    def _told_apart(self, name: str, a_path: object, b_path: object) -> tuple[str, str]:
        """A's and B's names when both are doses of one plan: by series, else file tail."""
        a_series, b_series = (self._series.get(Path(str(p))) for p in (a_path, b_path))
        if a_series and b_series and a_series != b_series:
            return f"{name} ({a_series})", f"{name} ({b_series})"
        return (f"{name} {short_name(Path(str(a_path)))}",
                f"{name} {short_name(Path(str(b_path)))}")

    def _show_sheets(self, outcome: DoseCompareOutcome) -> None:
        a, b = outcome.plan_labels
        self.sheet_note.setText(printable(outcome.sheet_note or
                                          f"A: {a}   B: {b}. Differences highlighted."))
        rows = [[Cell(r.item), Cell(r.field), Cell(r.a, r.differs), Cell(r.b, r.differs)]
                for r in outcome.sheet_rows]
        fill_table(self.sheets, ["Item", "Field", f"A: {a}", f"B: {b}"], rows)

    def clear(self) -> None:
        """Leave comparison mode: overlays, DVH curves and tables are cleared."""
        self._cancel_worker()
        self.outcome = None
        self.metrics.setRowCount(0)
        self.sheets.setRowCount(0)
        self.gamma_line.setText("")
        self.status.setText("Choose B and press Compare.")
        self._stopped()
        self.progress.setValue(0)
        self.compare_state.set_comparison(None)
        self.compared.emit(None)

    def _cancel_worker(self) -> None:
        if self._worker is not None:
            self._worker.cancel()
            self._worker = None

    # -- structure sets -----------------------------------------------------------------
    def start_structures(self) -> None:
        """Compare the shown structure set (A) with the chosen one (B) in a worker."""
        path = self.structure_choice.currentData()
        if not path:
            self.structure_status.setText("No structure set B chosen.")
            return
        self.compare_structures_with(Path(path))

    def compare_structures_with(self, b: StructureSet | Path) -> None:
        """Compare the shown structure set (A) with ``b`` (loaded or a file) in a worker."""
        a = self.scene.structures
        if a is None:
            self.structure_status.setText("No structure set A on screen.")
            return
        worker = StructureCompareWorker(a, b, model=self.model,
                                        registrations=tuple(self.registrations),
                                        deformable=tuple(self.deformable))
        worker.progressed.connect(lambda d, n, s: self.structure_status.setText(
            printable(f"{d}/{n}: {s}")))
        worker.done.connect(self._structures_finished)
        if self._structure_worker is not None:
            self._structure_worker.cancel()
        self._structure_worker = worker
        self.structure_status.setText("Comparing the structure sets…")
        worker.start_detached()

    def _structures_finished(self, result: object) -> None:
        self._structure_worker = None
        if not isinstance(result, StructureCompareOutcome):
            self.structure_status.setText(printable(f"Comparison refused or failed: {result}"))
            return
        self.structure_outcome = result
        only = [f"only in {side}: {', '.join(names)}"
                for side, names in (("A", result.only_a), ("B", result.only_b)) if names]
        self.structure_status.setText(printable(
            f"{result.route.note}. B: {result.b_label}. {len(result.rows)} ROI names in both"
            + (f"; {'; '.join(only)} (not compared)" if only else "")
            + ". Highlighted: Dice below 0.9, HD95 above 3 mm."))
        fill_table(self.structure_table, *structure_table(result.rows))

    def stop_workers(self) -> None:
        """Cancel running comparisons (the window closes)."""
        self._cancel_worker()
        if self._structure_worker is not None:
            self._structure_worker.cancel()
            self._structure_worker = None


def _plan_of(instance: Instance | None, plans: dict[str, Instance]) -> Instance | None:
    """The plan a dose's scan entry references, if found in the same scan."""
    if instance is None:
        return None
    uid = next((r.uid for r in instance.references if r.kind == "rtplan"), None)
    return plans.get(uid) if uid else None
