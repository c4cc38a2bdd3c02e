"""Wires the :class:`Viewer` into the main window: tree selection -> chain -> load -> show.

Kept apart from ``main_window`` (the scan/tree window) so that window stays small:
``attach_viewer(window)`` moves the patient tree into a dock, makes the viewer the
central widget, puts the readout in the status bar, and loads in a worker thread
whatever the user selects (or, after a scan, what ``rtviewer render`` would show).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtWidgets

from rtviewer.dicom.patient_header import PatientHeader
from rtviewer.model.index import Instance, Patient, ScanResult
from rtviewer.model.kind import Kind
from rtviewer.model.tg43_mark import TG43_DOSE_NAME, is_tg43_dose
from rtviewer.ui.panels.dose_choice import (
    MIN_LABEL_CHARS,
    DoseMaxima,
    fill_dose_combo,
    fit_dose_combo,
)
from rtviewer.ui.panels.patient_banner import (
    other_patients,
    patient_facts,
    plan_words,
    window_title,
)
from rtviewer.ui.views.empty_note import EmptyNote
from rtviewer.ui.views.viewer import Viewer
from rtviewer.ui.workers.loader import LoadResult, LoadWorker
from rtviewer.view.chain import Chain, chain_for, window_chain
from rtviewer.view.scene import Scene
from rtviewer.view.tree_labels import instance_label

__all__ = ["ViewerController", "attach_viewer", "loaded_message", "nothing_to_draw"]

log = logging.getLogger(__name__)

#: The Dose combo's item data for rtviewer's TG-43 dose of a brachy plan's dwells.
TG43_ITEM = "tg43:rtviewer"
#: The Dose combo's way back from the TG-43 dose when the plan has no RT Dose.
NO_DOSE_ITEM = "no-dose"
#: The side panel's share of the width when an RT Image is shown with nothing to draw in
#: the slice views (a folder of portal images).
RT_IMAGE_ALONE_SHARE = 0.7
_LOADABLE = frozenset({Kind.DOSE, Kind.PLAN, Kind.ION_PLAN, Kind.STRUCTURE_SET, Kind.IMAGE})
# the Problems and Check docks when opened (px): a tool row, the table header, a row or two
BOTTOM_DOCK_PX = 160
#: The patient tree dock: never narrower (names and plan labels stay readable), and its
#: share of the window at first show, within [TREE_MIN_PX, TREE_MAX_PX].
TREE_MIN_PX = 240
TREE_MAX_PX = 360
TREE_SHARE = 0.21
#: What the view area says before a folder is opened.
_START_NOTE = ("No patient open.\n\nFile → Open Folder (Ctrl+O), or drop a DICOM folder "
               "here.\nrtviewer --demo opens the teaching patients.")
#: The status-bar readout's width (px): position, HU, dose in Gy and %, two structures.
READOUT_MIN_PX = 560


class ViewerController(QtCore.QObject):
    """Loads chains for a main window and shows them in its viewer.

    Signals
    -------
    loaded(object)
        A :class:`LoadResult` is on screen.
    """

    loaded = QtCore.Signal(object)

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.viewer = Viewer()
        self._generation = 0
        self._shut_down = False  # shutdown(): the window closed, nothing more starts
        self._partial_shown = -1
        self._workers: list[LoadWorker] = []
        self.chain = Chain()
        #: The folder and patient on screen: everything shown belongs to them.
        self.shown_root: Path | None = None
        self.shown_patient: Patient | None = None
        #: Patient ID a new folder opens on when it holds it (the demo: external beam first).
        self.preferred_patient: str | None = None
        self._pending_file: tuple[ScanResult, Instance] | None = None
        self._dock_tree()
        self._build_status()
        self.empty_note = EmptyNote(self.viewer.view_area)
        self.empty_note.say(_START_NOTE)
        self._build_choices()
        window.scan_finished.connect(self._on_scan_finished)
        window.root_closed.connect(self._on_root_closed)
        window.tree.itemSelectionChanged.connect(self._on_selection)

    # -- layout -------------------------------------------------------------------------
    def _dock_tree(self) -> None:
        window = self.window
        tree = window.takeCentralWidget()
        dock = QtWidgets.QDockWidget("Patients", window)
        dock.setObjectName("patients_dock")
        dock.setWidget(tree)
        dock.setMinimumWidth(TREE_MIN_PX)
        window.addDockWidget(QtCore.Qt.DockWidgetArea.LeftDockWidgetArea, dock)
        window.setCentralWidget(self.viewer)
        window.resizeDocks([dock], [self.tree_width()], QtCore.Qt.Orientation.Horizontal)
        # Qt scales dock sizes with the window, so the short bottom docks are set at the
        # first show (eventFilter), once the window has its real size
        self._docks_compacted = False
        self.tree_dock = dock

    def tree_width(self) -> int:
        """The tree dock's first-show width (px) for the window's current width."""
        return int(min(TREE_MAX_PX, max(TREE_MIN_PX, TREE_SHARE * self.window.width())))

    def compact_bottom_docks(self) -> None:
        """Problems and Check docks one short tab high: useful, but the images come first.

        The patient tree gets its default width at the same time (Qt scaled it too).
        """
        window = self.window
        window.resizeDocks([self.tree_dock], [self.tree_width()],
                           QtCore.Qt.Orientation.Horizontal)
        bottom = [d for d in window.findChildren(QtWidgets.QDockWidget)
                  if window.dockWidgetArea(d) == QtCore.Qt.DockWidgetArea.BottomDockWidgetArea]
        if bottom:
            window.resizeDocks(bottom, [BOTTOM_DOCK_PX] * len(bottom),
                               QtCore.Qt.Orientation.Vertical)

    def _build_status(self) -> None:
        bar = self.window.statusBar()
        self.viewer.readout.setParent(None)
        # permanent: a temporary message (loading, scanning) never hides the readout; no
        # stretch, so the messages keep the left part of the bar
        self.viewer.readout.setMinimumWidth(READOUT_MIN_PX)
        bar.addPermanentWidget(self.viewer.readout)
        self.load_progress = QtWidgets.QProgressBar(bar)
        self.load_progress.setMaximumWidth(200)
        self.load_progress.setFormat("loading %p%")
        self.load_progress.setVisible(False)
        bar.addPermanentWidget(self.load_progress)

    def _build_choices(self) -> None:
        """Combos offering the other doses and plans of the study (never merged)."""
        self.dose_choice = QtWidgets.QComboBox()
        # long vendor file names must not widen the window
        self.dose_choice.setSizeAdjustPolicy(
            QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.dose_choice.setMinimumContentsLength(MIN_LABEL_CHARS)
        self.dose_choice.setToolTip("Dose shown. Doses of this plan / study: one at a time")
        self.dose_choice.activated.connect(self._on_dose_chosen)
        self._offered: list[Path] = []
        self.dose_maxima = DoseMaxima(self)
        self.dose_maxima.found.connect(lambda _path: self._relabel_doses())
        self.viewer.doseSwitched.connect(self._relabel_doses)
        # first in the toolbar: which dose is on screen matters more than the tools after it
        self.viewer.insert_toolbar_widget(self.dose_choice)

    # -- requests -------------------------------------------------------------------------
    def _result_for(self, path: Path) -> ScanResult | None:
        for result in self.window.results.values():
            if any(inst.path == path for inst in result.instances()):
                return result
        return None

    def _on_selection(self) -> None:
        from rtviewer.ui.window.scan_tree import PATH_ROLE

        items = self.window.tree.selectedItems()
        value = items[0].data(0, PATH_ROLE) if items else None
        path = Path(value) if value else None
        result = self._result_for(path) if path is not None else None
        if result is None or path is None:  # a folder, patient, study, series: its patient
            if items:
                self._show_node(items[0])
            return
        inst = next(i for i in result.instances() if i.path == path)
        if inst.kind in (Kind.RT_IMAGE, Kind.RECORD):
            patient = _patient_of(result, inst.path)
            if not self._is_shown(result, patient):  # one patient on screen at a time
                self._pending_file = (result, inst)
                self._show_patient(result, patient)
                return
            if _first_path(self.chain) is None:  # the file alone on screen: the banner too
                self._show_alone(result, inst)
                return
        if self.viewer.rt_views.show_file(result, inst):  # RT Image, treatment record
            return
        if inst.kind in _LOADABLE:
            self.load(chain_for(result, path))

    def _show_node(self, item: Any) -> None:
        """A folder, patient, study or series picked: show its patient (or folder)."""
        root = self.window.root_of(item)
        result = self.window.results.get(root) if root is not None else None
        if result is None:
            return
        image = self._series_image(item, result)
        if image is not None:  # an image series: that series, as a click on its first image
            if image not in self.chain.image_paths:
                self.load(chain_for(result, image))
            return
        index = self.window.tree.patient_index(item)
        if index is None:  # the folder's own row
            if root != self.shown_root:
                self._on_scan_finished(result)
            return
        patient = result.patients[index]
        if not self._is_shown(result, patient):
            self._show_patient(result, patient)

    @staticmethod
    def _series_image(item: Any, result: ScanResult) -> Path | None:
        """The first file of a series row whose files are all images, else None.

        A click on "PT PET WB" showed the patient's CT (its default chain) or, with the
        CT on screen, nothing; its image rows showed the PET.
        """
        from rtviewer.ui.window.scan_tree import PATH_ROLE

        paths = [item.child(i).data(0, PATH_ROLE) for i in range(item.childCount())]
        if not paths or None in paths:
            return None
        kinds = {inst.path: inst.kind for inst in result.instances()}
        files = [Path(p) for p in paths]
        if any(kinds.get(f) != Kind.IMAGE for f in files):
            return None
        return files[0]

    def _is_shown(self, result: ScanResult, patient: Patient | None) -> bool:
        return result.root == self.shown_root and patient == self.shown_patient

    def _show_patient(self, result: ScanResult, patient: Patient | None) -> None:
        """Show ``patient``'s default chain; without one, an empty view named for them."""
        patient_id = patient.patient_id if patient is not None else None
        chain, why = window_chain(result, patient_id)
        if chain.renderable or chain.plan is not None:
            log.info("showing %s", why)
            self.load(chain)
            return
        if self._pending_file is not None:
            pending, self._pending_file = self._pending_file, None
            self._show_alone(*pending)
            return
        alone = _first_alone(result, patient_id, only=True)
        if alone is not None:
            self._show_alone(result, alone)
            return
        self._clear(result, patient)

    def _on_scan_finished(self, result: ScanResult) -> None:
        """A newly opened folder is shown at once; a rescan of the shown one keeps the view."""
        if result.root == self.shown_root and not self.viewer.scene.empty:
            return
        preferred = self.preferred_patient
        if preferred is not None and any(p.patient_id == preferred for p in result.patients):
            chain, why = window_chain(result, preferred)
        else:
            chain, why = window_chain(result)
        if chain.renderable or chain.plan is not None:
            log.info("showing %s", why)
            self.load(chain)
            return
        alone = _first_alone(result, preferred)
        if alone is not None:
            self._show_alone(result, alone)
            return
        self._clear(result, None, nothing_shown(result))

    def _on_root_closed(self, root: Path) -> None:
        """The shown folder was closed: show the last remaining one, else nothing."""
        if root != self.shown_root:
            return
        self.shown_root = self.shown_patient = None
        remaining = list(self.window.results.values())
        if remaining:
            self._on_scan_finished(remaining[-1])
        else:
            self._clear(None, None, "No folder open. File → Open Folder, or drop a folder here.")

    def _clear(self, result: ScanResult | None, patient: Patient | None,
               message: str | None = None) -> None:
        """Empty the views (nothing of another patient stays on screen) and say why."""
        self._generation += 1  # a load still running is no longer wanted
        self.chain = Chain()
        self.viewer.state.set_selection(self.chain)
        self.viewer.set_scene(Scene())
        self.viewer.rt_views.set_related(None)  # no plan: the last one's records go
        self.offer_doses(self.chain)
        self.shown_root = result.root if result is not None else None
        self.shown_patient = patient
        if patient is not None:
            name = patient.patient_name or "(no name)"
            text = (f"{name} · ID {patient.patient_id or '(none)'}: "
                    "no image, dose, structure set or plan to show in the slice views")
        else:
            text = message or "Nothing to show"
        self.viewer.banner.show_message(text)
        self.empty_note.say(text if patient is None else "No image, dose, structure set or "
                            "plan of this patient to show in the slice views.")
        self.window.setWindowTitle(f"{text} — rtviewer" if patient else "rtviewer")
        self._reveal(None)

    def _leave_file_tabs(self) -> None:
        """Another patient is shown: an RT Image or records tab gives way to the first.

        Those tabs held the patient before's files; the new one's are a click away.
        """
        tabs = self.viewer.tabs
        if tabs.key_of(tabs.currentWidget()) in ("rt_image", "records"):  # none built else
            tabs.setCurrentIndex(0)

    def _reveal(self, path: Path | None) -> None:
        """The tree shows what the views show: its item selected and scrolled to.

        Unless the user's own selection already lies in the shown patient.
        """
        tree = self.window.tree
        if not tree.holds(tree.currentItem(), self.shown_root, self.shown_patient):
            tree.reveal(self.shown_root, self.shown_patient, path)

    def _show_alone(self, result: ScanResult, inst: Instance) -> None:
        """A patient with RT Images or records only: the first shown in its tab.

        The patient is named in the banner and the title; the slice views have
        nothing to draw.
        """
        self._clear(result, _patient_of(result, inst.path))
        if inst.kind == Kind.RT_IMAGE:  # the picture, not the empty views, gets the room
            self.viewer.give_panel_room(RT_IMAGE_ALONE_SHARE)
        self.viewer.rt_views.show_file(result, inst)
        tab = "RT Image" if inst.kind == Kind.RT_IMAGE else "Records"
        self.empty_note.say(f"{instance_label(inst)}\n\nshown in the {tab} tab →\n\n"
                            "(no image, dose, structure set or plan of this patient for "
                            "the slice views)")
        facts = patient_facts(inst.path)
        self.viewer.banner.show_patient(facts, instance_label(inst))
        self.window.setWindowTitle(window_title(facts, None))
        self.window.tree.reveal(result.root, self.shown_patient, inst.path)

    def _on_dose_chosen(self, index: int) -> None:
        path = self.dose_choice.itemData(index)
        if path == TG43_ITEM:
            self.show_tg43_dose()
            return
        if path == NO_DOSE_ITEM:
            self.viewer.show_file_dose()  # the plan has no RT Dose: back to none
            return
        if path and Path(path) == self.chain.dose and is_tg43_dose(self.viewer.scene.dose):
            self.viewer.show_file_dose()
            return
        if path and Path(path) != self.chain.dose:
            doses = [d for d in (self.chain.dose, *self.chain.other_doses) if d is not None]
            self.load(replace(self.chain, dose=Path(path),
                              other_doses=tuple(d for d in doses if d != Path(path))))

    def load(self, chain: Chain) -> None:
        """Read ``chain`` in a worker thread; a newer request supersedes older ones."""
        if not chain.renderable and chain.plan is None:
            self.window.statusBar().showMessage("; ".join(chain.notes) or "nothing to show")
            return
        self._generation += 1
        prefetch = getattr(self.window, "prefetch", None)  # the folder the window starts on
        worker = LoadWorker(chain, self,
                            None if prefetch is None else lambda: prefetch.load_for(chain) or ())
        generation = self._generation
        worker.progress.connect(self._on_progress)
        worker.partial.connect(lambda result: self._on_partial(result, generation))
        worker.loaded.connect(lambda result: self._on_loaded(result, generation))
        worker.finished.connect(lambda: self._forget(worker))
        self._workers.append(worker)
        self.load_progress.setVisible(True)
        self.load_progress.setRange(0, 0)
        worker.start()

    def _forget(self, worker: LoadWorker) -> None:
        if worker in self._workers:
            self._workers.remove(worker)
            worker.deleteLater()
        self.load_progress.setVisible(bool(self._workers))

    def _on_progress(self, done: int, total: int, what: str) -> None:
        self.load_progress.setRange(0, max(1, total))
        self.load_progress.setValue(done)
        self.load_progress.setFormat(what)

    def _on_partial(self, result: LoadResult, generation: int) -> None:
        if generation == self._generation:
            first = self._partial_shown != generation
            self._partial_shown = generation
            self.viewer.show_result(result)
            self.name_patient(result.chain, result.headers)
            self.window.statusBar().showMessage("Reading the structure set…")
            if first:
                self._paint_views()

    def _paint_views(self) -> None:
        """Paint the slice views now: the first image shows before what follows it.

        Qt paints after every queued event; a later partial scene or the whole one,
        already queued (a fast disk, the start-up loader's results), would otherwise
        be drawn, labelled and legended before the user saw the first image, and the
        menus added after the first image (``loaded``: the Network menu's imports)
        would run before it too.
        """
        for view in self.viewer.views.values():
            if view.isVisible():
                view.graphics.viewport().repaint()

    def _on_loaded(self, result: LoadResult, generation: int) -> None:
        if generation != self._generation:
            return  # the user has since selected something else
        self.chain = result.chain
        self.viewer.state.set_selection(result.chain)
        keep = self._partial_shown == generation  # the user may already be looking around
        why = self.viewer.show_result(result, keep_view=keep)
        if not keep:  # the first picture of this load: on screen before what follows
            self._paint_views()
        self.offer_doses(result.chain, result.scene)
        plan = result.chain.plan
        self.viewer.rt_views.set_related(self._result_for(plan) if plan is not None else None)
        self.name_patient(result.chain, result.headers)
        if (empty := nothing_to_draw(result.scene)) is not None:
            self.empty_note.say(empty)
        patient = self.shown_patient
        series = [se for st in patient.studies for se in st.series] if patient else []
        self.viewer.set_related(
            [i for se in series for i in se.instances],
            {i.path: se.series_description for se in series for i in se.instances})
        self.window.statusBar().showMessage(
            loaded_message(result.chain, why, result.problems, self.viewer.scene), 15000)
        if self._pending_file is not None:  # an RT Image or record of this patient
            pending, self._pending_file = self._pending_file, None
            self.viewer.rt_views.show_file(*pending)
        scene = self.viewer.scene
        if scene.dose is not None and scene.structures is not None:
            # the DVHs (and goals) compute in the background while the user looks at the
            # image, as they did when the DVH tab was built with the window; after this
            # paint, so that the tab's building never delays the image
            QtCore.QTimer.singleShot(0, self, self._start_dvhs)
        self.loaded.emit(result)

    def _start_dvhs(self) -> None:
        """Build the DVH tab (its DVHs start computing) if it was not yet.

        Not once the window has closed (:meth:`shutdown`): a tab built then computed in
        the closed window.
        """
        if not self._shut_down:
            self.viewer.tabs.page("dvh")

    def name_patient(self, chain: Chain,
                     headers: Mapping[Path, PatientHeader] | None = None) -> None:
        """Banner and window title: whose data and which plan are on screen.

        ``headers``: the files' patient attributes read with the load (others are read).
        """
        first = _first_path(chain)
        scan = self._result_for(first) if first is not None else None
        before = (self.shown_root, self.shown_patient)
        self.shown_root = scan.root if scan is not None else None
        self.shown_patient = _patient_of(scan, first) if scan and first else None
        if first is None:
            return
        self.empty_note.hide()  # (also for rtviewer render, which sets its scene itself)
        if before != (self.shown_root, self.shown_patient):
            self._leave_file_tabs()
        self._reveal(first)
        facts = patient_facts(first, headers)
        scene = self.viewer.scene
        files = {"plan": chain.plan, "dose": chain.dose, "structure set": chain.structures,
                 "images": chain.image_paths[0] if chain.image_paths else None}
        self.viewer.banner.show_patient(
            facts, plan_words(scene.plan, self.viewer.state.reference_dose),
            other_patients(first, files, headers))
        self.window.setWindowTitle(window_title(facts, scene.plan))

    def offer_doses(self, chain: Chain, scene: Scene | None = None) -> None:
        """List the chain's dose and its alternatives in the Dose combo.

        ``scene``'s dose (the one on screen) gives its maximum at once; the others'
        maxima are read in the background and relabel the combo when known.
        """
        if scene is not None and scene.dose is not None:
            self.dose_maxima.remember(scene.dose)
        self._offered = [p for p in (chain.dose, *chain.other_doses) if p is not None]
        self._relabel_doses()
        self.dose_maxima.request(self._offered)

    def _relabel_doses(self) -> None:
        instances = {inst.path: inst for result in self.window.results.values()
                     for inst in result.instances() if inst.kind == Kind.DOSE}
        fill_dose_combo(self.dose_choice, self._offered, instances, self.dose_maxima)
        scene = self.viewer.scene
        if getattr(scene.plan, "brachy", None) is None:
            return
        # rtviewer's TG-43 dose of the dwells: offered for every brachy plan, named so
        # that it is never taken for the planning system's RT Dose
        label = f"{TG43_DOSE_NAME} from dwells"
        combo = self.dose_choice
        with QtCore.QSignalBlocker(combo):
            shown = is_tg43_dose(scene.dose)
            if shown and not self._offered:
                combo.clear()  # "No dose" below it is the way back, not the dose shown
                combo.addItem("No dose", NO_DOSE_ITEM)
            combo.insertItem(0 if shown else combo.count(), label, TG43_ITEM)
            combo.setItemData(0 if shown else combo.count() - 1,
                              "rtviewer's independent TG-43 calculation from the plan's "
                              "dwells (Brachy tab → 3-D dose), not the planning system's "
                              "RT Dose", QtCore.Qt.ItemDataRole.ToolTipRole)
            combo.setCurrentIndex(0)
            combo.setEnabled(True)
        fit_dose_combo(combo)

    def show_tg43_dose(self) -> None:
        """Show rtviewer's TG-43 dose of the plan's dwells (computed first, in a worker)."""
        panel = self.viewer.rt_views.brachy
        self.viewer.tabs.setCurrentWidget(panel)
        panel.sections.setCurrentWidget(panel.dose_section)
        panel.dose_section.request("show")

    @property
    def loading(self) -> bool:
        """Whether a chain is being read (its scene is on its way)."""
        return bool(self._workers)

    def wait(self, timeout_ms: int = 60000) -> None:
        """Block until running loads finish and their results are shown (tests, render)."""
        for worker in list(self._workers):
            worker.wait(timeout_ms)
        QtCore.QCoreApplication.sendPostedEvents()
        QtCore.QCoreApplication.processEvents()

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802
        """Join the workers when the window closes; short bottom docks at its first show."""
        if watched is self.window and event.type() == QtCore.QEvent.Type.Close:
            self.shutdown()
        if (watched is self.window and event.type() == QtCore.QEvent.Type.Show
                and not self._docks_compacted):
            self._docks_compacted = True
            if not self.window.property("layout_restored"):  # keep the user's own layout
                # after the show's own layout pass, which would undo it
                QtCore.QTimer.singleShot(0, self, self.compact_bottom_docks)
        return False

    def shutdown(self) -> None:
        """Join worker threads (call before the window is destroyed).

        What they have queued for the GUI thread is then dropped (a newer generation):
        a load finishing as the window closed showed its scene in the closed window and
        started its DVH workers there.
        """
        self._generation += 1
        self._shut_down = True
        for worker in list(self._workers):
            worker.wait()
        self.viewer.stop_workers()


def loaded_message(chain: Chain, why: str,
                   problems: Sequence[tuple[Path, str]] = (), scene: Scene | None = None) -> str:
    """Status-bar sentence after a chain is shown (the window and ``rtviewer render``).

    With the loaded ``scene`` the objects are named as a physicist knows them (plan
    label, dose type and maximum, structure set label); file names only without it.
    """
    described = _describe_scene(chain, scene) if scene is not None else _describe(chain)
    message = f"Showing {described}; crosshair at the {why}"
    if problems:
        message += "; could not read: " + "; ".join(f"{p.name}: {r}" for p, r in problems)
    return message


def _describe(chain: Chain) -> str:
    parts = [f"{label} {path.name}" for label, path in
             (("plan", chain.plan), ("dose", chain.dose), ("structures", chain.structures))
             if path is not None]
    if chain.image_paths:
        parts.append(f"{len(chain.image_paths)} images")
    return ", ".join(parts) or "nothing"


def _describe_scene(chain: Chain, scene: Scene) -> str:
    """``"plan 'B1' (BREAST), PLAN dose max 15.3 Gy, structure set 'CT_1', 1 CT image"``."""
    parts = []
    plan = scene.plan
    if plan is not None:
        name = f" ({plan.name})" if plan.name and plan.name != plan.label else ""
        parts.append(f"plan '{plan.label or '(no label)'}'{name}")
    dose = scene.dose
    if dose is not None:
        summation = getattr(dose.summation_type, "value", None) or ""
        unit = "Gy" if dose.is_absolute else "(relative)"
        name = f"{TG43_DOSE_NAME} " if is_tg43_dose(dose) else ""  # never taken for an RT Dose
        parts.append(f"{name}{summation} dose max {dose.max_gy:.2f} {unit}".strip())
    if scene.structures is not None:
        parts.append(f"structure set '{scene.structures.label}'")
    if chain.image_paths and scene.image is not None:
        n = len(chain.image_paths)
        parts.append(f"{n} {scene.image.modality or ''} image{'s' if n != 1 else ''}")
    return ", ".join(parts) or "nothing"


def _first_path(chain: Chain) -> Path | None:
    for path in (chain.plan, chain.dose, chain.structures, *chain.image_paths):
        if path is not None:
            return Path(path)
    return None


def _patient_of(result: ScanResult, path: Path) -> Patient | None:
    """The patient whose studies hold the file ``path``."""
    for patient in result.patients:
        for study in patient.studies:
            for series in study.series:
                if any(inst.path == path for inst in series.instances):
                    return patient
    return None


def _first_alone(result: ScanResult, patient_id: str | None = None, *,
                 only: bool = False) -> Instance | None:
    """The RT Image (else treatment record) a folder without a drawable chain opens on.

    The preferred patient's when it has one, else (unless ``only``) the first
    patient's that has one.
    """
    patients = sorted(result.patients, key=lambda p: p.patient_id != patient_id)
    if only:
        patients = [p for p in patients if p.patient_id == patient_id]
    for kind in (Kind.RT_IMAGE, Kind.RECORD):
        for patient in patients:
            found = [i for st in patient.studies for se in st.series for i in se.instances
                     if i.kind == kind]
            if found:  # the first the tree lists
                return found[0]
    return None


def nothing_to_draw(scene: Scene) -> str | None:
    """Why the slice views of a loaded ``scene`` stay empty; None when they draw.

    A plan without beams or channels (the corpus' 434-byte RT Ion Plan stub) and
    nothing else loaded leaves them black: the view area says so.
    """
    plan = scene.plan
    if plan is None or scene.image is not None or scene.dose is not None \
            or scene.structures is not None:
        return None
    if getattr(plan, "beams", ()) or getattr(plan, "brachy", None) is not None:
        return None
    label = getattr(plan, "label", None) or "(no label)"
    return (f"Plan '{label}' has no beams or brachy channels, and no image, dose or "
            "structure set goes with it: nothing to draw in the slice views.\n\n"
            "What it holds is in the Plan tab.")


def nothing_shown(result: ScanResult) -> str:
    """Why a folder shows nothing: ``"/data/x: 3 files, none DICOM"``."""
    n_dicom = len(result.instances())
    n_files = n_dicom + len(result.skipped) + len(result.problems)
    if n_files == 0:
        found = "no files"
    elif n_dicom == 0:
        found = f"{n_files} file{'s' if n_files != 1 else ''}, none DICOM"
        if result.problems:
            found += f" that could be read ({len(result.problems)} unreadable: View → Problems)"
    else:
        found = (f"{n_dicom} DICOM file{'s' if n_dicom != 1 else ''}, but no image, dose, "
                 "structure set or plan to draw")
    return f"{result.root}: {found}"


def attach_viewer(window: Any) -> ViewerController:
    """Put the viewer into ``window`` (a ``MainWindow``) and return its controller."""
    controller = ViewerController(window)
    window.viewer_controller = controller
    window.installEventFilter(controller)
    return controller
