"""What the offscreen renders share: the Qt application, the chain choice, the JSON sidecar.

Used by ``rtviewer render`` (:mod:`rtviewer.ui.render.offscreen`,
:mod:`rtviewer.ui.render.offscreen_rt`) and by the window's Screenshot… menu
(:mod:`rtviewer.ui.render.view_export`), which writes the same sidecar; it imports no
view or window module, so none of them imports back into it.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from rtviewer.view.chain import Chain

__all__ = ["Log", "NothingToRender", "choose_chain", "pixel_affine", "qt_app", "write_json"]

Log = Callable[[str], None]


class NothingToRender(Exception):
    """Nothing renderable for the request (the CLI exits 2 with this message)."""


def qt_app():  # noqa: ANN201 - Qt object
    """The QApplication (made offscreen unless a platform is set), pyqtgraph configured."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    qt_widgets = importlib.import_module("PySide6.QtWidgets")  # before pyqtgraph binds
    pg = importlib.import_module("pyqtgraph")

    pg.setConfigOptions(imageAxisOrder="row-major", useOpenGL=False, antialias=True)
    return (qt_widgets.QApplication.instance()
            or qt_widgets.QApplication(["rtviewer-render"]))


def choose_chain(request: Any, log: Log, *,  # noqa: ANN201 - Chain
                 accept: Callable[[Chain], bool] | None = None,
                 fallback: Callable[[Chain], bool] | None = None):
    """The chain ``request`` selects (``--patient``, ``--plan``, ...) and the scan.

    Without an explicit object, the default chain ``accept`` takes, else (when given)
    the one ``fallback`` takes.
    """
    from rtviewer.dicom.scan import scan
    from rtviewer.view.chain import chain_for, default_chain, find_instance

    result = scan(request.path)
    explicit = {k: getattr(request, k) for k in ("dose", "plan", "structures")
                if getattr(request, k)}
    if not explicit:
        chain, why = default_chain(result, request.patient, accept=accept)
        if fallback is not None and not (accept or (lambda c: c.renderable))(chain):
            chain, why = default_chain(result, request.patient, accept=fallback)
        log(f"render: {why}")
    else:
        found: dict[str, Any] = {}
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


def pixel_affine(widget, view) -> tuple[list[float], list[list[float]]]:  # noqa: ANN001
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


def write_json(out: Path, widget, views: dict, extra: dict) -> None:  # noqa: ANN001
    """Write ``out``'s JSON sidecar: each visible slice view's PNG rectangle and affine."""
    entries = {}
    for name, view in views.items():
        if not view.isVisible():
            continue
        rectangle, affine = pixel_affine(widget, view)
        entries[name] = {"rect_px": rectangle, "pixel_to_patient_mm": affine,
                         "depth_mm": view.depth_mm(),
                         "normal": view.scene.frame.axes(view.view)[2].tolist()}
    doc = {"png": out.name, "size_px": [widget.width(), widget.height()],
           "pixel_convention": "continuous; (0,0) is the top-left corner of the top-left pixel",
           "views": entries, **extra}
    out.with_suffix(".json").write_text(json.dumps(doc, indent=2), encoding="utf-8")
