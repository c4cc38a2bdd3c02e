"""Headless rendering (``rtviewer render``): the window's own widgets, drawn offscreen.

Beside ``FILE.png`` goes ``FILE.json``: for each view its rectangle in the PNG and
the 2-D affine from PNG pixel coordinates to patient mm, so tests and reports can
find where a patient point lands. PNG coordinates are continuous, ``(0, 0)`` the
top-left corner of the top-left pixel; pixel ``(i, j)``'s centre is ``(i + ½, j + ½)``.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from rtviewer.ui.chain import Chain

__all__ = ["RenderRequest", "render"]

Log = Callable[[str], None]


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


class NothingToRender(Exception):
    """Nothing renderable for the request (the CLI exits 2 with this message)."""


def _qt_app():  # noqa: ANN202 - Qt object
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    qt_widgets = importlib.import_module("PySide6.QtWidgets")  # before pyqtgraph binds
    pg = importlib.import_module("pyqtgraph")

    pg.setConfigOptions(imageAxisOrder="row-major", useOpenGL=False, antialias=True)
    return (qt_widgets.QApplication.instance()
            or qt_widgets.QApplication(["rtviewer-render"]))


def _choose_chain(request: RenderRequest, log: Log, *,  # noqa: ANN202 - Chain
                  accept: Callable[[Chain], bool] | None = None):
    from rtviewer.dicom.scan import scan
    from rtviewer.ui.chain import chain_for, default_chain, find_instance

    result = scan(request.path)
    explicit = {k: getattr(request, k) for k in ("dose", "plan", "structures")
                if getattr(request, k)}
    if not explicit:
        chain, why = default_chain(result, request.patient, accept=accept)
        log(f"render: {why}")
    else:
        found = {}
        for key, value in explicit.items():
            inst = find_instance(result, value)
            if inst is None:
                raise NothingToRender(f"--{key} {value}: no such object under {request.path}")
            found[key] = inst.path
        start = found.get("dose") or found.get("plan") or found["structures"]
        chain = chain_for(result, start)
        chain = replace(chain, **found)
        if "structures" in found and "dose" not in found and "plan" not in found:
            chain = replace(chain, dose=None, plan=None)
    for note in chain.notes:
        log(f"render: {note}")
    log(f"render: plan={_name(chain.plan)} dose={_name(chain.dose)} "
        f"structures={_name(chain.structures)} images={len(chain.image_paths)} files")
    return chain, result


def _name(path: Path | None) -> str:
    return path.name if path is not None else "none"


def _pixel_affine(widget, view) -> tuple[list[float], list[list[float]]]:  # noqa: ANN001
    """Rectangle of ``view``'s ViewBox in ``widget`` pixels and PNG pixel -> patient mm."""
    from PySide6 import QtCore

    vb, graphics = view.vb, view.graphics
    rect = graphics.mapFromScene(vb.sceneBoundingRect()).boundingRect()
    top_left = graphics.mapTo(widget, rect.topLeft())
    corners = [QtCore.QPointF(0, 0), QtCore.QPointF(100, 0), QtCore.QPointF(0, 100)]
    png = np.array([[c.x(), c.y()] for c in corners])
    st = []
    for c in corners:
        local = graphics.mapFrom(widget, QtCore.QPoint(int(c.x()), int(c.y())))
        scene_point = graphics.mapToScene(local)
        p = vb.mapSceneToView(scene_point)
        st.append([p.x(), p.y()])
    st_arr = np.array(st)
    # st = S @ [px, py, 1]; solve from the three corners (exact for an affine map)
    design = np.column_stack([png, np.ones(3)])
    s_affine = np.linalg.solve(design, st_arr).T  # (2, 3)
    u, v, n = view.scene.frame.axes(view.view)
    depth = view.depth_mm()
    patient = np.column_stack([u, v]) @ s_affine
    patient[:, 2] += depth * n
    # the ViewBox may overhang the viewport by a pixel: report only what is in the PNG
    x0, y0 = max(0, top_left.x()), max(0, top_left.y())
    x1 = min(widget.width(), top_left.x() + rect.width())
    y1 = min(widget.height(), top_left.y() + rect.height())
    rectangle = [x0, y0, x1 - x0, y1 - y0]
    return rectangle, patient.tolist()


def _write_json(out: Path, widget, views: dict, extra: dict) -> None:  # noqa: ANN001
    entries = {}
    for name, view in views.items():
        if not view.isVisible():
            continue
        rectangle, affine = _pixel_affine(widget, view)
        entries[name] = {"rect_px": rectangle, "pixel_to_patient_mm": affine,
                         "depth_mm": view.depth_mm(),
                         "normal": view.scene.frame.axes(view.view)[2].tolist()}
    doc = {"png": out.name, "size_px": [widget.width(), widget.height()],
           "pixel_convention": "continuous; (0,0) is the top-left corner of the top-left pixel",
           "views": entries, **extra}
    out.with_suffix(".json").write_text(json.dumps(doc, indent=2), encoding="utf-8")


def render(request: RenderRequest, log: Log) -> None:
    """Render ``request`` to its PNG and JSON.

    Raises
    ------
    NothingToRender
        Nothing renderable exists for the requested view.
    """
    from rtviewer.ui.render_rt import RT_VIEWS, render_rt

    if request.view in RT_VIEWS:
        render_rt(request, log)
        return
    app = _qt_app()
    from rtviewer.ui.loader import load_scene
    from rtviewer.ui.viewer import Viewer

    chain, scanned = _choose_chain(request, log)
    if not chain.renderable:
        raise NothingToRender(f"nothing renderable under {request.path}")
    result = load_scene(chain)
    for path, reason in result.problems:
        log(f"render: could not read {path}: {reason}")
    scene = result.scene
    if scene.empty or (request.view == "dvh" and (scene.dose is None
                                                  or scene.structures is None)):
        raise NothingToRender(f"nothing renderable for --view {request.view}")
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

    from rtviewer.ui.viewer_controller import loaded_message

    position = np.array(request.position_mm) if request.position_mm is not None else None
    viewer.resize(1600, 1000)
    why = viewer.set_scene(scene, position_mm=position)
    if window is not None:
        window.viewer_controller.chain = chain
        window.viewer_controller.offer_doses(chain)
        # the status bar says what a real open says, not the empty window's prompt
        window.statusBar().showMessage(loaded_message(chain, why, problems))
    xyz = viewer.state.crosshair_mm
    log(f"render: position ({xyz[0]:.1f}, {xyz[1]:.1f}, {xyz[2]:.1f}) mm: {why}")
    reference = viewer.state.reference_dose
    log(f"render: reference dose "
        f"{'none' if reference is None else f'{reference.dose_gy:g} Gy ({reference.source})'}")
    widget, views = _arrange(window or viewer, viewer, request.view, size)
    widget.show()
    viewer.dvh_panel.wait_all()
    for view in viewer.views.values():
        view.reset_zoom()
    QtWidgets.QApplication.processEvents()
    request.out.parent.mkdir(parents=True, exist_ok=True)
    if not widget.grab().save(str(request.out)):
        raise OSError(f"could not write {request.out}")
    _write_json(request.out, widget, views, {
        "crosshair_mm": xyz.tolist(), "view": request.view,
        "reference_dose_gy": None if reference is None else reference.dose_gy})
    return widget


def _main_window(scanned):  # noqa: ANN001, ANN202
    """A fresh main window with the viewer attached, showing the scanned folder."""
    from rtviewer.ui.main_window import MainWindow
    from rtviewer.ui.viewer_controller import attach_viewer

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
        has_dvh = viewer.scene.dose is not None and viewer.scene.structures is not None
        viewer.tabs.setCurrentWidget(viewer.dvh_panel if has_dvh else viewer.structure_panel)
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
