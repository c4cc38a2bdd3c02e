"""Brachytherapy parts of an RT Plan: sources, application setups, channels, dwells.

Positions are DICOM patient coordinates (LPS) in mm, times in seconds, Reference
Air Kerma Rate in µGy·h⁻¹ at 1 m (DICOM's unit), half life in days.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from rtviewer.model.arrays import FloatArray, frozen_array

__all__ = ["BrachyTreatmentType", "BrachySource", "BrachyChannel", "ApplicationSetup",
           "BrachyTreatment"]


class BrachyTreatmentType(enum.Enum):
    """Brachy Treatment Type (300A,0202)."""

    MANUAL = "MANUAL"
    HDR = "HDR"
    MDR = "MDR"
    LDR = "LDR"
    PDR = "PDR"


@dataclass(frozen=True)
class BrachySource:
    """A source (300A,0210)."""

    number: int | None
    source_type: str | None
    isotope_name: str | None
    half_life_days: float | None
    reference_air_kerma_rate: float | None
    strength_reference: dt.datetime | None
    manufacturer: str | None = None
    active_length_mm: float | None = None
    active_diameter_mm: float | None = None
    strength_units: str | None = None
    source_strength: float | None = None
    model_id: str | None = None
    description: str | None = None

    @property
    def descriptions(self) -> tuple[str | None, ...]:
        """What the file says identifies the source (model, type, isotope, maker)."""
        return (self.model_id, self.description, self.isotope_name, self.manufacturer)


@dataclass(frozen=True, eq=False)
class BrachyChannel:
    """A channel (catheter) with its control points and dwells.

    ``total_time_s`` is Channel Total Time: for PDR the time of **one pulse**.
    ``dwell_times_s`` are per pulse too: ``ΔCTW / Final CTW × Channel Total Time``
    between two control points at the same position. ``dwell_positions_mm`` is
    ``(M, 3)`` (``None`` when the plan gives only relative positions);
    ``dwell_relative_positions_mm`` ``(M,)`` along the channel.
    ``control_point_positions_mm`` ``(N, 3)`` and ``cumulative_time_weights`` ``(N,)``
    are the control points as stored.
    """

    number: int | None
    length_mm: float | None
    total_time_s: float | None
    number_of_pulses: int | None
    pulse_repetition_interval_s: float | None
    source_movement_type: str | None
    source_applicator_number: int | None
    source_applicator_id: str | None
    source_applicator_type: str | None
    source_applicator_name: str | None
    source_applicator_length_mm: float | None
    source_applicator_step_size_mm: float | None
    transfer_tube_number: int | None
    transfer_tube_length_mm: float | None
    referenced_source_number: int | None
    referenced_roi_number: int | None
    number_of_control_points: int
    final_cumulative_time_weight: float | None
    control_point_positions_mm: FloatArray | None
    control_point_relative_positions_mm: FloatArray | None
    cumulative_time_weights: FloatArray | None
    dwell_positions_mm: FloatArray | None
    dwell_relative_positions_mm: FloatArray | None
    dwell_times_s: FloatArray | None
    #: (Referenced Dose Reference Number, Cumulative Dose Reference Coefficient) of the
    #: last control point: the channel's share of the Brachy Application Setup Dose at
    #: that dose reference (how Eclipse states its point doses).
    final_dose_reference_coefficients: tuple[tuple[int, float], ...] = ()

    @property
    def pulses(self) -> int:
        """Number of pulses (1 unless the channel is pulsed)."""
        return self.number_of_pulses if self.number_of_pulses else 1

    @property
    def total_time_all_pulses_s(self) -> float | None:
        """Channel Total Time × number of pulses: the whole treatment's time."""
        return None if self.total_time_s is None else self.total_time_s * self.pulses

    @property
    def dwell_times_all_pulses_s(self) -> FloatArray | None:
        """Dwell times (s) summed over all pulses, read-only."""
        if self.dwell_times_s is None:
            return None
        return frozen_array(self.dwell_times_s * self.pulses)


@dataclass(frozen=True)
class ApplicationSetup:
    """An application setup; Total Reference Air Kerma in µGy at 1 m."""

    number: int | None
    setup_type: str | None
    name: str | None
    manufacturer: str | None
    total_reference_air_kerma: float | None
    channels: tuple[BrachyChannel, ...]


@dataclass(frozen=True)
class BrachyTreatment:
    """The brachytherapy part of a plan."""

    technique: str | None
    treatment_type: BrachyTreatmentType | None
    machine_name: str | None
    sources: tuple[BrachySource, ...]
    application_setups: tuple[ApplicationSetup, ...]

    @property
    def channels(self) -> tuple[BrachyChannel, ...]:
        """All channels of all application setups, in file order."""
        return tuple(c for setup in self.application_setups for c in setup.channels)
