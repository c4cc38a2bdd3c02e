"""The demo's physics, checked on the written files: depth dose, penumbra, out-of-field
dose, PLAN = sum of BEAM, DRR geometry, TG-43 brachy dose."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest
from scipy.ndimage import map_coordinates, median_filter, uniform_filter

from rtviewer.core.iec61217 import BeamGeometry
from rtviewer.demo.beams import conformal_beams
from rtviewer.demo.brachy_patient import dwell_times_s
from rtviewer.demo.pelvis import CHANNELS
from rtviewer.demo.thorax import BODY, ISOCENTER_MM, MARKER_MM, PTV
from rtviewer.dicom.dose import read_dose
from rtviewer.dicom.rtimage import read_rt_image

THORAX = "RTV-DEMO-THORAX"


def _conformal_plan(h, find):
    return next(p for p in find(h, PatientID=THORAX, Modality="RTPLAN")
                if h[p].RTPlanLabel == "Lung 3DCRT")


def _doses(h, plan_path, find):
    plan_uid = h[plan_path].SOPInstanceUID
    paths = [p for p in find(h, PatientID=THORAX, Modality="RTDOSE")
             if h[p].ReferencedRTPlanSequence[0].ReferencedSOPInstanceUID == plan_uid]
    plan = next(p for p in paths if h[p].DoseSummationType == "PLAN")
    beams = {int(h[p].ReferencedRTPlanSequence[0].ReferencedFractionGroupSequence[0]
                 .ReferencedBeamSequence[0].ReferencedBeamNumber): p
             for p in paths if h[p].DoseSummationType == "BEAM"}
    return plan, beams


def _sample(dose, points_mm):
    """Trilinear dose (Gy) at patient points (N, 3)."""
    ijk = dose.grid.patient_to_index(points_mm)
    return map_coordinates(dose.dose_gy, [ijk[:, 2], ijk[:, 1], ijk[:, 0]], order=1)


@pytest.fixture(scope="module")
def conformal(demo_headers, find):
    plan_path = _conformal_plan(demo_headers, find)
    plan_dose, beam_doses = _doses(demo_headers, plan_path, find)
    return plan_path, plan_dose, beam_doses


def test_plan_dose_is_the_sum_of_beam_doses(conformal):
    rtplan_path, plan_path, beam_paths = conformal
    plan = pydicom.dcmread(plan_path)
    beams = [pydicom.dcmread(p) for p in beam_paths.values()]
    assert len(beams) == 6
    assert all(b.DoseGridScaling == plan.DoseGridScaling for b in beams)
    total = np.sum([b.pixel_array.astype(np.int64) for b in beams], axis=0)
    np.testing.assert_array_equal(plan.pixel_array.astype(np.int64), total)  # exact, in counts
    gy = read_dose(plan_path).dose_gy
    gy_sum = np.sum([read_dose(p).dose_gy for p in beam_paths.values()], axis=0)
    np.testing.assert_allclose(gy, gy_sum, rtol=0, atol=1e-4)
    # Normalised on PTV coverage (95 % of the PTV gets 95.5 %), which puts the isocentre
    # a little above the 60 Gy prescription; the plan's Beam Doses (at the isocentre,
    # the dose reference point) state the same, and the maximum stays within 107 %.
    rtplan = pydicom.dcmread(rtplan_path)
    group = rtplan.FractionGroupSequence[0]
    iso_planned = sum(float(b.BeamDose) for b in group.ReferencedBeamSequence) * 30
    iso = _sample(read_dose(plan_path), np.array([ISOCENTER_MM]))[0]
    assert iso == pytest.approx(iso_planned, abs=0.05)
    assert 60.0 < iso < 61.5
    assert 60.0 < gy.max() <= 60.0 * 1.07


def test_depth_dose_falls_beyond_the_buildup_maximum(conformal):
    _, _, beam_paths = conformal
    dose = read_dose(beam_paths[1])  # gantry 0: enters anteriorly
    geo = BeamGeometry(gantry_deg=0.0, isocenter_mm=ISOCENTER_MM)
    direction = geo.beam_direction
    t_in, _ = BODY.ray_interval(geo.source_mm, np.asarray(ISOCENTER_MM).reshape(3, 1))
    entry = geo.source_mm + t_in[0] * (np.asarray(ISOCENTER_MM) - geo.source_mm)
    depths = np.arange(0.0, 150.0, 0.5)
    d = _sample(dose, entry + depths[:, None] * direction)
    i_max = int(np.argmax(d))
    assert 7.5 <= depths[i_max] <= 25.0, depths[i_max]  # 6 MV-like d_max
    assert d[0] < 0.8 * d[i_max]  # build-up: the surface is well below the maximum
    beyond = d[depths >= depths[i_max] + 2.5]
    assert np.all(np.diff(beyond) <= 1e-6 * d[i_max])  # monotonic fall with depth
    assert beyond[-1] < 0.8 * d[i_max]


def _edge_width(x, profile, level_hi, level_lo):
    """Distance between where a falling edge crosses level_hi and level_lo."""
    return abs(np.interp(level_lo, profile[::-1], x[::-1]) -
               np.interp(level_hi, profile[::-1], x[::-1]))


@pytest.mark.parametrize("beam_number", [1, 3])
def test_penumbra_80_20_between_3_and_8_mm(conformal, beam_number):
    _, _, beam_paths = conformal
    dose = read_dose(beam_paths[beam_number])
    beam = conformal_beams(PTV, ISOCENTER_MM)[beam_number - 1]
    geo = beam.geometry()
    # Profile through the isocentre along the collimator's Xb axis (leaf travel).
    xb = np.arange(-80.0, 80.0, 0.25)
    points = geo.bld_to_patient(np.column_stack([xb, np.zeros_like(xb), np.zeros_like(xb)]))
    d = _sample(dose, points) / _sample(dose, np.array([ISOCENTER_MM]))[0]
    widths = []
    for side in (xb > 0, xb < 0):
        x, p = np.abs(xb[side]), d[side]
        order = np.argsort(x)
        widths.append(_edge_width(x[order], p[order], 0.8, 0.2))
    assert all(3.0 <= w <= 8.0 for w in widths), widths


def _distance_outside(rects, u, v):
    """Distance (mm, isocentre plane) from points (u, v) to a union of rectangles."""
    best = np.full(u.shape, np.inf)
    for x1, x2, y1, y2 in rects:
        dx = np.maximum.reduce([x1 - u, u - x2, np.zeros_like(u)])
        dy = np.maximum.reduce([y1 - v, v - y2, np.zeros_like(v)])
        best = np.minimum(best, np.hypot(dx, dy))
    return best


def test_beam_dose_is_below_1_percent_beyond_2_cm_outside_the_aperture(conformal):
    _, _, beam_paths = conformal
    beams = conformal_beams(PTV, ISOCENTER_MM)
    for beam in beams:
        dose = read_dose(beam_paths[beam.number])
        nk, nj, ni = dose.dose_gy.shape
        k, j, i = np.meshgrid(np.arange(nk), np.arange(nj), np.arange(ni), indexing="ij")
        points = dose.grid.index_to_patient(np.stack([i, j, k], axis=-1).reshape(-1, 3))
        geo = beam.geometry()
        bld = geo.patient_to_bld(points)
        scale = geo.sad_mm / (geo.sad_mm - bld[:, 2])
        outside_proj = _distance_outside(beam.apertures[0].open_rectangles(),
                                         bld[:, 0] * scale, bld[:, 1] * scale)
        outside_mm = outside_proj / scale  # at the point's own distance from the source
        far = dose.dose_gy.reshape(-1)[outside_mm > 20.0]
        assert far.size > 100_000
        assert far.max() < 0.01 * dose.dose_gy.max(), (beam.number, far.max())


def test_fiducial_projects_onto_the_predicted_drr_pixel(demo_headers, find):
    h = demo_headers
    drrs = [p for p in find(h, PatientID=THORAX, Modality="RTIMAGE") if "DRR" in h[p].ImageType]
    assert len(drrs) == 6
    for path in drrs:
        image = read_rt_image(path)
        ds = h[path]
        iso = tuple(float(v) for v in ds.IsocenterPosition)
        geo = BeamGeometry(gantry_deg=float(ds.GantryAngle),
                           collimator_deg=float(ds.BeamLimitingDeviceAngle), isocenter_mm=iso,
                           sad_mm=float(ds.RadiationMachineSAD),
                           patient_position=ds.PatientPosition)
        # Receptor angle 0: the image axes are the gantry's Xg (columns) and -Yg (rows).
        x, y = geo.project_to_plane(np.array(MARKER_MM), frame="gantry",
                                    distance_from_source_mm=float(ds.RTImageSID))
        x0, y0 = (float(v) for v in ds.RTImagePosition)
        row_spacing, col_spacing = (float(v) for v in ds.ImagePlanePixelSpacing)
        row, col = (y0 - y) / row_spacing, (x - x0) / col_spacing
        pixels = image.pixels.astype(np.float64)
        # The BB is a small bright blob: local excess over a median background, summed 3x3.
        detail = uniform_filter(pixels - median_filter(pixels, size=9), size=3)
        r0, c0 = int(round(row)), int(round(col))
        window = detail[r0 - 6:r0 + 7, c0 - 6:c0 + 7]
        dr, dc = np.unravel_index(np.argmax(window), window.shape)
        found = (r0 - 6 + dr, c0 - 6 + dc)
        assert abs(found[0] - row) <= 1.0 and abs(found[1] - col) <= 1.0, (path.name, found,
                                                                           (row, col))


def test_drr_isocentre_lies_at_the_image_centre(demo_headers, find):
    for path in find(demo_headers, PatientID=THORAX, Modality="RTIMAGE"):
        ds = demo_headers[path]
        x0, y0 = (float(v) for v in ds.RTImagePosition)
        sx = float(ds.ImagePlanePixelSpacing[1])
        assert x0 + (ds.Columns - 1) / 2 * sx == pytest.approx(0.0, abs=1e-6)
        assert y0 - (ds.Rows - 1) / 2 * float(ds.ImagePlanePixelSpacing[0]) == \
            pytest.approx(0.0, abs=1e-6)


def test_brachy_dose_file_matches_an_independent_tg43_check_of_the_plan(demo_headers, find):
    """The written RT Dose at both Points A is 4 fractions of the TG-43U1 2-D dose of the
    plan's dwells (mHDR-v2 consensus data) for the source strength decayed from its
    calibration to the RT Plan Date/Time; 7 Gy per fraction on average, as the Application
    Setup Dose says; the plan's Cumulative Dose Reference Coefficients agree."""
    import datetime as dt

    from rtviewer.core import tg43
    from rtviewer.core.radioactive_decay import decay_factor
    from rtviewer.dicom.plan import read_plan
    from rtviewer.model.brachy_check import check_plan
    from rtviewer.model.brachy_dwells import treatment_dwells

    h = demo_headers
    (dose_path,) = find(h, PatientID="RTV-DEMO-GYN-HDR", Modality="RTDOSE")
    (plan_path,) = find(h, PatientID="RTV-DEMO-GYN-HDR", Modality="RTPLAN")
    plan = read_plan(plan_path)
    source = plan.brachy.sources[0]
    assert source.strength_reference == dt.datetime(2026, 1, 5, 8, 0)
    assert source.model_id == "mHDR-v2" and source.active_length_mm == pytest.approx(3.5)
    assert plan.fraction_groups[0].referenced_brachy_setups[0].dose_gy == 7.0  # per fraction
    days = (dt.datetime(2026, 1, 20, 9, 0) - source.strength_reference).total_seconds() / 86400
    strength = source.reference_air_kerma_rate * decay_factor(days, 73.83)
    dwells = treatment_dwells(plan.brachy)
    assert dwells.count == sum(len(c.dwell_from_tip_mm) for c in CHANNELS)
    assert sum(sum(t) for t in dwell_times_s()) == pytest.approx(float(dwells.times_s.sum()),
                                                                 abs=0.05)
    dose = read_dose(dose_path)
    point_a = np.array([[-20.0, 5.0, 0.0], [20.0, 5.0, 0.0]])  # voxel centres of the grid
    ijk = np.rint(dose.grid.patient_to_index(point_a)).astype(int)
    stored = dose.dose_gy[ijk[:, 2], ijk[:, 1], ijk[:, 0]]
    expected = tg43.dwell_dose_gy(tg43.load_source("mHDR-v2"), point_a, dwells.positions_mm,
                                  dwells.axes, dwells.times_s, strength) * 4
    np.testing.assert_allclose(stored, expected, rtol=0.002)
    assert np.mean(stored) / 4 == pytest.approx(7.0, rel=0.01)
    check = check_plan(plan, roi_points={6: ("Point A R", (-20.0, 5.0, 0.0)),
                                         7: ("Point A L", (20.0, 5.0, 0.0))})
    assert check.strength.at_time_u == pytest.approx(strength, rel=1e-12)
    assert [p.status for p in check.points] == ["PASS", "PASS"]
    assert all(abs(p.difference_pct) < 0.05 for p in check.points)
    assert check.trak_file_ugy == pytest.approx(check.trak_ugy, rel=1e-6)


@pytest.mark.parametrize(("fraction", "days"), [(1, 1.25 / 24.0), (2, 7 + 1.25 / 24.0)])
def test_brachy_record_times_are_the_plan_times_corrected_for_decay(demo_headers, find,
                                                                     fraction, days):
    """Fractions 1 and 2 are delivered 1 h 15 min and 7 days 1 h 15 min after the plan was
    computed: every channel time × S(plan) / S(delivery) (to the afterloader's 0.1 s per
    dwell), and the record's TRAK is S(delivery) × its time."""
    from rtviewer.core.radioactive_decay import decay_factor
    from rtviewer.demo.brachy_patient import AIR_KERMA_STRENGTH_U
    from rtviewer.dicom.plan import read_plan
    from rtviewer.dicom.record import read_treatment_record
    from rtviewer.model.brachy_records import compare_record

    h = demo_headers
    (record_path,) = [p for p in find(h, PatientID="RTV-DEMO-GYN-HDR", Modality="RTRECORD")
                      if h[p].TreatmentSessionApplicationSetupSequence[0]
                      .CurrentFractionNumber == fraction]
    (plan_path,) = find(h, PatientID="RTV-DEMO-GYN-HDR", Modality="RTPLAN")
    record, plan = pydicom.dcmread(record_path), pydicom.dcmread(plan_path)
    ratio = 1.0 / decay_factor(days, 73.83)
    planned = [float(c.ChannelTotalTime) for c in plan.ApplicationSetupSequence[0].ChannelSequence]
    session = record.TreatmentSessionApplicationSetupSequence[0]
    delivered = [float(c.DeliveredChannelTotalTime) for c in session.RecordedChannelSequence]
    np.testing.assert_allclose(delivered, np.array(planned) * ratio, atol=0.05 * 15)
    at_delivery = AIR_KERMA_STRENGTH_U * decay_factor(15 + 1 / 24.0 + days, 73.83)
    assert float(session.TotalReferenceAirKerma) == pytest.approx(
        at_delivery * sum(delivered) / 3600.0, rel=1e-4)
    # the delivered control points are stamped from 10:15:00, dwell after dwell
    stamps = [cp.TreatmentControlPointTime for cp in
              session.RecordedChannelSequence[0].BrachyControlPointDeliveredSequence]
    assert stamps[0] == "101500.0" and stamps == sorted(stamps)
    # and rtviewer's comparison of the record with its plan finds the same
    result = compare_record(read_plan(plan_path), read_treatment_record(record_path), 1.0)
    assert result.decay_ratio == pytest.approx(ratio, rel=1e-12)
    assert result.fraction_number == fraction
    assert result.passed and len(result.channels) == 3
    assert all(abs(c.difference_pct) < 0.2 for c in result.channels)
    assert result.trak_ugy == pytest.approx(float(session.TotalReferenceAirKerma), rel=1e-6)


@pytest.mark.parametrize("beam_number", [2, 6])
def test_wedged_beam_dose_follows_the_plans_wedge(conformal, beam_number):
    """Across the field the BEAM dose changes by the wedge the plan states, no more.

    The ratio of the written dose at ±25 mm along the wedge's heel → toe direction
    (isocentre plane), over the same ratio of the open field, is the wedge's
    transmission ratio ``exp(tan(angle) · μ · 50 mm)``, with angle and orientation
    read back from the RT Plan.
    """
    from rtviewer.core.iec61217 import rotation_z
    from rtviewer.demo.photon_dose import BEAM_MODEL, beam_dose
    from rtviewer.demo.thorax import thorax_phantom
    from rtviewer.dicom.plan import read_plan

    plan_path, _, beam_paths = conformal
    wedge = read_plan(plan_path).beam(beam_number).wedges[0]
    assert wedge.wedge_type == ("STANDARD" if beam_number == 2 else "DYNAMIC")
    beam = conformal_beams(PTV, ISOCENTER_MM)[beam_number - 1]
    geo = beam.geometry()
    toe = rotation_z(wedge.orientation_deg)[:2, :2] @ np.array([0.0, 1.0])
    s = np.array([-25.0, 25.0])
    points = geo.bld_to_patient(np.column_stack([s * toe[0], s * toe[1], np.zeros(2)]))
    written = _sample(read_dose(beam_paths[beam_number]), points)
    open_field = beam_dose(np.ascontiguousarray(points.T, dtype=np.float32), geo,
                           beam.apertures[0], thorax_phantom())
    measured = (written[1] / written[0]) / (open_field[1] / open_field[0])
    expected = np.exp(np.tan(np.radians(wedge.angle_deg)) * BEAM_MODEL.mu_per_mm * 50.0)
    assert expected > 1.04
    assert measured == pytest.approx(expected, rel=0.005)
