"""Wires the RT object views into the viewer: slice overlays, beam's-eye view, brachy panel.

One object per :class:`~rtviewer.ui.views.viewer.Viewer`. The slice overlays exist
from the start; the tabs are registered with the viewer's
:class:`~rtviewer.ui.views.lazy_tabs.LazyTabs` and built when first shown or asked
for, each then synced with the viewer's scene (and with it whenever the viewer shows
another). Communication goes through :class:`~rtviewer.ui.views.beam_state.BeamState`
and the viewer's ViewState.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6 import QtCore

from rtviewer.model.beam import TreatmentDeliveryType
from rtviewer.model.kind import Kind
from rtviewer.ui.views.beam_state import BeamState
from rtviewer.ui.views.overlays.beams import BeamOverlay
from rtviewer.ui.views.overlays.brachy import BrachySourceOverlay
from rtviewer.ui.views.overlays.points import ReferencePointOverlay
from rtviewer.view.plan_geometry import BeamSolidCache
from rtviewer.view.tree_labels import instance_label

if TYPE_CHECKING:  # built on demand (LazyTabs): their modules load with them
    from rtviewer.ui.panels.brachy_panel import BrachyPanel
    from rtviewer.ui.panels.rtimage_panel import RtImagePanel
    from rtviewer.ui.views.bev_view import BeamsEyeView
    from rtviewer.ui.views.record_view import RecordView

__all__ = ["RtViews", "initially_visible_beams", "plan_files", "plan_instances"]


def plan_files(scan: Any, kind: Kind, plan_uid: str | None) -> list[Path]:
    """Files of ``kind`` (RT Images, records) referencing the plan, by path."""
    return [inst.path for inst in plan_instances(scan, kind, plan_uid)]


def plan_instances(scan: Any, kind: Kind, plan_uid: str | None) -> list[Any]:
    """Scan entries of ``kind`` referencing the plan, by path."""
    if scan is None or plan_uid is None:
        return []
    return sorted((inst for inst in scan.instances() if inst.kind == kind
                   and any(r.kind == "rtplan" and r.uid == plan_uid for r in inst.references)),
                  key=lambda inst: str(inst.path))


def initially_visible_beams(plan: Any) -> frozenset[int]:
    """Beams drawn when a plan opens: those with delivery type TREATMENT (or unstated)."""
    return frozenset(b.number for b in getattr(plan, "beams", ()) or ()
                     if b.delivery_type in (TreatmentDeliveryType.TREATMENT, None))


class RtViews(QtCore.QObject):
    """The plan overlays of the slice views; the BEV, brachy, RT Image and records tabs.

    The tabs are built when first shown or asked for (:class:`LazyTabs`).
    """

    def __init__(self, viewer: Any) -> None:
        super().__init__(viewer)
        self.viewer = viewer
        self.beam_state = BeamState(self)
        solids = BeamSolidCache()  # the three views share the 3-D beam geometry
        #: Per slice view: its beam, brachy source and reference point overlays.
        self.beams: dict[str, BeamOverlay] = {}
        self.brachy_sources: dict[str, BrachySourceOverlay] = {}
        self.points: dict[str, ReferencePointOverlay] = {}
        for name, view in viewer.views.items():
            self.beams[name] = BeamOverlay(self.beam_state, solids)
            self.brachy_sources[name] = BrachySourceOverlay()
            self.points[name] = ReferencePointOverlay()
            for overlay in (self.beams[name], self.brachy_sources[name], self.points[name]):
                view.add_overlay(overlay)
        #: The scan whose RT Images and records of the plan are offered (None: not told).
        self._related: tuple[Any] | None = None
        tabs = viewer.tabs
        tabs.add_lazy("bev", "Beam's eye", self._build_bev, self._sync_bev)
        tabs.add_lazy("brachy", "Brachy", self._build_brachy, self._sync_brachy)
        tabs.add_lazy("rt_image", "RT Image", self._build_rt_image, self._sync_rt_image)
        tabs.add_lazy("records", "Records", self._build_records, self._sync_records)

    # -- the tabs, built on demand ----------------------------------------------------------
    @property
    def bev(self) -> BeamsEyeView:
        """The Beam's eye tab (built now if it was not yet)."""
        return cast("BeamsEyeView", self.viewer.tabs.page("bev"))

    @property
    def brachy(self) -> BrachyPanel:
        """The Brachy tab (built now if it was not yet)."""
        return cast("BrachyPanel", self.viewer.tabs.page("brachy"))

    @property
    def rt_image(self) -> RtImagePanel:
        """The RT Image tab (built now if it was not yet)."""
        return cast("RtImagePanel", self.viewer.tabs.page("rt_image"))

    @property
    def records(self) -> RecordView:
        """The Records tab (built now if it was not yet)."""
        return cast("RecordView", self.viewer.tabs.page("records"))

    def _build_bev(self) -> BeamsEyeView:
        from rtviewer.ui.views.bev_view import BeamsEyeView

        bev = BeamsEyeView()
        bev.beamChanged.connect(lambda n: self.beam_state.set_selected(n, bev.index))
        bev.controlPointChanged.connect(
            lambda i: self.beam_state.set_selected(bev.beam_number, i))
        self.viewer.state.visibleRoisChanged.connect(bev.set_visible_rois)
        return bev

    def _sync_bev(self, page: Any) -> None:
        scene = self.viewer.scene
        page.set_data(plan=scene.plan, structures=scene.structures, image=scene.image,
                      slab_model=scene.slab_model)
        page.set_visible_rois(self.viewer.state.visible_rois)

    def _build_brachy(self) -> BrachyPanel:
        from rtviewer.ui.panels.brachy_panel import BrachyPanel

        panel = BrachyPanel()
        # rtviewer's TG-43 dose of the dwells (issue 20): shown as a dose, or compared
        panel.dose_section.showRequested.connect(self.viewer.show_tg43_dose)
        panel.dose_section.compareRequested.connect(self.viewer.compare_tg43_dose)
        return panel

    def _sync_brachy(self, page: Any) -> None:
        scene = self.viewer.scene
        page.set_plan(scene.plan, scene.structures, scene.dose)

    def _build_rt_image(self) -> RtImagePanel:
        from rtviewer.ui.panels.rtimage_panel import RtImagePanel

        return RtImagePanel()

    def _sync_rt_image(self, page: Any) -> None:
        if self._related is not None:
            plan = self.viewer.scene.plan
            uid = getattr(plan, "sop_instance_uid", None)
            images = plan_instances(self._related[0], Kind.RT_IMAGE, uid)
            page.set_images([i.path for i in images], plan, [instance_label(i) for i in images])

    def _build_records(self) -> RecordView:
        from rtviewer.ui.views.record_view import RecordView

        return RecordView()

    def _sync_records(self, _page: Any) -> None:
        if self._related is not None:
            plan = self.viewer.scene.plan
            uid = getattr(plan, "sop_instance_uid", None)
            self._show_records(plan, plan_files(self._related[0], Kind.RECORD, uid))

    def connect_plan_panel(self, page: Any) -> None:
        """The plan tab's beam table drives the beam's-eye view and the beams drawn."""
        page.beams.currentCellChanged.connect(self._on_beam_row)
        if hasattr(page, "beamToggled"):
            page.beamToggled.connect(self.beam_state.set_beam_visible)
            self.beam_state.visibleBeamsChanged.connect(page.set_visible_beams)

    def _on_beam_row(self, row: int, *_args: int) -> None:
        """A beam picked in the plan panel's table becomes the beam's-eye view's beam."""
        beams = getattr(self.viewer.scene.plan, "beams", ()) or ()
        if 0 <= row < len(beams) and beams[row].number != self.bev.beam_number:
            self.bev.set_beam(beams[row].number)
            self.bev.fit()

    def choose_beams(self, scene: Any) -> None:
        """The beams shown of the scene's plan (before the slice views draw it)."""
        with QtCore.QSignalBlocker(self.beam_state):
            self.beam_state.set_visible_beams(initially_visible_beams(scene.plan))
        panel = self.viewer.tabs.built("plan")
        if panel is not None and hasattr(panel, "set_visible_beams"):
            panel.set_visible_beams(self.beam_state.visible_beams)

    def show_plan(self, panel: Any, scene: Any) -> None:
        """The plan tab's beam check boxes and plan sheet for ``scene`` (its ``set_plan`` first)."""
        if hasattr(panel, "set_visible_beams"):
            panel.set_visible_beams(self.beam_state.visible_beams)
        if hasattr(panel, "show_sheet"):
            panel.show_sheet(scene.plan, scene.structures)

    def set_related(self, scan: Any) -> None:
        """Offer the RT Images and treatment records of the scene's plan found in ``scan``.

        A tab with none of them is hidden (an empty "No RT Image references this plan"
        tab took a place in the strip of every brachy and corpus plan); one picked in the
        tree shows its tab again (:meth:`show_file`).
        """
        self._related = (scan,)
        plan = self.viewer.scene.plan
        uid = getattr(plan, "sop_instance_uid", None)
        for key, kind in (("rt_image", Kind.RT_IMAGE), ("records", Kind.RECORD)):
            # no plan (a cleared view, an image series): the last plan's files go with it
            self.viewer.offer_tab(key, bool(plan_instances(scan, kind, uid)))
        self.viewer.tabs.sync_built(("rt_image", "records"))

    def _show_records(self, plan: Any, paths: list[Path]) -> None:
        from rtviewer.dicom.record import read_treatment_record  # loaded on first use
        from rtviewer.errors import RtViewerError

        records = []
        for path in paths:
            try:
                records.append(read_treatment_record(path))
            except (RtViewerError, ValueError, OSError):
                continue  # the scan's problems list already names unreadable files
        self.records.set_records(plan, records)

    def show_file(self, scan: Any, inst: Any) -> bool:
        """Show an RT Image or treatment record picked in the tree; False for other kinds."""
        tabs = self.viewer.tabs
        if inst.kind == Kind.RT_IMAGE:
            self.viewer.offer_tab("rt_image", True)
            self.rt_image.show_path(str(inst.path), instance_label(inst))
            tabs.setCurrentWidget(self.rt_image)
            return True
        if inst.kind == Kind.RECORD:
            plan = self.viewer.scene.plan
            uid = next((r.uid for r in inst.references if r.kind == "rtplan"), None)
            same = plan is not None and plan.sop_instance_uid == uid
            # every record of that plan (a folder of records only shows all its sessions)
            paths = plan_files(scan, Kind.RECORD, uid) or [inst.path]
            self.viewer.offer_tab("records", True)
            self._show_records(plan if same else None, paths)
            self.records.select_record(inst.path)  # the session picked, among its plan's
            tabs.setCurrentWidget(self.records)
            return True
        return False
