"""A brachy plan's dwells as arrays for a dose engine: positions, source axes, times.

The source axis of a dwell points from the cable end of the source to its tip, i.e. towards
the distal end of its channel: that is the θ = 0° direction of the TG-43 consensus
anisotropy tables. It is the channel's direction at the dwell, from the neighbouring
distinct control point positions. Which end is distal: Control Point Relative Position
grows away from the distal end of the channel (PS3.3 C.8.8.15), so decreasing relative
position is distal; without relative positions the first control point is taken as
distal (Eclipse and Oncentra list the tip first), and the dwell says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rtviewer.model.arrays import FloatArray
from rtviewer.model.brachy import BrachyChannel, BrachyTreatment

__all__ = ["Dwells", "channel_dwells", "treatment_dwells"]


def frozen_array(values: object, ndim: int) -> FloatArray:
    """A read-only float64 copy of ``values`` with ``ndim`` dimensions."""
    array = np.array(values, dtype=np.float64)
    if array.ndim != ndim:
        array = array.reshape((-1, 3) if ndim == 2 else (-1,))
    array.setflags(write=False)
    return array

#: Positions closer than this (mm) are the same point of the channel's path.
_SAME_MM = 0.01


@dataclass(frozen=True, eq=False)
class Dwells:
    """Dwell positions ``(M, 3)`` mm, unit source axes ``(M, 3)``, times ``(M,)`` s.

    ``channel_numbers`` ``(M,)`` names each dwell's channel (−1 when unnumbered);
    ``notes`` what was assumed (orientation unknown, distal end guessed), one per channel
    at most.
    """

    positions_mm: FloatArray
    axes: FloatArray
    times_s: FloatArray
    channel_numbers: tuple[int, ...]
    notes: tuple[str, ...] = ()

    @property
    def count(self) -> int:
        """Number of dwells."""
        return len(self.times_s)


def _path(channel: BrachyChannel) -> tuple[np.ndarray, str | None]:
    """Distinct control point positions from distal to proximal, and a note if guessed."""
    pos = channel.control_point_positions_mm
    assert pos is not None
    rel = channel.control_point_relative_positions_mm
    note = None
    if rel is not None and np.ptp(rel) > 0:
        order = np.argsort(rel, kind="stable")
        pos = pos[order]
    else:
        note = (f"channel {channel.number}: no Control Point Relative Positions; the first "
                "control point is taken as the distal end")
    keep = np.ones(len(pos), dtype=bool)
    keep[1:] = np.linalg.norm(np.diff(pos, axis=0), axis=1) > _SAME_MM
    return pos[keep], note


def _axes(path: np.ndarray, dwells: np.ndarray) -> np.ndarray:
    """Unit vectors towards the distal end at each dwell (NaN when the path is one point)."""
    if len(path) < 2:
        return np.full_like(dwells, np.nan)
    out = np.empty_like(dwells)
    for k, p in enumerate(dwells):
        i = int(np.argmin(np.linalg.norm(path - p, axis=1)))
        distal = path[max(i - 1, 0)]
        proximal = path[min(i + 1, len(path) - 1)]
        v = distal - proximal
        out[k] = v / np.linalg.norm(v)
    return out


def channel_dwells(channel: BrachyChannel, all_pulses: bool = False) -> Dwells | None:
    """The channel's dwells with non-zero time, or None when its dwells are unknown.

    ``all_pulses``: times summed over the channel's pulses (PDR), else one pulse.
    """
    times = channel.dwell_times_all_pulses_s if all_pulses else channel.dwell_times_s
    if channel.dwell_positions_mm is None or times is None \
            or channel.control_point_positions_mm is None:
        return None
    keep = times > 0
    positions = np.asarray(channel.dwell_positions_mm)[keep]
    path, note = _path(channel)
    axes = _axes(path, positions)
    notes = [] if note is None else [note]
    if len(path) < 2:
        notes.append(f"channel {channel.number}: a single source position, its orientation "
                     "is unknown; the dose is computed as if every point lay on the "
                     "source's transverse plane (θ = 90°)")
    number = -1 if channel.number is None else channel.number
    return Dwells(frozen_array(positions, ndim=2), frozen_array(axes, ndim=2),
                  frozen_array(np.asarray(times)[keep], ndim=1), (number,) * int(keep.sum()),
                  tuple(notes))


def treatment_dwells(treatment: BrachyTreatment, all_pulses: bool = False) -> Dwells:
    """All channels' dwells in file order (channels without known dwells are noted)."""
    parts, notes = [], []
    for channel in treatment.channels:
        dwells = channel_dwells(channel, all_pulses)
        if dwells is None:
            notes.append(f"channel {channel.number}: dwell positions or times unknown; "
                         "left out")
            continue
        parts.append(dwells)
        notes.extend(dwells.notes)
    if not parts:
        empty = np.zeros((0, 3))
        return Dwells(frozen_array(empty, ndim=2), frozen_array(empty, ndim=2),
                      frozen_array(np.zeros(0), ndim=1), (), tuple(notes))
    return Dwells(frozen_array(np.concatenate([d.positions_mm for d in parts]), ndim=2),
                  frozen_array(np.concatenate([d.axes for d in parts]), ndim=2),
                  frozen_array(np.concatenate([d.times_s for d in parts]), ndim=1),
                  tuple(n for d in parts for n in d.channel_numbers), tuple(notes))
