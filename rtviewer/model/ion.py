"""Ion (proton, carbon) beams of an RT Ion Plan: devices, control points, energy layers.

Spot positions are ``(x, y)`` mm in the isocentre plane of the beam (IEC
gantry coordinates, as the Scan Spot Position Map states them); energies MeV
(per nucleon for ions heavier than protons, as DICOM states them).
"""

from __future__ import annotations

from dataclasses import dataclass

from rtviewer.model.arrays import FloatArray
from rtviewer.model.beam import Beam, ControlPoint

__all__ = ["Snout", "RangeShifter", "RangeModulator", "LateralSpreadingDevice",
           "RangeShifterSetting", "IonControlPoint", "EnergyLayer", "IonBeam"]


@dataclass(frozen=True)
class Snout:
    """A snout (300A,030C)."""

    snout_id: str | None
    accessory_code: str | None = None


@dataclass(frozen=True)
class RangeShifter:
    """A range shifter (300A,0314)."""

    number: int | None
    range_shifter_id: str | None
    range_shifter_type: str | None
    description: str | None = None


@dataclass(frozen=True)
class RangeModulator:
    """A range modulator (300A,0340)."""

    number: int | None
    range_modulator_id: str | None
    range_modulator_type: str | None
    description: str | None = None


@dataclass(frozen=True)
class LateralSpreadingDevice:
    """A lateral spreading device (300A,0332), e.g. a scanning magnet or scatterer."""

    number: int | None
    device_id: str | None
    device_type: str | None
    description: str | None = None


@dataclass(frozen=True)
class RangeShifterSetting:
    """A range shifter's setting at a control point; water equivalent thickness in mm."""

    referenced_range_shifter_number: int | None
    setting: str | None
    water_equivalent_thickness_mm: float | None = None


@dataclass(frozen=True, eq=False)
class IonControlPoint(ControlPoint):
    """An ion control point: the external-beam values plus scanning data.

    ``spot_positions_mm`` is ``(N, 2)`` ``(x, y)``; ``spot_meterset_weights`` ``(N,)``
    in the beam's meterset-weight units; ``scanning_spot_size_mm`` ``(2,)`` the
    spot's FWHM-like size stated by Scanning Spot Size (x, y) in air at isocentre.
    Spot positions and weights are not inherited (each control point states its
    own); range shifter settings, snout position and tune ID are.
    """

    snout_position_mm: float | None = None
    meterset_rate: float | None = None
    scan_spot_tune_id: str | None = None
    spot_positions_mm: FloatArray | None = None
    spot_meterset_weights: FloatArray | None = None
    scanning_spot_size_mm: FloatArray | None = None
    number_of_paintings: int | None = None
    range_shifter_settings: tuple[RangeShifterSetting, ...] = ()


@dataclass(frozen=True, eq=False)
class EnergyLayer:
    """One energy layer: the control points delivered at one nominal energy.

    ``spot_meterset_weights`` sums the layer's control points spot by spot;
    ``spot_metersets`` scales them to the beam meterset (MU) when the fraction group
    gives one: ``weight × Beam Meterset / Final Cumulative Meterset Weight``.
    """

    layer_index: int
    nominal_energy_mev: float | None
    scan_spot_tune_id: str | None
    control_point_indices: tuple[int, ...]
    cumulative_meterset_weight_start: float | None
    cumulative_meterset_weight_end: float | None
    spot_positions_mm: FloatArray
    spot_meterset_weights: FloatArray
    spot_metersets: FloatArray | None
    scanning_spot_size_mm: FloatArray | None
    number_of_paintings: int | None

    @property
    def number_of_spots(self) -> int:
        """How many spot positions the layer has."""
        return int(self.spot_positions_mm.shape[0])


@dataclass(frozen=True, eq=False)
class IonBeam(Beam):
    """An ion beam: the external-beam description plus ion devices and energy layers.

    ``virtual_sad_mm`` is Virtual Source-Axis Distances ``(x, y)``.
    """

    scan_mode: str | None = None
    virtual_sad_mm: FloatArray | None = None
    radiation_mass_number: int | None = None
    radiation_atomic_number: int | None = None
    radiation_charge_state: int | None = None
    snouts: tuple[Snout, ...] = ()
    range_shifters: tuple[RangeShifter, ...] = ()
    range_modulators: tuple[RangeModulator, ...] = ()
    lateral_spreading_devices: tuple[LateralSpreadingDevice, ...] = ()
    energy_layers: tuple[EnergyLayer, ...] = ()

    @property
    def number_of_spots(self) -> int:
        """Spot positions over all energy layers."""
        return sum(layer.number_of_spots for layer in self.energy_layers)
