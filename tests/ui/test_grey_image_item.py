"""The slice views' grey image item paints exactly what pyqtgraph's ImageItem paints."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6 import QtCore, QtGui, QtWidgets

from rtviewer.ui.views.overlays.image import GreyImageItem, plane_transform

# (column step, row step) mm and a flip: axial 0.98 mm pixels, a sagittal 3 mm x 0.98 mm
# cut, a zoomed-out view, a flipped one (an affine with negative steps)
AFFINES = [np.array([[0.98, 0.0, -250.0], [0.0, 0.98, -250.0]]),
           np.array([[0.98, 0.0, -250.0], [0.0, 3.0, -200.0]]),
           np.array([[2.5, 0.0, 10.0], [0.0, 2.5, -30.0]]),
           np.array([[-0.98, 0.0, 250.0], [0.0, 0.98, -250.0]])]


def _picture(item: pg.ImageItem, values: np.ndarray, affine: np.ndarray,
             view_rect: QtCore.QRectF, size: tuple[int, int]) -> bytes:
    """Pixels of a scene holding ``item`` (the slice values windowed) over black."""
    item.setImage(values, levels=(-160.0, 240.0), autoLevels=False)
    item.setTransform(plane_transform(affine))
    scene = QtWidgets.QGraphicsScene()
    scene.addItem(item)
    picture = QtGui.QImage(*size, QtGui.QImage.Format.Format_ARGB32_Premultiplied)
    picture.fill(QtGui.QColor(0, 0, 0))
    painter = QtGui.QPainter(picture)
    scene.render(painter, QtCore.QRectF(0, 0, *size), view_rect)
    painter.end()
    scene.removeItem(item)
    return bytes(picture.constBits())


@pytest.mark.parametrize("affine", AFFINES)
def test_grey_item_paints_the_same_pixels_as_the_library_item(qapp, affine):
    rng = np.random.default_rng(7)
    values = rng.normal(40.0, 120.0, (150, 512)).astype(np.float32)
    corners = np.array([[0, 0, 1], [511, 149, 1]]) @ affine.T
    lo, hi = corners.min(axis=0) - 20, corners.max(axis=0) + 20
    view_rect = QtCore.QRectF(lo[0], lo[1], hi[0] - lo[0], hi[1] - lo[1])
    for size in ((800, 800), (330, 447)):
        ours = GreyImageItem(axisOrder="row-major")
        library = pg.ImageItem(axisOrder="row-major")
        assert _picture(ours, values, affine, view_rect, size) == \
            _picture(library, values, affine, view_rect, size)
        # the library's grey picture, handed over as 32-bit ARGB
        assert library.qimage.format() == QtGui.QImage.Format.Format_Grayscale8
        assert ours.qimage.format() == QtGui.QImage.Format.Format_ARGB32


def test_a_picture_with_no_data_or_colour_is_left_as_the_library_renders_it(qapp):
    # NaN (an oblique cut's outside) makes pyqtgraph render RGBA with transparent pixels
    values = np.full((40, 60), 30.0, dtype=np.float32)
    values[:, :10] = np.nan
    view_rect = QtCore.QRectF(-300, -300, 600, 600)
    ours, library = GreyImageItem(axisOrder="row-major"), pg.ImageItem(axisOrder="row-major")
    assert _picture(ours, values, AFFINES[0], view_rect, (200, 200)) == \
        _picture(library, values, AFFINES[0], view_rect, (200, 200))
    assert ours.qimage.format() == library.qimage.format() != QtGui.QImage.Format.Format_ARGB32
    rgba = np.random.default_rng(1).integers(0, 256, (8, 8, 4), dtype=np.uint8)
    ours, library = GreyImageItem(axisOrder="row-major"), pg.ImageItem(axisOrder="row-major")
    for item in (ours, library):
        item.setImage(rgba, levels=(0, 255), autoLevels=False)
        item.render()
    assert ours.qimage == library.qimage
