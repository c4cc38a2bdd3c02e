"""What a chain holds that the slice views cannot draw as it is, one sentence each (no Qt).

The rule of issue 14: nothing is left out in silence. Each sentence is shown under
every slice view and printed by ``rtviewer render`` on stderr.

* A closed contour with fewer than 3 points, or enclosing no area, has no place in the
  structure model: it is not drawn (nor counted in the volume and DVH).
* Contours of one ROI on planes of different orientations are drawn (and integrated)
  as one stack along their area-weighted mean normal: a contour more than 1° off it is
  projected onto that stack (one sagittal contour in an axial set tilts the mean normal,
  so most contours may be named).
* The ``smooth`` structure model (when the DVHs use it) has no drawn section: the
  views draw the slab model and say so.
* A brachy channel with dwell times but without Control Point 3D Positions has no
  position to draw.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from rtviewer.printable import printable

__all__ = ["MAX_TILT_DEG", "undrawn_notes"]

#: Contours tilted more than this from their ROI's stack are named.
MAX_TILT_DEG = 1.0


def _newell(points: np.ndarray) -> np.ndarray:
    centred = points - points.mean(axis=0)
    normal: np.ndarray = np.cross(centred, np.roll(centred, -1, axis=0)).sum(axis=0)
    return normal


def _roi_notes(roi: Any, slab_normal: np.ndarray | None) -> list[str]:
    polygons = [c.points_mm for c in roi.contours if c.is_closed]
    if not polygons:
        return []
    name = f"ROI '{printable(roi.name)}'"
    normals = [_newell(p) if len(p) >= 3 else np.zeros(3) for p in polygons]
    empty = sum(1 for n in normals if np.linalg.norm(n) < 1e-9)
    notes = []
    if empty:
        notes.append(f"{name}: {empty} of {len(polygons)} closed contour(s) enclose no area "
                     "(under 3 points or collinear): not drawn")
    if slab_normal is not None:
        cos = np.cos(np.radians(MAX_TILT_DEG))
        tilted = sum(1 for n in normals if np.linalg.norm(n) >= 1e-9
                     and abs(float(n @ slab_normal)) / float(np.linalg.norm(n)) < cos)
        if tilted:
            notes.append(f"{name}: contours on planes of different orientations ({tilted} of "
                         f"{len(polygons)} more than {MAX_TILT_DEG:g}° off their mean normal): "
                         "drawn as one stack along that normal")
    return notes


def undrawn_notes(scene: Any) -> tuple[str, ...]:
    """Sentences naming what the scene's objects hold that the slice views cannot draw.

    Computed once per scene (cached in it): the three views share it.
    """
    if "undrawn" not in scene._cache:
        scene._cache["undrawn"] = _notes(scene)
    result: tuple[str, ...] = scene._cache["undrawn"]
    return result


def _notes(scene: Any) -> tuple[str, ...]:
    notes: list[str] = []
    if scene.structures is not None and getattr(scene, "structure_model", "slab") == "smooth":
        notes.append("structures: drawn as contour stacks with flat end caps; the smooth "
                     "model's surface, which the DVHs use, is not drawn")
    for roi in getattr(scene.structures, "rois", ()) or ():
        model = scene.slab_model(roi.roi_number)
        notes += _roi_notes(roi, model.normal if model is not None else None)
    brachy = getattr(scene.plan, "brachy", None)
    for channel in brachy.channels if brachy is not None else ():
        times = channel.dwell_times_s
        if (times is not None and np.any(times > 0)
                and channel.control_point_positions_mm is None):
            notes.append(f"channel {channel.number}: no Control Point 3D Position: its "
                         "dwell positions are not drawn")
    return tuple(notes)
