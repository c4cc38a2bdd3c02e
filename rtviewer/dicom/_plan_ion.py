"""Ion-specific parts of an RT Ion Plan beam: devices and energy layers."""

from __future__ import annotations

from typing import Any

import numpy as np
from pydicom.dataset import Dataset

from rtviewer.dicom.values import Notes, integer, items, text, vector
from rtviewer.model.ion import (
    EnergyLayer,
    IonControlPoint,
    LateralSpreadingDevice,
    RangeModulator,
    RangeShifter,
    Snout,
)
from rtviewer.model.plan import ControlPoint, frozen_array

__all__ = ["ion_beam_values", "energy_layers"]


def ion_beam_values(item: Dataset, notes: Notes, where: str) -> dict[str, Any]:
    """The ion beam attributes beyond those every beam has."""
    virtual_sad = vector(item, "VirtualSourceAxisDistances", notes, where, 2)
    return {
        "scan_mode": text(item, "ScanMode", notes),
        "virtual_sad_mm": virtual_sad,
        # the X distance; the Y one stays in virtual_sad_mm (they differ on most
        # scanning nozzles, and their mean would put both axes' sources wrong)
        "sad_mm": None if virtual_sad is None else float(virtual_sad[0]),
        "radiation_mass_number": integer(item, "RadiationMassNumber", notes, where),
        "radiation_atomic_number": integer(item, "RadiationAtomicNumber", notes, where),
        "radiation_charge_state": integer(item, "RadiationChargeState", notes, where),
        "snouts": tuple(Snout(text(s, "SnoutID", notes), text(s, "AccessoryCode", notes))
                        for s in items(item, "SnoutSequence", notes)),
        "range_shifters": tuple(
            RangeShifter(integer(r, "RangeShifterNumber", notes, where),
                         text(r, "RangeShifterID", notes), text(r, "RangeShifterType", notes),
                         text(r, "RangeShifterDescription", notes))
            for r in items(item, "RangeShifterSequence", notes)),
        "range_modulators": tuple(
            RangeModulator(integer(r, "RangeModulatorNumber", notes, where),
                           text(r, "RangeModulatorID", notes), text(r, "RangeModulatorType", notes),
                           text(r, "RangeModulatorDescription", notes))
            for r in items(item, "RangeModulatorSequence", notes)),
        "lateral_spreading_devices": tuple(
            LateralSpreadingDevice(integer(d, "LateralSpreadingDeviceNumber", notes, where),
                                   text(d, "LateralSpreadingDeviceID", notes),
                                   text(d, "LateralSpreadingDeviceType", notes),
                                   text(d, "LateralSpreadingDeviceDescription", notes))
            for d in items(item, "LateralSpreadingDeviceSequence", notes)),
    }


def _layer_groups(points: tuple[ControlPoint, ...]) -> list[list[IonControlPoint]]:
    """Consecutive control points with spots at the same energy and tune form one layer."""
    groups: list[list[IonControlPoint]] = []
    for cp in points:
        if not isinstance(cp, IonControlPoint) or cp.spot_positions_mm is None:
            continue
        last = groups[-1][-1] if groups else None
        same = (last is not None and last.nominal_energy == cp.nominal_energy
                and last.scan_spot_tune_id == cp.scan_spot_tune_id
                and last.spot_positions_mm is not None
                and last.spot_positions_mm.shape == cp.spot_positions_mm.shape
                and np.allclose(last.spot_positions_mm, cp.spot_positions_mm))
        if same:
            groups[-1].append(cp)
        else:
            groups.append([cp])
    return groups


def energy_layers(points: tuple[ControlPoint, ...], beam_meterset: float | None,
                  final_weight: float | None, notes: Notes,
                  where: str) -> tuple[EnergyLayer, ...]:
    """Group scanned ion control points into energy layers.

    A layer is a run of control points at one energy and tune with the same spot map
    (RayStation and others write a start and an end control point per layer, the end
    one with zero weights). Spot weights add up over the run. Spot metersets in MU are
    ``weight × Beam Meterset / Final Cumulative Meterset Weight``.
    """
    scale = None
    if beam_meterset is not None and final_weight:
        scale = beam_meterset / final_weight
    layers = []
    for index, group in enumerate(_layer_groups(points)):
        first, last = group[0], group[-1]
        weights = np.sum([cp.spot_meterset_weights for cp in group
                          if cp.spot_meterset_weights is not None], axis=0)
        layers.append(EnergyLayer(
            layer_index=index, nominal_energy_mev=first.nominal_energy,
            scan_spot_tune_id=first.scan_spot_tune_id,
            control_point_indices=tuple(cp.index for cp in group),
            cumulative_meterset_weight_start=first.cumulative_meterset_weight,
            cumulative_meterset_weight_end=last.cumulative_meterset_weight,
            spot_positions_mm=first.spot_positions_mm,  # type: ignore[arg-type]
            spot_meterset_weights=frozen_array(weights, ndim=1),  # type: ignore[arg-type]
            spot_metersets=None if scale is None else frozen_array(weights * scale, ndim=1),
            scanning_spot_size_mm=first.scanning_spot_size_mm,
            number_of_paintings=first.number_of_paintings))
    _check_layer_weights(layers, final_weight, notes, where)
    return tuple(layers)


def _check_layer_weights(layers: list[EnergyLayer], final_weight: float | None, notes: Notes,
                         where: str) -> None:
    if not layers or not final_weight:
        return
    total = float(sum(layer.spot_meterset_weights.sum() for layer in layers))
    if abs(total - final_weight) > 1e-3 * final_weight:
        notes.add("SPOT_WEIGHT_SUM", f"{where}: the spot meterset weights add up to "
                  f"{total:.6g} but Final Cumulative Meterset Weight is {final_weight:.6g}.",
                  attribute="ScanSpotMetersetWeights")
