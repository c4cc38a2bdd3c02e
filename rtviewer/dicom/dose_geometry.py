"""RT Dose frame geometry per PS3.3 C.8.8.3.2 (Grid Frame Offset Vector).

* Relative form: the first offset is 0; offset ``n`` is the distance of frame
  ``n`` from Image Position (Patient) along row × column (it may be negative:
  frames can run against the normal). Valid for any orientation.
* Absolute form: offsets are the frames' patient z; allowed only with Image
  Orientation (1,0,0,0,1,0) and first offset equal to the z of Image Position.
* Anything else: a finding, and the best guess that the first frame lies at
  Image Position with frames spaced by the offset differences along the normal.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from rtviewer.dicom.slice_stack import StackPlan, plan_stack
from rtviewer.errors import GeometryError
from rtviewer.model.findings import Finding, Severity

__all__ = ["FrameGeometry", "frame_geometry"]

AXIAL = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
OFFSET_TOLERANCE_MM = 1e-3


@dataclass(frozen=True)
class FrameGeometry:
    """Where the frames are: signed distances along the normal, and how to stack them."""

    relative_offsets_mm: tuple[float, ...]
    order: tuple[int, ...]
    plan: StackPlan | None
    step_mm: tuple[float, float, float]
    findings: tuple[Finding, ...]


def frame_geometry(*, offsets: tuple[float, ...] | None, n_frames: int,
                   position_mm: tuple[float, ...], orientation: tuple[float, ...],
                   thickness_mm: float | None, path: Path) -> FrameGeometry:
    """Interpret the Grid Frame Offset Vector of a dose with ``n_frames`` frames.

    Parameters
    ----------
    offsets : tuple of float or None
        Grid Frame Offset Vector (mm) as stored.
    n_frames : int
        Frames actually in Pixel Data.
    position_mm, orientation : tuple of float
        Image Position (Patient) and Image Orientation (Patient).
    thickness_mm : float or None
        Slice Thickness, used only when offsets are absent for one frame.
    path : Path
        The file, for errors.

    Returns
    -------
    FrameGeometry

    Raises
    ------
    GeometryError
        Several frames without offsets, fewer offsets than frames that cannot
        be extended, or two frames at one position.
    """
    findings: list[Finding] = []
    stored_offsets = offsets
    offsets, more = _matching_offsets(offsets, n_frames, thickness_mm, path)
    findings += more
    relative, more = _relative(offsets, position_mm, orientation)
    findings += more
    normal = np.cross(orientation[:3], orientation[3:])
    normal = normal / np.linalg.norm(normal)
    if n_frames == 1:
        thickness, finding = _single_frame_thickness(stored_offsets, thickness_mm)
        findings.append(finding)
        return FrameGeometry(relative, (0,), None, _tuple3(normal * thickness), tuple(findings))
    values = np.asarray(relative)
    order = tuple(int(i) for i in np.argsort(values, kind="stable"))
    if values[0] > values[-1]:
        order = order[::-1]  # keep the file's direction when frames run against the normal
    if order != tuple(range(n_frames)):
        findings.append(Finding("DOSE_FRAMES_UNSORTED", "The Grid Frame Offset Vector is not "
                                "monotonic; frames were sorted by offset.",
                                attribute="GridFrameOffsetVector"))
    sorted_values = values[list(order)]
    if np.any(np.abs(np.diff(sorted_values)) < OFFSET_TOLERANCE_MM):
        raise GeometryError("two dose frames have the same Grid Frame Offset", path=path)
    plan = plan_stack(sorted_values - sorted_values[0])
    findings += _plan_findings(plan)
    return FrameGeometry(relative, order, plan, _tuple3(normal * plan.step_mm), tuple(findings))


def _single_frame_thickness(offsets: tuple[float, ...] | None,
                            thickness_mm: float | None) -> tuple[float, Finding]:
    """Thickness of a one-frame dose: Slice Thickness, the offsets' step, or 1 mm."""
    if thickness_mm and thickness_mm > 0:
        thickness, source = thickness_mm, "Slice Thickness"
    elif offsets and len(offsets) >= 2 and abs(offsets[1] - offsets[0]) > 0:
        thickness, source = abs(offsets[1] - offsets[0]), "the Grid Frame Offset Vector's step"
    else:
        thickness, source = 1.0, "no thickness given"
    return thickness, Finding("SINGLE_FRAME_DOSE", "The dose has one frame: its thickness "
                              "cannot be measured.", Severity.INFO, "GridFrameOffsetVector",
                              assumption=f"{thickness:g} mm ({source})")


def _tuple3(v: NDArray[np.float64]) -> tuple[float, float, float]:
    return float(v[0]), float(v[1]), float(v[2])


def _matching_offsets(offsets: tuple[float, ...] | None, n_frames: int,
                      thickness_mm: float | None, path: Path
                      ) -> tuple[tuple[float, ...], list[Finding]]:
    """Offsets with exactly one value per frame."""
    if offsets is None:
        if n_frames == 1:
            return (0.0,), []
        raise GeometryError(f"the dose has {n_frames} frames but no usable Grid Frame Offset "
                            "Vector, so the frames cannot be placed", path=path)
    if len(offsets) == n_frames:
        return offsets, []
    if len(offsets) > n_frames:
        return offsets[:n_frames], [Finding(
            "GRID_FRAME_OFFSETS_EXCEED_FRAMES",
            f"The Grid Frame Offset Vector has {len(offsets)} values for {n_frames} frame(s) "
            "of pixel data.", attribute="GridFrameOffsetVector",
            assumption=f"the first {n_frames} value(s) belong to the frames")]
    if len(offsets) >= 2 and np.allclose(np.diff(offsets), offsets[1] - offsets[0], atol=1e-3):
        step = offsets[1] - offsets[0]
        extended = tuple(offsets[0] + step * k for k in range(n_frames))
        return extended, [Finding(
            "GRID_FRAME_OFFSETS_SHORT",
            f"The Grid Frame Offset Vector has {len(offsets)} values for {n_frames} frames.",
            attribute="GridFrameOffsetVector",
            assumption=f"its regular {step:g} mm step continues")]
    raise GeometryError(f"the Grid Frame Offset Vector has {len(offsets)} values for "
                        f"{n_frames} frames", path=path)


def _relative(offsets: tuple[float, ...], position_mm: tuple[float, ...],
              orientation: tuple[float, ...]) -> tuple[tuple[float, ...], list[Finding]]:
    """Offsets relative to Image Position along the normal (first value 0)."""
    first = offsets[0]
    if abs(first) <= OFFSET_TOLERANCE_MM:
        return tuple(o - first for o in offsets), []
    axial = np.allclose(orientation, AXIAL, atol=1e-4)
    if axial and abs(first - position_mm[2]) <= OFFSET_TOLERANCE_MM:
        return tuple(o - first for o in offsets), [Finding(
            "ABSOLUTE_GRID_FRAME_OFFSETS", "The Grid Frame Offset Vector holds absolute z "
            "positions (allowed for axial doses).", Severity.INFO, "GridFrameOffsetVector")]
    why = ("absolute offsets are allowed only with Image Orientation (1,0,0,0,1,0)" if
           abs(first - position_mm[2]) <= OFFSET_TOLERANCE_MM else
           f"its first value {first:g} mm is neither 0 nor the z of Image Position "
           f"({position_mm[2]:g} mm)")
    return tuple(o - first for o in offsets), [Finding(
        "NONSTANDARD_GRID_FRAME_OFFSETS", f"The Grid Frame Offset Vector is not valid: {why}.",
        Severity.WARNING, "GridFrameOffsetVector",
        assumption="the first frame lies at Image Position (Patient) and frames are spaced "
                   "by the offset differences along row × column")]


def _plan_findings(plan: StackPlan) -> list[Finding]:
    """Missing or uneven dose frames."""
    if plan.mode == "gaps":
        return [Finding("DOSE_FRAME_GAPS", f"{len(plan.missing_k)} dose frame(s) are missing "
                        f"from a regular {abs(plan.step_mm):g} mm spacing.",
                        attribute="GridFrameOffsetVector",
                        assumption="missing frames are interpolated linearly between their "
                                   "neighbours")]
    if plan.mode == "resample":
        return [Finding("UNEVEN_DOSE_FRAMES", "Dose frames are unevenly spaced.",
                        attribute="GridFrameOffsetVector",
                        assumption=f"resampled linearly to a regular {abs(plan.step_mm):.4g} "
                                   "mm step")]
    return []
