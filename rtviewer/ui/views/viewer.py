"""The viewer: three linked slice views, a toolbar and the side panels around one ViewState.

The window (``main_window``) and ``rtviewer render`` both show this widget, so a
headless render is exactly what the window shows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from rtviewer.core.structure_model import DEFAULT_MODEL
from rtviewer.model.index import Instance
from rtviewer.model.tg43_mark import is_tg43_dose
from rtviewer.ui.panels.dose_panel import DosePanel
from rtviewer.ui.panels.patient_banner import PatientBanner
from rtviewer.ui.panels.points_panel import PointsPanel
from rtviewer.ui.panels.structure_panel import StructurePanel
from rtviewer.ui.render.view_export import build_screenshot_menu
from rtviewer.ui.views.compare_state import CompareState
from rtviewer.ui.views.flow_row import FlowRow
from rtviewer.ui.views.lazy_tabs import LazyTabs
from rtviewer.ui.views.overlays.compare_isodoses import CompareIsodoseOverlay
from rtviewer.ui.views.overlays.compare_maps import DifferenceMapOverlay, GammaMapOverlay
from rtviewer.ui.views.readout import ReadoutLabel
from rtviewer.ui.views.rt_views import RtViews
from rtviewer.ui.views.slice_view import SliceView
from rtviewer.ui.views.tab_strip import TabStrip
from rtviewer.ui.views.view_state import CT_PRESETS, ViewState
from rtviewer.ui.workers.loader import LoadResult
from rtviewer.view.compare_sources import has_compare_candidates
from rtviewer.view.scene import Scene
from rtviewer.view.view_geometry import VIEWS

if TYPE_CHECKING:  # built on demand (LazyTabs): their modules load with them
    from rtviewer.model.brachy_tg43_dose import Tg43Dose
    from rtviewer.ui.panels.compare_panel import ComparePanel
    from rtviewer.ui.panels.dvh_panel import DvhPanel
    from rtviewer.ui.panels.plan_panel import PlanPanel
    from rtviewer.ui.views.bev_view import BeamsEyeView

__all__ = ["Viewer", "initial_window"]

#: The side panel's tabs: tight padding so that every tab's name fits without scroll
#: arrows in a panel of about 420 px (1280 px wide screens).
_TAB_STYLE = "QTabBar::tab { padding: 4px 7px; }"
#: The side panel's pages may be squeezed to this width (px); the tab bar sets the floor.
PANEL_MIN_PX = 300
#: The side panel's share of the viewer's width at first show.
PANEL_SHARE = 0.34


def initial_window(scene: Scene) -> tuple[float, float]:
    """Starting ``(width, level)``: the file's window, soft tissue for CT, else percentiles."""
    image = scene.image
    if image is None:
        return CT_PRESETS["Soft tissue"]
    if image.window is not None:
        level, width = image.window
        return float(width), float(level)
    if image.modality == "CT":
        return CT_PRESETS["Soft tissue"]
    low, high = np.percentile(image.voxels[:: max(1, image.voxels.shape[0] // 8)], (1, 99))
    return max(1.0, float(high - low)), float((high + low) / 2)


class Viewer(QtWidgets.QWidget):
    """Slice views + toolbar + tabs (structures, dose, DVH, plan) + readout line.

    Signals
    -------
    doseSwitched()
        Another dose of the same plan is on screen (rtviewer's TG-43 dose or back).
    """

    doseSwitched = QtCore.Signal()

    def __init__(self, state: ViewState | None = None,
                 parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state or ViewState(self)
        self.scene = Scene()
        self._default_position = np.full(3, np.nan)
        #: The structure model the views draw and the DVHs integrate (the DVH tab's choice).
        self.structure_model: str = DEFAULT_MODEL
        #: The patient's objects and their series descriptions offered for comparison
        #: (None: not told yet).
        self._related: tuple[list[Instance], dict[Path, str | None]] | None = None
        self.views = {name: SliceView(self.state, name) for name in VIEWS}
        self.structure_panel = StructurePanel(self.state)
        self.dose_panel = DosePanel(self.state)
        # the slice views draw the user's points the Points tab keeps: built at once
        self.points_panel = PointsPanel()
        self.readout = ReadoutLabel(self.state, self.views)
        self.banner = PatientBanner()
        # comparison mode (issue 19): B against the shown dose A
        self.compare_state = CompareState(self)
        self.compare_state.comparisonChanged.connect(self._on_comparison)
        self.tabs = LazyTabs()
        self._add_tabs()
        # the tab names in rows that wrap (the tab bar's single row squeezed the views)
        self.tab_strip = TabStrip(self.tabs)
        self.tabs.pageBuilt.connect(lambda *_: self.tab_strip.sync())
        for view in self.views.values():
            view.userPointRequested.connect(self.points_panel.add_user_point)
        self._build_layout()
        self.state.layoutChanged.connect(self._on_layout)
        self.state.singleViewChanged.connect(self._on_layout)
        self.rt_views = RtViews(self)  # beams, BEV, brachy (issue 7)
        # rtviewer's TG-43 dose of the dwells (issue 20): shown as a dose, or compared
        self._file_dose: tuple[object, object] | None = None  # (plan, its RT Dose)
        # the comparison (issue 19) last: its readout part follows the plan's
        self.compare_overlays: dict[str, dict[str, object]] = {}
        for name, view in self.views.items():  # the maps' z puts them under the isodoses
            overlays = (DifferenceMapOverlay(self.compare_state),
                        GammaMapOverlay(self.compare_state),
                        CompareIsodoseOverlay(self.compare_state))
            for overlay in overlays:
                view.add_overlay(overlay)
            self.compare_overlays[name] = {o.name: o for o in overlays}
        for points in self.rt_views.points.values():  # user points drawn as markers
            self.points_panel.userPointsChanged.connect(points.set_user_points)
        self._fit_tabs()
        # built after rt_views so the menu offers the beam's-eye and RT Image views too
        self.screenshot.setMenu(build_screenshot_menu(self, self.screenshot))

    # -- side panel -----------------------------------------------------------------------
    def _add_tabs(self) -> None:
        """The side panel's pages: those the first image needs now, the others on demand.

        A lazy page is built when its tab is first shown or when code asks for it
        (``viewer.dvh_panel``); its build connects it, its sync shows it the scene.
        """
        tabs = self.tabs
        tabs.add_page("structures", "Structures", self.structure_panel)
        tabs.add_page("dose", "Dose", self.dose_panel)
        tabs.add_lazy("dvh", "DVH", self._build_dvh_panel,
                      lambda panel: cast("DvhPanel", panel).set_scene(self.scene))
        tabs.add_lazy("plan", "Plan", self._build_plan_panel, self._sync_plan_panel)
        tabs.add_page("points", "Points", self.points_panel)
        tabs.add_lazy("compare", "Compare", self._build_compare_panel, self._sync_compare_panel)

    @property
    def dvh_panel(self) -> DvhPanel:
        """The DVH tab (built now if it was not yet)."""
        return cast("DvhPanel", self.tabs.page("dvh"))

    @property
    def plan_panel(self) -> PlanPanel:
        """The Plan tab (built now if it was not yet)."""
        return cast("PlanPanel", self.tabs.page("plan"))

    @property
    def compare_panel(self) -> ComparePanel:
        """The Compare tab (built now if it was not yet)."""
        return cast("ComparePanel", self.tabs.page("compare"))

    def _build_dvh_panel(self) -> QtWidgets.QWidget:
        from rtviewer.ui.panels.dvh_panel import DvhPanel

        panel = DvhPanel(self.state)
        panel.model_choice.setCurrentText(self.structure_model)
        # the views draw the structure model the DVHs integrate
        panel.model_choice.currentTextChanged.connect(self._on_structure_model)
        comparison = self.compare_state.comparison
        if comparison is not None:  # B's curves, dashed, as if it had been built before
            panel.set_compared(comparison, self.compare_state.b_label)
        return panel

    def _build_plan_panel(self) -> QtWidgets.QWidget:
        from rtviewer.ui.panels.plan_panel import PlanPanel

        panel = PlanPanel()
        self.rt_views.connect_plan_panel(panel)  # beam rows -> beam's eye, beams drawn
        return panel

    def _sync_plan_panel(self, page: QtWidgets.QWidget) -> None:
        panel = cast("PlanPanel", page)
        panel.set_plan(self.scene.plan)
        self.rt_views.show_plan(panel, self.scene)

    def _build_compare_panel(self) -> QtWidgets.QWidget:
        from rtviewer.ui.panels.compare_panel import ComparePanel

        return ComparePanel(self.compare_state)

    def _sync_compare_panel(self, page: QtWidgets.QWidget) -> None:
        panel = cast("ComparePanel", page)
        panel.set_scene(self.scene, self.structure_model)
        if self._related is not None:
            panel.set_related(*self._related)

    def set_related(self, instances: Sequence[Instance],
                    series: Mapping[Path, str | None] | None = None) -> None:
        """The patient's objects: the Compare tab offers its other doses and structure sets.

        ``series`` gives each file's series description (two doses of one plan told
        apart in words). The tab is offered only when there is something to compare
        (:func:`has_compare_candidates`).
        """
        self._related = (list(instances), dict(series or {}))
        self.tabs.sync_built(("compare",))
        self.offer_compare(has_compare_candidates(self._related[0], self.scene))

    def stop_workers(self) -> None:
        """Stop the DVH, comparison and beam's-eye workers of the tabs built so far."""
        dvh = self.tabs.built("dvh")
        if dvh is not None:
            cast("DvhPanel", dvh).stop_workers()
        compare = self.tabs.built("compare")
        if compare is not None:
            cast("ComparePanel", compare).stop_workers()
        bev = self.tabs.built("bev")  # its DRRs and fluence, and a playing beam
        if bev is not None:
            cast("BeamsEyeView", bev).stop_workers()

    # -- layout ---------------------------------------------------------------------------
    def _fit_tabs(self) -> None:
        """Every tab readable without widening the panel: the strip wraps its names.

        The pages themselves may be squeezed (their own minimum widths would otherwise
        add up to more than a 1280 px screen holds beside the tree and the views).
        """
        if self.tabs.styleSheet() != _TAB_STYLE:  # setting it again re-polishes every page
            self.tabs.setStyleSheet(_TAB_STYLE)
        for index in range(self.tabs.count()):
            page = self.tabs.widget(index)
            if page is not None:
                page.setMinimumWidth(PANEL_MIN_PX)
        # the pages' floor plus the tab widget's frame: at PANEL_MIN_PX alone the pages
        # (300 px in a 296 px frame) lost their right 4 px, a DVH tool's edge among them
        self.tabs.setMinimumWidth(0)
        self.tabs.setMinimumWidth(self.tabs.minimumSizeHint().width())
        self.tab_strip.sync()
        self._on_tabs_fitted()

    def showEvent(self, event: QtGui.QShowEvent) -> None:  # noqa: N802 - Qt override
        """At the first show, give the side panel its share (the user's drag wins later)."""
        super().showEvent(event)
        if not getattr(self, "_split_done", False):
            self._split_done = True
            self._share_split()

    def give_panel_room(self, share: float = PANEL_SHARE) -> None:
        """Give the side panel ``share`` of the width, unless the user has dragged it.

        An RT Image shown alone (a folder of portal images) takes most of the window:
        the slice views have nothing to draw, and the image in a third of the width was
        a 420 px picture beside 1000 px of black. A scene to draw gives the views back
        their share.
        """
        if share == getattr(self, "_panel_share", PANEL_SHARE):
            return
        self._panel_share = share
        if getattr(self, "_split_done", False) and not getattr(self, "_split_dragged", False):
            self._share_split()

    def _share_split(self) -> None:
        width = self.splitter.width()
        share = getattr(self, "_panel_share", PANEL_SHARE)
        panel = max(self.tabs.minimumWidth(), int(share * width))
        # the handle's width is not the panes': sizes summing to less are kept as given
        self.splitter.setSizes([width - self.splitter.handleWidth() - panel, panel])

    def _on_tabs_fitted(self) -> None:
        """Give the views back what a narrower tab bar frees, until the user drags.

        The first show sizes the panel for every tab (before a plan says which apply);
        at 1280×800 that left the slice views 420 px once the Brachy and Compare tabs
        were hidden.
        """
        if getattr(self, "_split_done", False) and not getattr(self, "_split_dragged", False):
            self._share_split()

    def show_tabs_for(self, scene: Scene) -> None:
        """Offer the Beam's eye tab for external beams and the Brachy tab for brachy plans."""
        plan = scene.plan
        brachy = getattr(plan, "brachy", None) is not None
        beams = bool(getattr(plan, "beams", ()))
        for key, wanted in (("bev", beams or plan is None), ("brachy", brachy or plan is None)):
            self.tabs.set_tab_visible(key, wanted)
        self._fit_tabs()

    def offer_compare(self, wanted: bool) -> None:
        """Show the Compare tab only for a patient with another dose or structure set.

        Every tab must stay readable, and the panel's minimum width is its tab bar's:
        an always-shown Compare tab squeezed the slice views at 1280×800. File →
        Compare Doses… shows it whenever asked (B may also come from a file).
        """
        self.offer_tab("compare", wanted)

    def offer_tab(self, key: str, wanted: bool) -> None:
        """Show or hide the side-panel tab ``key`` and fit the tab strip again."""
        self.tabs.set_tab_visible(key, wanted)
        self._fit_tabs()

    def _build_toolbar(self) -> FlowRow:
        self.preset = QtWidgets.QComboBox()
        self.preset.addItem("W/L preset…")
        self.preset.addItems(list(CT_PRESETS))
        self.preset.activated.connect(self._on_preset)
        self.layout_button = QtWidgets.QPushButton("1 view")
        self.layout_button.setCheckable(True)
        self.layout_button.toggled.connect(lambda on: self.state.set_layout(1 if on else 3))
        self.single_choice = QtWidgets.QComboBox()
        self.single_choice.addItems([v.capitalize() for v in VIEWS])
        self.single_choice.setToolTip("The view shown in the 1-view layout")
        self.single_choice.activated.connect(
            lambda index: self.state.set_single_view(VIEWS[index]))
        self.reset_zoom = QtWidgets.QPushButton("Reset zoom")
        self.reset_zoom.clicked.connect(self._reset_all_zooms)
        self.screenshot = QtWidgets.QPushButton("Screenshot…")
        self.screenshot.setToolTip("Save all slice views or one chosen view as PNG")
        # rows that wrap (a FlowRow): in a narrow window (a Lesson dock open at 1280x720)
        # the tools go onto a second row, every one whole and in view; a QToolBar hid
        # Reset zoom behind its » button, a row of widgets widened the window
        bar = FlowRow([self.preset, self.layout_button, self.single_choice,
                       self.reset_zoom, self.screenshot], gap_px=4)
        bar.setObjectName("view_toolbar")
        # the view chooser only in the 1-view layout, where it means something
        self.single_choice.setVisible(self.state.layout == 1)
        self._toolbar = bar
        return bar

    def add_toolbar_widget(self, widget: QtWidgets.QWidget) -> None:
        """Append a widget to the toolbar above the views."""
        self._toolbar.add_widget(widget)

    def insert_toolbar_widget(self, widget: QtWidgets.QWidget) -> None:
        """Put a widget first in the toolbar (what is read first)."""
        self._toolbar.insert_widget(0, widget)

    def _build_layout(self) -> None:
        self.view_area = QtWidgets.QWidget()
        grid = QtWidgets.QGridLayout(self.view_area)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(2)
        grid.addWidget(self.views["axial"], 0, 0, 2, 1)
        grid.addWidget(self.views["sagittal"], 0, 1)
        grid.addWidget(self.views["coronal"], 1, 1)
        grid.setColumnStretch(0, 3)
        grid.setColumnStretch(1, 2)
        left = QtWidgets.QWidget()
        column = QtWidgets.QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self._build_toolbar())
        column.addWidget(self.view_area, 1)
        column.addWidget(self.readout)
        self.splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        self.splitter.splitterMoved.connect(lambda *_: setattr(self, "_split_dragged", True))
        self.splitter.addWidget(left)
        # the side panel: the tab names (wrapping) over the pages
        self.side_panel = QtWidgets.QWidget()
        self.side_panel.setObjectName("side_panel")
        panel = QtWidgets.QVBoxLayout(self.side_panel)
        panel.setContentsMargins(0, 0, 0, 0)
        panel.setSpacing(2)
        panel.addWidget(self.tab_strip)
        panel.addWidget(self.tabs, 1)
        self.splitter.addWidget(self.side_panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        outer.addWidget(self.banner)
        outer.addWidget(self.splitter)

    def _reset_all_zooms(self) -> None:
        for view in self.views.values():
            view.reset_zoom()

    def _on_layout(self, *_args: object) -> None:
        single = self.state.layout == 1
        grid = cast(QtWidgets.QGridLayout, self.view_area.layout())
        for name, view in self.views.items():
            grid.removeWidget(view)
            view.setVisible(not single or name == self.state.single_view)
        if single:
            grid.addWidget(self.views[self.state.single_view], 0, 0, 2, 2)
        else:
            grid.addWidget(self.views["axial"], 0, 0, 2, 1)
            grid.addWidget(self.views["sagittal"], 0, 1)
            grid.addWidget(self.views["coronal"], 1, 1)
        self.single_choice.setVisible(single)
        with QtCore.QSignalBlocker(self.layout_button), QtCore.QSignalBlocker(self.single_choice):
            self.layout_button.setChecked(single)
            self.layout_button.setText("3 views" if single else "1 view")
            self.single_choice.setCurrentIndex(VIEWS.index(self.state.single_view))

    def _on_preset(self, index: int) -> None:
        name = self.preset.itemText(index)
        if name in CT_PRESETS:
            self.state.set_window_level(*CT_PRESETS[name])
        with QtCore.QSignalBlocker(self.preset):
            self.preset.setCurrentIndex(0)

    # -- content --------------------------------------------------------------------------
    def show_result(self, result: LoadResult, *, position_mm: np.ndarray | None = None,
                    keep_view: bool = False) -> str:
        """Show a loaded scene; returns a sentence saying where the crosshair starts."""
        return self.set_scene(result.scene, position_mm=position_mm, keep_view=keep_view)

    def set_scene(self, scene: Scene, *, position_mm: np.ndarray | None = None,
                  keep_view: bool = False) -> str:
        """Show ``scene`` in every widget and reset the state to its defaults.

        With ``keep_view`` (the same chain, now complete) the crosshair, window,
        zoom and a user's reference dose stay as they are.  Each view draws once: the
        crosshair, reference dose, levels and colourwash set on the way each redrew the
        views (on the old scene) before their own redraw, five times in all.
        """
        with ExitStack() as held:
            for view in self.views.values():
                held.enter_context(view.hold_redraws())
            return self._set_scene(scene, position_mm, keep_view)

    def _set_scene(self, scene: Scene, position_mm: np.ndarray | None, keep_view: bool) -> str:
        self.scene = scene
        if not scene.empty:
            self.give_panel_room()  # the views have something to draw again
        scene.set_structure_model(self.structure_model)
        # isodose colours keep clear of this structure set's colours (lines and legends)
        self.state.structure_colours = tuple(
            roi.color_rgb for roi in scene.structures.rois) if scene.structures else ()
        untouched = np.allclose(self.state.crosshair_mm, self._default_position)
        if keep_view and not untouched:
            why = "current position"
        elif keep_view:  # the default may have improved (the plan's isocentre has arrived)
            position, why = scene.default_position()
            self._default_position = position
            self.state.set_crosshair_mm(position)
        else:
            if position_mm is None:
                position, why = scene.default_position()
            else:
                position, why = np.asarray(position_mm, dtype=np.float64), "requested position"
            self._default_position = position
            self.state.set_crosshair_mm(position)
            self.state.set_window_level(*initial_window(scene))
        reference = scene.reference_dose()
        current = self.state.reference_dose
        if not (keep_view and current is not None and current.source == "user"):
            self.state.set_reference_dose(reference)
        self.dose_panel.set_plan_reference(reference)
        self.dose_panel.refresh_legend()
        self.dose_panel.set_dose(scene.dose)
        self._flag_dose(scene.dose_warnings())
        drawable = ({roi.roi_number for roi in scene.structures.rois if roi.has_contours}
                    if scene.structures is not None else set())
        with QtCore.QSignalBlocker(self.state):
            self.state.set_visible_rois(drawable)
        self.structure_panel.set_structures(scene.structures)
        self.readout.reset()
        self.rt_views.choose_beams(scene)
        # the points before the views: the user's points are then in the views' one redraw
        self.points_panel.set_scene(scene)
        for view in self.views.values():
            view.set_scene(scene, reset_zoom=not keep_view)
        # the tabs built so far see the scene now; the others when they are built
        self.tabs.sync_built()
        self.show_tabs_for(scene)
        return why

    def show_tg43_dose(self, result: Tg43Dose) -> None:
        """Show rtviewer's TG-43 dose of the shown plan in place of its RT Dose (if any).

        The crosshair, window and zoom stay; the RT Dose is remembered for
        :meth:`show_file_dose`.
        """
        scene = self.scene
        if not is_tg43_dose(scene.dose):
            self._file_dose = (scene.plan, scene.dose)
        self.set_scene(scene.with_dose(result.dose), keep_view=True)
        self.doseSwitched.emit()

    def file_dose(self) -> object | None:
        """The shown plan's RT Dose (also while rtviewer's TG-43 dose is on screen)."""
        if not is_tg43_dose(self.scene.dose):
            return self.scene.dose
        if self._file_dose is not None and self._file_dose[0] is self.scene.plan:
            return self._file_dose[1]
        return None

    def show_file_dose(self) -> None:
        """Back from rtviewer's TG-43 dose to the plan's RT Dose (or no dose)."""
        if is_tg43_dose(self.scene.dose):
            self.set_scene(self.scene.with_dose(self.file_dose()), keep_view=True)  # type: ignore[arg-type]
            self.doseSwitched.emit()

    def compare_tg43_dose(self, result: Tg43Dose) -> None:
        """The plan's RT Dose (A, on screen) against rtviewer's TG-43 dose (B, Compare tab).

        A whole-course RT Dose is compared with the fraction's dose × the fractions.
        """
        from rtviewer.model.brachy_tg43_dose import tg43_dose_as  # the calculation's module

        section = self.rt_views.brachy.dose_section
        file_dose = self.file_dose()
        if file_dose is None:
            section.say("The plan has no RT Dose loaded: nothing to compare with.")
            return
        try:
            b, label = tg43_dose_as(result.dose, file_dose,  # type: ignore[arg-type]
                                    getattr(self.scene.plan, "fractions_planned", None))
        except ValueError as exc:
            section.say(f"Not compared: {exc}.")
            return
        self.show_file_dose()
        self.show_compare_tab()
        self.compare_panel.compare_with(b, label)

    def _flag_dose(self, warnings: tuple[str, ...]) -> None:
        """Name doubtful dose percentages in the Dose tab, and mark the tab itself."""
        self.dose_panel.set_warnings(warnings)
        index = self.tabs.indexOf(self.dose_panel)
        self.tabs.setTabText(index, "Dose ⚠" if warnings else "Dose")
        self.tabs.setTabToolTip(index, "\n".join(warnings))
        colour = QtGui.QColor("#b00000") if warnings else self.tabs.palette().windowText().color()
        self.tabs.tabBar().setTabTextColor(index, colour)
        self.tab_strip.sync()

    def _on_structure_model(self, name: str) -> None:
        self.structure_model = name
        self.scene.set_structure_model(name)
        for view in self.views.values():
            view.set_scene(self.scene, reset_zoom=False)

    def save_views_png(self, path: Path) -> None:
        """Screenshot of the slice views (what the Screenshot button saves)."""
        self.view_area.grab().save(str(path))

    def _on_comparison(self, comparison: object) -> None:
        """B's DVHs (dashed) in the DVH panel while a comparison is on screen.

        A map (B − A, gamma) replaces the dose colourwash, which would hide it.
        """
        dvh = self.tabs.built("dvh")
        if dvh is not None:  # else it shows B's curves when it is built
            cast("DvhPanel", dvh).set_compared(comparison, self.compare_state.b_label)
        if comparison is not None and self.compare_state.map != "none":
            self.state.set_colourwash(False)

    def show_compare_tab(self) -> None:
        """Bring the Compare tab to the front (File → Compare Doses… with a dose shown)."""
        self.offer_compare(True)
        self.tabs.setCurrentWidget(self.compare_panel)

    def closeEvent(self, event: object) -> None:  # noqa: N802 - Qt override
        """Stop DVH and comparison workers before the widget goes away."""
        self.stop_workers()
        super().closeEvent(event)  # type: ignore[arg-type]
