"""Showing another dose redraws each slice view once (issue 17: the UI never blocks).

"Show in the views" on the ``pytg43-brachy`` HDR plan set the crosshair, the reference
dose, the levels and the colourwash one after the other; each signal redrew the overlays
it concerns on the scene still shown, then the views redrew everything again: up to four
redraws of an overlay per view for one click.  Counted here, not timed.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pytest
from factories.window import open_window

from rtviewer.model.brachy_tg43_dose import is_tg43_dose
from rtviewer.view.scene import Scene

pytestmark = pytest.mark.corpus


def _count_redraws(viewer: Any) -> Counter[tuple[str, str]]:
    """Count each overlay's redraws, per view, from now on."""
    counts: Counter[tuple[str, str]] = Counter()
    for name, view in viewer.views.items():
        for key, overlay in view.overlays.items():
            def counted(plane: Any, _draw: Any = overlay.redraw, _key: Any = (name, key)) -> None:
                counts[_key] += 1
                _draw(plane)
            overlay.redraw = counted
    return counts


def _curves(viewer: Any) -> list[tuple[np.ndarray, np.ndarray]]:
    """The isodose lines drawn in every view (their points)."""
    return [(np.asarray(c.xData), np.asarray(c.yData)) for view in viewer.views.values()
            for c in view.overlays["isodoses"].curves if c.isVisible() and c.xData is not None]


def test_show_tg43_dose_redraws_each_view_once(qtbot, corpus):
    window, controller = open_window(qtbot, corpus / "pytg43-brachy" / "HDR")
    viewer = controller.viewer
    section = viewer.rt_views.brachy.dose_section
    section.request("show")
    section.wait()
    assert is_tg43_dose(viewer.scene.dose)
    viewer.show_file_dose()
    assert viewer.scene.dose is None
    before = viewer.scene
    counts = _count_redraws(viewer)
    section.request("show")  # the kept result: what the button does the second time
    qtbot.wait(10)
    assert is_tg43_dose(viewer.scene.dose)
    assert viewer.scene._cache["cut-batches"] is before._cache["cut-batches"]
    overlays = {(name, key) for name, view in viewer.views.items() for key in view.overlays}
    assert len(overlays) >= 3 * 8  # image, wash, isodoses, structures, points, sources, ...
    assert dict(counts) == dict.fromkeys(overlays, 1)
    # what the one redraw drew is what a redraw now draws: nothing was left stale
    shown = _curves(viewer)
    assert len(shown) >= 3  # isodose lines in the three views around the dwells
    crosshair = [(view.v_line.value(), view.h_line.value()) for view in viewer.views.values()]
    for view in viewer.views.values():
        view.redraw()
    again = _curves(viewer)
    assert len(again) == len(shown)
    for (s0, t0), (s1, t1) in zip(shown, again, strict=True):
        np.testing.assert_array_equal(s0, s1)
        np.testing.assert_array_equal(t0, t1)
    assert crosshair == [(view.v_line.value(), view.h_line.value())
                         for view in viewer.views.values()]
    # the computed dose's scene kept the structures' cuts of the scene without it, and
    # cuts as a scene built afresh does
    scene = viewer.scene
    fresh = Scene(image=scene.image, structures=scene.structures, dose=scene.dose,
                  plan=scene.plan, structure_model=scene.structure_model)
    numbers = sorted(viewer.state.visible_rois)
    assert len(numbers) >= 10
    for name, view in viewer.views.items():
        depth = view.depth_mm()
        for number, outline in scene.structure_outlines(name, depth, numbers).items():
            other = fresh.structure_outlines(name, depth, numbers)[number]
            np.testing.assert_array_equal(outline.s, other.s)
            np.testing.assert_array_equal(outline.t, other.t)
    # and back to no dose: once again
    counts.clear()
    viewer.show_file_dose()
    assert viewer.scene.dose is None and dict(counts) == dict.fromkeys(overlays, 1)
    window.close()

