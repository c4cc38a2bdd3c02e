"""A one-slice image shows in every view: the sagittal and coronal cuts are one-row strips."""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui

from rtviewer.dicom.image import read_image_volume
from rtviewer.ui.views.slice_view import SliceView
from rtviewer.ui.views.view_state import ViewState
from rtviewer.view.scene import Scene


def _strip_pixels(view: SliceView) -> np.ndarray:
    """The grabbed view's pixels inside the image item's rectangle (RGB, rows × columns)."""
    item = view.overlays["image"].item
    graphics = view.graphics
    rect = graphics.mapFromScene(item.mapRectToScene(item.boundingRect())).boundingRect()
    image = graphics.grab().toImage().convertToFormat(QtGui.QImage.Format.Format_RGB888)
    width, height = image.width(), image.height()
    pixels = np.frombuffer(image.constBits(), np.uint8).reshape(height, image.bytesPerLine())
    pixels = pixels[:, :width * 3].reshape(height, width, 3)
    inner = rect.adjusted(2, 2, -2, -2)
    # a copy: the QImage (and the buffer under the view) goes with this function
    return pixels[inner.top():inner.bottom(), inner.left():inner.right()].copy()


def test_a_float32_single_slice_shows_in_the_sagittal_view(corpus, qtbot):
    """pydicom's CT_small.dcm (one 128×128 slice, float32 after rescale): the sagittal cut
    is a non-contiguous one-row view of the volume, which pyqtgraph drew as nothing."""
    image = read_image_volume([corpus / "pydicom-testfiles" / "CT_small.dcm"])
    assert image.voxels.shape[0] == 1
    state = ViewState()
    scene = Scene(image=image)
    centre = image.grid.affine[:3, :3] @ (np.array(image.grid.shape[::-1]) - 1) / 2 \
        + image.grid.affine[:3, 3]
    state.set_window_level(400, 40)
    strips = {}
    for name in ("sagittal", "coronal"):
        view = SliceView(state, name)
        qtbot.addWidget(view)
        view.resize(400, 400)
        view.set_scene(scene)
        state.set_crosshair_mm(centre)
        view.show()
        qtbot.waitExposed(view)
        view.reset_zoom()
        QtCore.QCoreApplication.processEvents()
        item = view.overlays["image"].item
        assert item.isVisible() and item.image.shape[0] == 1
        strips[name] = _strip_pixels(view)
    for name, strip in strips.items():
        # a strip 5 mm tall across the body: most of it lit (soft tissue, bone at W 400 / L 40)
        assert strip.size and (strip.max(axis=2) > 40).mean() > 0.5, name
