"""Brachytherapy parts of an RT Plan: sources, application setups, channels, dwells."""

from __future__ import annotations

import numpy as np
from pydicom.dataset import Dataset

from rtviewer.dicom.values import (
    Notes,
    coded,
    datetime_of,
    integer,
    items,
    number,
    text,
    vector,
)
from rtviewer.model.brachy import (
    ApplicationSetup,
    BrachyChannel,
    BrachySource,
    BrachyTreatment,
    BrachyTreatmentType,
)
from rtviewer.model.findings import Severity
from rtviewer.model.plan import frozen_array

__all__ = ["read_brachy", "dwell_times"]

#: Two control points closer than this (mm) are the same dwell position.
SAME_POSITION_MM = 0.01


def read_brachy(ds: Dataset, notes: Notes) -> BrachyTreatment:
    """Read the brachy treatment: technique, type, machine, sources and setups."""
    machine = items(ds, "TreatmentMachineSequence", notes)
    return BrachyTreatment(
        technique=text(ds, "BrachyTreatmentTechnique", notes),
        treatment_type=coded(BrachyTreatmentType, ds, "BrachyTreatmentType", notes, "plan"),
        machine_name=text(machine[0], "TreatmentMachineName", notes) if machine else None,
        sources=tuple(_source(s, notes) for s in items(ds, "SourceSequence", notes)),
        application_setups=tuple(_setup(a, notes)
                                 for a in items(ds, "ApplicationSetupSequence", notes)),
    )


def _source(item: Dataset, notes: Notes) -> BrachySource:
    where = f"source {text(item, 'SourceNumber', notes)}"
    return BrachySource(
        number=integer(item, "SourceNumber", notes, where),
        source_type=text(item, "SourceType", notes),
        isotope_name=text(item, "SourceIsotopeName", notes),
        half_life_days=_positive(item, "SourceIsotopeHalfLife", notes, where),
        reference_air_kerma_rate=_positive(item, "ReferenceAirKermaRate", notes, where),
        strength_reference=datetime_of(item, "SourceStrengthReferenceDate",
                                       "SourceStrengthReferenceTime", notes, where),
        manufacturer=text(item, "SourceManufacturer", notes),
        active_length_mm=number(item, "ActiveSourceLength", notes, where),
        active_diameter_mm=number(item, "ActiveSourceDiameter", notes, where),
        strength_units=text(item, "SourceStrengthUnits", notes),
        source_strength=number(item, "SourceStrength", notes, where),
        model_id=text(item, "SourceModelID", notes),
        description=text(item, "SourceDescription", notes),
    )


def _positive(item: Dataset, keyword: str, notes: Notes, where: str) -> float | None:
    """A number that only makes sense above zero; zero or less is unusable, not a value.

    A zero half-life or air kerma rate would make every decay-corrected strength and
    dwell dose zero or infinite.
    """
    value = number(item, keyword, notes, where)
    if value is None or value > 0:
        return value
    notes.add("UNUSABLE_VALUE", f"{where}: {keyword} = {value:g} is not positive; it is "
              "ignored.", attribute=keyword, assumption="unknown")
    return None


def _setup(item: Dataset, notes: Notes) -> ApplicationSetup:
    where = f"application setup {text(item, 'ApplicationSetupNumber', notes)}"
    return ApplicationSetup(
        number=integer(item, "ApplicationSetupNumber", notes, where),
        setup_type=text(item, "ApplicationSetupType", notes),
        name=text(item, "ApplicationSetupName", notes),
        manufacturer=text(item, "ApplicationSetupManufacturer", notes),
        total_reference_air_kerma=number(item, "TotalReferenceAirKerma", notes, where),
        channels=tuple(_channel(c, notes, where) for c in items(item, "ChannelSequence", notes)),
    )


def _control_points(item: Dataset, notes: Notes, where: str) -> tuple[
        np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """Positions (N,3), relative positions (N,) and cumulative time weights (N,)."""
    cps = items(item, "BrachyControlPointSequence", notes)
    positions = [vector(cp, "ControlPoint3DPosition", notes, where, 3) for cp in cps]
    relative = [number(cp, "ControlPointRelativePosition", notes, where) for cp in cps]
    weights = [number(cp, "CumulativeTimeWeight", notes, where) for cp in cps]
    found_pos = [p for p in positions if p is not None]
    found_rel = [r for r in relative if r is not None]
    found_ctw = [w for w in weights if w is not None]
    pos = frozen_array(found_pos, ndim=2) if cps and len(found_pos) == len(cps) else None
    rel = frozen_array(found_rel, ndim=1) if cps and len(found_rel) == len(cps) else None
    ctw = frozen_array(found_ctw, ndim=1) if cps and len(found_ctw) == len(cps) else None
    if cps and ctw is None:
        notes.add("MISSING_TIME_WEIGHT", f"{where}: some control points have no Cumulative "
                  "Time Weight; dwell times are unknown.", attribute="CumulativeTimeWeight")
    return pos, rel, ctw


def dwell_times(positions: np.ndarray, weights: np.ndarray, final_weight: float,
                total_time_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Dwell indices and times from a channel's control points.

    A dwell is a pair of consecutive control points at the same position (within
    ``SAME_POSITION_MM``); its time is ``ΔCTW / final CTW × Channel Total Time``.

    Parameters
    ----------
    positions : (N, k) ndarray
        Control point positions (3-D mm, or relative mm as ``(N, 1)``).
    weights : (N,) ndarray
        Cumulative Time Weights.
    final_weight : float
        Final Cumulative Time Weight (> 0).
    total_time_s : float
        Channel Total Time in s.

    Returns
    -------
    indices : (M,) ndarray of int
        Index of the first control point of each dwell.
    times_s : (M,) ndarray
        Dwell times in s.
    """
    steps = np.linalg.norm(np.diff(positions, axis=0), axis=1)
    starts = np.flatnonzero(steps <= SAME_POSITION_MM)
    times = np.diff(weights)[starts] / final_weight * total_time_s
    return starts, times


def _channel(item: Dataset, notes: Notes, setup_where: str) -> BrachyChannel:
    where = f"{setup_where}, channel {text(item, 'ChannelNumber', notes)}"
    pos, rel, ctw = _control_points(item, notes, where)
    total = number(item, "ChannelTotalTime", notes, where)
    if total is not None and total < 0:
        # A negative time would give negative dwell times, and doses subtracted.
        notes.add("NEGATIVE_CHANNEL_TIME", f"{where}: Channel Total Time is {total:g} s.",
                  attribute="ChannelTotalTime", severity=Severity.ERROR,
                  assumption="unknown: no dwell times")
        total = None
    final = number(item, "FinalCumulativeTimeWeight", notes, where)
    pulses = integer(item, "NumberOfPulses", notes, where)
    if final is None and ctw is not None and ctw.size:
        final = float(ctw[-1])
    dwell_pos = dwell_rel = times = None
    along = pos if pos is not None else (None if rel is None else rel.reshape(-1, 1))
    if along is not None and ctw is not None and total is not None and final:
        starts, dwell = dwell_times(along, ctw, final, total)
        times = frozen_array(dwell, ndim=1)
        dwell_pos = None if pos is None else frozen_array(pos[starts], ndim=2)
        dwell_rel = None if rel is None else frozen_array(rel[starts], ndim=1)
        _check_channel(ctw, final, total, pulses, dwell, notes, where)
    elif ctw is not None:
        notes.add("DWELL_TIMES_UNKNOWN", f"{where}: Channel Total Time, Final Cumulative "
                  "Time Weight or the control point positions are missing or zero; dwell "
                  "times cannot be computed.", attribute="ChannelTotalTime")
    n_cp = len(items(item, "BrachyControlPointSequence", notes))
    return BrachyChannel(
        number=integer(item, "ChannelNumber", notes, where),
        length_mm=number(item, "ChannelLength", notes, where), total_time_s=total,
        number_of_pulses=pulses,
        pulse_repetition_interval_s=number(item, "PulseRepetitionInterval", notes, where),
        source_movement_type=text(item, "SourceMovementType", notes),
        source_applicator_number=integer(item, "SourceApplicatorNumber", notes, where),
        source_applicator_id=text(item, "SourceApplicatorID", notes),
        source_applicator_type=text(item, "SourceApplicatorType", notes),
        source_applicator_name=text(item, "SourceApplicatorName", notes),
        source_applicator_length_mm=number(item, "SourceApplicatorLength", notes, where),
        source_applicator_step_size_mm=number(item, "SourceApplicatorStepSize", notes, where),
        transfer_tube_number=integer(item, "TransferTubeNumber", notes, where),
        transfer_tube_length_mm=number(item, "TransferTubeLength", notes, where),
        referenced_source_number=integer(item, "ReferencedSourceNumber", notes, where),
        referenced_roi_number=integer(item, "ReferencedROINumber", notes, where),
        number_of_control_points=n_cp, final_cumulative_time_weight=final,
        control_point_positions_mm=pos, control_point_relative_positions_mm=rel,
        cumulative_time_weights=ctw, dwell_positions_mm=dwell_pos,
        dwell_relative_positions_mm=dwell_rel, dwell_times_s=times,
        final_dose_reference_coefficients=_final_coefficients(item, notes, where))


def _final_coefficients(item: Dataset, notes: Notes, where: str) -> tuple[tuple[int, float], ...]:
    """The last control point's Cumulative Dose Reference Coefficient per dose reference."""
    cps = items(item, "BrachyControlPointSequence", notes)
    if not cps:
        return ()
    out = []
    for ref in items(cps[-1], "BrachyReferencedDoseReferenceSequence", notes):
        number_ = integer(ref, "ReferencedDoseReferenceNumber", notes, where)
        coefficient = number(ref, "CumulativeDoseReferenceCoefficient", notes, where)
        if number_ is not None and coefficient is not None:
            out.append((number_, coefficient))
    return tuple(out)


def _check_channel(ctw: np.ndarray, final: float, total: float, pulses: int | None,
                   dwell: np.ndarray, notes: Notes, where: str) -> None:
    if ctw.size and abs(float(ctw[-1]) - final) > 1e-6 * max(1.0, final):
        notes.add("FINAL_TIME_WEIGHT", f"{where}: the last Cumulative Time Weight "
                  f"({ctw[-1]:.6g}) differs from Final Cumulative Time Weight ({final:.6g}).",
                  attribute="FinalCumulativeTimeWeight")
    moving = float(total - dwell.sum())
    if abs(moving) > 1e-3 * max(1.0, total):
        notes.add("TIME_WHILE_MOVING", f"{where}: {moving:.4g} s of the Channel Total Time "
                  "falls between control points at different positions (source moving); "
                  "it is not counted as dwell time.", attribute="CumulativeTimeWeight")
    if pulses and pulses > 1 and abs(final - pulses * total) <= 1e-6 * final:
        notes.add("PDR_TIME_WEIGHTS_ALL_PULSES", f"{where}: Final Cumulative Time Weight "
                  f"({final:.6g}) equals {pulses} pulses × Channel Total Time ({total:.6g} s): "
                  "the time weights count all pulses while Channel Total Time is one pulse.",
                  severity=Severity.INFO, attribute="FinalCumulativeTimeWeight",
                  assumption="dwell times per pulse = ΔCTW / final CTW × Channel Total Time")
