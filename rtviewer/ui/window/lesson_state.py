"""A lesson step and the window: what a step sets, and a step recorded from the window.

The data part of a step (patient, plan, dose) is found in the open folders by
Patient ID and SOP Instance UID (:func:`find_chain`); the view part (layout, slice,
zoom, structures, isodoses, beam's-eye view, RT Image, record) is set on the
viewer once that data is shown (:func:`apply_view`). :func:`record_step` is the
reverse: the window's state as a step.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from rtviewer.model.index import Instance, ScanResult
from rtviewer.view.chain import Chain, chain_for
from rtviewer.view.lesson import LessonStep

__all__ = ["apply_view", "find_chain", "find_instance", "open_uids", "record_step",
           "shown_tab", "shown_uids", "tab_pages", "view_zoom"]


def open_uids(results: dict[Path, ScanResult]) -> dict[str, frozenset[str]]:
    """Patient ID -> SOP Instance UIDs of its files, over every open folder."""
    found: dict[str, set[str]] = {}
    for result in results.values():
        for patient in result.patients:
            uids = found.setdefault(patient.patient_id or "", set())
            for study in patient.studies:
                for series in study.series:
                    uids.update(inst.sop_instance_uid for inst in series.instances)
    return {pid: frozenset(uids) for pid, uids in found.items()}


def find_instance(results: dict[Path, ScanResult], patient_id: str, uid: str
                  ) -> tuple[ScanResult, Instance] | None:
    """The open file with this SOP Instance UID under this patient, and its folder."""
    for result in results.values():
        for patient in result.patients:
            if patient.patient_id != patient_id:
                continue
            for study in patient.studies:
                for series in study.series:
                    for inst in series.instances:
                        if inst.sop_instance_uid == uid:
                            return result, inst
    return None


def find_chain(results: dict[Path, ScanResult], step: LessonStep) -> Chain | None:
    """The chain the step shows (its plan, with its dose when named); None when not open."""
    if step.patient_id is None:
        return None
    plan = find_instance(results, step.patient_id, step.plan_uid) if step.plan_uid else None
    dose = find_instance(results, step.patient_id, step.dose_uid) if step.dose_uid else None
    start = plan or dose
    if start is None:
        return None
    chain = chain_for(start[0], start[1].path)
    if dose is not None and chain.dose != dose[1].path:
        others = tuple(p for p in (chain.dose, *chain.other_doses)
                       if p is not None and p != dose[1].path)
        chain = replace(chain, dose=dose[1].path, other_doses=others)
    return chain


def shown_uids(viewer: Any) -> tuple[str | None, str | None]:
    """SOP Instance UIDs of the plan and dose on screen."""
    scene = viewer.scene
    plan = getattr(scene.plan, "sop_instance_uid", None)
    dose = getattr(scene.dose, "sop_instance_uid", None)
    return plan, dose


#: A step's tab name -> the key of its page in the viewer's side panel (``LazyTabs``).
_TAB_KEYS = {"structures": "structures", "dose": "dose", "dvh": "dvh", "plan": "plan",
             "points": "points", "beams_eye": "bev", "brachy": "brachy",
             "rt_image": "rt_image", "records": "records"}


def tab_pages(viewer: Any) -> dict[str, Any]:
    """Step tab names -> the side panel's pages (every page built)."""
    return {name: viewer.tabs.page(key) for name, key in _TAB_KEYS.items()}


def shown_tab(viewer: Any) -> str | None:
    """The step tab name of the side panel's page on screen (None: the Compare tab)."""
    key = viewer.tabs.key_of(viewer.tabs.currentWidget())
    return next((name for name, k in _TAB_KEYS.items() if k == key), None)


def _fit_pixel_mm(view: Any) -> float | None:
    """The mm per screen pixel of ``view`` when fitted (what Reset zoom shows)."""
    corners = view.scene.extent_corners_mm()
    rect = view.vb.boundingRect()
    if corners is None or rect.width() <= 0 or rect.height() <= 0:
        return None
    st = view.patient_to_view(corners)
    extent = (st.max(axis=0) - st.min(axis=0)) * 1.04  # reset_zoom's 2 % padding
    return float(max(extent[0] / rect.width(), extent[1] / rect.height()))


def view_zoom(view: Any) -> float | None:
    """Magnification of a slice view relative to its fitted image (1 = fitted)."""
    fit = _fit_pixel_mm(view)
    now = float(view.vb.viewPixelSize()[0])
    if fit is None or now <= 0:
        return None
    return fit / now


def _set_zoom(view: Any, zoom: float, centre_mm: np.ndarray) -> None:
    view.reset_zoom()
    if abs(zoom - 1.0) < 1e-3:
        return
    s, t = view.patient_to_view(centre_mm)
    (x0, x1), (y0, y1) = view.vb.viewRange()
    half_w, half_h = (x1 - x0) / (2 * zoom), (y1 - y0) / (2 * zoom)
    view.vb.setRange(xRange=(s - half_w, s + half_w), yRange=(t - half_h, t + half_h),
                     padding=0)


def apply_view(viewer: Any, step: LessonStep,
               results: dict[Path, ScanResult] | None = None,
               patient_id: str | None = None) -> list[str]:
    """Set the view part of ``step`` on ``viewer``; returns what it could not show.

    ``results``: the open folders, where its RT Image or record is looked up under
    the step's patient (``patient_id`` when the step names none: the one on screen).
    """
    _apply_slices(viewer, step)
    problems = _apply_panels(viewer, step, results or {}, step.patient_id or patient_id)
    if step.tab is not None:
        key = _TAB_KEYS[step.tab]
        if not viewer.tabs.isTabVisible(viewer.tabs.index_of(key)):
            problems.append(f"the {step.tab} tab does not apply to plan "
                            f"'{getattr(viewer.scene.plan, 'label', '')}'")
        viewer.tabs.setCurrentWidget(viewer.tabs.page(key))
    return problems


def _apply_slices(viewer: Any, step: LessonStep) -> None:
    """Layout, slice, window, isodoses, wash and zoom of the slice views."""
    state = viewer.state
    if step.layout is not None:
        state.set_layout(step.layout)
    if step.view is not None:
        state.set_single_view(step.view)
    if step.position_mm is not None:
        state.set_crosshair_mm(step.position_mm)
    if step.window is not None:
        state.set_window_level(*step.window)
    if step.isodoses_percent is not None:
        state.set_isodose_absolute(False)
        state.set_isodose_levels(step.isodoses_percent)
    if step.colourwash is not None or step.wash_threshold_percent is not None:
        on = state.colourwash[0] if step.colourwash is None else step.colourwash
        state.set_colourwash(on, step.wash_threshold_percent)
    if step.zoom is not None:
        viewer.layout().activate()  # the views' sizes after a layout change
        for view in viewer.views.values():
            _set_zoom(view, step.zoom, state.crosshair_mm)
            # the window may still be settling (a dock appearing, the 1-view layout):
            # the step's magnification follows the view's size until the user zooms,
            # so the picture does not depend on when the resize came
            _keep_zoom(view, step.zoom, np.array(state.crosshair_mm, dtype=float))


def _keep_zoom(view: Any, zoom: float, centre_mm: np.ndarray) -> None:
    """Apply ``zoom`` again at each resize of ``view`` until a mouse press or wheel."""
    from PySide6 import QtCore

    class _Keeper(QtCore.QObject):
        def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802
            kind = event.type()
            if kind == QtCore.QEvent.Type.Resize:
                QtCore.QTimer.singleShot(0, self, lambda: _set_zoom(view, zoom, centre_mm))
            elif kind in (QtCore.QEvent.Type.MouseButtonPress, QtCore.QEvent.Type.Wheel):
                view.removeEventFilter(self)
                self.deleteLater()
            return False

    old = getattr(view, "_lesson_zoom_keeper", None)
    if old is not None:  # the previous step's
        view.removeEventFilter(old)
        old.deleteLater()
    keeper = _Keeper(view)
    view._lesson_zoom_keeper = keeper
    view.installEventFilter(keeper)


def _apply_panels(viewer: Any, step: LessonStep, results: dict[Path, ScanResult],
                  patient_id: str | None) -> list[str]:
    """Structures, beam's-eye view, RT Image, record; returns what could not be shown."""
    problems: list[str] = []
    if step.structures is not None:
        problems += _show_structures(viewer, step.structures)
    if step.beam is not None:
        problems += _show_beam(viewer, step.beam, step.control_point or 0)
    problems += _show_goals(viewer, step.goals)
    for uid, kind in ((step.rt_image_uid, "RT Image"), (step.record_uid, "treatment record")):
        if uid:
            problems += _show_file(viewer, results, uid, kind, patient_id)
    return problems


def _show_structures(viewer: Any, names: tuple[str, ...]) -> list[str]:
    structures = viewer.scene.structures
    rois = structures.rois if structures is not None else ()
    by_name = {roi.name.casefold(): roi.roi_number for roi in rois}
    absent = [name for name in names if name.casefold() not in by_name]
    viewer.state.set_visible_rois({by_name[n.casefold()] for n in names
                                   if n.casefold() in by_name})
    return [f"structure {name!r} is not in the structure set" for name in absent]


def _show_beam(viewer: Any, number: int, control_point: int) -> list[str]:
    bev = viewer.rt_views.bev
    plan = viewer.scene.plan
    if plan is None or plan.beam(number) is None:
        return [f"beam {number} is not in the plan shown"]
    if bev.beam_number != number:
        bev.set_beam(number)
    bev.set_control_point(control_point)
    bev.fit()
    count = len(plan.beam(number).control_points)
    if control_point >= count:
        return [f"beam {number} has {count} control points; the last is shown"]
    return []


def _show_goals(viewer: Any, name: str | None) -> list[str]:
    """The step's goal set under the DVH; none when it names none (not another lesson's)."""
    goals = viewer.dvh_panel.goals
    if name is None:
        if goals.goal_set is not None:
            goals.load(None)
        return []
    path = goals.shipped.get(name)
    if path is None:
        return [f"no goal set named {name!r} (shipped: {', '.join(sorted(goals.shipped))})"]
    if goals.choice.currentText() != name:
        goals.load(path)
    return []


def _show_file(viewer: Any, results: dict[Path, ScanResult], uid: str, kind: str,
               patient_id: str | None) -> list[str]:
    found = find_instance(results, patient_id or "", uid)
    if found is None:
        return [f"the {kind} with SOP Instance UID {uid} is not in any open folder"]
    viewer.rt_views.show_file(*found)
    return []


def _rounded_mm(xyz: np.ndarray) -> tuple[float, float, float]:
    return (round(float(xyz[0]), 2), round(float(xyz[1]), 2), round(float(xyz[2]), 2))


def record_step(viewer: Any, patient_id: str | None) -> LessonStep:
    """The viewer's state as a lesson step (its caption left for the teacher to write)."""
    state, scene = viewer.state, viewer.scene
    plan_uid, dose_uid = shown_uids(viewer)
    structures = None
    if scene.structures is not None:
        drawable = {roi.roi_number for roi in scene.structures.rois if roi.has_contours}
        if set(state.visible_rois) != drawable:
            structures = tuple(roi.name for roi in scene.structures.rois
                               if roi.roi_number in state.visible_rois)
    main = viewer.views[state.single_view if state.layout == 1 else "axial"]
    zoom = view_zoom(main)
    tab = shown_tab(viewer)
    bev = viewer.rt_views.bev if tab == "beams_eye" else None  # on screen: built
    beam = bev.beam_number if bev is not None else None
    image = viewer.rt_views.rt_image.view.image if tab == "rt_image" else None
    wash_on, threshold = state.colourwash
    goals = viewer.dvh_panel.goals.choice.currentText()
    return LessonStep(
        title="", caption="(Write what the students should see here.)",
        patient_id=patient_id, plan_uid=plan_uid, dose_uid=dose_uid,
        layout=state.layout, view=state.single_view if state.layout == 1 else None,
        position_mm=_rounded_mm(state.crosshair_mm),
        zoom=round(zoom, 3) if zoom is not None else None,
        window=(round(state.window_level[0], 1), round(state.window_level[1], 1)),
        structures=structures,
        isodoses_percent=None if state.isodose_absolute else state.isodose_levels,
        colourwash=wash_on, wash_threshold_percent=threshold if wash_on else None,
        tab=tab, beam=beam,
        control_point=max(bev.index, 0) if bev is not None and beam is not None else None,
        rt_image_uid=getattr(image, "sop_instance_uid", None),
        goals=goals if goals in viewer.dvh_panel.goals.shipped else None)
