"""A beam's MU-weighted fluence and the union of its apertures, from the plan (no Qt)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rtviewer.core.fluence import ApertureState, FluenceMap, fluence_map
from rtviewer.view.beam_model import mlc_layers

__all__ = ["BeamFluence", "beam_fluence", "aperture_states"]


@dataclass(frozen=True, eq=False)
class BeamFluence:
    """The fluence of one beam, ``(Xb, Yb)`` mm at the isocentre plane.

    ``unit`` is ``"MU"`` when the fraction group gives the beam's meterset (the
    map is then MU per fraction), else ``"meterset weight"``.
    """

    beam_number: int
    fluence: FluenceMap
    unit: str
    collimator_deg: float
    notes: tuple[str, ...]


def aperture_states(beam: Any) -> tuple[list[ApertureState], list[str]]:
    """The collimation at each control point; what it leaves out, once, in the notes."""
    states, notes = [], []
    for cp in beam.control_points:
        here: list[str] = []
        layers, axis = mlc_layers(beam, cp, here)
        notes += [n for n in here if n not in notes]
        jx = tuple(float(v) for v in cp.jaw_x_mm) if cp.jaw_x_mm is not None else None
        jy = tuple(float(v) for v in cp.jaw_y_mm) if cp.jaw_y_mm is not None else None
        states.append(ApertureState(jx, jy, tuple(layers), axis))  # type: ignore[arg-type]
    return states, notes


def _extent(states: list[ApertureState]) -> float:
    """Half width (mm) covering everything the beam can open, with a margin.

    The jaws bound the field when every control point states both; else the leaf
    banks' spans and positions do.
    """
    values = [abs(v) for s in states for jaw in (s.jaw_x_mm, s.jaw_y_mm) if jaw is not None
              for v in jaw]
    both_jaws = all(s.jaw_x_mm is not None and s.jaw_y_mm is not None for s in states)
    for s in states if not both_jaws else ():
        for layer in s.layers:
            values += [float(np.abs(layer.boundaries_mm).max()),
                       float(np.abs(layer.positions_mm).max())]
    return float(np.clip(max(values, default=100.0) + 5.0, 20.0, 250.0))


def beam_fluence(beam: Any, *, half_width_mm: float | None = None,
                 pixel_mm: float = 1.0) -> BeamFluence:
    """Sum over the beam's control points of open aperture × meterset weight increment.

    ``half_width_mm`` defaults to the largest jaw or leaf extent of the beam (at
    most 250 mm): the map covers everything the beam could open.

    Raises
    ------
    ValueError
        When the beam has fewer than two control points with meterset weights, or
        no collimation at all.
    """
    cps = beam.control_points
    weights = np.array([np.nan if cp.cumulative_meterset_weight is None
                        else cp.cumulative_meterset_weight for cp in cps], dtype=float)
    if len(cps) < 2 or not np.all(np.isfinite(weights)):
        raise ValueError(f"beam {beam.number}: no meterset weights between control points")
    states, notes = aperture_states(beam)
    if all(not s.layers and s.jaw_x_mm is None and s.jaw_y_mm is None for s in states):
        raise ValueError(f"beam {beam.number}: no jaws or MLC: no aperture to weight")
    if any(s.jaw_x_mm is None and s.jaw_y_mm is None and not s.layers for s in states):
        notes.append(f"beam {beam.number}: some control points state no collimation")
    collimators = {round(float(cp.collimator_angle_deg), 3) for cp in cps
                   if cp.collimator_angle_deg is not None}
    collimator = float(cps[0].collimator_angle_deg or 0.0)
    if len(collimators) > 1:
        notes.append(f"beam {beam.number}: the collimator turns during the beam; the fluence "
                     f"is summed in the jaws' frame and drawn at {collimator:g}°")
    half = _extent(states) if half_width_mm is None else half_width_mm
    fluence = fluence_map(states, weights, half_width_mm=half, pixel_mm=pixel_mm)
    final = beam.final_cumulative_meterset_weight or weights[-1]
    unit = "meterset weight"
    if beam.meterset is not None and final:
        scale = beam.meterset / final
        fluence = FluenceMap(fluence.values * scale, fluence.open_fraction, fluence.x_mm,
                             fluence.y_mm, fluence.pixel_mm, fluence.substeps)
        unit = "MU"
    return BeamFluence(beam.number, fluence, unit, collimator, tuple(notes))
