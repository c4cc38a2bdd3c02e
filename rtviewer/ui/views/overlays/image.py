"""The image (CT, MR, PET) in grey, windowed by the shared W/L."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtGui

from rtviewer.ui.views.overlays.base import ViewOverlay
from rtviewer.view.readout_text import image_value_text
from rtviewer.view.slice_plane import SlicePlane

__all__ = ["GreyImageItem", "ImageOverlay", "add_image_item", "plane_transform"]


def plane_transform(affine: np.ndarray) -> QtGui.QTransform:
    """QTransform placing an ImageItem whose pixel centres follow ``affine``.

    ``affine`` maps ``(column, row, 1)`` (integer = pixel centre) to ``(s, t)``;
    ImageItem pixel ``(c, r)`` covers ``[c, c+1] × [r, r+1]``, so its centre
    ``(c + ½, r + ½)`` must land on ``affine @ (c, r, 1)``.
    """
    a = np.asarray(affine, dtype=np.float64)
    dx = a[0, 2] - 0.5 * (a[0, 0] + a[0, 1])
    dy = a[1, 2] - 0.5 * (a[1, 0] + a[1, 1])
    return QtGui.QTransform(a[0, 0], a[1, 0], a[0, 1], a[1, 1], dx, dy)


class GreyImageItem(pg.ImageItem):
    """``pg.ImageItem`` whose grey picture is handed to Qt as 32-bit ARGB.

    pyqtgraph renders a windowed image as an 8-bit grey ``QImage``. Qt draws that
    (scaled to the view) through its generic transformed-image fill, converting every
    fetched grey pixel to ARGB on the fly, in worker threads that the GUI thread
    waits for (about 1 ms of CPU for a 512x512 slice at 800x800 px). The picture
    converted once to ``Format_ARGB32`` takes the same fill, with the same sample
    positions, and each pixel (opaque, ``(g, g, g)``) blends to the same value; only
    the per-pixel conversion is gone. (``Format_RGB32`` or premultiplied ARGB would
    take Qt's scaling blend instead, which samples differently.) Every other format
    pyqtgraph may render (a colour table, RGB) is left as it is.
    """

    qimage: QtGui.QImage | None  # pyqtgraph's rendered picture (unannotated there)

    def render(self) -> None:  # noqa: D102 - pyqtgraph's
        super().render()
        qimage = self.qimage
        if qimage is not None and qimage.format() == QtGui.QImage.Format.Format_Grayscale8:
            self.qimage = qimage.convertToFormat(QtGui.QImage.Format.Format_ARGB32)


def add_image_item(view: Any, z: float, item_type: type[pg.ImageItem] = pg.ImageItem
                   ) -> pg.ImageItem:
    """A row-major ImageItem at depth ``z`` in the view's ViewBox (outside its auto-range)."""
    item = item_type(axisOrder="row-major")
    item.setZValue(z)
    view.vb.addItem(item, ignoreBounds=True)
    return item


class ImageOverlay(ViewOverlay):
    """The image cut by the plane (nearest voxel), under everything else."""

    name = "image"

    def attach(self, view: Any) -> None:  # noqa: D102 - the protocol's
        super().attach(view)
        self.item = add_image_item(view, 0, GreyImageItem)
        view.state.windowLevelChanged.connect(self._on_window_level)

    def redraw(self, plane: SlicePlane) -> None:  # noqa: D102 - the protocol's
        cut = plane.image()
        if cut is None:
            self.item.clear()
            return
        width, level = self.view.state.window_level
        # float32 whatever the volume holds (int16 CT): one slice, one display path;
        # contiguous rows: pyqtgraph drew a float32 volume's one-row sagittal cut (a
        # single CT slice, pydicom's CT_small.dcm: strides (65536, 512)) as nothing;
        # and a sagittal cut, one value per 2 kB, was read twice by it (NaN check, levels)
        self.item.setImage(np.ascontiguousarray(cut.values, dtype=np.float32),
                           levels=(level - width / 2, level + width / 2), autoLevels=False)
        self.item.setTransform(plane_transform(cut.affine))

    def _on_window_level(self, width: float, level: float) -> None:
        self.item.setLevels((level - width / 2, level + width / 2))
        self.view.legend.set_window(width, level, self.view.scene.image is not None)
        self.view.place_labels()

    def hit_test(self, xyz_mm: np.ndarray) -> str | None:  # noqa: D102 - the protocol's
        return image_value_text(*self.view.scene.image_value_at(xyz_mm))
