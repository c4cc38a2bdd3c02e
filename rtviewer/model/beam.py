"""Beams of an RT Plan: coded values, beam limiting devices, accessories, control points.

Angles in degrees (IEC 61217), positions in mm (jaw and leaf positions at the
isocentre plane; isocentre in DICOM patient coordinates), energies in MeV (MV
nominal for photons), metersets in the Primary Dosimeter Unit (MU).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from rtviewer.model.arrays import FloatArray, frozen_array
from rtviewer.model.findings import Finding

__all__ = [
    "frozen_array", "JAW_TYPES", "MLC_TYPE", "BeamType", "TreatmentDeliveryType",
    "RadiationType", "RotationDirection",
    "BeamLimitingDevice", "DevicePosition", "ControlPoint", "Wedge", "Block", "Applicator",
    "Compensator", "Beam",
]


class BeamType(enum.Enum):
    """Beam Type (300A,00C4)."""

    STATIC = "STATIC"
    DYNAMIC = "DYNAMIC"


class TreatmentDeliveryType(enum.Enum):
    """Treatment Delivery Type (300A,00CE)."""

    TREATMENT = "TREATMENT"
    OPEN_PORTFILM = "OPEN_PORTFILM"
    TRMT_PORTFILM = "TRMT_PORTFILM"
    CONTINUATION = "CONTINUATION"
    SETUP = "SETUP"


class RadiationType(enum.Enum):
    """Radiation Type (300A,00C6)."""

    PHOTON = "PHOTON"
    ELECTRON = "ELECTRON"
    NEUTRON = "NEUTRON"
    PROTON = "PROTON"
    ION = "ION"


class RotationDirection(enum.Enum):
    """Rotation Direction of a gantry, collimator or couch from this control point on."""

    CW = "CW"
    CC = "CC"
    NONE = "NONE"


#: RT Beam Limiting Device Types of jaws (PS3.3 C.8.8.14.3).
JAW_TYPES = frozenset({"X", "Y", "ASYMX", "ASYMY"})
#: MLC device types: MLCX/MLCY, and the layers of a stacked MLC (MLCX1, MLCX2 on
#: Halcyon and Ethos), numbered from the source.
MLC_TYPE = re.compile(r"MLC([XY])(\d*)")


@dataclass(frozen=True, eq=False)
class BeamLimitingDevice:
    """A jaw pair or MLC of a beam (ASYMX, X, ASYMY, Y, MLCX, MLCY, MLCX1, MLCX2).

    ``leaf_position_boundaries_mm`` (N+1 values, at isocentre plane) only for MLCs.
    """

    device_type: str
    number_of_pairs: int | None
    leaf_position_boundaries_mm: FloatArray | None = None
    source_to_device_distance_mm: float | None = None

    @property
    def is_mlc(self) -> bool:
        """Whether this device is a multileaf collimator."""
        return self.device_type.startswith("MLC")

    @property
    def mlc_axis(self) -> str | None:
        """``"X"`` or ``"Y"``: the leaves' direction of travel (None: not a known MLC)."""
        match = MLC_TYPE.fullmatch(self.device_type)
        return match.group(1) if match else None

    @property
    def is_understood(self) -> bool:
        """Whether rtviewer knows how this device type limits the field."""
        return self.device_type in JAW_TYPES or self.mlc_axis is not None


@dataclass(frozen=True, eq=False)
class DevicePosition:
    """Leaf/Jaw Positions (mm at isocentre plane) of one device at one control point.

    Jaws: ``(x1, x2)``; MLC: the N leaves of bank A (x1 side) then the N of bank B.
    """

    device_type: str
    positions_mm: FloatArray


@dataclass(frozen=True, eq=False)
class ControlPoint:
    """A control point with every value inherited as DICOM PS3.3 C.8.8.14 says.

    Angles in degrees (IEC 61217), positions in mm, energy in MeV (MV nominal for
    photons), dose rate in MU/min. ``ssd_mm`` is *not* inherited: it changes with
    the gantry, so a value given only at the first control point of an arc would
    be wrong at the others (``None`` when this control point does not state it).
    """

    index: int
    cumulative_meterset_weight: float | None
    nominal_energy: float | None = None
    dose_rate_set: float | None = None
    gantry_angle_deg: float | None = None
    gantry_rotation: RotationDirection | None = None
    gantry_pitch_angle_deg: float | None = None
    collimator_angle_deg: float | None = None
    collimator_rotation: RotationDirection | None = None
    couch_angle_deg: float | None = None
    couch_rotation: RotationDirection | None = None
    table_top_eccentric_angle_deg: float | None = None
    table_top_eccentric_rotation: RotationDirection | None = None
    table_top_pitch_angle_deg: float | None = None
    table_top_roll_angle_deg: float | None = None
    table_top_vertical_mm: float | None = None
    table_top_longitudinal_mm: float | None = None
    table_top_lateral_mm: float | None = None
    isocenter_mm: FloatArray | None = None
    ssd_mm: float | None = None
    device_positions: tuple[DevicePosition, ...] = ()
    wedge_positions: tuple[tuple[int, str], ...] = ()

    def positions(self, *device_types: str) -> FloatArray | None:
        """Positions of the first of ``device_types`` present here, or ``None``."""
        for wanted in device_types:
            for dp in self.device_positions:
                if dp.device_type == wanted:
                    return dp.positions_mm
        return None

    @property
    def jaw_x_mm(self) -> FloatArray | None:
        """X jaw positions ``(x1, x2)`` from ASYMX or X."""
        return self.positions("ASYMX", "X")

    @property
    def jaw_y_mm(self) -> FloatArray | None:
        """Y jaw positions ``(y1, y2)`` from ASYMY or Y."""
        return self.positions("ASYMY", "Y")

    @property
    def mlc_mm(self) -> FloatArray | None:
        """MLC leaf positions (bank A then bank B) from MLCX or MLCY."""
        return self.positions("MLCX", "MLCY")


@dataclass(frozen=True)
class Wedge:
    """A wedge (300A,00D1): angle in degrees, orientation in degrees."""

    number: int | None
    wedge_type: str | None
    wedge_id: str | None
    angle_deg: float | None
    factor: float | None
    orientation_deg: float | None


@dataclass(frozen=True, eq=False)
class Block:
    """A block (300A,00F4): outline ``data_mm`` (N, 2) at isocentre plane.

    ``data_mm`` is Block Data: ``(Xb, Yb)`` mm projected to the isocentre plane in
    IEC BEAM LIMITING DEVICE axes. ``mounting_position`` (PATIENT_SIDE or
    SOURCE_SIDE of the tray) and ``source_to_tray_mm`` place the block's faces for
    a block without divergent edges.
    """

    number: int | None
    name: str | None
    block_type: str | None
    divergence: str | None
    material: str | None
    thickness_mm: float | None
    tray_id: str | None
    data_mm: FloatArray | None
    mounting_position: str | None = None
    source_to_tray_mm: float | None = None


@dataclass(frozen=True)
class Applicator:
    """An applicator or cone (300A,0107).

    ``aperture_shape`` (SYM_SQUARE, SYM_RECTANGLE, SYM_CIRCULAR) with
    ``opening_mm`` (side or diameter) or ``opening_xy_mm`` (rectangle), from the
    Applicator Geometry Sequence, mm at the isocentre plane; ``None`` when not stated.
    """

    applicator_id: str | None
    applicator_type: str | None
    description: str | None
    aperture_shape: str | None = None
    opening_mm: float | None = None
    opening_xy_mm: tuple[float, float] | None = None


@dataclass(frozen=True)
class Compensator:
    """A compensator (300A,00E3): a summary, not its thickness map.

    ``position_mm`` is Compensator Position, the first pixel's ``(Xb, Yb)`` mm at
    the isocentre plane; ``pixel_spacing_mm`` is ``(row, column)`` spacing there.
    """

    number: int | None
    compensator_id: str | None
    compensator_type: str | None
    rows: int | None
    columns: int | None
    position_mm: tuple[float, float] | None = None
    pixel_spacing_mm: tuple[float, float] | None = None


@dataclass(frozen=True, eq=False)
class Beam:
    """An external beam with its devices and inherited control points.

    ``meterset`` (MU per fraction) and ``beam_dose_gy`` come from the first
    fraction group referencing this beam; ``None`` when none does.
    ``tolerance_table_number`` is the Referenced Tolerance Table Number.
    """

    number: int
    name: str | None
    description: str | None
    beam_type: BeamType | None
    delivery_type: TreatmentDeliveryType | None
    radiation_type: RadiationType | None
    machine_name: str | None
    sad_mm: float | None
    primary_dosimeter_unit: str | None = None
    devices: tuple[BeamLimitingDevice, ...] = ()
    wedges: tuple[Wedge, ...] = ()
    blocks: tuple[Block, ...] = ()
    applicators: tuple[Applicator, ...] = ()
    compensators: tuple[Compensator, ...] = ()
    number_of_boli: int | None = None
    bolus_roi_numbers: tuple[int, ...] = ()
    referenced_patient_setup_number: int | None = None
    final_cumulative_meterset_weight: float | None = None
    control_points: tuple[ControlPoint, ...] = ()
    meterset: float | None = None
    beam_dose_gy: float | None = None
    dose_specification_point_mm: FloatArray | None = None
    findings: tuple[Finding, ...] = ()
    tolerance_table_number: int | None = None

    @property
    def nominal_energy(self) -> float | None:
        """Nominal beam energy of the first control point (MeV / MV)."""
        return self.control_points[0].nominal_energy if self.control_points else None

    def device(self, device_type: str) -> BeamLimitingDevice | None:
        """The beam limiting device of that type, or ``None``."""
        return next((d for d in self.devices if d.device_type == device_type), None)

    @property
    def mlc(self) -> BeamLimitingDevice | None:
        """The beam's MLC (MLCX or MLCY), or ``None``."""
        return next((d for d in self.devices if d.is_mlc), None)

    @property
    def mlcs(self) -> tuple[BeamLimitingDevice, ...]:
        """Every MLC layer of the beam (two on a dual-layer MLC), in device order."""
        return tuple(d for d in self.devices if d.mlc_axis is not None)
