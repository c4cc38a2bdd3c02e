"""The review report's DVH picture draws the DVHs the report computed (no worker pool)."""

from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.corpus


def test_the_dvh_picture_draws_the_reports_dvhs_without_workers(corpus, tmp_path, qapp,
                                                                  monkeypatch):
    import rtviewer.ui.panels.dvh_panel as dvh_panel
    from rtviewer.cli.report_build import ReportInputs, _dvh_rows, choose_bundle
    from rtviewer.ui.render.report_pictures import render_report_pictures

    class NoJobs:
        def __init__(self, *_a, **_k):
            raise AssertionError("the DVH panel started workers for handed-over DVHs")

    monkeypatch.setattr(dvh_panel, "DvhJobs", NoJobs)
    folder = corpus / "dicompyler-core"
    bundle = choose_bundle(ReportInputs(folder))
    dose = bundle.doses[0]
    rows = _dvh_rows(bundle.structure_set, dose, "slab")
    assert len(rows) >= 5
    seen = {}
    original = dvh_panel.DvhPanel._redraw

    def spy(panel, *args):
        # the report's panel only (DVHs handed over): a panel an earlier test left
        # behind may still redraw as its workers' last results arrive
        if panel._given is not None:
            seen.update(panel.dvhs)
        return original(panel, *args)

    monkeypatch.setattr(dvh_panel.DvhPanel, "_redraw", spy)
    pictures = render_report_pictures(folder, tmp_path, lambda _l: None,
                                      plan=str(bundle.plan.path), dose=str(dose.path),
                                      model="slab", dvhs={r.roi_number: r.dvh for r in rows})
    kinds = [p.kind for p in pictures]
    assert "dvh" in kinds and Path(pictures[kinds.index("dvh")].path).stat().st_size > 10_000
    for row in rows:  # the very curves of the report's table
        assert seen[row.roi_number] is row.dvh
    legend = {name for name, _rgb in pictures[kinds.index("dvh")].structures}
    names = {roi.roi_number: roi.name for roi in bundle.structure_set.rois}
    assert legend == {names[number] for number in seen}  # no legend row without a curve


def test_handed_dvhs_count_only_for_their_dose_and_model(corpus, qapp):
    from rtviewer.cli.report_build import ReportInputs, _dvh_rows, choose_bundle
    from rtviewer.ui.panels.dvh_panel import DvhPanel
    from rtviewer.ui.views.view_state import ViewState
    from rtviewer.view.scene import Scene

    bundle = choose_bundle(ReportInputs(corpus / "dicompyler-core"))
    dose = bundle.doses[0]
    rows = _dvh_rows(bundle.structure_set, dose, "none")
    panel = DvhPanel(ViewState())
    panel.use_computed(str(dose.path), "none", {r.roi_number: r.dvh for r in rows})
    scene = Scene(dose=dose, structures=bundle.structure_set)
    assert panel._given_for(scene) == {}  # the panel's model is slab
    panel.model_choice.setCurrentText("none")
    given = panel._given_for(scene)
    assert set(given) == {r.roi_number for r in rows}
    assert np.isclose(given[rows[0].roi_number].volume_cc, rows[0].dvh.volume_cc)
    panel.use_computed("/elsewhere/other.dcm", "none", given)
    assert panel._given_for(scene) == {}
    panel.stop_workers()
