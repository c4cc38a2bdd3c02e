"""The pictures of the review report, drawn by the window's own widgets offscreen.

One scan and one scene load for all of them (``rtviewer render`` loads per picture): the
axial, sagittal and coronal slice views through the crosshair (the isocentre unless a
point is given), the DVH panel, and one beam's-eye view per treatment beam at its first
control point with the DRR behind it.  Each PNG goes into ``out_dir`` (a scratch
folder, never the patient's), with what the caption and the legend need.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from rtviewer.ui.render.common import Log, NothingToRender, choose_chain, qt_app

__all__ = ["NothingToRender", "RenderedPicture", "render_report_pictures"]

SLICE_SIZE_PX = (900, 900)
DVH_SIZE_PX = (1200, 800)
BEV_SIZE_PX = (800, 800)
#: Qt's PNG quality for the scratch pictures: (100 - q) * 9 // 91 is the zlib level, 1.
PNG_QUALITY = 89


@dataclass(frozen=True)
class RenderedPicture:
    """One PNG and what its caption and legend say.

    ``isodoses`` are ``(level %, level Gy, RGB)``; ``structures`` ``(name, RGB)``;
    ``mm_per_pixel`` the patient mm per PNG pixel (None for the DVH plot).
    """

    path: Path
    kind: str
    caption: str
    mm_per_pixel: float | None = None
    isodoses: tuple[tuple[float, float, tuple[int, int, int]], ...] = ()
    structures: tuple[tuple[str, tuple[int, int, int]], ...] = ()


@dataclass(frozen=True)
class _Request:
    path: Path
    plan: str | None
    dose: str | None
    structures: str | None = None
    patient: str | None = None


def render_report_pictures(folder: Path, out_dir: Path, log: Log, *, plan: str | None = None,
                           dose: str | None = None,
                           position_mm: tuple[float, float, float] | None = None,
                           model: str | None = None, dvhs: dict[int, Any] | None = None,
                           position_note: str | None = None) -> list[RenderedPicture]:
    """Render the report's pictures of the chain ``plan``/``dose`` select under ``folder``.

    ``model`` is the structure model of the DVH picture (default: the panel's);
    ``dvhs`` the report's DVHs of ``dose`` with that model, by ROI Number: the
    picture draws them rather than computing them again in the panel's workers.
    ``position_mm`` (patient mm) replaces the isocentre; ``position_note`` is how the
    captions name it (e.g. "point REF1 (dose reference)").

    Raises
    ------
    NothingToRender
        Nothing under ``folder`` has an image, dose, structure set or plan.
    """
    app = qt_app()
    from rtviewer.ui.views.viewer import Viewer
    from rtviewer.ui.workers.loader import load_scene

    chain, scanned = choose_chain(_Request(folder, plan, dose), log,
                                  fallback=lambda c: c.plan is not None)
    if not chain.renderable and chain.plan is None:
        raise NothingToRender(f"nothing renderable under {folder}")
    result = load_scene(chain)
    for path, reason in result.problems:
        log(f"report: could not read {path}: {reason}")
    scene = result.scene
    # the beam's-eye views' DRRs are cast in a thread from here on, while the window's
    # views are set up and the slices and the DVH are drawn
    bev = _bev_view(scene, scanned, log)
    viewer: Any = None
    pictures: list[RenderedPicture] = []
    try:
        viewer = Viewer()
        why = _show_scene(viewer, scene, model, dose, dvhs, position_mm, position_note)
        if not scene.plan_only and not scene.empty:
            pictures += _slices(viewer, scene, out_dir, why)
        if scene.dose is not None and scene.structures is not None:
            pictures.append(_dvh(viewer, out_dir))
        if bev is not None:
            pictures += _bevs(*bev, out_dir)
    finally:
        if bev is not None:
            bev[0].close()
            bev[0].deleteLater()
        if viewer is not None:
            viewer.dvh_panel.stop_workers()
            viewer.close()
            viewer.deleteLater()
        app.processEvents()
    return pictures


def _show_scene(viewer: Any, scene: Any, model: str | None, dose: str | None,
                dvhs: dict[int, Any] | None,
                position_mm: tuple[float, float, float] | None,
                position_note: str | None) -> str:
    """Load ``scene`` into the window's views; how the captions name the planes' point."""
    viewer.resize(1600, 1000)
    # the viewer's beam's-eye, brachy and plan tabs are never built here (LazyTabs): no
    # picture is taken of them (the report's own beam's-eye view draws the BEVs, with
    # the RT Images), and the viewer's would project every structure for its first beam
    # (about 0.3 s of CPU on the demo thorax) only to be thrown away
    if model is not None:
        viewer.dvh_panel.model_choice.setCurrentText(model)
    if dvhs and dose is not None and model is not None:
        viewer.dvh_panel.use_computed(dose, model, dvhs)
    position = None if position_mm is None else np.asarray(position_mm, dtype=float)
    why: str = viewer.set_scene(scene, position_mm=position)
    return position_note if position is not None and position_note else why


def _save_png(pixmap: Any, path: Path) -> None:
    """Write a grabbed picture to the scratch folder as PNG, as the PDF will hold it.

    Opaque pictures lose their alpha channel (the beam's-eye view grabs as ARGB, and
    reportlab would embed a second, all-255 soft-mask image beside it); compression
    is zlib's fastest (``PNG_QUALITY``): reportlab decodes the file and compresses the
    pixels again for the PDF, so a smaller scratch file only costs time.
    """
    from PySide6 import QtGui

    image = pixmap.toImage()
    if image.hasAlphaChannel():
        argb = image.convertToFormat(QtGui.QImage.Format.Format_ARGB32)
        words = np.frombuffer(argb.constBits(), dtype=np.uint32,
                              count=argb.height() * argb.bytesPerLine() // 4)
        alpha = words.reshape(argb.height(), -1)[:, :argb.width()] >> 24
        if alpha.size and int(alpha.min()) == 255:
            image = image.convertToFormat(QtGui.QImage.Format.Format_RGB32)
    if not image.save(str(path), "PNG", PNG_QUALITY):
        raise OSError(f"could not write {path}")


def _legend(viewer: Any, scene: Any) -> tuple[tuple, tuple]:
    """Isodoses (%, Gy, RGB as the views draw them) and the drawn structures (name, RGB)."""
    state = viewer.state
    reference = state.reference_dose
    levels_gy = state.isodose_levels_gy() if scene.dose is not None else ()
    ref = reference.dose_gy if reference is not None else (max(levels_gy) if levels_gy else 1)
    colours = state.isodose_colours() if levels_gy else []
    isodoses = tuple((100.0 * gy / ref, gy, tuple(int(c) for c in rgb))
                     for gy, rgb in zip(levels_gy, colours, strict=True))
    rois = scene.structures.rois if scene.structures is not None else ()
    structures = tuple((roi.name, tuple(int(c) for c in roi.color_rgb))
                       for roi in rois if roi.roi_number in state.visible_rois)
    return isodoses, structures


def _slices(viewer: Any, scene: Any, out_dir: Path, why: str) -> list[RenderedPicture]:
    from rtviewer.ui.render.common import pixel_affine

    isodoses, structures = _legend(viewer, scene)
    reference = viewer.state.reference_dose
    xyz = viewer.state.crosshair_mm
    dose_text = "no dose"
    if scene.dose is not None:
        dose_text = (f"{_dose_words(scene.dose)}, isodoses in % of "
                     + (f"{reference.dose_gy:.2f} Gy ({reference.source})" if reference
                        else "the dose maximum"))
    out = []
    for name, axis in (("axial", "z"), ("sagittal", "x"), ("coronal", "y")):
        view = viewer.views[name]
        view.setParent(None)
        view.resize(*SLICE_SIZE_PX)
        # never shown: grab() lays the hidden widget out at its new size and paints it
        # once (showing it first painted it two more times for the same pixels)
        view.reset_zoom()
        path = out_dir / f"{name}.png"
        _save_png(view.grab(), path)
        _, affine = pixel_affine(view, view)
        mm_per_px = float(np.linalg.norm(np.asarray(affine)[:, 0]))
        value = {"x": xyz[0], "y": xyz[1], "z": xyz[2]}[axis]
        caption = (f"{name.capitalize()} plane {axis} = {value:.1f} mm through "
                   f"({xyz[0]:.1f}, {xyz[1]:.1f}, {xyz[2]:.1f}) mm ({why}); {dose_text}; "
                   f"structure outlines in their stored colours.")
        out.append(RenderedPicture(path, name, caption, mm_per_px, isodoses, structures))
    return out


def _rgb(colour: Any) -> tuple[int, int, int]:
    red, green, blue = (int(c) for c in colour)
    return red, green, blue


def _dose_words(dose: Any) -> str:
    """``"PLAN dose (max 63.3 Gy, file 1.2.826….dcm)"``: what it is first, then which file."""
    summation = getattr(dose.summation_type, "value", None)
    kind = f"{summation} dose" if summation else "dose"
    unit = "Gy" if dose.is_absolute else f"({getattr(dose.units, 'value', dose.units)})"
    return f"{kind} (max {dose.max_gy:.2f} {unit}, file {Path(str(dose.path)).name})"


def _dvh(viewer: Any, out_dir: Path) -> RenderedPicture:
    panel = viewer.dvh_panel
    panel.wait_all()  # the curves are drawn when their DVHs arrive, shown or not
    plot = panel.plot  # the curves alone, at a page's proportions (the viewer is thrown away)
    plot.setParent(None)
    plot.resize(*DVH_SIZE_PX)
    path = out_dir / "dvh.png"
    _save_png(plot.grab(), path)  # hidden, as the slice views: painted once
    plotted = panel.plotted_roi_numbers()  # markers and empty ROIs have no curve to name
    rois = viewer.scene.structures.rois
    structures = tuple((str(roi.name), _rgb(roi.color_rgb))
                       for roi in rois if roi.roi_number in plotted)
    return RenderedPicture(path, "dvh", f"Cumulative DVH of every structure on the "
                                        f"{_dose_words(viewer.scene.dose)} (the DVH "
                                        f"panel as the window shows it; structure model "
                                        f"{panel.model}); volume axis as the "
                                        f"panel's switch says.", structures=structures)


def _bev_view(scene: Any, scanned: Any, log: Log) -> tuple[Any, list[Any]] | None:
    """The beam's-eye view of the scene's treatment beams, their DRRs started; None: no beam."""
    from rtviewer.model.beam import TreatmentDeliveryType
    from rtviewer.ui.render.offscreen_rt import plan_rt_images
    from rtviewer.ui.views.bev_view import BeamsEyeView

    plan = scene.plan
    beams = [b for b in getattr(plan, "beams", ()) or ()
             if b.delivery_type is TreatmentDeliveryType.TREATMENT and b.control_points]
    if not beams:
        return None
    view: Any = BeamsEyeView()
    view.backdrop.asynchronous = False  # the PNG must show the DRR
    view.set_data(plan=plan, structures=scene.structures, image=scene.image,
                  rt_images=plan_rt_images(scanned, plan, log), slab_model=scene.slab_model)
    view.prefetch_backdrops([b.number for b in beams])
    return view, beams


def _bevs(view: Any, beams: list[Any], out_dir: Path) -> list[RenderedPicture]:
    from PySide6 import QtWidgets

    out = []
    view.resize(*BEV_SIZE_PX)
    view.show()  # shown: the view casts the DRR and projects the structures only then
    QtWidgets.QApplication.processEvents()
    for beam in beams:
        view.set_beam(beam.number)  # at control point 0
        view.fit()
        QtWidgets.QApplication.processEvents()
        path = out_dir / f"bev_{beam.number}.png"
        _save_png(view.graphics.grab(), path)  # the picture, not the controls
        g = view.content.geometry
        # the note is a sentence; the caption goes on after it
        backdrop = (getattr(view, "backdrop_note", None) or "DRR of the CT").rstrip(". ")
        caption = (f"Beam's-eye view of beam {beam.number} {beam.name or ''}: aperture "
                   f"(jaws and MLC) at control point 0, gantry {g.gantry_deg:.1f}°, "
                   f"collimator {g.collimator_deg:.1f}°, couch {g.couch_deg:.1f}°; "
                   f"backdrop: {backdrop}; projected structures.")
        out.append(RenderedPicture(path, "bev", caption))
    return out
