"""The demo HDR patient's RT Dose against rtviewer's TG-43 dose of its dwells, in the window.

The demo's RT Dose is the same engine's dose of 4 fractions on a 2.5 mm grid: the
comparison scales the fraction's TG-43 dose by 4 and the structures' mean doses agree.
"""

from __future__ import annotations

import pytest
from factories.window import open_window

from rtviewer.model.brachy_tg43_dose import TG43_DOSE_NAME, is_tg43_dose


def test_rt_dose_compared_with_the_tg43_dose(qtbot, demo_dir):
    window, controller = open_window(qtbot, demo_dir / "RTV-DEMO-GYN-HDR")
    viewer = controller.viewer
    rt_dose = viewer.scene.dose
    assert rt_dose is not None and not is_tg43_dose(rt_dose)
    section = viewer.rt_views.brachy.dose_section
    assert section.compare_button.isEnabled()
    section.compare_button.click()
    section.wait()
    panel = viewer.compare_panel
    qtbot.waitUntil(lambda: panel.outcome is not None, timeout=240_000)
    comparison = panel.outcome.comparison
    assert viewer.scene.dose is rt_dose  # A: the RT Dose stays on screen
    assert is_tg43_dose(comparison.evaluated)
    assert f"{TG43_DOSE_NAME} × 4 fractions (PLAN dose)" in panel.status.text()
    means = {s.name: {m.name: (m.a, m.b) for m in s.metrics}["Dmean"]
             for s in comparison.structures}
    for name in ("CTV-HR", "Bladder", "Rectum", "Sigmoid"):
        a, b = means[name]
        assert b == pytest.approx(a, rel=0.02), name
    # and shown in its place, then back to the RT Dose through the Dose combo
    section.show_button.click()
    assert is_tg43_dose(viewer.scene.dose)
    combo = controller.dose_choice
    assert combo.itemText(0) == f"{TG43_DOSE_NAME} from dwells"
    combo.activated.emit(1)
    assert viewer.scene.dose is rt_dose and combo.currentIndex() == 0
    window.close()
