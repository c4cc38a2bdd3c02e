"""Beam-limiting devices in the beam's-eye view: dual-layer MLC, unknown devices, aperture_mm.

The dual-layer plan is the Eclipse prostate plan rewritten as a Halcyon carries it
(``factories.beam_devices``); the apertures ``rtviewer render --view bev`` writes
into its sidecar are checked against an independent point test on the file's own
leaf positions, read here with pydicom.
"""

from __future__ import annotations

import json

import numpy as np
import pydicom
from factories.beam_devices import HALCYON_LAYERS, dual_layer_plan
from skimage.measure import points_in_poly

from rtviewer.ui.render.offscreen import RenderRequest, render


def _render_bev(tmp_path, folder, **kwargs):
    out = tmp_path / "bev.png"
    lines: list[str] = []
    render(RenderRequest(path=folder, out=out, view="bev", size=(600, 700), **kwargs),
           lines.append)
    return json.loads(out.with_suffix(".json").read_text()), lines


def _open_in_file(cp, points):
    """Whether each ``(Xb, Yb)`` point is open: inside the jaws and both layers."""
    by_type = {d.RTBeamLimitingDeviceType: np.array(d.LeafJawPositions, dtype=float)
               for d in cp.BeamLimitingDevicePositionSequence}
    x, y = points[:, 0], points[:, 1]
    inside = ((by_type["X"][0] < x) & (x < by_type["X"][1])
              & (by_type["Y"][0] < y) & (y < by_type["Y"][1]))
    for kind, bounds in HALCYON_LAYERS.items():
        leaves = by_type[kind]
        n = bounds.size - 1
        pair = np.searchsorted(bounds, y) - 1
        valid = (pair >= 0) & (pair < n)
        k = np.clip(pair, 0, n - 1)
        inside &= valid & (leaves[k] < x) & (x < leaves[n + k])
    return inside


def _open_in_polygons(polygons, points):
    inside = np.zeros(len(points), dtype=bool)
    for polygon in polygons:
        inside ^= points_in_poly(points, np.asarray(polygon))
    return inside


def _area(polygon):
    x, y = np.asarray(polygon).T
    return 0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))


def test_dual_layer_aperture_is_the_intersection(tmp_path, corpus):
    path = dual_layer_plan(corpus, tmp_path / "halcyon")
    ds = pydicom.dcmread(path)
    for number in (1, 2):
        doc, lines = _render_bev(tmp_path, path.parent, beam_number=number)
        entry = doc["aperture_mm"][0]
        assert entry["control_point_index"] == 0 and "beam limiting device" in entry["coordinates"]
        polygons = entry["polygons"]
        cp = ds.BeamSequence[number - 1].ControlPointSequence[0]
        # a 0.5 mm lattice offset by a quarter millimetre never lies on a leaf edge
        # (leaf tips are stated to 0.01 mm, boundaries on 5 mm steps)
        g = np.arange(-150.0, 150.0, 0.5) + 0.2437
        xx, yy = np.meshgrid(g, g)
        points = np.column_stack([xx.ravel(), yy.ravel()])
        truth = _open_in_file(cp, points)
        drawn = _open_in_polygons(polygons, points)
        assert truth.sum() > 1000
        assert np.array_equal(truth, drawn), number
        # area: every open 5 mm strip is the overlap of both layers' pairs
        by_type = {d.RTBeamLimitingDeviceType: np.array(d.LeafJawPositions, dtype=float)
                   for d in cp.BeamLimitingDevicePositionSequence}
        area = 0.0
        for low in np.arange(-140.0, 135.0, 5.0):
            centre = low + 2.5
            a = max(by_type[k][int(np.searchsorted(b, centre)) - 1] for k, b in
                    HALCYON_LAYERS.items())
            b_ = min(by_type[k][b.size - 1 + int(np.searchsorted(b, centre)) - 1]
                     for k, b in HALCYON_LAYERS.items())
            area += 5.0 * max(0.0, b_ - a)
        assert abs(sum(_area(p) for p in polygons) - area) < 1e-6
        # one layer alone would leave more open: the intersection is smaller than either
        single = {k: 0.0 for k in HALCYON_LAYERS}
        for k, bounds in HALCYON_LAYERS.items():
            n = bounds.size - 1
            single[k] = float(np.sum(np.diff(bounds) * np.clip(
                by_type[k][n:] - by_type[k][:n], 0, None)))
        assert area < min(single.values())


def test_dual_layer_leaves_drawn_and_jaws_wide(tmp_path, corpus, qtbot):
    from rtviewer.dicom.plan import read_plan
    from rtviewer.view.bev_content import bev_content

    path = dual_layer_plan(corpus, tmp_path / "halcyon")
    plan = read_plan(path)
    beam = plan.beam(1)
    assert [d.device_type for d in beam.mlcs] == ["MLCX1", "MLCX2"]
    content = bev_content(plan, beam, 0)
    # both layers' leaves at and near the aperture (28 pairs each, not all of them drawn)
    assert content.leaves is not None and 0 < len(content.leaves) <= 2 * (28 + 28)
    assert not content.notes
    from rtviewer.ui.views.bev_view import BeamsEyeView

    view = BeamsEyeView()
    qtbot.addWidget(view)
    view.set_data(plan=plan)
    assert "Stacked MLC (MLCX1, MLCX2)" in view.info.text()


def test_unknown_device_is_named(tmp_path, corpus):
    path = dual_layer_plan(corpus, tmp_path / "odd")
    ds = pydicom.dcmread(path)
    beam = ds.BeamSequence[0]
    extra = pydicom.Dataset()
    extra.RTBeamLimitingDeviceType = "MLCZ"
    extra.NumberOfLeafJawPairs = 1
    beam.BeamLimitingDeviceSequence.append(extra)
    # a layer whose positions do not match its boundaries: a layout not understood
    cp = beam.ControlPointSequence[0]
    for d in cp.BeamLimitingDevicePositionSequence:
        if d.RTBeamLimitingDeviceType == "MLCX2":
            d.LeafJawPositions = list(d.LeafJawPositions)[:-2]
    ds.save_as(path)
    doc, lines = _render_bev(tmp_path, path.parent, beam_number=1)
    text = "\n".join(lines)
    assert "'MLCZ' is not understood" in text
    assert "MLCX2: leaf layout not understood" in text
    # the aperture then comes from MLCX1 alone, and says so
    assert doc["aperture_mm"][0]["polygons"]


def test_check_says_how_the_stacked_layers_are_understood(tmp_path, corpus):
    from rtviewer.dicom.check import check_path

    path = dual_layer_plan(corpus, tmp_path / "halcyon")
    report = check_path(path, use_cache=False)
    layers = [f for f in report.findings if f.code == "ENUMERATED_VALUE"
              and f.attribute == "RTBeamLimitingDeviceType"]
    assert len(layers) == 2
    assert all("stacked MLC" in f.assumption for f in layers)
