"""Wires the RT object views into the viewer: slice overlays, beam's-eye view, brachy panel.

One object per :class:`~rtviewer.ui.viewer.Viewer`; the viewer calls
:meth:`RtViews.set_scene` when it shows a scene. Communication goes through
:class:`~rtviewer.ui.beam_state.BeamState` and the viewer's ViewState.
"""

from __future__ import annotations

from typing import Any

from PySide6 import QtCore

from rtviewer.model.beam import TreatmentDeliveryType
from rtviewer.ui.beam_state import BeamState
from rtviewer.ui.bev_view import BeamsEyeView
from rtviewer.ui.brachy_panel import BrachyPanel
from rtviewer.ui.plan_overlay import PlanOverlay

__all__ = ["RtViews", "initially_visible_beams"]


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
        self.overlays = {name: PlanOverlay(view, self.beam_state)
                         for name, view in viewer.views.items()}
        self.bev = BeamsEyeView()
        self.brachy = BrachyPanel()
        viewer.tabs.addTab(self.bev, "Beam's eye")
        viewer.tabs.addTab(self.brachy, "Brachy")
        self.bev.beamChanged.connect(lambda n: self.beam_state.set_selected(n, self.bev.index))
        self.bev.controlPointChanged.connect(
            lambda i: self.beam_state.set_selected(self.bev.beam_number, i))
        viewer.state.visibleRoisChanged.connect(self.bev.set_visible_rois)
        panel = viewer.plan_panel
        if hasattr(panel, "beamToggled"):
            panel.beamToggled.connect(self.beam_state.set_beam_visible)
            self.beam_state.visibleBeamsChanged.connect(panel.set_visible_beams)

    def set_scene(self, scene: Any) -> None:
        """Show the scene's plan on every RT view."""
        plan = scene.plan
        with QtCore.QSignalBlocker(self.beam_state):
            self.beam_state.set_visible_beams(initially_visible_beams(plan))
        if hasattr(self.viewer.plan_panel, "set_visible_beams"):
            self.viewer.plan_panel.set_visible_beams(self.beam_state.visible_beams)
        for overlay in self.overlays.values():
            overlay.set_plan(plan)
        self.bev.set_data(plan=plan, structures=scene.structures, image=scene.image,
                          slab_model=scene.slab_model)
        self.bev.set_visible_rois(self.viewer.state.visible_rois)
        self.brachy.set_plan(plan)
