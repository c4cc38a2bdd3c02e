"""DVH panel: cumulative DVHs of the visible structures, computed in worker processes.

Curves appear as each structure finishes (``dvh_jobs``: a process pool, so the
window's own scrolling is not slowed; one thread when no process can start); the
embedded DVH of the RT Dose (when present) is drawn dashed beside the computed one.
Statistics come from the explicit functions of ``core.dvh_metrics``; CSV export
writes curves and table. The plot has a legend and a dose axis fitted to the shown
structures (``view.dvh_axis``); the table names each structure, with its colour, in
its row header, which stays in view when the columns scroll. Small or thin structures
get a note with their statistics across the structure models (``view.model_spread``),
computed by the same workers after the DVHs ("Checking structure models…" meanwhile):
the smooth solids it needs froze the window for 1.6 s in its own thread.
"""

from __future__ import annotations

import csv
import html
import logging
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from rtviewer.core.dvh import Dvh
from rtviewer.core.dvh_metrics import (
    dose_at_volume_cc,
    dose_at_volume_percent,
    homogeneity_index,
    isodose_volume_cc,
    paddick_conformity_index,
    volume_at_dose_gy,
)
from rtviewer.core.structure_model import DEFAULT_MODEL, MODEL_NAMES, describe_model
from rtviewer.model.dose import DoseUnits, DvhType
from rtviewer.model.structure import Roi
from rtviewer.printable import printable
from rtviewer.ui.panels.dvh_plot_box import CappedLabel, PlotBox
from rtviewer.ui.panels.goals_panel import GoalsPanel
from rtviewer.ui.panels.plot_axes import fit_tick_text_width
from rtviewer.ui.panels.structure_panel import NO_STRUCTURES
from rtviewer.ui.panels.swatch import colour_swatch
from rtviewer.ui.views.flow_row import FlowRow
from rtviewer.ui.views.view_state import ViewState
from rtviewer.view.dvh_axis import DoseAxis, dvh_dose_axis
from rtviewer.view.dvh_jobs import DvhJobs
from rtviewer.view.light_colours import OUTLINE_RGB, needs_outline
from rtviewer.view.model_spread import ModelSpread
from rtviewer.view.scene import Scene

__all__ = ["DOSE_COLUMNS", "STAT_COLUMNS", "DvhPanel", "dvh_statistics", "parse_v_levels",
           "spread_note"]

log = logging.getLogger(__name__)

STAT_COLUMNS = ("volume_cc", "dmin", "dmean", "dmax", "d98", "d95", "d50", "d2", "d0.03cc",
                "v_rx_percent", "d2cc", "d0.1cc", "d90", "hi", "paddick_ci", "outside_cc")
#: The statistics that are doses (Gy, or % of the reference when "Dose %" is on).
DOSE_COLUMNS = ("dmin", "dmean", "dmax", "d98", "d95", "d50", "d2", "d0.03cc", "d2cc",
                "d0.1cc", "d90")
_HEADS = {"d0.03cc": "D0.03cc", "d2cc": "D2cc", "d0.1cc": "D0.1cc"}
#: Shown while the worker computes the small or thin structures' model spreads.
CHECKING_MODELS = "Checking structure models…"


def dvh_statistics(dvh: Dvh, reference_gy: float | None, *,
                   piv_cc: float | None = None) -> dict[str, float]:
    """The panel's statistics of one DVH: doses in Gy, ``v_rx_percent`` in % of volume.

    ``v_rx_percent`` is the volume receiving at least the reference dose and
    ``paddick_ci`` Paddick's conformity index at it (``piv_cc``: the dose grid's volume
    at or above the reference); both NaN without a prescription reference.
    """
    ci = float("nan")
    if reference_gy and piv_cc:
        ci = paddick_conformity_index(dvh, reference_gy, prescription_isodose_volume_cc=piv_cc)
    return {
        "volume_cc": dvh.volume_cc, "dmin": dvh.dmin_gy, "dmean": dvh.dmean_gy,
        "dmax": dvh.dmax_gy, "d98": dose_at_volume_percent(dvh, 98.0),
        "d95": dose_at_volume_percent(dvh, 95.0), "d50": dose_at_volume_percent(dvh, 50.0),
        "d2": dose_at_volume_percent(dvh, 2.0), "d0.03cc": dose_at_volume_cc(dvh, 0.03),
        "v_rx_percent": (volume_at_dose_gy(dvh, reference_gy, relative=True)
                         if reference_gy else float("nan")),
        "d2cc": dose_at_volume_cc(dvh, 2.0), "d0.1cc": dose_at_volume_cc(dvh, 0.1),
        "d90": dose_at_volume_percent(dvh, 90.0),
        "hi": homogeneity_index(dvh) if dvh.volume_cc > 0 else float("nan"),
        "paddick_ci": ci, "outside_cc": dvh.outside_volume_cc,
    }


def parse_v_levels(text: str) -> tuple[tuple[float, str], ...]:
    """V levels typed as ``"20 Gy, 5Gy 95%"`` -> ``((20.0, "Gy"), (5.0, "Gy"), (95.0, "%"))``.

    A bare number is in Gy.  Raises ValueError on anything else.

    Examples
    --------
    >>> parse_v_levels("20 Gy, 95%")
    ((20.0, 'Gy'), (95.0, '%'))
    """
    tokens = text.replace(",", " ").replace(";", " ").replace("%", " % ").split()
    levels: list[tuple[float, str]] = []
    for token in tokens:
        if token.lower() == "gy" and levels:
            continue
        if token == "%" and levels:
            levels[-1] = (levels[-1][0], "%")
            continue
        number = token[:-2] if token.lower().endswith("gy") else token
        value = float(number)
        if not value > 0:
            raise ValueError(f"V levels must be positive, got {token}")
        levels.append((value, "Gy"))
    return tuple(levels)


def spread_note(name: str, spread: ModelSpread) -> str:
    """The panel's line on one small or thin structure: its statistics across the models."""
    return (f"{printable(name)}: {spread.why}; its statistics depend on the structure "
            f"model, across {', '.join(MODEL_NAMES)}: {spread.ranges()}")


_MAX_POINTS = 1500


def _plotted(dvh: Dvh) -> tuple[np.ndarray, np.ndarray]:
    """The cumulative curve thinned to at most ~1500 points for drawing.

    The histogram has 1 mGy bins (tens of thousands of edges); drawing every one
    for 30 structures would stall the window. Statistics use the full curve.
    """
    dose, volume = dvh.edges_gy, dvh.cumulative_cc
    step = max(1, len(dose) // _MAX_POINTS)
    if step == 1:
        return dose, volume
    keep = np.unique(np.concatenate([np.arange(0, len(dose), step), [len(dose) - 1]]))
    return dose[keep], volume[keep]


def _legend_entry(rgb: tuple[int, int, int], name: str, *, dashed: bool = False) -> str:
    """Rich text of one legend entry: a line sample in ``rgb`` and the name (not wrapped)."""
    sample = "╍╍" if dashed else "━━"
    colour = "#{:02x}{:02x}{:02x}".format(*rgb)
    # a light colour (white, yellow) on the legend's white: on a dark ground, as drawn
    ground = ("; background-color: #{:02x}{:02x}{:02x}".format(*OUTLINE_RGB)
              if needs_outline(rgb) else "")
    return (f"<span style='white-space:nowrap'><b style='color:{colour}{ground}'>{sample}</b>"
            f"&nbsp;{html.escape(name)}</span>")


def _name_item(roi: Roi, spread: ModelSpread | None = None) -> QtWidgets.QTableWidgetItem:
    """The row header of a structure: a swatch of its colour and its name.

    ``⚠`` after the name when its statistics depend on the structure model (the
    spread in its tooltip).
    """
    name = printable(roi.name)
    item = QtWidgets.QTableWidgetItem(colour_swatch(roi.color_rgb, 12),
                                      name if spread is None else f"{name} ⚠")
    tip = f"ROI {roi.roi_number}: {name}"
    item.setToolTip(tip if spread is None else f"{tip}\n{spread_note(roi.name, spread)}")
    return item


class DvhPanel(QtWidgets.QWidget):
    """Plot and statistics table of the visible structures' DVHs.

    Attributes
    ----------
    use_processes : bool
        Compute in worker processes (default); False computes in one thread.
    """

    # (jobs, roi number, Dvh), emitted from a pool thread, delivered in the GUI thread
    _arrived = QtCore.Signal(object, int, object)
    # (jobs, roi number, ModelSpread or None), likewise
    _spread_arrived = QtCore.Signal(object, int, object)
    use_processes = True

    def __init__(self, state: ViewState, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.scene = Scene()
        self.dvhs: dict[int, Dvh] = {}
        self._curves: list[tuple[pg.PlotDataItem, pg.PlotDataItem]] = []
        #: A dark line under each light-coloured curve (white on the white plot)
        self._halos: list[pg.PlotDataItem] = []
        #: B's DVHs by ROI number while a dose comparison is on screen (issue 19)
        self.compared: dict[int, Dvh] = {}
        self._compared_label = ""
        self._redraw_timer = QtCore.QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(150)
        self._redraw_timer.timeout.connect(self._redraw)
        self._jobs: DvhJobs | None = None
        self._stopped = False  # by stop_workers (the window closed), until shown again
        self._pending: set[int] = set()
        #: Model spreads by ROI number (None: not model-dependent), computed in the
        #: DVH workers after the DVHs, and those still being computed
        self._spreads: dict[int, ModelSpread | None] = {}
        self._checking: set[int] = set()
        #: (dose file, model, DVHs by ROI number) computed elsewhere (the review report)
        self._given: tuple[str, str, dict[int, Dvh]] | None = None
        self._arrived.connect(self._on_computed)
        self._spread_arrived.connect(self._on_spread)
        self.plot = pg.PlotWidget(background="w")
        self.plot.showGrid(x=True, y=True, alpha=0.3)
        # the legend: a line sample and the name of each shown curve, wrapped to the
        # width below the dose axis (never over the curves); the plot and it make the
        # DVH screenshot together (``plot_box``: the legend scrolls beyond a few lines in
        # the panel, the screenshot holds it whole)
        self.legend = QtWidgets.QLabel()
        self.legend.setObjectName("dvh-legend")
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.legend.setStyleSheet("QLabel#dvh-legend { background: white; color: #141414; "
                                  "padding: 1px 4px; }")
        self.plot_box = PlotBox(self.plot, self.legend)
        self.dose_axis: DoseAxis | None = None
        self.whole_range = QtWidgets.QCheckBox("Whole dose range")
        self.whole_range.setToolTip(
            "Fit the dose axis to every shown maximum, however far a brachy source's "
            "dose tail reaches (otherwise maxima beyond 3× the prescription are cut)")
        self.fit = QtWidgets.QPushButton("Fit")
        self.fit.setToolTip("Fit both axes to the shown structures again (after a zoom)")
        self.relative_volume = QtWidgets.QCheckBox("Volume %")
        self.relative_volume.setChecked(True)  # what planning systems show by default
        self.relative_dose = QtWidgets.QCheckBox("Dose %")
        self.export = QtWidgets.QPushButton("Export CSV…")
        self.model_choice = QtWidgets.QComboBox()
        for name in MODEL_NAMES:
            self.model_choice.addItem(name)
            self.model_choice.setItemData(self.model_choice.count() - 1, describe_model(name),
                                          QtCore.Qt.ItemDataRole.ToolTipRole)
        self.model_choice.setCurrentText(DEFAULT_MODEL)
        self.v_levels = QtWidgets.QLineEdit()
        self.v_levels.setPlaceholderText("V at: 20 Gy, 95 %")
        self.v_levels.setToolTip("Volumes receiving at least these doses (Gy, or % of the "
                                 "reference), added to the table")
        self.info = QtWidgets.QLabel()
        self.info.setWordWrap(True)
        self._levels: tuple[tuple[float, str], ...] = ()
        self.table = QtWidgets.QTableWidget(0, len(STAT_COLUMNS) + 1)
        # the structure names are the row headers: they stay in view when the
        # statistics scroll sideways (a frozen first column)
        self.table.verticalHeader().setDefaultAlignment(
            QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignVCenter)
        self.table.verticalHeader().setSectionResizeMode(
            QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        # the header, five structures and the scroll bar stay readable beside the plot
        self.table.setMinimumHeight(8 * self.table.fontMetrics().height() + 16)
        # the tables' preferred heights (a dozen rows each) are ignored: the plot, the
        # tables and the goals share the height by their stretch (3 : 2 : 1), above their
        # floors; they squeezed the plot to a 60 px strip at 1280x800
        ignored = QtWidgets.QSizePolicy.Policy.Ignored
        self.table.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, ignored)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        # the tools in rows that wrap: each whole however narrow the side panel (beside
        # an open Lesson dock at 1280x720 two fixed rows were cut at about 300 px); the
        # model's label stays with its choice, the V levels' field takes what is left
        model_box = QtWidgets.QWidget()
        model_row = QtWidgets.QHBoxLayout(model_box)
        model_row.setContentsMargins(0, 0, 0, 0)
        model_row.addWidget(QtWidgets.QLabel("Structure model"))
        model_row.addWidget(self.model_choice)
        self.v_levels.setMinimumWidth(60)
        self.tools = FlowRow([self.relative_volume, self.relative_dose, self.whole_range,
                              self.fit, model_box, self.v_levels, self.export],
                             stretchy=[self.v_levels])
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.tools)
        layout.addWidget(self.plot_box, 3)
        # five lines at most (it scrolls beyond): the plot keeps its room at 1280x800
        self.info_area = CappedLabel(self.info, 5)
        layout.addWidget(self.info_area)
        layout.addWidget(self.table, 2)
        self.goals = GoalsPanel()  # clinical goals (issue 18), evaluated like `rtviewer goals`
        self.goals.table.setSizePolicy(QtWidgets.QSizePolicy.Policy.Expanding, ignored)
        self.goals.table.setMinimumHeight(4 * self.table.fontMetrics().height() + 16)
        layout.addWidget(self.goals, 1)
        self.relative_volume.toggled.connect(self._redraw)
        self.relative_dose.toggled.connect(self._redraw)
        self.model_choice.currentTextChanged.connect(self._on_model)
        self.v_levels.editingFinished.connect(self._on_v_levels)
        self.export.clicked.connect(self._ask_export)
        self.whole_range.toggled.connect(self._redraw)
        self.fit.clicked.connect(self._fit_axes)
        state.visibleRoisChanged.connect(self._request)
        state.referenceDoseChanged.connect(self._redraw)

    # -- data ---------------------------------------------------------------------------
    @property
    def model(self) -> str:
        """The structure model in use (``core.structure_model``)."""
        return self.model_choice.currentText()

    def _on_model(self, _name: str) -> None:
        """Another structure model: every DVH is computed again."""
        self._retire_workers()
        self.dvhs = self._given_for(self.scene)
        self._pending = set()
        self._checking = set()  # spreads do not depend on the model: those known stay
        self._request()
        self.goals.set_scene(self.scene, self.model)

    def _on_v_levels(self) -> None:
        try:
            self._levels = parse_v_levels(self.v_levels.text())
        except ValueError:
            self.v_levels.setText(", ".join(f"{v:g} {u}" for v, u in self._levels))
            return
        self._redraw()

    def _prescription_gy(self) -> float | None:
        """The reference dose when it means the prescription (or the user's), else None."""
        reference = self.state.reference_dose
        return reference.dose_gy if reference is not None and reference.is_prescription \
            else None

    def _piv_cc(self, reference_gy: float | None) -> float | None:
        """Paddick's PIV: dose-grid volume at or above the reference (cached)."""
        dose = self.scene.dose
        if reference_gy is None or dose is None:
            return None
        key = (id(dose), reference_gy)
        if getattr(self, "_piv_key", None) != key:
            self._piv_key = key
            self._piv_value = isodose_volume_cc(dose.dose_gy, dose.grid, reference_gy)
        return self._piv_value

    def set_scene(self, scene: Scene) -> None:
        """Forget the previous DVHs and compute those of the visible structures."""
        self._retire_workers()
        self.scene = scene
        self.dvhs = self._given_for(scene)
        self._pending = set()
        self._spreads, self._checking = {}, set()
        self._request()
        self.goals.set_scene(scene, self.model)

    def use_computed(self, dose_path: str, model: str, dvhs: dict[int, Dvh]) -> None:
        """Take these DVHs (by ROI number) rather than computing them again.

        They count only for a scene whose dose is the file ``dose_path`` while the
        panel's model is ``model`` (the review report computed them in-process; its
        picture need not start a worker pool to compute the same curves).
        """
        self._given = (str(dose_path), model, dict(dvhs))

    def _given_for(self, scene: Scene) -> dict[int, Dvh]:
        dose = scene.dose
        if self._given is None or dose is None:
            return {}
        path, model, dvhs = self._given
        same = Path(str(dose.path)).resolve() == Path(path).resolve() and model == self.model
        return dict(dvhs) if same else {}

    def set_compared(self, comparison: object, label: str = "B") -> None:
        """Draw B's DVHs dashed beside A's (solid) while a comparison is shown; None: stop.

        ``comparison`` is a :class:`rtviewer.model.plan_compare.DoseComparison`; its B
        curves take the dashed slot of the RT Dose's embedded DVHs meanwhile.
        """
        structures = getattr(comparison, "structures", ())
        self.compared = {s.roi_number: s.dvh_b for s in structures}
        self._compared_label = label
        self._redraw()

    def _retire_workers(self) -> None:
        """Cancel the previous scene's jobs without waiting (the window must not freeze).

        Queued structures are dropped; one still running finishes in its process and
        its result is ignored.
        """
        if self._jobs is not None:
            self._jobs.cancel()
            self._jobs = None

    def stop_workers(self) -> None:
        """Cancel and join the DVH workers (the window closes); release them for good.

        None start again until the panel is shown again: a load or a DVH start queued
        before the window closed must not start workers in the closed window (they went
        on computing into later tests, the test process pools' loss turning them into
        threads of the test process).
        """
        self._stopped = True
        if self._jobs is not None:
            self._jobs.close()
            self._jobs = None
        self._pending.clear()  # their results will never come: asked for again on a show
        self._checking.clear()
        self._redraw_timer.stop()

    def showEvent(self, event: QtGui.QShowEvent) -> None:  # noqa: N802 - Qt override
        """Shown again after :meth:`stop_workers`: compute what is missing."""
        super().showEvent(event)
        if self._stopped:
            self._stopped = False
            self._request()

    def _request(self, *_args: object) -> None:
        if self._stopped:  # a closed window computes nothing
            return
        dose = self.scene.dose
        if dose is None or self.scene.structures is None:
            self._redraw()
            return
        missing = [n for n in sorted(self.state.visible_rois)
                   if n not in self.dvhs and n not in self._pending]
        if missing:
            if self._jobs is None:
                made: list[DvhJobs] = []  # results name the jobs that produced them
                self._jobs = DvhJobs(
                    dose.dose_gy, dose.grid,
                    lambda n, dvh: self._arrived.emit(made[0], n, dvh),
                    processes=self.use_processes, model=self.model,
                    on_spread=lambda n, spread: self._spread_arrived.emit(made[0], n, spread))
                made.append(self._jobs)
            jobs = self._jobs
            submitted = []
            for roi_number in missing:
                roi = self.scene.structures.roi_by_number(roi_number)
                polygons = roi.closed_polygons_mm() if roi is not None else []
                if polygons:
                    self._pending.add(roi_number)
                    jobs.submit(roi_number, polygons)
                    submitted.append((roi_number, polygons))
            # queued after every DVH: the curves come first, the model check after them
            for roi_number, polygons in submitted:
                if roi_number not in self._spreads and roi_number not in self._checking:
                    self._checking.add(roi_number)
                    jobs.submit_spread(roi_number, polygons)
        self._redraw()

    def _on_computed(self, jobs: DvhJobs, roi_number: int, dvh: Dvh) -> None:
        if jobs is not self._jobs or roi_number not in self._pending:
            return  # cancelled jobs of an earlier scene, or already delivered
        self._pending.discard(roi_number)
        self.dvhs[roi_number] = dvh
        # DVHs arrive in bursts: redraw once per burst, not once per structure
        if not self._redraw_timer.isActive():
            self._redraw_timer.start()

    def _on_spread(self, jobs: DvhJobs, roi_number: int, spread: ModelSpread | None) -> None:
        if jobs is not self._jobs or roi_number not in self._checking:
            return
        self._checking.discard(roi_number)
        self._spreads[roi_number] = spread
        if not self._redraw_timer.isActive():
            self._redraw_timer.start()

    @property
    def holds_workers(self) -> bool:
        """Whether DVH workers (processes, or a thread) are held for this panel."""
        return self._jobs is not None

    @property
    def computing(self) -> int:
        """Structures whose DVH is still being computed."""
        return len(self._pending)

    @property
    def settled(self) -> bool:
        """No DVH or model spread on its way and no redraw waiting for one (tests, shots).

        Until then arriving results change the legend, table and notes by themselves.
        """
        return not (self._pending or self._checking or self._redraw_timer.isActive())

    def wait_all(self, timeout_ms: int = 60000) -> None:
        """Block until all requested DVHs are computed and shown (headless rendering, tests)."""
        if self._jobs is not None:
            self._jobs.wait(timeout_ms / 1000)
        QtCore.QCoreApplication.sendPostedEvents()
        QtCore.QCoreApplication.processEvents()
        if self._redraw_timer.isActive():
            self._redraw_timer.stop()
            self._redraw()

    # -- drawing ------------------------------------------------------------------------
    def plotted_roi_numbers(self) -> frozenset[int]:
        """ROI Numbers of the structures that have a curve on the plot now."""
        return frozenset(roi.roi_number for roi, _dvh in self._shown())

    def _shown(self) -> list[tuple[Roi, Dvh]]:
        structures = self.scene.structures
        if structures is None:
            return []
        visible = self.state.visible_rois
        return [(roi, self.dvhs[roi.roi_number]) for roi in structures.rois
                if roi.roi_number in visible and roi.roi_number in self.dvhs]

    def _info_text(self) -> str:
        """Model, what 100 % means, outside-grid volumes, model-dependent structures."""
        reference = self.state.reference_dose
        # what the model assumes is in the tooltip (and the choice's): the line is short
        lines = [f"Structure model: {self.model}."]
        if self.scene.dose is None:  # nothing to say about percentages: no DVH at all
            return "\n".join([*lines, "No dose loaded: no DVHs."])
        if reference is None:
            why = self.scene.percent_reference().label
            lines.append(f"No % of prescription: {why}; set a reference dose.")
        elif reference.is_prescription:
            lines.append(f"100 % = {reference.dose_gy:.4g} Gy: {reference.source}.")
        else:
            lines.append(f"No % of prescription (% are of {reference.dose_gy:.4g} Gy, the "
                         f"{reference.source}); set a reference dose.")
        lines += [f"⚠ {printable(w)}" for w in self.scene.dose_warnings()]
        if self.scene.structures is None:
            lines.append(NO_STRUCTURES)
        if self.compared:
            lines.append(f"Comparing: solid A (the dose shown), dashed B "
                         f"({printable(self._compared_label)}); the RT Dose's own DVHs are "
                         "not drawn meanwhile.")
        shown = self._shown()
        outside = [f"{printable(roi.name)} {dvh.outside_volume_cc:.3g} cc" for roi, dvh in shown
                   if dvh.outside_volume_cc > 1e-3 * max(dvh.volume_cc, 1e-9)]
        if outside:
            lines.append("Outside the dose grid (counted as 0 Gy): " + ", ".join(outside) + ".")
        # the spreads come from the workers (the smooth solid is too slow for this thread)
        if any(roi.roi_number in self._checking for roi, _ in shown):
            lines.append(CHECKING_MODELS)
        # one line names them (an SRS folder has a dozen: a line each squeezed the plot
        # flat); the spreads are in this label's tooltip and on each one's table row
        noted = [printable(roi.name) for roi, _ in shown if self.spread_of(roi) is not None]
        if noted:
            lines.append(f"⚠ Statistics depend on the structure model (under 1 cc or on "
                         f"fewer than 3 planes; spreads on hover): {', '.join(noted)}.")
        return "\n".join(lines)

    def spread_of(self, roi: Roi) -> ModelSpread | None:
        """The model spread of a shown structure, None when not model-dependent (or not yet)."""
        return self._spreads.get(roi.roi_number)

    def model_notes(self) -> list[str]:
        """A :func:`spread_note` per shown model-dependent structure (the info's tooltip)."""
        return [spread_note(roi.name, spread) for roi, _ in self._shown()
                if (spread := self.spread_of(roi)) is not None]

    def _axes(self, dvh: Dvh) -> tuple[np.ndarray, np.ndarray]:
        dose, volume = _plotted(dvh)
        reference = self.state.reference_dose
        if self.relative_dose.isChecked() and reference is not None:
            dose = dose * (100.0 / reference.dose_gy)
        if self.relative_volume.isChecked() and dvh.volume_cc > 0:
            volume = volume * (100.0 / dvh.volume_cc)
        return dose, volume

    def _curve_pair(self, index: int) -> tuple[pg.PlotDataItem, pg.PlotDataItem]:
        """Pooled (computed, embedded) curves, reused and never removed.

        Every removal disconnects signals and PySide6 6.12.0 leaks a reference to
        ``True`` on each ``disconnect`` (the process aborts after a few thousand).
        """
        while len(self._curves) <= index:
            halo = self.plot.plot([], [])
            halo.setZValue(-1)  # under every curve
            self._halos.append(halo)
            self._curves.append((self.plot.plot([], []), self.plot.plot([], [])))
        return self._curves[index]

    def _redraw(self, *_args: object) -> None:
        reference = self.state.reference_dose
        dose_pct = self.relative_dose.isChecked() and reference is not None
        of = "prescription" if reference is not None and reference.is_prescription \
            else "dose maximum"
        self.plot.setLabel("bottom", f"Dose (% of {of})" if dose_pct else "Dose (Gy)")
        self.plot.setLabel("left", "Volume (%)" if self.relative_volume.isChecked()
                           else "Volume (cc)")
        shown = self._shown()
        any_embedded = False
        for index, (roi, dvh) in enumerate(shown):
            computed, embedded_curve = self._curve_pair(index)
            computed.setData(*self._axes(dvh))
            computed.setPen(pg.mkPen(roi.color_rgb, width=2))
            self._draw_halo(self._halos[index], roi.color_rgb, computed)
            b_dvh = self.compared.get(roi.roi_number)
            embedded = (self._axes(b_dvh) if b_dvh is not None else
                        None if self.compared else self._embedded(roi.roi_number, dvh))
            embedded_curve.setData(*(embedded if embedded is not None else ([], [])))
            any_embedded |= embedded is not None
            embedded_curve.setPen(pg.mkPen(roi.color_rgb, width=2 if b_dvh is not None else 1.5,
                                           style=QtCore.Qt.PenStyle.DashLine))
        for computed, embedded_curve in self._curves[len(shown):]:
            computed.setData([], [])
            embedded_curve.setData([], [])
        for halo in self._halos[len(shown):]:
            halo.setData([], [])
        self._fill_legend(shown, any_embedded)
        self._fit_axes()
        self._fill_table(dose_pct)

    @staticmethod
    def _draw_halo(halo: pg.PlotDataItem, rgb: tuple[int, int, int],
                   curve: pg.PlotDataItem) -> None:
        """A light colour's curve gets a wider dark line under it (the colour stays the file's)."""
        if needs_outline(rgb):
            halo.setData(*curve.getData())
            halo.setPen(pg.mkPen(OUTLINE_RGB, width=4))
        else:
            halo.setData([], [])

    def _fill_legend(self, shown: list[tuple[Roi, Dvh]], any_embedded: bool) -> None:
        """One entry per shown structure (its colour's line), one for the dashed curves."""
        entries = [_legend_entry(roi.color_rgb, printable(roi.name)) for roi, _dvh in shown]
        if any_embedded:  # while comparing (issue 19) the dashed curves are B's
            text = (f"B: {printable(self._compared_label)}" if self.compared
                    else "DVH stored in the RT Dose")
            entries.append(_legend_entry((90, 90, 90), text, dashed=True))
        self.legend.setText(" &nbsp; ".join(entries))
        self.legend.setVisible(bool(shown))
        self.plot_box.fit_legend()

    def _fit_axes(self, *_args: object) -> None:
        """Dose axis to the shown maxima (a source's tail cut, and said); volume from 0."""
        shown = self._shown()
        reference = self.state.reference_dose
        scale = 100.0 / reference.dose_gy if (self.relative_dose.isChecked()
                                              and reference is not None) else 1.0
        rx_gy = self._prescription_gy()
        self.dose_axis = dvh_dose_axis(
            [(printable(roi.name), dvh.dmax_gy * scale) for roi, dvh in shown],
            rx_gy * scale if rx_gy else None, fit_all=self.whole_range.isChecked())
        volume_axis = self.plot.getPlotItem().getAxis("left")
        if self.dose_axis is None:
            # an empty plot says why on itself (its notes below may be scrolled away)
            why = ("No dose loaded: no DVHs" if self.scene.dose is None else
                   "No structure set loaded: no DVHs" if self.scene.structures is None
                   else None)
            self.plot.setTitle(why, size="9pt", color="#505050")
            self.plot.enableAutoRange()
            fit_tick_text_width(volume_axis, 0.0, 1.0)  # an empty plot's range
            return
        top = max((self._axes(dvh)[1][0] for _roi, dvh in shown if dvh.volume_cc > 0),
                  default=100.0)
        self.plot.setXRange(0.0, self.dose_axis.upper, padding=0.0)
        self.plot.setYRange(0.0, top * 1.04, padding=0.0)
        # the volume labels' space from this range alone (the same picture however
        # the curves arrived: ``plot_axes``)
        fit_tick_text_width(volume_axis, 0.0, top * 1.04)
        cut = self.dose_axis.cut_names
        unit = "%" if scale != 1.0 else "Gy"
        self.plot.setTitle(
            f"Axis cut at {self.dose_axis.upper:.4g} {unit}: {', '.join(cut)} reach "
            f"{self.dose_axis.largest:.4g} {unit} (tick 'Whole dose range')"
            if cut else None, size="8pt", color="#703000")

    def _embedded(self, roi_number: int, dvh: Dvh) -> tuple[np.ndarray, np.ndarray] | None:
        """The RT Dose's own cumulative DVH of this ROI on the current axes, if usable.

        In % of volume it is normalised to its own total (never rescaled to our
        volume); a PERCENT curve shown in cc uses our volume, the only one known.
        """
        dose = self.scene.dose
        embedded = next((e for e in (dose.dvhs if dose is not None else ())
                         if roi_number in e.referenced_roi_numbers), None)
        if (embedded is None or embedded.dose_units is not DoseUnits.GY
                or embedded.volume_units not in ("CM3", "PERCENT") or embedded.volumes.size == 0):
            return None
        cumulative = embedded.volumes
        if embedded.dvh_type is DvhType.DIFFERENTIAL:
            cumulative = np.cumsum(cumulative[::-1])[::-1]
        percent = embedded.volume_units == "PERCENT"
        total = float(cumulative[0])
        if self.relative_volume.isChecked():
            y = cumulative if percent else cumulative * (100.0 / total if total > 0 else np.nan)
        else:
            y = cumulative * (dvh.volume_cc / 100.0) if percent else cumulative
        x = embedded.bin_lower_edges
        reference = self.state.reference_dose
        if self.relative_dose.isChecked() and reference is not None:
            x = x * (100.0 / reference.dose_gy)
        return x, y

    def _fill_table(self, dose_pct: bool) -> None:
        reference = self.state.reference_dose
        ref_gy = reference.dose_gy if reference is not None else None
        rx_gy = self._prescription_gy()
        unit = "%" if dose_pct else "Gy"
        v_heads = [f"V{v:g}{'Gy' if u == 'Gy' else '%'} (%)" for v, u in self._levels]
        headers = (["Volume (cc)"]
                   + [f"{_HEADS.get(c, c.capitalize())} ({unit})" for c in DOSE_COLUMNS]
                   + ["V Rx (%)", "HI", "Paddick CI", "Outside grid (cc)"] + v_heads)
        self.table.setColumnCount(len(headers))
        self.table.setHorizontalHeaderLabels(headers)
        self.info.setText(self._info_text())
        self.info.setToolTip("\n".join(
            [f"Structure model {self.model}: {describe_model(self.model)}.",
             *self.model_notes()]))
        self.info_area.fit()
        self.model_choice.setToolTip(describe_model(self.model))
        shown = self._shown()
        self.table.setRowCount(len(shown))
        piv = self._piv_cc(rx_gy)
        for row, (roi, dvh) in enumerate(shown):
            stats = dvh_statistics(dvh, rx_gy, piv_cc=piv)
            self.table.setVerticalHeaderItem(row, _name_item(roi, self.spread_of(roi)))
            cells = [f"{stats['volume_cc']:.2f}"]
            for key in DOSE_COLUMNS:
                value = stats[key]
                if dose_pct and ref_gy:
                    value = 100.0 * value / ref_gy
                cells.append("" if np.isnan(value) else f"{value:.2f}")
            for key, fmt in (("v_rx_percent", ".1f"), ("hi", ".3f"), ("paddick_ci", ".3f"),
                             ("outside_cc", ".3g")):
                cells.append("" if np.isnan(stats[key]) else format(stats[key], fmt))
            for value, level_unit in self._levels:
                gy = value if level_unit == "Gy" else (
                    rx_gy * value / 100.0 if rx_gy else float("nan"))
                v = volume_at_dose_gy(dvh, gy, relative=True) if np.isfinite(gy) else gy
                cells.append("" if np.isnan(v) else f"{v:.1f}")
            for column, text in enumerate(cells):
                item = QtWidgets.QTableWidgetItem(printable(text))
                item.setTextAlignment(QtCore.Qt.AlignmentFlag.AlignRight
                                      | QtCore.Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()

    # -- export -------------------------------------------------------------------------
    def _ask_export(self) -> None:
        path, _ = QtWidgets.QFileDialog.getSaveFileName(self, "Export DVH", "dvh.csv",
                                                        "CSV (*.csv)")
        if path:
            self.export_csv(Path(path))

    def export_csv(self, path: Path) -> tuple[Path, Path]:
        """Write ``path`` (statistics, doses in Gy) and ``<stem>_curves.csv`` (cc per 0.01 Gy)."""
        ref_gy = self._prescription_gy()
        shown = self._shown()
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["roi_number", "roi_name", "volume_cc", "dmin_gy", "dmean_gy",
                             "dmax_gy", "d98_gy", "d95_gy", "d50_gy", "d2_gy", "d0.03cc_gy",
                             "v_reference_percent", "d2cc_gy", "d0.1cc_gy", "d90_gy", "hi",
                             "paddick_ci", "outside_grid_cc"])
            for roi, dvh in shown:
                stats = dvh_statistics(dvh, ref_gy, piv_cc=self._piv_cc(ref_gy))
                writer.writerow([roi.roi_number, roi.name] + [
                    "" if np.isnan(stats[k]) else f"{stats[k]:.6g}" for k in STAT_COLUMNS])
        curves = path.with_name(path.stem + "_curves.csv")
        top = max((dvh.edges_gy[-1] for _roi, dvh in shown), default=0.0)
        doses = np.arange(0.0, top + 0.01, 0.01)
        with curves.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["dose_gy"] + [f"{roi.roi_number}:{roi.name}" for roi, _ in shown])
            columns = [dvh.cumulative_at(doses) for _roi, dvh in shown]
            for index, dose in enumerate(doses):
                writer.writerow([f"{dose:.2f}"] + [f"{c[index]:.6g}" for c in columns])
        return path, curves
