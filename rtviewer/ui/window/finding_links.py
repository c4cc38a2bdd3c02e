"""Take the viewer to a plan-check finding: its place centred, its objects shown.

A finding's ``location_mm`` (the hot spot, a structure's slice, a beam's isocentre or
the surface point a beam comes close to) becomes the crosshair, and each slice view is
panned, at its zoom, to centre on it. Its objects are shown: a structure is drawn and
selected in the Structures panel, a beam drawn on the slice views and selected in the
Plan panel (which shows it in the beam's-eye view).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6 import QtCore

__all__ = ["centre_views", "show_objects"]

_ROI_ROLE = QtCore.Qt.ItemDataRole.UserRole  # the Structures panel's ROI-number role


def centre_views(viewer: Any, xyz: tuple[float, float, float]) -> None:
    """Move the crosshair to ``xyz`` (patient mm) and centre every slice view on it."""
    point = np.asarray(xyz, dtype=float).reshape(3)
    viewer.state.set_crosshair_mm(point)
    for view in viewer.views.values():
        (s0, s1), (t0, t1) = view.vb.viewRange()
        s, t = view.patient_to_view(point)
        half_s, half_t = (s1 - s0) / 2.0, (t1 - t0) / 2.0
        view.vb.setRange(xRange=(s - half_s, s + half_s), yRange=(t - half_t, t + half_t),
                         padding=0.0)


def show_objects(viewer: Any, objects: tuple[str, ...]) -> None:
    """Show and select the finding's structures (``ROI:name``) and beams (``BEAM:name``)."""
    scene = viewer.scene
    for obj in objects:
        kind, _, name = obj.partition(":")
        if kind == "ROI" and scene.structures is not None:
            _show_roi(viewer, scene.structures.rois, name)
        elif kind == "BEAM" and scene.plan is not None:
            _show_beam(viewer, scene.plan.beams, name)


def _show_roi(viewer: Any, rois: Any, name: str) -> None:
    wanted = name.strip().upper()
    numbers = [r.roi_number for r in rois if r.name.strip().upper() == wanted and r.has_contours]
    if not numbers:
        return
    viewer.state.set_roi_visible(numbers[0], True)
    table = viewer.structure_panel.table
    for row in range(table.topLevelItemCount()):
        item = table.topLevelItem(row)
        if item.data(0, _ROI_ROLE) == numbers[0]:
            table.setCurrentItem(item)
            table.scrollToItem(item)
            return


def _show_beam(viewer: Any, beams: Any, name: str) -> None:
    row = next((k for k, b in enumerate(beams) if str(b.name or b.number) == name), None)
    if row is None:
        return
    viewer.rt_views.beam_state.set_beam_visible(beams[row].number, True)
    viewer.plan_panel.beams.setCurrentCell(row, 1)  # the beam's-eye view follows
