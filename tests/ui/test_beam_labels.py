"""Beam lines and labels, and the isodose legend, on the real window (issue 17 points 4, 5).

Geometry, not text: each beam is labelled once, no two labels (nor a label and the
title, letters, legend or a reference point's name) share a pixel, every label lies
inside its view, the central axes end at the body, and the legend keeps off the
anatomy where the pane leaves room for it.
"""

from __future__ import annotations

import numpy as np
import pytest

from rtviewer.view.label_layout import boxes_intersect
from tests.ui.window_fixture import demo_folder, wait_for  # noqa: F401


@pytest.fixture(scope="module")
def demo_window(qapp, demo_folder):  # noqa: F811
    """``(window, controller)``: the window showing the demo thorax 'Lung 3DCRT' plan."""
    from PySide6 import QtWidgets

    from rtviewer.app import build_window

    window, controller, open_path = build_window(opening=True)
    controller.viewer.dvh_panel.use_processes = False
    controller.preferred_patient = "RTV-DEMO-THORAX"  # as `rtviewer --demo` opens
    window.resize(1600, 1000)
    window.show()
    open_path(str(demo_folder))
    wait_for(lambda: controller.viewer.scene.plan is not None and not controller._workers
             and not window.is_scanning() and controller.viewer.scene.structures is not None)
    yield window, controller
    controller.shutdown()
    window.close()
    window.deleteLater()
    QtWidgets.QApplication.processEvents()


def _box(rect):
    return (rect.x(), rect.y(), rect.width(), rect.height())


def _label_boxes(view):
    beams = view.overlays["beams"]
    return {number: _box(label.mapRectToItem(view.vb, label.boundingRect()))
            for number, label in beams._labels.items() if label.toPlainText()}


def _settle(qtbot):
    qtbot.wait(50)


@pytest.mark.parametrize("size", [(1600, 1000), (1280, 800)])
def test_each_beam_is_labelled_once_clear_of_everything_else(demo_window, qtbot, size):  # noqa: F811
    window, controller = demo_window
    window.resize(*size)
    _settle(qtbot)
    plan = controller.viewer.scene.plan
    numbers = {beam.number for beam in plan.beams}
    assert len(numbers) == 6  # 'Lung 3DCRT'
    for name, view in controller.viewer.views.items():
        boxes = _label_boxes(view)
        assert set(boxes) == numbers, name
        texts = [view.overlays["beams"]._labels[n].toPlainText() for n in numbers]
        assert len(set(texts)) == 6 and all(t.count("G") == 1 for t in texts), texts
        fixed = [view.title_rect(), *view.labels.letter_rects(), *view.legend.rects(),
                 *view.overlays["reference points"].label_rects()]
        bounds = _box(view.vb.boundingRect())
        listed = list(boxes.items())
        for k, (number, box) in enumerate(listed):
            x, y, w, h = box
            assert bounds[0] - 1e-6 <= x and x + w <= bounds[0] + bounds[2] + 1e-6, (name, number)
            assert bounds[1] - 1e-6 <= y and y + h <= bounds[1] + bounds[3] + 1e-6, (name, number)
            for other_number, other in listed[k + 1:]:
                assert not boxes_intersect(box, other), (name, number, other_number)
            for rect in fixed:
                assert not boxes_intersect(box, _box(rect)), (name, number, _box(rect))


def test_axial_labels_sit_off_the_body_and_axes_end_at_it(demo_window, qtbot):  # noqa: F811
    from skimage.measure import points_in_poly

    window, controller = demo_window
    window.resize(1600, 1000)
    _settle(qtbot)
    view = controller.viewer.views["axial"]
    anatomy = _box(view.content_rect())
    for number, box in _label_boxes(view).items():
        # a label may touch the box by a fraction of a pixel (its grid of places)
        assert not boxes_intersect(box, anatomy, tolerance_px=0.5), number
    # the body outline on this plane (view mm) and each axis' ends
    s, t = view.overlays["structures"].curves[_body_number(controller)].getData()
    finite = np.isfinite(s)
    pieces = np.split(np.column_stack([s, t]), np.flatnonzero(~finite))
    outline = max((p[np.isfinite(p[:, 0])] for p in pieces), key=len)
    for number, drawing in view.overlays["beams"].drawings.items():
        start, end = drawing.axis_st[0], drawing.axis_st[1]
        # the axis leaves the body where it ends (within 1.5 mm of the outline) ...
        gap = _distance_to_polyline(end, outline)
        assert gap < 1.5, (number, gap)
        # ... and starts outside it, 40 mm along the axis before the skin
        assert not points_in_poly([start], outline)[0], number
        unit = (drawing.isocenter_st - start) / np.hypot(*(drawing.isocenter_st - start))
        assert _distance_to_polyline(start + 40.0 * unit, outline) < 1.5, number
        # no field edge runs further than the axis' span from the isocentre + field
        edges = drawing.field_st[np.isfinite(drawing.field_st[:, 0])]
        reach = max(np.hypot(*(start - drawing.isocenter_st)),
                    np.hypot(*(end - drawing.isocenter_st))) + 150.0
        assert np.max(np.hypot(*(edges - drawing.isocenter_st).T)) < reach, number


def _distance_to_polyline(point, polyline):
    """Shortest distance (mm) from ``point`` to the segments of ``polyline`` (N, 2)."""
    a, b = polyline[:-1], polyline[1:]
    ab = b - a
    t = np.clip(np.einsum("ij,ij->i", point - a, ab) / np.maximum((ab**2).sum(1), 1e-12),
                0.0, 1.0)
    return float(np.min(np.hypot(*(a + t[:, None] * ab - point).T)))


def _body_number(controller):
    from rtviewer.model.plan_sheet import find_body_roi

    roi, _how = find_body_roi(controller.viewer.scene.structures.rois)
    return roi.roi_number


@pytest.mark.parametrize("size", [(1600, 1000), (1280, 800)])
def test_isodose_legend_keeps_off_the_anatomy_and_the_other_texts(demo_window, qtbot, size):  # noqa: F811
    window, controller = demo_window
    window.resize(*size)
    _settle(qtbot)
    for name, view in controller.viewer.views.items():
        legend = view.legend
        item = legend.shown_isodoses()
        # a side pane at 1280x800 may show the compact layout of the % alone
        full = size[0] == 1600 or name == "axial"
        assert item.isVisible() and ("100 % 60.0 Gy" if full else "100 %") in \
            item.toPlainText(), name
        box = _box(item.mapRectToParent(item.boundingRect()))
        bounds = _box(view.vb.boundingRect())
        assert box[0] >= -1e-6 and box[1] >= -1e-6, name
        assert box[0] + box[2] <= bounds[2] and box[1] + box[3] <= bounds[3], name
        others = [view.title_rect(), legend.scale.rect(),
                  legend.window.mapRectToParent(legend.window.boundingRect())]
        # a side pane at 1280x800 (offscreen fonts) is narrower than the legend and two
        # letters: it may touch one there, never the title, scale bar or W/L
        if size[0] == 1600:
            others += view.labels.letter_rects()
        for rect in others:
            assert not boxes_intersect(box, _box(rect)), (name, _box(rect))
        # the demo's panes leave room beside the body at both sizes: a side pane at
        # 1280x800 (offscreen fonts: 156x340 px) in the compact layout (smaller font,
        # two columns), which the lighter backing over anatomy never needs
        from rtviewer.ui.views.view_legend import BACKING_ALPHA

        anatomy = _box(view.content_rect())
        assert not boxes_intersect(box, anatomy), (name, size, box, anatomy)
        assert legend.backing.brush().color().alpha() == BACKING_ALPHA
        if size[0] == 1280 and name != "axial":
            assert item in legend.compact, name


def test_legend_and_beam_labels_keep_clear_of_the_wash_colour_bar(demo_window, qtbot):  # noqa: F811
    from rtviewer.ui.views.gradient_bar import bar_rect

    window, controller = demo_window
    window.resize(1600, 1000)
    state = controller.viewer.state
    state.set_colourwash(True)
    _settle(qtbot)
    try:
        for name, view in controller.viewer.views.items():
            assert view.colour_bar.isVisible(), name
            bar = _box(bar_rect(view.colour_bar))
            legend = view.legend.shown_isodoses()
            assert not boxes_intersect(_box(legend.mapRectToParent(legend.boundingRect())),
                                       bar), name
            for number, box in _label_boxes(view).items():
                assert not boxes_intersect(box, bar), (name, number)
    finally:
        state.set_colourwash(False)


def test_kept_beam_labels_are_where_a_fresh_placement_puts_them(demo_window, qtbot):  # noqa: F811
    # a slice step keeps the last placement while its inputs stand: the kept labels
    # must read and stand as a placement from scratch makes them (crowded side panes
    # at 1280x800 take the short names)
    window, controller = demo_window
    window.resize(1280, 800)
    _settle(qtbot)
    for name in ("sagittal", "coronal"):
        view = controller.viewer.views[name]
        beams = view.overlays["beams"]
        for step in (1, 1, 1, -1, -1, -1):
            view.scroll(step)
            kept = {n: (label.toPlainText(), label.pos().toTuple())
                    for n, label in beams._labels.items()}
            beams._placed_for = None
            beams._place_labels()
            assert kept == {n: (label.toPlainText(), label.pos().toTuple())
                            for n, label in beams._labels.items()}, name
            assert all(text for text, _pos in kept.values()), name
