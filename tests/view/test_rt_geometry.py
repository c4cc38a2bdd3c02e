"""Beam, brachy and RT Image geometry on real corpus plans (the logic behind the RT views)."""

from __future__ import annotations

import numpy as np
import pytest

from rtviewer.core.beam_outline import field_in_plane
from rtviewer.core.grid import Grid
from rtviewer.dicom.plan import read_plan
from rtviewer.dicom.rtimage import read_rt_image
from rtviewer.view.beam_model import arc_geometries, beam_at, default_beam_number, is_arc
from rtviewer.view.bev_content import bev_content, compute_drr
from rtviewer.view.plan_geometry import beam_drawing, brachy_drawing
from rtviewer.view.rtimage_geometry import planned_field_on_receptor, receptor_geometry
from rtviewer.view.view_geometry import DisplayFrame

PROSTATE = "slicerrt-eclipse-prostate"
HFS_FRAME = DisplayFrame(right=np.array([-1.0, 0, 0]), down=np.array([0, 1.0, 0]),
                         gantry=np.array([0, 0, -1.0]))


def _one(corpus, folder, prefix):
    (path,) = sorted((corpus / folder).glob(prefix))
    return path


@pytest.fixture(scope="module")
def prostate(corpus):
    return read_plan(_one(corpus, PROSTATE, "RP*.dcm"))


def test_default_beam_is_lowest_treatment_number(prostate, corpus):
    assert default_beam_number(prostate) == 1
    srs = read_plan(_one(corpus, "pps-vendor-plans/BrainSRSRaystationVMAT", "RP*.dcm"))
    assert default_beam_number(srs) == 1  # SETUP beams 101-103 are never the default


def test_jaws_only_field_edges_scale_to_the_plane(prostate):
    # beam 5 'CBCT' is jaws only: its edges on a plane 100 mm beyond the isocentre
    # are the jaw positions x 1.1 (HFS gantry 0: Xb = patient x, Yb = patient z)
    beam = prostate.beam(5)
    cp = beam.control_points[0]
    at = beam_at(prostate, beam, 0)
    g = at.geometry
    assert g.gantry_deg == 0.0 and g.patient_position == "HFS"
    iso = np.asarray(g.isocenter_mm)
    # coronal plane 100 mm posterior of the isocentre
    (poly,) = field_in_plane(g, at.apertures, plane_point_mm=iso + [0, 100, 0],
                             plane_normal=(0, 1, 0))
    np.testing.assert_allclose(sorted({round(v, 6) for v in poly[:, 0] - iso[0]}),
                               np.asarray(cp.jaw_x_mm) * 1.1, atol=1e-6)
    np.testing.assert_allclose(sorted({round(v, 6) for v in poly[:, 2] - iso[2]}),
                               np.asarray(cp.jaw_y_mm) * 1.1, atol=1e-6)


def test_lateral_beams_come_from_the_named_side(prostate):
    # 'RT LAT PROS' (gantry 270) from the patient's right (-x), 'LT LAT' (90) from the left
    for number, side in ((2, -1.0), (4, +1.0)):
        beam = prostate.beam(number)
        g = beam_at(prostate, beam, 0).geometry
        assert np.sign(g.source_mm[0] - g.isocenter_mm[0]) == side, beam.name


def test_axial_view_through_isocentre_is_a_fan_from_the_source(prostate):
    beam = prostate.beam(1)  # AP, gantry 0
    g = beam_at(prostate, beam, 0).geometry
    frame = HFS_FRAME
    depth = float(np.asarray(g.isocenter_mm) @ frame.axes("axial")[2])
    drawing = beam_drawing(prostate, beam, frame, "axial", depth)
    st = drawing.field_st[np.all(np.isfinite(drawing.field_st), axis=1)]
    # the fan narrows towards the source (screen up = anterior = -y for HFS)
    iso_st = drawing.isocenter_st
    # without a body: drawn from 0.15 SAD before to 0.05 SAD past the isocentre
    assert np.min(st[:, 1]) == pytest.approx(iso_st[1] - 150.0, abs=1e-6)
    assert np.max(st[:, 1]) == pytest.approx(iso_st[1] + 50.0, abs=1e-6)
    anterior = st[st[:, 1] < iso_st[1] - 100]
    posterior = st[st[:, 1] > iso_st[1] + 40]
    assert np.ptp(anterior[:, 0]) < np.ptp(posterior[:, 0])
    # the two field edges only: no line across the beam where its drawing ends
    pieces = np.split(drawing.field_st, np.flatnonzero(~np.isfinite(drawing.field_st[:, 0])))
    pieces = [p[np.isfinite(p[:, 0])] for p in pieces if np.isfinite(p[:, 0]).sum() > 1]
    assert len(pieces) == 2
    for piece in pieces:
        assert np.ptp(piece[:, 1]) == pytest.approx(200.0, abs=1e-6)


def test_vmat_arc_span_follows_rotation_direction(corpus):
    plan = read_plan(_one(corpus, "pps-vendor-plans/BrainSRSRaystationVMAT", "RP*.dcm"))
    cw = plan.beam(2)  # 181 -> 179 CW: 358 degrees through 0
    assert is_arc(cw)
    angles = np.array([g.gantry_deg for g in arc_geometries(plan, cw)])
    assert angles[0] == 181.0 and angles[-1] == 179.0
    assert np.any(np.isclose(angles, 0.0, atol=2.0)) and len(angles) > 170


def test_mlcy_leaves_in_bev(corpus):
    plan = read_plan(corpus / "pps-vendor-plans/brainlab_plan_ptv/RTPL0235.dcm")
    beam = plan.beam(1)
    assert beam.mlc.device_type == "MLCY"
    content = bev_content(plan, beam, 0)
    # drawn: the open pairs and their NEAR_PAIRS neighbours, both banks; never the whole bank
    assert content.leaves.shape[1:] == (4, 2) and len(content.leaves) % 2 == 0
    assert 0 < len(content.leaves) < 2 * beam.mlc.number_of_pairs
    # collimator 90: the open field lies inside the jaws, turned with them
    jaws = content.jaws
    for poly in content.apertures:
        assert poly[:, 0].min() >= jaws[:, 0].min() - 1e-6
        assert poly[:, 1].max() <= jaws[:, 1].max() + 1e-6


def test_dwell_markers_sit_at_control_point_positions(corpus):
    plan = read_plan(corpus / "pytg43-brachy/HDR/RP.HDR.dcm")
    drawing = brachy_drawing(plan, HFS_FRAME, "axial", 0.0)
    channels = plan.brachy.channels
    n_dwell = sum(int((c.dwell_times_s > 0).sum()) for c in channels)
    assert len(drawing.dwell_st) == n_dwell > 0
    cps = np.concatenate([c.control_point_positions_mm for c in channels])
    cp_st = HFS_FRAME.to_view("axial", cps)[:, :2]
    for st in drawing.dwell_st:
        assert np.min(np.linalg.norm(cp_st - st, axis=1)) < 1e-6
    # channel totals from the corpus README: 271.4 / 101.0 / 100.7 s
    totals = sorted(float(c.dwell_times_s.sum()) for c in channels)
    assert totals == pytest.approx([100.7, 101.0, 271.4], abs=0.05)


def test_drr_isocentre_lands_at_rt_image_position(corpus, prostate):
    image = read_rt_image(_one(corpus, PROSTATE, "RI*.dcm"))
    receptor = receptor_geometry(image)
    assert receptor.missing == ()
    np.testing.assert_allclose(receptor.receptor_to_pixel(np.array(receptor.axis_mm)),
                               (255.5, 255.5), atol=1e-9)
    fields = planned_field_on_receptor(receptor, prostate, prostate.beam(1))
    cp = prostate.beam(1).control_points[0]
    (jaws,) = fields["jaws"]
    m = image.sid_mm / image.sad_mm
    np.testing.assert_allclose(sorted(set(jaws[:, 0])), np.asarray(cp.jaw_x_mm) * m)
    np.testing.assert_allclose(sorted(set(jaws[:, 1])), np.asarray(cp.jaw_y_mm) * m)


def test_portal_images_say_what_they_lack(corpus):
    image = read_rt_image(corpus / "pylinac/DRGS_open.dcm")
    receptor = receptor_geometry(image)
    text = " ".join(receptor.missing)
    assert "RT Image Position is missing" in text and "references no plan beam" in text
    assert receptor.magnification == pytest.approx(1.5)
    # without a position the image centre is put on the axis
    rows, cols = image.shape
    np.testing.assert_allclose(receptor.receptor_to_pixel(np.array(receptor.axis_mm)),
                               ((cols - 1) / 2, (rows - 1) / 2))


class _Ct:
    """A minimal CT volume: 1 mm voxels of air with a bone bead."""

    def __init__(self, bead_mm):
        affine = np.eye(4)
        affine[:3, 3] = (-60.0, -60.0, -60.0)
        self.grid = Grid(affine=affine, shape=(121, 121, 121))
        self.voxels = np.full(self.grid.shape, -1000.0, dtype=np.float32)
        i, j, k = np.rint(self.grid.patient_to_index(bead_mm)).astype(int)
        self.voxels[k - 2:k + 3, j - 2:j + 3, i - 2:i + 3] = 1000.0


def test_bev_drr_puts_the_patients_left_on_the_right_for_hfs_gantry0():
    from rtviewer.core.iec61217 import BeamGeometry

    ct = _Ct(bead_mm=(20.0, 0.0, 10.0))  # 20 mm to the patient's left, 10 mm superior
    g = BeamGeometry(gantry_deg=0.0, isocenter_mm=(0, 0, 0), patient_position="HFS")
    values, size = compute_drr(ct, g, half_width_mm=40.0, pixels=80)
    r, c = np.unravel_index(np.argmax(values), values.shape)
    xg, yg = -40.0 + (c + 0.5) * size, 40.0 - (r + 0.5) * size
    assert xg == pytest.approx(20.0, abs=1.5)   # seen from the source: left is +Xg (right)
    assert yg == pytest.approx(10.0, abs=1.5)   # superior is +Yg (up)


def _outline_exit_mm(body_roi, iso, direction):
    """Last point inside the body outline on the contour plane of the isocentre, along
    ``direction`` (in-plane) from the isocentre: sampled every 0.05 mm (skimage)."""
    from skimage.measure import points_in_poly

    polygons = body_roi.closed_polygons_mm()
    plane = min(polygons, key=lambda p: abs(p[0, 2] - iso[2]))[0, 2]
    distances = np.arange(0.0, 600.0, 0.05)
    points = iso + distances[:, None] * direction
    inside = np.zeros(len(points), bool)
    for polygon in (p for p in polygons if abs(p[0, 2] - plane) < 1e-6):
        inside ^= points_in_poly(points[:, :2], polygon[:, :2])  # even-odd, as the model
    return points[np.nonzero(inside)[0][-1]], plane


@pytest.mark.parametrize("number", [1, 2, 4])
def test_beam_is_drawn_from_before_the_skin_to_where_it_leaves_the_body(prostate, corpus,
                                                                        number):
    from rtviewer.dicom.structure import read_structure_set
    from rtviewer.model.plan_sheet import find_body_roi
    from rtviewer.view.plan_geometry import LEAD_MM, T_RANGE, BeamSolidCache, beam_solid
    from rtviewer.view.scene import Scene

    structures = read_structure_set(_one(corpus, PROSTATE, "RS*.dcm"))
    scene = Scene(structures=structures)
    body, _how = find_body_roi(structures.rois)
    beam = prostate.beam(number)  # AP (gantry 0), RT LAT (270), LT LAT (90)
    g = beam_at(prostate, beam, 0).geometry
    iso, source = np.asarray(g.isocenter_mm), np.asarray(g.source_mm)
    unit = (iso - source) / np.linalg.norm(iso - source)
    solid = BeamSolidCache().get(prostate, beam, 0, scene)
    (axis,) = solid.axes
    exit_mm, plane = _outline_exit_mm(body, iso, unit)
    entry_mm, _plane = _outline_exit_mm(body, iso, -unit)
    # the exit lies on the axis, past the isocentre, on the body surface: within the
    # sampling step plus the bisection tolerance in the plane of the isocentre's contour
    assert abs(iso[2] - plane) <= 1.5  # the isocentre's slab holds that contour
    np.testing.assert_allclose(axis[1], exit_mm, atol=0.1)
    assert 50.0 < float((axis[1] - iso) @ unit) < 300.0
    # the source side starts LEAD_MM before the skin (room for the label), not at the
    # view's edge
    np.testing.assert_allclose(axis[0], entry_mm - LEAD_MM * unit, atol=0.1)
    # the field edges span the same part of the beam (in SAD from the source)
    sad = float(np.linalg.norm(iso - source))
    assert solid.t_range == pytest.approx(((axis[0] - source) @ unit / sad,
                                           (axis[1] - source) @ unit / sad), abs=1e-9)
    # without a body outline: a short way either side of the isocentre
    (bare,) = beam_solid(prostate, beam, 0).axes
    np.testing.assert_allclose(bare, [source + t * (iso - source) for t in T_RANGE],
                               atol=1e-9)
    np.testing.assert_allclose(np.linalg.norm(bare - iso, axis=1), [150.0, 50.0], atol=1e-6)


def test_bev_shades_the_leaf_pairs_behind_the_jaws(prostate):
    from skimage.measure import points_in_poly

    beam = prostate.beam(1)  # AP PROS: MLCX, collimator 0 (gantry = BLD coordinates)
    content = bev_content(prostate, beam, 0)
    cp = beam.control_points[0]
    y1, y2 = cp.jaw_y_mm
    (mlc,) = [m for m in beam.mlcs if m.device_type.endswith("MLCX")]
    bounds = np.asarray(mlc.leaf_position_boundaries_mm)
    hidden = {(lo, hi) for lo, hi in zip(bounds[:-1], bounds[1:], strict=True)
              if hi <= y1 or lo >= y2}
    strips = {(float(s[:, 1].min()), float(s[:, 1].max())) for s in content.closed_leaves}
    assert hidden and hidden <= strips  # every pair wholly beyond Y1/Y2, in mm
    # every strip spans ±200 mm along the travel, one whole pair across it
    assert all(np.ptp(s[:, 0]) == 400.0 for s in content.closed_leaves)
    # the open field's centre (the isocentre, inside the aperture) is never shaded
    assert any(points_in_poly([[0.0, 0.0]], a)[0] for a in content.apertures)
    assert not any(points_in_poly([[0.0, 0.0]], s)[0] for s in content.closed_leaves)


def test_bev_draws_leaves_only_at_and_near_the_aperture(prostate):
    from rtviewer.core.beam_aperture import closed_pairs
    from rtviewer.view.bev_content import NEAR_PAIRS, drawn_pairs

    beam = prostate.beam(1)  # AP PROS: MLCX, collimator 0 (gantry = BLD coordinates)
    cp = beam.control_points[0]
    content = bev_content(prostate, beam, 0)
    (mlc,) = [m for m in beam.mlcs if m.device_type.endswith("MLCX")]
    bounds = np.asarray(mlc.leaf_position_boundaries_mm)
    from rtviewer.view.beam_model import mlc_layers

    (layer,), _axis = mlc_layers(beam, cp, [])
    shut = closed_pairs(layer, tuple(cp.jaw_y_mm), tuple(cp.jaw_x_mm))
    open_rows = np.nonzero(~shut)[0]
    assert open_rows.size and shut.sum() > 2 * NEAR_PAIRS + open_rows.size // 2
    # each drawn leaf lies on a pair at most NEAR_PAIRS from an open pair
    rows = {int(np.searchsorted(bounds, float(r[:, 1].mean())) - 1) for r in content.leaves}
    assert rows == set(np.nonzero(drawn_pairs(shut))[0])
    assert all(np.min(np.abs(open_rows - row)) <= NEAR_PAIRS for row in rows)
    assert len(content.leaves) == 2 * len(rows)
    far = [row for row in range(len(bounds) - 1)
           if np.min(np.abs(open_rows - row)) > NEAR_PAIRS]
    assert far and not rows & set(far)  # a far closed pair is shaded, not outlined
