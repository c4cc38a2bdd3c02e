"""Closed MLC leaf pairs inside the field (MPPG 11.a Table 8: jaw and MLC consistency).

A leaf pair closed where the jaws do not cover it transmits through its rounded leaf
ends (the leaf-end leakage the dosimetric leaf gap models): planning systems park the
closed pairs of a conformal field behind a jaw. A closed pair inside the jaw opening of
a single-aperture field is a planning artefact to look at; in a modulated beam (VMAT,
sliding window, step-and-shoot) closed pairs inside the jaws are part of the sequence and
are not reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from rtviewer.model.beam import Beam
from rtviewer.review.beam_geometry import jaw_limits_mm, positions_by_cp

__all__ = ["ClosedPair", "closed_pairs_in_field", "single_aperture"]


@dataclass(frozen=True)
class ClosedPair:
    """One closed leaf pair inside the jaw opening at one control point.

    Attributes
    ----------
    control_point : int
        Control Point Index.
    leaf_pair : int
        1-based leaf pair number (leaf ``k`` of bank A and of bank B, DICOM order).
    position_mm : float
        Where the pair meets, along the leaf travel (isocentre plane, mm).
    gap_mm : float
        Leaf B minus leaf A (mm).
    """

    control_point: int
    leaf_pair: int
    position_mm: float
    gap_mm: float


def closed_pairs_in_field(beam: Beam, positions: dict[str, np.ndarray], control_point: int,
                          closed_gap_mm: float, jaw_margin_mm: float) -> list[ClosedPair]:
    """The closed leaf pairs of one control point that the jaws leave uncovered.

    A pair counts when its gap is at most ``closed_gap_mm``, more than half its width
    lies inside the jaw opening across the leaves, and its meeting point lies more than
    ``jaw_margin_mm`` inside the jaw opening along the leaf travel.
    """
    mlc = beam.mlc
    if mlc is None or mlc.leaf_position_boundaries_mm is None or mlc.device_type not in positions:
        return []
    leaves = positions[mlc.device_type]
    bounds = np.asarray(mlc.leaf_position_boundaries_mm, dtype=float)
    n = len(leaves) // 2
    if n == 0 or len(bounds) != n + 1:
        return []
    travel, across = ("X", "Y") if mlc.mlc_axis == "X" else ("Y", "X")
    t_lo, t_hi = jaw_limits_mm(positions, travel)
    if not (np.isfinite(t_lo) and np.isfinite(t_hi)):
        return []  # no jaw along the leaves (Agility, Halcyon): nothing to hide them behind
    a_lo, a_hi = jaw_limits_mm(positions, across)
    a, b = leaves[:n], leaves[n:]
    width = bounds[1:] - bounds[:-1]
    covered = np.clip(np.minimum(bounds[1:], a_hi) - np.maximum(bounds[:-1], a_lo), 0, None)
    meet = (a + b) / 2.0
    inside = ((b - a <= closed_gap_mm) & (covered > width / 2.0)
              & (meet > t_lo + jaw_margin_mm) & (meet < t_hi - jaw_margin_mm))
    return [ClosedPair(control_point, int(k) + 1, float(meet[k]), float(b[k] - a[k]))
            for k in np.nonzero(inside)[0]]


def single_aperture(beam: Beam) -> bool:
    """Whether the MLC keeps one shape through the beam's delivery (a conformal field)."""
    mlc = beam.mlc
    if mlc is None:
        return False
    shapes = {tuple(np.round(p[mlc.device_type], 2)) for _, p in positions_by_cp(beam)
              if mlc.device_type in p}
    return len(shapes) <= 1


def closed_pairs_of_beam(beam: Beam, closed_gap_mm: float, jaw_margin_mm: float
                         ) -> Iterator[ClosedPair]:
    """Every closed pair inside the field, control point by control point."""
    for cp, positions in positions_by_cp(beam):
        yield from closed_pairs_in_field(beam, positions, cp.index, closed_gap_mm,
                                         jaw_margin_mm)
