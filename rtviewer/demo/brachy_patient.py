"""Write the HDR brachytherapy teaching patient: CT, structures, plan, dose and a record."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np

from rtviewer.core import tg43
from rtviewer.core.radioactive_decay import HALF_LIFE_DAYS, decay_factor, elapsed_days
from rtviewer.demo.brachy_plan import BrachySpec, write_brachy_plan, write_brachy_record
from rtviewer.demo.ct import write_ct_series
from rtviewer.demo.pelvis import (
    CHANNELS,
    POINT_A_LEFT_MM,
    POINT_A_RIGHT_MM,
    Channel,
    pelvis_phantom,
)
from rtviewer.demo.phantom import paint_ct
from rtviewer.demo.rtdose import DoseGridSpec, DoseSpec, common_scaling, write_dose
from rtviewer.demo.rtstruct import write_structure_set
from rtviewer.demo.uids import UidFactory
from rtviewer.demo.writer import Patient, Series

__all__ = ["AIR_KERMA_STRENGTH_U", "CALIBRATION_TIME", "DOSE_GRID", "PLAN_TIME", "SOURCE_KEY",
           "channel_point_doses_gy",
           "brachy_dose_gy", "dwell_axes", "dwell_times_s", "strength_at_u",
           "write_brachy_patient"]

PATIENT_ID = "RTV-DEMO-GYN-HDR"
#: Reference Air Kerma Rate of a fresh ~10 Ci Ir-192 source at its calibration (source
#: exchange), U = µGy m² h⁻¹.
AIR_KERMA_STRENGTH_U = 40700.0
CALIBRATION_TIME = dt.datetime(2026, 1, 5, 8, 0)
#: The RT Plan Date/Time: dwell times are computed for the strength at this time.
PLAN_TIME = dt.datetime(2026, 1, 20, 9, 0)
#: The TG-43 consensus dataset of the demo's source (the plan's Source Model ID).
SOURCE_KEY = "mHDR-v2"
FRACTION_DOSE_GY = 7.0
FRACTIONS = 4
DOSE_GRID = DoseGridSpec(origin_mm=(-60.0, -60.0, -75.0), step_mm=2.5, shape=(57, 49, 49))


def strength_at_u(when: dt.datetime) -> float:
    """The source's Reference Air Kerma Rate (U) at ``when``, decayed from calibration."""
    return AIR_KERMA_STRENGTH_U * decay_factor(elapsed_days(CALIBRATION_TIME, when),
                                               HALF_LIFE_DAYS["IR-192"])


def dwell_axes(channel: Channel) -> np.ndarray:
    """Unit source axes ``(n_dwells, 3)`` at the channel's dwells, pointing to its tip."""
    axes = [channel.point_at(max(d - 0.5, 0.0)) - channel.point_at(d + 0.5)
            for d in channel.dwell_from_tip_mm]
    return np.array([a / np.linalg.norm(a) for a in axes])


def _unit_dose(points: np.ndarray) -> list[np.ndarray]:
    """Per channel: dose (Gy) per second of every dwell, shape (n_dwells, n_points)."""
    source, strength = tg43.load_source(SOURCE_KEY), strength_at_u(PLAN_TIME)
    return [np.stack([tg43.dwell_dose_gy(source, points, p, a, np.array([1.0]), strength)
                      for p, a in zip(c.dwell_positions_mm(), dwell_axes(c), strict=True)])
            for c in CHANNELS]


def dwell_times_s() -> tuple[tuple[float, ...], ...]:
    """Dwell times (s, 0.1 s resolution) giving 7 Gy on average to the two Points A.

    Loading follows the classic Manchester-like pattern: uniform tandem, ovoids
    weighted 1.3 per dwell.
    """
    points = np.array([POINT_A_RIGHT_MM, POINT_A_LEFT_MM])
    per_second = _unit_dose(points)
    dose = sum(c.relative_weight * u.sum(axis=0) for c, u in zip(CHANNELS, per_second, strict=True))
    scale = FRACTION_DOSE_GY / float(np.mean(dose))
    return tuple(tuple(round(c.relative_weight * scale, 1) for _ in c.dwell_from_tip_mm)
                 for c in CHANNELS)


def brachy_dose_gy(points_mm: np.ndarray, times: tuple[tuple[float, ...], ...]) -> np.ndarray:
    """Dose (Gy, one fraction, TG-43 with the strength at the plan time) at ``points_mm``."""
    source, strength = tg43.load_source(SOURCE_KEY), strength_at_u(PLAN_TIME)
    positions = np.concatenate([c.dwell_positions_mm() for c in CHANNELS])
    axes = np.concatenate([dwell_axes(c) for c in CHANNELS])
    seconds = np.concatenate([np.asarray(t, dtype=np.float64) for t in times])
    return tg43.dwell_dose_gy(source, points_mm, positions, axes, seconds, strength)


def channel_point_doses_gy(points_mm: np.ndarray, times: tuple[tuple[float, ...], ...]
                           ) -> list[np.ndarray]:
    """Per channel, the dose (Gy) of each of its dwells at ``points_mm``: ``(n_dwells, N)``."""
    return [u * np.asarray(t)[:, None] for u, t in
            zip(_unit_dose(np.asarray(points_mm, dtype=np.float64)), times, strict=True)]


def _patient(uid: UidFactory) -> Patient:
    return Patient(patient_id=PATIENT_ID, name="Demo^Cervix HDR", birth_date="19670704", sex="F",
                   study_uid=uid("gyn", "study"), study_date="20260120", study_time="073000",
                   study_description="HDR brachytherapy cervix (synthetic teaching patient)",
                   frame_of_reference_uid=uid("gyn", "frame-of-reference"))


def _series(uid: UidFactory, modality: str, number: int, description: str, date: str) -> Series:
    return Series(modality, uid("gyn", "series", number), number, description, date, "090000")


def write_brachy_patient(out_dir: Path, seed: int) -> None:
    """Write every object of the HDR patient under ``out_dir/RTV-DEMO-GYN-HDR``."""
    uid = UidFactory(seed)
    phantom = pelvis_phantom()
    patient = _patient(uid)
    hu = paint_ct(phantom, np.random.default_rng(seed + 1))
    slice_uids = [uid("gyn", "ct", k) for k in range(phantom.ct.shape[0])]
    ct = write_ct_series(hu, phantom.ct, patient=patient,
                         series=_series(uid, "CT", 1, "CT with applicator 3 mm", "20260120"),
                         slice_uids=slice_uids, out_dir=out_dir, body_part="PELVIS")
    rs_uid = uid("gyn", "structure-set")
    write_structure_set(phantom.rois, ct=ct, patient=patient,
                        series=_series(uid, "RTSTRUCT", 2, "Structures", "20260120"),
                        uid=rs_uid, label="Cervix RS", out_dir=out_dir)
    times = dwell_times_s()
    point_a = np.array([POINT_A_RIGHT_MM, POINT_A_LEFT_MM])
    spec = BrachySpec(uid("gyn", "plan"), rs_uid, AIR_KERMA_STRENGTH_U,
                      CALIBRATION_TIME.strftime("%Y%m%d"), FRACTIONS,
                      FRACTION_DOSE_GY * FRACTIONS, (6, 7), times,
                      (uid("gyn", "dose-reference", 1), uid("gyn", "dose-reference", 2)),
                      source_reference_time=CALIBRATION_TIME.strftime("%H%M%S"),
                      fraction_dose_gy=FRACTION_DOSE_GY,
                      active_length_mm=10.0 * tg43.load_source(SOURCE_KEY).active_length_cm,
                      source_model=SOURCE_KEY,
                      point_doses_gy=tuple(channel_point_doses_gy(point_a, times)),
                      plan_strength_u=strength_at_u(PLAN_TIME))
    write_brachy_plan(spec, CHANNELS, patient=patient,
                      series=_series(uid, "RTPLAN", 3, "HDR plan", "20260120"), out_dir=out_dir)
    total = brachy_dose_gy(DOSE_GRID.points_mm(), times) * FRACTIONS
    scaling, text = common_scaling(float(total.max()))
    stored = np.rint(total / scaling).astype(np.uint16).reshape(DOSE_GRID.shape)
    write_dose(stored, text, DOSE_GRID,
               DoseSpec(uid("gyn", "dose"), "PLAN", spec.plan_uid, brachy=True,
                        comment=f"TG-43U1 2-D {SOURCE_KEY} consensus, {FRACTIONS} x "
                                f"{FRACTION_DOSE_GY:g} Gy at Point A"),
               patient=patient, series=_series(uid, "RTDOSE", 4, "Dose", "20260120"),
               out_dir=out_dir)
    # Fractions 1 and 2, a week apart: the afterloader lengthens every dwell by the decay.
    for fraction, delivery in ((1, dt.datetime(2026, 1, 20, 10, 15)),
                               (2, dt.datetime(2026, 1, 27, 10, 15))):
        write_brachy_record(spec, CHANNELS, uid=uid("gyn", "record", fraction),
                            date=delivery.strftime("%Y%m%d"), patient=patient,
                            series=_series(uid, "RTRECORD", 5, "Records", "20260120"),
                            out_dir=out_dir, delivery_strength_u=strength_at_u(delivery),
                            decay_ratio=strength_at_u(PLAN_TIME) / strength_at_u(delivery),
                            fraction=fraction)
