"""Headless rendering (``rtviewer render``): the window's own widgets, drawn offscreen.

Beside ``FILE.png`` goes ``FILE.json``: for each view its rectangle in the PNG and
the 2-D affine from PNG pixel coordinates to patient mm, so tests and reports can
find where a patient point lands. PNG coordinates are continuous, ``(0, 0)`` the
top-left corner of the top-left pixel; pixel ``(i, j)``'s centre is ``(i + ½, j + ½)``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from rtviewer.model.kind import Kind
from rtviewer.ui.render.common import Log, NothingToRender, choose_chain, qt_app, write_json

__all__ = ["NothingToRender", "RenderRequest", "render"]


@dataclass(frozen=True)
class RenderRequest:
    """What ``rtviewer render`` was asked for (see the CLI's help)."""

    path: Path
    out: Path
    view: str = "all"
    position_mm: tuple[float, float, float] | None = None
    size: tuple[int, int] | None = None
    patient: str | None = None
    plan: str | None = None
    dose: str | None = None
    structures: str | None = None
    beam_number: int | None = None
    control_point: int | None = None
    image: str | None = None
    fluence: bool = False
    #: Show rtviewer's TG-43 dose of the brachy plan's dwells instead of any RT Dose.
    tg43_dose: bool = False
    tg43_grid_mm: float = 2.0


def render(request: RenderRequest, log: Log) -> None:
    """Render ``request`` to its PNG and JSON.

    Raises
    ------
    NothingToRender
        Nothing renderable exists for the requested view.
    """
    from rtviewer.ui.render.offscreen_rt import RT_VIEWS, render_rt

    if request.view in RT_VIEWS:
        render_rt(request, log)
        return
    app = qt_app()
    from rtviewer.ui.views.viewer import Viewer
    from rtviewer.ui.workers.loader import load_scene

    # a plan alone (tomotherapy, Halcyon, proton without CT, dose or structures) still
    # draws its beams or channels and has its beam's-eye or brachy pane; it is chosen
    # only when no chain has an image, dose or structures
    plan_alone = ((lambda c: c.plan is not None)
                  if request.view != "dvh" or request.tg43_dose else None)
    chain, scanned = choose_chain(request, log, fallback=plan_alone)
    if not chain.renderable and chain.plan is None:
        if _has_rt_image(scanned, request.patient):
            if request.view == "all":
                log("render: no image, dose grid, structure set or plan: "
                    "the RT Image view alone")
                render_rt(replace(request, view="rtimage"), log)
                return
            raise NothingToRender(f"nothing for --view {request.view} under {request.path}: "
                                  "it holds RT Images only (--view rtimage or all shows them)")
        raise NothingToRender(f"nothing renderable under {request.path}")
    result = load_scene(chain)
    for path, reason in result.problems:
        log(f"render: could not read {path}: {reason}")
    scene = _with_tg43_dose(result.scene, request, log)
    if scene.empty or (request.view == "dvh" and (scene.dose is None
                                                  or scene.structures is None)):
        raise NothingToRender(f"nothing renderable for --view {request.view}")
    from rtviewer.view.undrawn import undrawn_notes

    for note in undrawn_notes(scene):
        log(f"render: not drawn as stored: {note}")
    if scene.plan_only:
        pane = f"; its {_plan_tab_name(scene.plan)} pane is shown" if request.view == "all" else ""
        log(f"render: slice views: the plan alone (no image, dose grid or structure set){pane}")
    size = request.size or ((1600, 1000) if request.view == "all" else (800, 800))
    log(f"render: view {request.view} at {size[0]}x{size[1]}")
    window = _main_window(scanned) if request.view == "all" else None
    viewer = window.viewer_controller.viewer if window is not None else Viewer()
    widget = None
    try:
        widget = _show(request, log, chain, scene, window, viewer, size,
                       problems=result.problems)
    finally:
        viewer.dvh_panel.stop_workers()
        for top in {id(w): w for w in (widget, viewer, window) if w is not None}.values():
            top.close()
            top.deleteLater()
        app.processEvents()


def _show(request: RenderRequest, log: Log, chain, scene, window, viewer,  # noqa: ANN001
          size: tuple[int, int], *, problems=()):  # noqa: ANN001, ANN202
    """Set the scene, lay out, grab the PNG and write the JSON; returns the grabbed widget."""
    from PySide6 import QtWidgets

    from rtviewer.ui.window.viewer_controller import loaded_message

    position = np.array(request.position_mm) if request.position_mm is not None else None
    viewer.resize(1600, 1000)
    why = viewer.set_scene(scene, position_mm=position)
    if window is not None:
        window.viewer_controller.chain = chain
        window.viewer_controller.offer_doses(chain, scene)
        window.viewer_controller.name_patient(chain)  # the banner, as an open fills it
        # the status bar says what a real open says, not the empty window's prompt
        window.statusBar().showMessage(loaded_message(chain, why, problems, scene))
    xyz = viewer.state.crosshair_mm
    log(f"render: position ({xyz[0]:.1f}, {xyz[1]:.1f}, {xyz[2]:.1f}) mm: {why}")
    reference = viewer.state.reference_dose
    log(f"render: reference dose "
        f"{'none' if reference is None else f'{reference.dose_gy:g} Gy ({reference.source})'}")
    for warning in scene.dose_warnings():
        log(f"render: warning: {warning}")
    widget, views = _arrange(window or viewer, viewer, request.view, size)
    widget.show()
    viewer.dvh_panel.wait_all()
    for view in viewer.views.values():
        view.reset_zoom()
    QtWidgets.QApplication.processEvents()
    request.out.parent.mkdir(parents=True, exist_ok=True)
    if not widget.grab().save(str(request.out)):
        raise OSError(f"could not write {request.out}")
    write_json(request.out, widget, views, {
        "crosshair_mm": xyz.tolist(), "view": request.view,
        "reference_dose_gy": None if reference is None else reference.dose_gy})
    return widget


def _with_tg43_dose(scene, request: RenderRequest, log: Log):  # noqa: ANN001, ANN202
    """The scene with rtviewer's TG-43 dose of its brachy plan's dwells (``--tg43-dose``).

    Unchanged without ``--tg43-dose``.
    """
    from rtviewer.model.brachy_tg43_dose import tg43_dose

    if not request.tg43_dose:
        return scene
    if getattr(scene.plan, "brachy", None) is None:
        raise NothingToRender("--tg43-dose: the plan shown is not a brachytherapy plan")
    try:
        result = tg43_dose(scene.plan, scene.structures, grid_mm=request.tg43_grid_mm)
    except ValueError as exc:
        raise NothingToRender(f"--tg43-dose: {exc}") from None
    assert result is not None  # never cancelled here
    if scene.dose is not None:
        log(f"render: --tg43-dose: shown instead of the RT Dose {Path(str(scene.dose.path)).name}")
    log(f"render: dose: {result.dose.findings[0].message}")
    return scene.with_dose(result.dose)


def _has_rt_image(scanned, patient: str | None) -> bool:  # noqa: ANN001
    return any(inst.kind == Kind.RT_IMAGE for p in scanned.patients
               if patient is None or p.patient_id == patient
               for st in p.studies for se in st.series for inst in se.instances)


def _plan_tab_name(plan) -> str:  # noqa: ANN001
    return "Brachy" if getattr(plan, "brachy", None) is not None else "Beam's eye"


def _main_window(scanned):  # noqa: ANN001, ANN202
    """A fresh main window with the viewer attached, showing the scanned folder."""
    from rtviewer.ui.window.main_window import MainWindow
    from rtviewer.ui.window.viewer_controller import attach_viewer

    window = MainWindow()
    attach_viewer(window)
    window.results[scanned.root] = scanned
    window.tree.show_result(scanned)
    window.problems.show_result(scanned)
    return window


def _arrange(window, viewer, view: str, size: tuple[int, int]):  # noqa: ANN001, ANN202
    """The widget to grab and the slice views it contains."""
    if view == "all":
        window.resize(*size)
        scene = viewer.scene
        has_dvh = scene.dose is not None and scene.structures is not None
        panes = viewer.rt_views
        pane = (viewer.dvh_panel if has_dvh else viewer.structure_panel
                if scene.structures is not None else
                panes.brachy if _plan_tab_name(scene.plan) == "Brachy" else panes.bev)
        viewer.tabs.setCurrentWidget(pane)
        return window, viewer.views
    if view == "dvh":
        panel = viewer.dvh_panel
        viewer.tabs.removeTab(viewer.tabs.indexOf(panel))
        panel.setParent(None)
        panel.resize(*size)
        return panel, {}
    slice_view = viewer.views[view]
    slice_view.setParent(None)
    slice_view.resize(*size)
    return slice_view, {view: slice_view}
