"""Wires the RT object views into the viewer: slice overlays, beam's-eye view, brachy panel.

One object per :class:`~rtviewer.ui.views.viewer.Viewer`; the viewer calls
:meth:`RtViews.set_scene` when it shows a scene. Communication goes through
:class:`~rtviewer.ui.views.beam_state.BeamState` and the viewer's ViewState.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6 import QtCore

from rtviewer.model.beam import TreatmentDeliveryType
from rtviewer.model.kind import Kind
from rtviewer.ui.panels.brachy_panel import BrachyPanel
from rtviewer.ui.panels.rtimage_panel import RtImagePanel
from rtviewer.ui.views.beam_state import BeamState
from rtviewer.ui.views.bev_view import BeamsEyeView
from rtviewer.ui.views.overlays.beams import BeamOverlay
from rtviewer.ui.views.overlays.brachy import BrachySourceOverlay
from rtviewer.ui.views.overlays.points import ReferencePointOverlay
from rtviewer.ui.views.record_view import RecordView
from rtviewer.view.plan_geometry import BeamSolidCache
from rtviewer.view.tree_labels import instance_label

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
    """The plan overlays of the three slice views plus the BEV and brachy tabs."""

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
        self.bev = BeamsEyeView()
        self.brachy = BrachyPanel()
        self.rt_image = RtImagePanel()
        self.records = RecordView()
        viewer.tabs.addTab(self.bev, "Beam's eye")
        viewer.tabs.addTab(self.brachy, "Brachy")
        viewer.tabs.addTab(self.rt_image, "RT Image")
        viewer.tabs.addTab(self.records, "Records")
        self.bev.beamChanged.connect(lambda n: self.beam_state.set_selected(n, self.bev.index))
        self.bev.controlPointChanged.connect(
            lambda i: self.beam_state.set_selected(self.bev.beam_number, i))
        viewer.state.visibleRoisChanged.connect(self.bev.set_visible_rois)
        panel = viewer.plan_panel
        panel.beams.currentCellChanged.connect(self._on_beam_row)
        if hasattr(panel, "beamToggled"):
            panel.beamToggled.connect(self.beam_state.set_beam_visible)
            self.beam_state.visibleBeamsChanged.connect(panel.set_visible_beams)

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
        if hasattr(self.viewer.plan_panel, "set_visible_beams"):
            self.viewer.plan_panel.set_visible_beams(self.beam_state.visible_beams)

    def set_scene(self, scene: Any) -> None:
        """Show the scene's plan on the beam's-eye view and the brachy and plan tabs.

        The slice views' overlays draw it with the views (:meth:`choose_beams` first).
        """
        plan = scene.plan
        self.bev.set_data(plan=plan, structures=scene.structures, image=scene.image,
                          slab_model=scene.slab_model)
        self.bev.set_visible_rois(self.viewer.state.visible_rois)
        self.brachy.set_plan(plan, scene.structures, scene.dose)
        if hasattr(self.viewer.plan_panel, "show_sheet"):
            self.viewer.plan_panel.show_sheet(plan, scene.structures)

    def set_related(self, scan: Any) -> None:
        """Offer the RT Images and treatment records of the scene's plan found in ``scan``."""
        plan = self.viewer.scene.plan
        uid = getattr(plan, "sop_instance_uid", None)
        images = plan_instances(scan, Kind.RT_IMAGE, uid)
        self.rt_image.set_images([i.path for i in images], plan,
                                 [instance_label(i) for i in images])
        self._show_records(plan, plan_files(scan, Kind.RECORD, uid))

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
            self.rt_image.show_path(str(inst.path), instance_label(inst))
            tabs.setCurrentWidget(self.rt_image)
            return True
        if inst.kind == Kind.RECORD:
            plan = self.viewer.scene.plan
            uid = next((r.uid for r in inst.references if r.kind == "rtplan"), None)
            same = plan is not None and plan.sop_instance_uid == uid
            # every record of that plan (a folder of records only shows all its sessions)
            paths = plan_files(scan, Kind.RECORD, uid) or [inst.path]
            self._show_records(plan if same else None, paths)
            tabs.setCurrentWidget(self.records)
            return True
        return False
