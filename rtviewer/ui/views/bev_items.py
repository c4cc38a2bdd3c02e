"""Drawing helpers of the beam's-eye view: the backdrop (DRR or RT Image), paths, spot colours."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from rtviewer.core.iec61217 import BeamGeometry
from rtviewer.ui.workers.background_results import BackgroundResults
from rtviewer.view.bev_content import compute_drr
from rtviewer.view.rtimage_geometry import receptor_geometry

__all__ = ["BevBackdrop", "polygons_path", "spot_brushes", "rt_image_for_beam",
           "receptor_transform"]


def _drr(image: Any, g: BeamGeometry, half_width: float) -> tuple[np.ndarray, float, float]:
    """A DRR, its pixel size and half width (mm), as the backdrop caches it."""
    values, size = compute_drr(image, g, half_width_mm=half_width)
    return values, size, half_width


def _drr_key(g: BeamGeometry, half_width: float) -> tuple:
    """What a DRR depends on: the beam direction (not the collimator), isocentre, size."""
    return (round(g.gantry_deg, 1), round(g.couch_deg, 1), g.isocenter_mm, g.sad_xy_mm,
            g.patient_position, round(half_width, 1))


def polygons_path(polygons: list[np.ndarray]) -> QtGui.QPainterPath:
    """A painter path of closed ``(N, 2)`` polygons (odd-even fill)."""
    path = QtGui.QPainterPath()
    path.setFillRule(QtCore.Qt.FillRule.OddEvenFill)
    for polygon in polygons:
        if len(polygon) < 2:
            continue
        path.addPolygon(QtGui.QPolygonF([QtCore.QPointF(float(a), float(b))
                                         for a, b in polygon]))
        path.closeSubpath()
    return path


def spot_brushes(weights: np.ndarray) -> list[QtGui.QBrush]:
    """One brush per spot, blue (smallest meterset weight) to red (largest)."""
    w = np.asarray(weights, dtype=np.float64)
    span = float(w.max() - w.min()) if w.size else 0.0
    frac = (w - w.min()) / span if span > 0 else np.full(w.shape, 0.5)
    cmap = pg.colormap.get("turbo")
    colours = cmap.map(frac, mode="byte")
    return [pg.mkBrush(*c[:3], 230) for c in colours]


def rt_image_for_beam(rt_images: list[Any], plan: Any, beam: Any) -> Any:
    """The RT Image that references this plan and Beam Number, or None."""
    uid = getattr(plan, "sop_instance_uid", None)
    for image in rt_images:
        if (image.referenced_beam_number == beam.number and uid is not None
                and image.referenced_plan_uid == uid):
            return image
    return None


def receptor_transform(image: Any, *, scale: float = 1.0) -> QtGui.QTransform:
    """ImageItem transform putting an RT Image's pixels at receptor ``(x, y)`` mm × ``scale``.

    Pixel ``(c, r)``'s centre is at ``x0 + c·Δc``, ``y0 - r·Δr`` (RT Image Position
    ``(x0, y0)``, Image Plane Pixel Spacing ``(Δr, Δc)``); without a position the
    image centre is put at the origin (the caller says so).
    """
    rows, cols = image.shape
    dr, dc = image.pixel_spacing_mm
    if image.image_position_mm is not None:
        x0, y0 = image.image_position_mm
    else:
        x0, y0 = -(cols - 1) / 2 * dc, (rows - 1) / 2 * dr
    return QtGui.QTransform(dc * scale, 0.0, 0.0, -dr * scale,
                            (x0 - 0.5 * dc) * scale, (y0 + 0.5 * dr) * scale)


class BevBackdrop(BackgroundResults):
    """The image behind the beam's-eye view, with a DRR cache per beam direction.

    With ``asynchronous`` (the window) DRRs are computed in a worker thread and
    ``updated(note)`` is emitted when one arrives; ``rtviewer render`` computes
    them in place.
    """

    def __init__(self, parent: QtCore.QObject | None = None, *,
                 asynchronous: bool = False) -> None:
        super().__init__(parent, asynchronous=asynchronous)
        self.item = pg.ImageItem(axisOrder="row-major")
        self.item.setZValue(0)
        self._pending: dict[tuple, Future[Any]] = {}

    def prefetch(self, image: Any, views: list[tuple[BeamGeometry, float]]) -> None:
        """Start casting the DRRs of these ``(geometry, half width mm)`` in one thread.

        ``rtviewer report`` draws the beams one after the other; their DRRs (numpy, which
        lets go of the GIL) are cast meanwhile, while the other pictures are drawn. A
        later :meth:`show` of one of them waits for it instead of casting it again.
        """
        if image is None or getattr(image, "voxels", None) is None or image.grid.shape[0] < 2:
            return
        jobs = {_drr_key(g, h): (g, h) for g, h in views}
        jobs = {k: v for k, v in jobs.items() if k not in self._cache and k not in self._pending}
        if not jobs:
            return
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rtviewer-drr")
        for key, (g, h) in jobs.items():
            self._pending[key] = pool.submit(_drr, image, g, h)
        pool.shutdown(wait=False)

    def clear_cache(self) -> None:
        """Forget computed and prefetched DRRs (a new CT or plan)."""
        super().clear_cache()
        self._drop_pending()

    def stop(self) -> None:
        """Wait for running workers; prefetches not started are dropped."""
        self._drop_pending()
        super().stop()

    def _drop_pending(self) -> None:
        for future in self._pending.values():
            future.cancel()
        for future in self._pending.values():
            if not future.cancelled():
                future.exception()  # wait: the CT must outlive the thread casting through it
        self._pending.clear()

    def show(self, image: Any, rt_images: list[Any], plan: Any, beam: Any,
             geometry: BeamGeometry, half_width: float, *, fast: bool) -> str:
        """Draw the best backdrop available; returns a sentence saying what it is."""
        if image is not None and image.grid.shape[0] < 2:
            note = f"The CT has {image.grid.shape[0]} slice: no DRR. "
            image = None
        else:
            note = ""
        if image is not None and getattr(image, "voxels", None) is not None:
            return self._show_drr(image, geometry, half_width, fast=fast)
        self._wanted = None
        rt_image = rt_image_for_beam(rt_images, plan, beam) if beam is not None else None
        if rt_image is not None and rt_image.image_position_mm is not None:
            return note + self._show_rt_image(rt_image, geometry)
        self.item.clear()
        return note + "No CT and no RT Image of this beam: no backdrop."

    def _show_drr(self, image: Any, g: BeamGeometry, half_width: float, *, fast: bool) -> str:
        key = _drr_key(g, half_width)
        self._wanted = key
        if key in self._pending:
            self._cache[key] = self._pending.pop(key).result()
        if key in self._cache:
            return self._draw_drr(key)
        if fast and self._cache:
            return "DRR of an earlier control point (playing)."
        if not self.asynchronous:
            self._cache[key] = _drr(image, g, half_width)
            return self._draw_drr(key)
        self._start(key, _drr, image, g, half_width)
        return "Computing the DRR…"

    def _present(self, key: tuple) -> str:
        return self._draw_drr(key)

    def _draw_drr(self, key: tuple) -> str:
        values, size, h = self._cache[key]
        low, high = np.percentile(values, (1.0, 99.5))
        self.item.setImage(values, autoLevels=False, levels=(low, max(high, low + 1e-6)))
        self.item.setTransform(QtGui.QTransform(size, 0.0, 0.0, -size, -h, h))
        return f"DRR ray-cast through the CT (gantry {key[0]:.1f}°)."

    def _show_rt_image(self, rt_image: Any, geometry: BeamGeometry) -> str:
        m = rt_image.magnification or 1.0
        pixels = np.asarray(rt_image.pixels, dtype=np.float32)
        if rt_image.photometric_interpretation == "MONOCHROME1":
            pixels = -pixels
        low, high = np.percentile(pixels, (1.0, 99.5))
        self.item.setImage(pixels, autoLevels=False, levels=(low, max(high, low + 1e-6)))
        # receptor mm, less the beam axis point, turned back and / SID·SAD: the gantry plane;
        # a tilted (NON_NORMAL) plane maps through the source by a homography
        receptor = receptor_geometry(rt_image)
        h = receptor.homography if receptor.tilted else np.vstack(
            [receptor.pixel_to_isocentre_plane(), [0.0, 0.0, 1.0]])
        shift, note = _isocentre_shift(rt_image, geometry)
        # ImageItem pixel (c, r) covers [c, c+1]: its centre (c + ½, r + ½) is pixel c, r
        half = np.array([[1.0, 0.0, -0.5], [0.0, 1.0, -0.5], [0.0, 0.0, 1.0]])
        h = np.array([[1.0, 0.0, shift[0]], [0.0, 1.0, shift[1]], [0.0, 0.0, 1.0]]) @ h @ half
        self.item.setTransform(QtGui.QTransform(h[0, 0], h[1, 0], h[2, 0], h[0, 1], h[1, 1],
                                                h[2, 1], h[0, 2], h[1, 2], h[2, 2]))
        tilt = " Its plane is tilted (NON_NORMAL): placed by RT Image Orientation." \
            if receptor.tilted else ""
        return (f"Backdrop: RT Image '{rt_image.label}' ({rt_image.kind.value}) scaled by "
                f"SAD/SID = 1/{m:.3f}.{tilt}{note}")


def _isocentre_shift(rt_image: Any, geometry: BeamGeometry) -> tuple[np.ndarray, str]:
    """Where the image's own Isocenter Position lies in the beam's isocentre plane (mm)."""
    iso = getattr(rt_image, "isocenter_mm", None)
    if iso is None:
        return np.zeros(2), ""
    offset = geometry.patient_to_gantry(np.asarray(iso, dtype=float))
    if float(np.linalg.norm(offset)) < 0.1:
        return np.zeros(2), ""
    return offset[:2], (f" The image's Isocenter Position lies ({offset[0]:.1f}, "
                        f"{offset[1]:.1f}, {offset[2]:.1f}) mm (Xg, Yg, Zg) from the beam's: "
                        "the image is shifted by its Xg, Yg.")
