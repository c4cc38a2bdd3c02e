"""Write the prostate teaching patient: CT, structures, a VMAT and a proton plan, doses, records.

Both plans treat the same PTV to 78 Gy in 39 fractions (the proton plan in Gy(RBE),
constant RBE 1.1), so they can be compared on one goal set (``demo_prostate``) and with
``rtviewer compare``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rtviewer.demo.aperture import surface_points
from rtviewer.demo.beams import PlannedBeam, arc
from rtviewer.demo.ct import CtSeries, write_ct_series
from rtviewer.demo.external_dose import (
    Normalisation,
    compute_plan_dose,
    stored_doses,
    write_plan_doses,
)
from rtviewer.demo.ion_plan import IonPlanSpec, write_ion_plan
from rtviewer.demo.phantom import Phantom, paint_ct
from rtviewer.demo.prostate import ISOCENTER_MM, PTV, RECTUM, prostate_phantom
from rtviewer.demo.proton_dose import (
    RBE,
    BeamFrame,
    ProtonField,
    field_dose_gy,
    optimise_weights,
    plan_layers,
    stopping_power_ratio,
)
from rtviewer.demo.records import daily_sessions, write_beams_record
from rtviewer.demo.rtdose import DoseGridSpec
from rtviewer.demo.rtplan import PlanSpec, write_external_plan
from rtviewer.demo.rtstruct import write_structure_set
from rtviewer.demo.uids import UidFactory
from rtviewer.demo.writer import Patient, Series

__all__ = ["DOSE_GRID", "FRACTIONS", "PATIENT_ID", "PRESCRIPTION_GY", "PROTON_GANTRY_DEG",
           "VIRTUAL_SAD_MM", "proton_fields", "prostate_arcs", "write_prostate_patient"]

PATIENT_ID = "RTV-DEMO-PROSTATE"
PRESCRIPTION_GY = 78.0
FRACTIONS = 39
PTV_ROI_NUMBER = 3
#: The whole pelvis cross-section on the CT's slices (but the first and last), 3 mm.
DOSE_GRID = DoseGridSpec(origin_mm=(-174.0, -126.0, -87.0), step_mm=3.0, shape=(60, 85, 117))
#: The planner normalised the VMAT plan on the PTV median dose (D50 = 100 %).
NORMALISATION_VMAT = Normalisation(PTV, 50.0, 100.0)
#: Arc 2 conforms to the PTV in front of this plane (patient y, mm): 7 mm in front of the
#: rectum's anterior wall, so the posterior PTV, where it overlaps the rectum, gets only
#: arc 1's dose and the rectum's high-dose volume shrinks (QUANTEC V70 < 20 %).
RECTUM_SPARING_Y_MM = RECTUM.center_mm[1] - RECTUM.semi_axes_mm[1] - 7.0
#: The arcs are sampled every 18 control-point intervals (36°), the two arcs 18° apart.
ARC_GROUP = 18
#: The proton plan: two opposed lateral fields, the classic prostate arrangement.
PROTON_GANTRY_DEG = (90.0, 270.0)
#: Virtual Source-Axis Distances (X, Y) of the demo scanning nozzle (mm): the two
#: scanning magnets sit at different heights, as on most nozzles.
VIRTUAL_SAD_MM = (2000.0, 2500.0)
#: Fractions 1-5, the first week (Monday to Friday), at 08:30.
TREATMENT_DATES = ("20260209", "20260210", "20260211", "20260212", "20260213")


def _uniform(gantries: np.ndarray) -> np.ndarray:
    """Equal meterset increments along a prostate arc."""
    return np.ones_like(gantries)


def prostate_arcs() -> list[PlannedBeam]:
    """Two full arcs (CW 181→179 and CC 179→181, 180 control points each).

    Arc 1 covers the whole PTV; arc 2 the part in front of :data:`RECTUM_SPARING_Y_MM`,
    the rectum-sparing modulation an optimiser would produce.
    """
    points = surface_points(PTV, n_theta=24, n_phi=48)
    anterior = points[points[:, 1] < RECTUM_SPARING_Y_MM]
    return [arc(1, 181.0, "CW", 30.0, points, ISOCENTER_MM, n_points=180, weighting=_uniform),
            arc(2, 179.0, "CC", 330.0, anterior, ISOCENTER_MM, n_points=180,
                weighting=_uniform)]


def proton_fields(hu: np.ndarray, phantom: Phantom) -> tuple[list[ProtonField],
                                                              list[BeamFrame]]:
    """The two scanned fields, each fitted to give half the prescription uniformly to the PTV.

    The fit works in physical dose: 2 Gy(RBE) per fraction is 2 / 1.1 Gy physical.
    """
    rsp = stopping_power_ratio(hu)
    points = DOSE_GRID.points_mm()
    target = points[PTV.contains(points)]
    per_field_gy = PRESCRIPTION_GY / FRACTIONS / RBE / len(PROTON_GANTRY_DEG)
    fields, frames = [], []
    for number, gantry in enumerate(PROTON_GANTRY_DEG, start=1):
        field = ProtonField(number, f"PBS G{int(gantry):03d}", gantry, ISOCENTER_MM,
                            VIRTUAL_SAD_MM, ())
        frame = BeamFrame(field.geometry(), rsp, phantom.ct, half_width_mm=70.0,
                          reach_mm=190.0)
        layers = optimise_weights(frame, plan_layers(frame, PTV), target, per_field_gy)
        fields.append(ProtonField(number, field.name, gantry, ISOCENTER_MM, VIRTUAL_SAD_MM,
                                  tuple(layers)))
        frames.append(frame)
    return fields, frames


def _write_proton(hu: np.ndarray, phantom: Phantom, patient: Patient, uid: UidFactory,
                  rs_uid: str, plan_series: Series, dose_series: Series,
                  out_dir: Path) -> None:
    fields, frames = proton_fields(hu, phantom)
    points = DOSE_GRID.points_mm()
    inside = phantom.body.contains(points)
    per_field = []
    for field, frame in zip(fields, frames, strict=True):
        physical = np.zeros(len(points))
        physical[inside] = field_dose_gy(frame, field.layers, points[inside])
        per_field.append(physical * RBE * FRACTIONS)
    iso = [field_dose_gy(frame, field.layers, np.array([ISOCENTER_MM]))[0] * RBE
           for field, frame in zip(fields, frames, strict=True)]
    dose = stored_doses(per_field, DOSE_GRID, tuple(f.meterset_mu for f in fields),
                        tuple(iso))
    plan_uid = uid("prostate", "plan", "pbs")
    spec = IonPlanSpec(plan_uid, "Prostate PBS", "2-field PBS 78Gy(RBE)/39", rs_uid,
                       PTV_ROI_NUMBER, PRESCRIPTION_GY, FRACTIONS, dose.beam_dose_per_fraction_gy,
                       uid("prostate", "dose-reference", "pbs"))
    write_ion_plan(spec, fields, patient=patient, series=plan_series, out_dir=out_dir)
    write_plan_doses(dose, fields, DOSE_GRID, plan_uid=plan_uid,
                     uid=lambda *role: uid("prostate", "dose", "pbs", *role),
                     patient=patient, series=dose_series, out_dir=out_dir,
                     dose_type="EFFECTIVE", heterogeneity="IMAGE",
                     note=f"RBE-weighted, RBE {RBE:g}")


def _patient(uid: UidFactory) -> Patient:
    return Patient(patient_id=PATIENT_ID, name="Demo^Prostate", birth_date="19540918", sex="M",
                   study_uid=uid("prostate", "study"), study_date="20260202",
                   study_time="081500",
                   study_description="RT planning prostate (synthetic teaching patient)",
                   frame_of_reference_uid=uid("prostate", "frame-of-reference"))


def _series(uid: UidFactory, modality: str, number: int, description: str,
            date: str) -> Series:
    return Series(modality, uid("prostate", "series", number), number, description, date,
                  "110000")


def _write_vmat(phantom: Phantom, patient: Patient, uid: UidFactory, rs_uid: str,
                plan_series: Series, dose_series: Series, out_dir: Path) -> None:
    arcs = prostate_arcs()
    plan_uid = uid("prostate", "plan", "vmat")
    dose = compute_plan_dose(arcs, DOSE_GRID, phantom, prescription_gy=PRESCRIPTION_GY,
                             fractions=FRACTIONS, normalisation=NORMALISATION_VMAT,
                             arc_group=ARC_GROUP, interleave_arcs=True)
    spec = PlanSpec(plan_uid, "Prostate VMAT", "2-arc VMAT 78Gy/39", rs_uid, PTV_ROI_NUMBER,
                    PRESCRIPTION_GY, FRACTIONS, dose.beam_mu, dose.beam_dose_per_fraction_gy,
                    uid("prostate", "dose-reference", "vmat"))
    write_external_plan(spec, arcs, body=phantom.body, patient=patient, series=plan_series,
                        out_dir=out_dir)
    write_plan_doses(dose, arcs, DOSE_GRID, plan_uid=plan_uid,
                     uid=lambda *role: uid("prostate", "dose", "vmat", *role),
                     patient=patient, series=dose_series, out_dir=out_dir)
    records = _series(uid, "RTRECORD", 5, "Treatment records", TREATMENT_DATES[0])
    sessions = daily_sessions(arcs, dose.beam_mu, TREATMENT_DATES, "083000")
    for n, session in enumerate(sessions, start=1):
        write_beams_record(session, uid=uid("prostate", "record", n), plan_uid=plan_uid,
                           fractions_planned=FRACTIONS, patient=patient, series=records,
                           instance_number=n, out_dir=out_dir)


def write_prostate_patient(out_dir: Path, seed: int) -> None:
    """Write every object of the prostate patient under ``out_dir/RTV-DEMO-PROSTATE``."""
    uid = UidFactory(seed)
    phantom = prostate_phantom()
    patient = _patient(uid)
    hu = paint_ct(phantom, np.random.default_rng(seed + 2))
    slice_uids = [uid("prostate", "ct", k) for k in range(phantom.ct.shape[0])]
    ct: CtSeries = write_ct_series(hu, phantom.ct, patient=patient,
                                   series=_series(uid, "CT", 1, "Planning CT pelvis 3 mm",
                                                  "20260202"),
                                   slice_uids=slice_uids, out_dir=out_dir, body_part="PELVIS")
    rs_uid = uid("prostate", "structure-set")
    write_structure_set(phantom.rois, ct=ct, patient=patient,
                        series=_series(uid, "RTSTRUCT", 2, "Structures", "20260203"),
                        uid=rs_uid, label="Prostate RS", out_dir=out_dir)
    plan_series = _series(uid, "RTPLAN", 3, "Treatment plans", "20260205")
    dose_series = _series(uid, "RTDOSE", 4, "Calculated doses", "20260205")
    _write_vmat(phantom, patient, uid, rs_uid, plan_series, dose_series, out_dir)
    _write_proton(hu, phantom, patient, uid, rs_uid, plan_series, dose_series, out_dir)
