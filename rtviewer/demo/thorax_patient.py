"""Write the external-beam teaching patient: CT, structures, plans, doses, images, records.

Three plans: a 6-field conformal plan (delivered in week 1: the records and portal image
refer to it), a 2-arc VMAT alternative, and a replan of the conformal plan with one beam
angle changed (for comparing two plans: difference, DVHs, gamma).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from rtviewer.demo.beams import (
    REPLAN_BEAM_NUMBER,
    REPLAN_GANTRY_DEG,
    PlannedBeam,
    arc_beams,
    conformal_beams,
    replanned_beams,
)
from rtviewer.demo.ct import CtSeries, write_ct_series
from rtviewer.demo.drr import (
    ImagePlane,
    attenuation_kv,
    attenuation_mv,
    line_integrals,
    patient_orientation,
)
from rtviewer.demo.external_dose import (
    Normalisation,
    PlanDose,
    UnitDoseCache,
    compute_plan_dose,
    write_plan_doses,
)
from rtviewer.demo.phantom import Phantom, paint_ct
from rtviewer.demo.photon_dose import fluence
from rtviewer.demo.records import plan_sessions, write_beams_record
from rtviewer.demo.rtdose import DoseGridSpec, DoseSpec, write_dose
from rtviewer.demo.rtimage import RtImageSpec, write_rt_image
from rtviewer.demo.rtplan import PlanSpec, write_external_plan
from rtviewer.demo.rtstruct import write_structure_set
from rtviewer.demo.thorax import ISOCENTER_MM, PTV, thorax_phantom
from rtviewer.demo.uids import UidFactory
from rtviewer.demo.writer import Patient, Series

__all__ = ["DOSE_GRID", "DRR_PLANE", "PORTAL_PLANE", "REPLAN_LABEL", "write_thorax_patient"]

PATIENT_ID = "RTV-DEMO-THORAX"
PRESCRIPTION_GY = 60.0
FRACTIONS = 30
DOSE_GRID = DoseGridSpec(origin_mm=(-172.5, -117.5, -97.5), step_mm=2.5, shape=(100, 95, 139))
DRR_PLANE = ImagePlane(rows=200, columns=200, pixel_mm=2.0, sid_mm=1000.0)
PORTAL_PLANE = ImagePlane(rows=256, columns=256, pixel_mm=0.784, sid_mm=1500.0)
PORTAL_BEAM_INDEX = 2  # the lateral field G280
#: How the planner normalised each plan (see resources/goals/demo_thorax.yaml): the 3D
#: plan so that 95 % of the PTV gets 95.5 % (its near-minimum D98 then stays below 95 %,
#: the teaching failure), the VMAT plan so that 98 % of the PTV gets 95.5 %.
NORMALISATION_3D = Normalisation(PTV, 95.0, 95.5)
NORMALISATION_VMAT = Normalisation(PTV, 98.0, 95.5)
#: The replan of the conformal plan (RT Plan Label, at most 16 characters) and its date:
#: after the first week of treatment (the records of 12-16 January).
REPLAN_LABEL = "Lung 3D Replan"
REPLAN_DATE = "20260119"


def _series(uid: UidFactory, modality: str, number: int, description: str,
            date: str) -> Series:
    return Series(modality, uid("thorax", "series", number), number, description, date, "100000")


def _patient(uid: UidFactory) -> Patient:
    return Patient(patient_id=PATIENT_ID, name="Demo^Thorax", birth_date="19580312", sex="M",
                   study_uid=uid("thorax", "study"), study_date="20260105", study_time="083000",
                   study_description="RT planning thorax (synthetic teaching patient)",
                   frame_of_reference_uid=uid("thorax", "frame-of-reference"))


def _write_images(hu: np.ndarray, phantom: Phantom, beams: list[PlannedBeam], dose: PlanDose,
                  plan_uid: str, patient: Patient, uid: UidFactory, out_dir: Path) -> None:
    drr_series = _series(uid, "RTIMAGE", 5, "DRRs of the conformal plan", "20260107")
    mu_kv = attenuation_kv(hu)
    for n, beam in enumerate(beams, start=1):
        integral = line_integrals(mu_kv, phantom.ct, beam.geometry(), DRR_PLANE)
        pixels = np.clip(np.rint(integral * 1000.0), 0, 65535).astype(np.uint16)
        spec = RtImageSpec(uid("thorax", "drr", beam.number), f"DRR {beam.name}", "DRR",
                           plan_uid, beam, orientation=patient_orientation(beam.geometry()))
        write_rt_image(pixels, DRR_PLANE, spec, patient=patient, series=drr_series,
                       instance_number=n, out_dir=out_dir)
    beam = beams[PORTAL_BEAM_INDEX]
    geo = beam.geometry()
    integral = line_integrals(attenuation_mv(hu), phantom.ct, geo, PORTAL_PLANE)
    rows, cols = np.meshgrid(np.arange(PORTAL_PLANE.rows), np.arange(PORTAL_PLANE.columns),
                             indexing="ij")
    xy = PORTAL_PLANE.pixel_to_plane(rows, cols) * (geo.sad_mm / PORTAL_PLANE.sid_mm)
    # Fluence in collimator axes: rotate the receptor (gantry) coordinates by the collimator.
    c, s = np.cos(np.radians(beam.collimator_deg)), np.sin(np.radians(beam.collimator_deg))
    u = xy[..., 0] * c + xy[..., 1] * s
    v = -xy[..., 0] * s + xy[..., 1] * c
    ax = np.arange(-200.0, 200.5, 1.0)
    flu = fluence(beam.apertures[0], ax, ax)
    iu = np.clip(np.rint(u + 200.0).astype(int), 0, ax.size - 1)
    iv = np.clip(np.rint(v + 200.0).astype(int), 0, ax.size - 1)
    signal = (0.02 + flu[iv, iu]) * np.exp(-integral)
    rng = np.random.default_rng(61217)
    signal = signal * (1.0 + rng.normal(0.0, 0.01, signal.shape))
    pixels = np.clip(np.rint(signal / signal.max() * 16000.0), 0, 65535).astype(np.uint16)
    spec = RtImageSpec(uid("thorax", "portal", beam.number), f"Portal {beam.name} Fx1",
                       "PORTAL", plan_uid, beam, fraction_number=1,
                       orientation=patient_orientation(geo))
    portal_series = _series(uid, "RTIMAGE", 6, "Portal images", "20260112")
    write_rt_image(pixels, PORTAL_PLANE, spec, patient=patient, series=portal_series,
                   instance_number=1, out_dir=out_dir)


def _write_plans(beams, arcs, phantom, patient, uid, rs_uid, out_dir):
    plan_series = _series(uid, "RTPLAN", 3, "Treatment plans", "20260107")
    dose_series = _series(uid, "RTDOSE", 4, "Calculated doses", "20260107")
    plans: list = []
    cache: UnitDoseCache = {}
    for key, label, name, bs, norm in (
            ("conformal", "Lung 3DCRT", "6F conformal 60Gy/30", beams, NORMALISATION_3D),
            ("vmat", "Lung VMAT", "2-arc VMAT 60Gy/30", arcs, NORMALISATION_VMAT)):
        plan_uid = uid("thorax", "plan", key)
        dose = compute_plan_dose(bs, DOSE_GRID, phantom, prescription_gy=PRESCRIPTION_GY,
                                 fractions=FRACTIONS, normalisation=norm, cache=cache)
        spec = PlanSpec(plan_uid, label, name, rs_uid, 4, PRESCRIPTION_GY, FRACTIONS,
                        dose.beam_mu, dose.beam_dose_per_fraction_gy,
                        uid("thorax", "dose-reference", key))
        write_external_plan(spec, bs, body=phantom.body, patient=patient, series=plan_series,
                            out_dir=out_dir)
        label_uid = plan_uid[-6:]
        write_plan_doses(dose, bs, DOSE_GRID, plan_uid=plan_uid,
                         uid=lambda *role, lab=label_uid: uid("thorax", "dose", lab, *role),
                         patient=patient, series=dose_series, out_dir=out_dir)
        plans.append((plan_uid, dose))
    _write_replan(beams, phantom, patient, uid, rs_uid, cache, out_dir)
    return plans


def _write_replan(beams, phantom, patient, uid, rs_uid, cache, out_dir) -> None:
    """The conformal plan replanned after its first week: one beam angle changed.

    Same frame, structure set and normalisation; beam 6 turned from 30° to 50°
    (:func:`rtviewer.demo.beams.replanned_beams`). Only its PLAN dose is written: the
    replan exists to be compared with the original (``rtviewer compare``). Not yet
    delivered, so no records.
    """
    replan = replanned_beams(beams, PTV)
    plan_uid = uid("thorax", "plan", "replan")
    dose = compute_plan_dose(replan, DOSE_GRID, phantom, prescription_gy=PRESCRIPTION_GY,
                             fractions=FRACTIONS, normalisation=NORMALISATION_3D, cache=cache)
    spec = PlanSpec(plan_uid, REPLAN_LABEL,
                    f"6F conformal 60Gy/30, beam {REPLAN_BEAM_NUMBER} at "
                    f"{REPLAN_GANTRY_DEG:g} deg", rs_uid, 4, PRESCRIPTION_GY, FRACTIONS,
                    dose.beam_mu, dose.beam_dose_per_fraction_gy,
                    uid("thorax", "dose-reference", "replan"))
    write_external_plan(spec, replan, body=phantom.body, patient=patient,
                        series=_series(uid, "RTPLAN", 8, "Replan", REPLAN_DATE),
                        out_dir=out_dir)
    write_dose(dose.plan_stored, dose.scaling_text, DOSE_GRID,
               DoseSpec(uid("thorax", "dose", "replan", "plan"), "PLAN", plan_uid,
                        comment=f"Replan: beam {REPLAN_BEAM_NUMBER} at "
                                f"{REPLAN_GANTRY_DEG:g} deg"),
               patient=patient, series=_series(uid, "RTDOSE", 9, "Replan dose", REPLAN_DATE),
               out_dir=out_dir)


#: What :func:`write_thorax_patient` announces through ``step``, in order.
THORAX_STEPS = ("thorax CT", "thorax structures", "thorax plans and doses",
                "thorax DRRs and portal images", "thorax treatment records")


def write_thorax_patient(out_dir: Path, seed: int,
                         step: Callable[[str], None] = lambda _what: None) -> None:
    """Write every object of the thorax patient under ``out_dir/RTV-DEMO-THORAX``.

    ``step(what)`` is called before each of :data:`THORAX_STEPS` (progress; it may
    raise to stop the generation).
    """
    uid = UidFactory(seed)
    phantom = thorax_phantom()
    patient = _patient(uid)
    step(THORAX_STEPS[0])
    hu = paint_ct(phantom, np.random.default_rng(seed))
    ct_series = _series(uid, "CT", 1, "Planning CT thorax 2.5 mm", "20260105")
    slice_uids = [uid("thorax", "ct", k) for k in range(phantom.ct.shape[0])]
    ct: CtSeries = write_ct_series(hu, phantom.ct, patient=patient, series=ct_series,
                                   slice_uids=slice_uids, out_dir=out_dir)
    rs_uid = uid("thorax", "structure-set")
    step(THORAX_STEPS[1])
    write_structure_set(phantom.rois, ct=ct, patient=patient,
                        series=_series(uid, "RTSTRUCT", 2, "Structures", "20260106"),
                        uid=rs_uid, label="Thorax RS", out_dir=out_dir)
    beams = conformal_beams(PTV, ISOCENTER_MM)
    arcs = arc_beams(PTV, ISOCENTER_MM)
    step(THORAX_STEPS[2])
    (plan_uid, dose), _ = _write_plans(beams, arcs, phantom, patient, uid, rs_uid, out_dir)
    step(THORAX_STEPS[3])
    _write_images(hu, phantom, beams, dose, plan_uid, patient, uid, out_dir)
    step(THORAX_STEPS[4])
    record_series = _series(uid, "RTRECORD", 7, "Treatment records", "20260112")
    for n, session in enumerate(plan_sessions(beams, dose.beam_mu), start=1):
        write_beams_record(session, uid=uid("thorax", "record", n), plan_uid=plan_uid,
                           fractions_planned=FRACTIONS, patient=patient, series=record_series,
                           instance_number=n, out_dir=out_dir)
