"""The BEV's MU-weighted fluence and union of apertures, on corpus plans."""

from __future__ import annotations

import json

import numpy as np
import pytest
from factories.beam_devices import dual_layer_plan

from rtviewer.ui.render.offscreen import RenderRequest, render


def _render(tmp_path, folder, **kwargs):
    out = tmp_path / "bev.png"
    lines: list[str] = []
    render(RenderRequest(path=folder, out=out, view="bev", size=(600, 700), fluence=True,
                         **kwargs), lines.append)
    return json.loads(out.with_suffix(".json").read_text()), lines


def _area(polygon):
    x, y = np.asarray(polygon).T
    return 0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))


def test_static_dual_layer_fluence_is_mu_times_the_aperture(tmp_path, corpus):
    """One static field: the fluence integral is its MU × the aperture's area (mm²)."""
    from rtviewer.dicom.plan import read_plan

    path = dual_layer_plan(corpus, tmp_path / "halcyon")
    doc, lines = _render(tmp_path, path.parent, beam_number=1)
    mu = read_plan(path).beam(1).meterset
    fluence = doc["fluence"]
    assert fluence["unit"] == "MU" and fluence["max"] == pytest.approx(mu)
    entries = doc["aperture_mm"]
    assert [e["control_point_index"] for e in entries] == [0, 1]
    area = sum(_area(p) for p in entries[0]["polygons"])
    # leaf boundaries lie on 5 mm steps: 1 mm pixel rows resolve them exactly
    assert fluence["integral_mm2"] == pytest.approx(mu * area, rel=1e-9)
    union = np.concatenate(fluence["union_outlines_mm"])
    field = np.concatenate(entries[0]["polygons"])
    assert np.allclose(union.min(axis=0), field.min(axis=0), atol=0.51)
    assert np.allclose(union.max(axis=0), field.max(axis=0), atol=0.51)
    assert any("Fluence (heat map" in line for line in lines)


def test_dynamic_beam_fluence_matches_the_segments(tmp_path, corpus):
    """dicompyler-core's sliding-window tangent: integral = Σ Δw × mean segment area."""
    from rtviewer.dicom.plan import read_plan
    from rtviewer.view.beam_model import beam_at

    doc, _lines = _render(tmp_path, corpus / "dicompyler-core", beam_number=2,
                          control_point=10)
    plan = read_plan(corpus / "dicompyler-core" / "rtplan.dcm")
    beam = plan.beam(2)
    areas = [sum(_area(p) for p in beam_at(plan, beam, k).apertures)
             for k in range(len(beam.control_points))]
    weights = np.array([cp.cumulative_meterset_weight for cp in beam.control_points])
    scale = beam.meterset / beam.final_cumulative_meterset_weight
    # with leaves moving linearly the open area is linear between control points (until a
    # pair closes or a leaf passes a jaw mid-segment): the trapezoid rule, to within 1 %
    expected = float(np.sum(np.diff(weights) * 0.5 * (np.add(areas[:-1], areas[1:])))) * scale
    assert doc["fluence"]["integral_mm2"] == pytest.approx(expected, rel=0.01)
    assert len(doc["aperture_mm"]) == len(beam.control_points)
    assert doc["fluence"]["max"] <= beam.meterset + 1e-9


def test_window_computes_fluence_in_the_background(qtbot, corpus):
    from rtviewer.dicom.plan import read_plan
    from rtviewer.ui.views.bev_view import BeamsEyeView

    plan = read_plan(corpus / "dicompyler-core" / "rtplan.dcm")
    view = BeamsEyeView()
    qtbot.addWidget(view)
    view.set_data(plan=plan)
    view.show()
    view.fluence_box.setChecked(True)
    assert "Computing the fluence" in view.info.text()
    qtbot.waitUntil(lambda: "Fluence (heat map" in view.info.text(), timeout=30000)
    assert view.fluence.image.image is not None
    # the movie still steps through the control points with the fluence on
    view.set_control_point(5)
    assert view.index == 5 and "Fluence (heat map" in view.info.text()
    view.close()


def test_fluence_turns_with_the_collimator(tmp_path, corpus, qtbot):
    """The heat map's pixels and the union outline sit where the collimator turns them."""
    import pydicom

    from rtviewer.core.iec61217 import rotation_z
    from rtviewer.dicom.plan import read_plan
    from rtviewer.ui.views.bev_fluence_items import union_outlines
    from rtviewer.ui.views.bev_view import BeamsEyeView

    path = dual_layer_plan(corpus, tmp_path / "turned")
    ds = pydicom.dcmread(path)
    ds.BeamSequence[0].ControlPointSequence[0].BeamLimitingDeviceAngle = 30.0
    ds.save_as(path)
    view = BeamsEyeView()
    qtbot.addWidget(view)
    view.fluence.asynchronous = False
    view.set_data(plan=read_plan(path))
    view.show()
    view.set_beam(1)
    view.set_fluence(fluence=True, union=True)
    result = view.fluence.result(view.beam)
    f = result.fluence
    turn = rotation_z(30.0)[:2, :2]
    transform = view.fluence.image.transform()
    for c, r in ((0, 0), (40, 200), (f.x_mm.size - 1, 7)):
        p = transform.map(c + 0.5, r + 0.5)
        assert np.allclose([p[0], p[1]], turn @ [f.x_mm[c], f.y_mm[r]], atol=1e-6)
    outline = np.concatenate(union_outlines(result)) @ turn.T
    x, y = view.fluence.outline.getData()
    drawn = np.column_stack([x, y])
    drawn = drawn[np.all(np.isfinite(drawn), axis=1)]
    assert np.allclose(np.sort(drawn, axis=0), np.sort(outline, axis=0))
    view.close()
