"""The window offers rtviewer's TG-43 dose of a brachy plan's dwells as a dose, computes it
in a worker and shows it like any dose, named so that it is never taken for an RT Dose."""

from __future__ import annotations

import numpy as np
import pytest
from factories.window import open_window

from rtviewer.model.brachy_tg43_dose import TG43_DOSE_NAME, is_tg43_dose
from rtviewer.ui.window.viewer_controller import NO_DOSE_ITEM, TG43_ITEM

pytestmark = pytest.mark.corpus


def test_hdr_plan_without_rt_dose_shows_the_tg43_dose(qtbot, corpus):
    window, controller = open_window(qtbot, corpus / "pytg43-brachy" / "HDR")
    viewer, combo = controller.viewer, controller.dose_choice
    assert viewer.scene.dose is None
    labels = [combo.itemText(i) for i in range(combo.count())]
    assert labels == ["No dose", f"{TG43_DOSE_NAME} from dwells"] and combo.isEnabled()
    section = viewer.rt_views.brachy.dose_section
    assert not section.compare_button.isEnabled()  # no RT Dose to compare with
    combo.activated.emit(combo.findData(TG43_ITEM))
    assert viewer.tabs.currentWidget() is viewer.rt_views.brachy
    section.wait()
    dose = viewer.scene.dose
    assert is_tg43_dose(dose) and viewer.scene.plan is not None
    assert combo.itemData(0) == TG43_ITEM and combo.currentIndex() == 0
    # 100 % is Eclipse's Application Setup Dose (per fraction), not the maximum
    assert viewer.state.reference_dose.dose_gy == pytest.approx(6.00156, abs=1e-5)
    assert "NOT the planning system's RT Dose" in viewer.dose_panel.dose_info.text()
    legend = [e.text for e in viewer.views["axial"].overlays["isodoses"].legend_entries()]
    assert legend[0] == f"{TG43_DOSE_NAME} dose, not the RT Dose"
    # a saved picture says so too (its burnt-in caption)
    from rtviewer.ui.render.view_export import screenshot_caption

    assert f"{TG43_DOSE_NAME} dose of the dwells, not the planning system's" in \
        screenshot_caption(viewer)
    # the readout reads it: Eclipse's Point A left 6.0016 Gy per fraction within 0.5 %
    point_a = viewer.scene.plan.reference_points[0]
    assert point_a.description == "PtA_left"
    assert viewer.scene.dose_at(np.asarray(point_a.point_mm)) == pytest.approx(6.0016,
                                                                                rel=0.005)
    # its DVHs are computed like any dose's
    viewer.dvh_panel.wait_all(120000)
    assert viewer.dvh_panel.dvhs
    # asked again: the kept result, no second computation
    first = section.result
    section.request("show")
    assert section.result is first and not section.task.running
    # and back: "No dose" below it returns to the plan without a dose
    labels = [combo.itemText(i) for i in range(combo.count())]
    assert labels == [f"{TG43_DOSE_NAME} from dwells", "No dose"]
    combo.activated.emit(combo.findData(NO_DOSE_ITEM))
    assert viewer.scene.dose is None and viewer.scene.plan is not None
    assert combo.currentText() == "No dose"
    window.close()
