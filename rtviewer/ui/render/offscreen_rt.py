"""``rtviewer render --view bev|rtimage|record``: the RT object views, drawn offscreen.

Same selection as the slice views (``--patient``, ``--plan``), defaults stated on
stderr, and a ``FILE.json`` sidecar: for ``bev`` the affine from PNG pixel to beam
``(Xg, Yg)`` mm at the isocentre plane, for ``rtimage`` to receptor ``(x, y)`` mm
in the image plane (``y`` up, as RT Image Position).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from rtviewer.model.kind import Kind

__all__ = ["RT_VIEWS", "plan_rt_images", "render_rt"]

RT_VIEWS = ("bev", "rtimage", "record")
Log = Callable[[str], None]


def _view_affine(widget: Any, graphics: Any, vb: Any) -> dict:
    """PNG rectangle of a ViewBox and the 2×3 affine PNG pixel → view coordinates (mm)."""
    from PySide6 import QtCore

    rect = graphics.mapFromScene(vb.sceneBoundingRect()).boundingRect()
    top_left = graphics.mapTo(widget, rect.topLeft())
    corners = [(0.0, 0.0), (100.0, 0.0), (0.0, 100.0)]
    view = []
    for x, y in corners:
        local = graphics.mapFrom(widget, QtCore.QPoint(int(x), int(y)))
        p = vb.mapSceneToView(graphics.mapToScene(local))
        view.append([p.x(), p.y()])
    design = np.column_stack([np.array(corners), np.ones(3)])
    affine = np.linalg.solve(design, np.array(view)).T
    return {"rect_px": [top_left.x(), top_left.y(), rect.width(), rect.height()],
            "pixel_to_mm": affine.tolist()}


def _plan_instances(scanned: Any, kind: Kind, plan_uid: str | None,
                    patient_id: str | None = None) -> list[Path]:
    """Files of ``kind`` referencing the plan, sorted by path.

    All files of ``kind`` when ``plan_uid`` is None; one patient's when ``patient_id``
    is given.
    """
    out = []
    instances = [inst for p in scanned.patients
                 if patient_id is None or p.patient_id == patient_id
                 for st in p.studies for se in st.series for inst in se.instances]
    for inst in instances:
        if inst.kind != kind:
            continue
        refs = {r.uid for r in inst.references if r.kind == "rtplan"}
        if plan_uid is None or plan_uid in refs:
            out.append(inst.path)
    return sorted(out, key=str)


def _load_plan_scene(request: Any, log: Log) -> tuple[Any, Any]:
    from rtviewer.ui.render.common import NothingToRender, choose_chain
    from rtviewer.ui.workers.loader import load_scene

    chain, scanned = choose_chain(request, log, accept=lambda c: c.plan is not None)
    if chain.plan is None:
        return None, scanned
    result = load_scene(chain)
    for path, reason in result.problems:
        log(f"render: could not read {path}: {reason}")
    if result.scene.plan is None:
        raise NothingToRender(f"the plan {chain.plan.name} could not be read")
    return result.scene, scanned


def _grab(widget: Any, out: Path, sidecar: dict) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    if not widget.grab().save(str(out)):
        raise OSError(f"could not write {out}")
    doc = {"png": out.name, "size_px": [widget.width(), widget.height()],
           "pixel_convention": "continuous; (0,0) is the top-left corner of the top-left pixel",
           **sidecar}
    out.with_suffix(".json").write_text(json.dumps(doc, indent=2), encoding="utf-8")


def render_rt(request: Any, log: Log) -> None:
    """Render one of :data:`RT_VIEWS` to ``request.out`` (PNG + JSON)."""
    from rtviewer.ui.render.common import qt_app

    app = qt_app()
    size = request.size or (900, 900)
    widget = {"bev": _bev, "rtimage": _rtimage, "record": _record}[request.view](request, log)
    try:
        widget.resize(*size)
        widget.show()
        app.processEvents()
        if hasattr(widget, "fit"):
            widget.fit()
        app.processEvents()
        if getattr(widget, "backdrop_note", None):
            log(f"render: backdrop: {widget.backdrop_note}")
        sidecar: dict[str, Any] = {"view": request.view, **widget.property_sidecar}
        if request.view in ("bev", "rtimage"):
            sidecar["views"] = {request.view: {
                **_view_affine(widget, widget.graphics, widget.vb),
                "coordinates": widget.property_coordinates}}
        _grab(widget, request.out, sidecar)
        log(f"render: view {request.view} at {size[0]}x{size[1]}")
    finally:
        widget.close()
        widget.deleteLater()
        app.processEvents()


def _bev(request: Any, log: Log) -> Any:
    from rtviewer.ui.render.common import NothingToRender
    from rtviewer.ui.views.bev_view import BeamsEyeView

    scene, scanned = _load_plan_scene(request, log)
    if scene is None:
        raise NothingToRender("no RT Plan to show in a beam's-eye view")
    plan = scene.plan
    beam, index = _bev_beam(request, plan, log)
    view: Any = BeamsEyeView()  # carries the sidecar attributes render_rt() reads
    view.backdrop.asynchronous = False  # the PNG must show the DRR
    view.set_data(plan=plan, structures=scene.structures, image=scene.image,
                  rt_images=plan_rt_images(scanned, plan, log), slab_model=scene.slab_model)
    view.set_beam(beam.number)
    view.set_control_point(index)
    fluence = bool(getattr(request, "fluence", False))
    if fluence:
        view.fluence.asynchronous = False  # the PNG must show it
        view.set_fluence(fluence=True, union=True)
        log(f"render: {view.fluence_note}")
    for line in view.content.accessory_lines:
        log(f"render: beam {beam.number}: {line}")
    for note in view.content.notes:
        log(f"render: {note}")
    geometry = view.content.geometry
    view.property_sidecar = {"beam_number": beam.number, "control_point_index": index,
                             "aperture_mm": _aperture_entries(view, beam, index, fluence),
                             **_fluence_entry(view, beam),
                             "accessories_mm": _accessory_entries(beam, index),
                             **_spot_entry(view),
                             "gantry_deg": geometry.gantry_deg,
                             "collimator_deg": geometry.collimator_deg,
                             "couch_deg": geometry.couch_deg,
                             "isocenter_mm": list(geometry.isocenter_mm),
                             "plan": str(plan.path)}
    view.property_coordinates = ("IEC 61217 gantry (Xg, Yg) mm at the isocentre plane, "
                                 "seen from the source")
    return view


def _bev_beam(request: Any, plan: Any, log: Log) -> tuple[Any, int]:
    """The beam and control point asked for (or the defaults, said on stderr)."""
    from rtviewer.ui.render.common import NothingToRender
    from rtviewer.view.beam_model import default_beam_number

    numbers = sorted(b.number for b in plan.beams)
    if not numbers:
        raise NothingToRender(f"plan {Path(plan.path).name} has no beams "
                              f"({plan.kind.value}): nothing for --view bev")
    number = request.beam_number
    if number is None:
        number = default_beam_number(plan)
        log(f"render: beam {number} (the lowest Beam Number with delivery type TREATMENT)")
    elif number not in numbers:
        raise NothingToRender(f"--beam-number {number}: the plan's beams are {numbers}")
    beam = plan.beam(number)
    index = request.control_point or 0
    if not 0 <= index < len(beam.control_points):
        raise NothingToRender(f"--control-point {index}: beam {number} has control points "
                              f"0..{len(beam.control_points) - 1}")
    log(f"render: control point {index} of 0..{len(beam.control_points) - 1}")
    return beam, index


def plan_rt_images(scanned: Any, plan: Any, log: Log) -> list[Any]:
    """The RT Images referencing the plan; an unreadable one is said and skipped."""
    from rtviewer.dicom.rtimage import read_rt_image

    rt_images = []
    for path in _plan_instances(scanned, Kind.RT_IMAGE, plan.sop_instance_uid):
        try:
            rt_images.append(read_rt_image(path))
        except Exception as exc:  # noqa: BLE001 - one unreadable image never stops the view
            log(f"render: could not read {path}: {exc}")
    return rt_images


def _aperture_entry(beam: Any, index: int, polygons: Any) -> dict:
    """One control point's open field for the sidecar: IEC BLD (Xb, Yb) mm at isocentre."""
    return {"control_point_index": index,
            "cumulative_meterset_weight": beam.control_points[index].cumulative_meterset_weight,
            "coordinates": "IEC 61217 beam limiting device (Xb, Yb) mm at the isocentre plane",
            "polygons": [np.round(np.asarray(p, dtype=float), 4).tolist() for p in polygons]}


def _aperture_entries(view: Any, beam: Any, index: int, every: bool) -> list[dict]:
    """The shown control point's open field, or every control point's with the fluence."""
    if not every:
        return [_aperture_entry(beam, index, view.content.apertures_bld)]
    from rtviewer.view.beam_model import beam_at

    return [_aperture_entry(beam, k, beam_at(view.plan, beam, k).apertures)
            for k in range(len(beam.control_points))]


def _fluence_entry(view: Any, beam: Any) -> dict:
    """The drawn fluence summarised, and the union outline (IEC BLD mm at isocentre)."""
    from rtviewer.ui.views.bev_fluence_items import union_outlines

    result = view.fluence.result(beam) if view.fluence.show_fluence else None
    if result is None or isinstance(result, str):
        return {} if result is None else {"fluence": {"error": result}}
    f = result.fluence
    return {"fluence": {
        "unit": result.unit, "max": float(f.values.max()), "pixel_mm": f.pixel_mm,
        "integral_mm2": float(f.values.sum() * f.pixel_mm ** 2),
        "grid_x_mm": [float(f.x_mm[0]), float(f.x_mm[-1])],
        "grid_y_mm": [float(f.y_mm[0]), float(f.y_mm[-1])],
        "coordinates": "IEC 61217 beam limiting device (Xb, Yb) mm at the isocentre plane",
        "union_outlines_mm": [np.round(o, 3).tolist() for o in union_outlines(result)]}}


def _accessory_entries(beam: Any, index: int) -> list[dict]:
    """Wedge arrows, block, applicator, compensator outlines: IEC BLD mm at isocentre."""
    from rtviewer.view.beam_accessories import accessory_shapes

    shapes, _notes = accessory_shapes(beam, beam.control_points[index])
    return [{"kind": s.kind, "label": s.label,
             "points": np.round(np.asarray(s.points_mm, dtype=float), 4).tolist()}
            for s in shapes]


def _spot_entry(view: Any) -> dict:
    """The shown energy layer of an ion beam: spots ``(Xg, Yg)`` mm at isocentre, weights."""
    layer = view.shown_layer()
    if layer is None:
        return {}
    return {"energy_layer": {
        "layer_index": layer.layer_index, "nominal_energy_mev": layer.nominal_energy_mev,
        "control_point_indices": list(layer.control_point_indices),
        "spot_positions_mm": np.asarray(layer.spot_positions_mm, dtype=float).tolist(),
        "spot_meterset_weights": np.asarray(layer.spot_meterset_weights, dtype=float).tolist(),
        "coordinates": "IEC 61217 gantry (Xg, Yg) mm at the isocentre plane"}}


def _rtimage(request: Any, log: Log) -> Any:
    from rtviewer.dicom.plan import read_plan
    from rtviewer.dicom.rtimage import read_rt_image
    from rtviewer.dicom.scan import scan
    from rtviewer.ui.render.common import NothingToRender
    from rtviewer.ui.views.rtimage_view import RtImageView
    from rtviewer.view.chain import find_instance

    scanned = scan(request.path)
    if request.image:
        inst = find_instance(scanned, request.image)
        if inst is None or inst.kind != Kind.RT_IMAGE:
            raise NothingToRender(f"--image {request.image}: no RT Image of that name under "
                                  f"{request.path}")
        path = inst.path
    else:
        images = _plan_instances(scanned, Kind.RT_IMAGE, None, request.patient)
        if not images:
            who = f" for patient {request.patient!r}" if request.patient else ""
            raise NothingToRender(f"no RT Image under {request.path}{who}")
        path = images[0]
        log(f"render: RT Image {path.name} (the first of {len(images)} by path)")
    image = read_rt_image(path)
    plan = None
    key = request.plan or image.referenced_plan_uid
    plan_inst = find_instance(scanned, key) if key else None
    if plan_inst is not None:
        plan = read_plan(plan_inst.path)
        log(f"render: plan {plan_inst.path.name} for the beam overlay")
    elif image.referenced_plan_uid:
        log(f"render: the referenced plan {image.referenced_plan_uid} is not in the folder")
    view: Any = RtImageView()  # carries the sidecar attributes render_rt() reads
    view.set_image(image, plan)
    if request.beam_number is not None:
        view.set_beam(request.beam_number)
    log(f"render: overlay beam {view.beam_number if view.beam_number is not None else 'none'}")
    for line in view.receptor.missing:
        log(f"render: {line}")
    if view.receptor.tilted:
        log("render: the image plane is tilted (NON_NORMAL): placed by RT Image Orientation; "
            "the field is drawn where its rays meet that plane")
    view.property_sidecar = {"image": str(path), "beam_number": view.beam_number,
                             "axis_receptor_mm": list(view.receptor.axis_mm),
                             "magnification": view.receptor.magnification}
    view.property_coordinates = "receptor (x, y) mm in the image plane at the SID, y up"
    return view


def _record(request: Any, log: Log) -> Any:
    from rtviewer.dicom.record import read_treatment_record
    from rtviewer.ui.render.common import NothingToRender
    from rtviewer.ui.views.record_view import RecordView

    scene, scanned = _load_plan_scene(request, log)
    plan = scene.plan if scene is not None else None
    uid = plan.sop_instance_uid if plan is not None else None
    paths = _plan_instances(scanned, Kind.RECORD, uid)
    if plan is None and not paths:
        raise NothingToRender(f"no RT Plan and no treatment record under {request.path}")
    records = []
    for path in paths:
        try:
            records.append(read_treatment_record(path))
        except Exception as exc:  # noqa: BLE001 - one unreadable record never stops the view
            log(f"render: could not read {path}: {exc}")
    log(f"render: {len(records)} treatment record(s) of "
        f"{Path(plan.path).name if plan is not None else 'any plan'}")
    view: Any = RecordView()  # carries the sidecar attributes render_rt() reads
    view.set_records(plan, records)
    view.property_sidecar = {"plan": str(plan.path) if plan is not None else None,
                             "records": [str(p) for p in paths]}
    return view
