"""A white (or pale) structure stays findable on the DVH plot and in the tables (issue 17).

The file's colour is kept; only a dark outline is added for display.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from factories.phantom import make_phantom

from rtviewer.ui.views.viewer import Viewer
from rtviewer.view.light_colours import OUTLINE_RGB, needs_outline
from rtviewer.view.scene import Scene

WHITE = (255, 255, 255)


def _white_first_scene():
    image, structures, dose = make_phantom()
    rois = list(structures.rois)
    rois[0] = replace(rois[0], color_rgb=WHITE)  # as dicompyler-core's "Borders"
    rois[1] = replace(rois[1], color_rgb=(200, 0, 0))
    return Scene(image=image, structures=replace(structures, rois=tuple(rois)), dose=dose)


def _pixel(icon, x, y):
    image = icon.pixmap(14, 14).toImage()
    colour = image.pixelColor(x, y)
    return (colour.red(), colour.green(), colour.blue())


def test_white_structure_gets_a_dark_halo_frame_and_legend_ground(qtbot):
    scene = _white_first_scene()
    white, coloured = scene.structures.rois[:2]
    assert not needs_outline(coloured.color_rgb), coloured.color_rgb
    viewer = Viewer()
    qtbot.addWidget(viewer)
    viewer.set_scene(scene)
    panel = viewer.dvh_panel
    qtbot.waitUntil(lambda: {white.roi_number, coloured.roi_number} <= set(panel.dvhs),
                    timeout=20000)
    qtbot.waitUntil(lambda: len(panel._curves) >= 2, timeout=5000)
    shown = [roi.roi_number for roi, _dvh in panel._shown()]
    i_white, i_coloured = shown.index(white.roi_number), shown.index(coloured.roi_number)
    curve = panel._curves[i_white][0]
    halo = panel._halos[i_white]
    # the curve keeps the file's white, over a wider dark line with the same points
    assert curve.opts["pen"].color().getRgb()[:3] == WHITE
    assert halo.opts["pen"].color().getRgb()[:3] == OUTLINE_RGB
    assert halo.opts["pen"].widthF() > curve.opts["pen"].widthF()
    assert halo.zValue() < curve.zValue()
    for a, b in zip(halo.getData(), curve.getData(), strict=True):
        np.testing.assert_array_equal(a, b)
    # a coloured structure has none
    assert panel._halos[i_coloured].getData()[0] is None or \
        len(panel._halos[i_coloured].getData()[0]) == 0
    # the legend's line sample sits on a dark ground; the other's does not
    legend = panel.legend.text()
    dark = "background-color: #{:02x}{:02x}{:02x}".format(*OUTLINE_RGB)
    assert legend.count(dark) == 1 and f"color:#ffffff; {dark}" in legend
    # the structure table's swatch: white inside a dark frame
    tree = viewer.structure_panel.table
    for k in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(k)
        if item.text(0) == white.name:
            icon = item.icon(0)
            assert _pixel(icon, 0, 0) == OUTLINE_RGB and _pixel(icon, 7, 7) == WHITE
        elif item.text(0) == coloured.name:
            assert _pixel(item.icon(0), 0, 0) == coloured.color_rgb
    # the model keeps the file's colour
    assert viewer.scene.structures.rois[0].color_rgb == WHITE
    viewer.close()


@pytest.mark.parametrize(("rgb", "outlined"), [
    ((255, 255, 255), True), ((255, 255, 0), True), ((0, 255, 255), True),
    ((230, 230, 230), True), ((255, 0, 0), False), ((0, 0, 255), False),
    ((255, 128, 0), False)])
def test_which_colours_get_an_outline(rgb, outlined):
    assert needs_outline(rgb) is outlined
