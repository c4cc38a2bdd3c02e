"""Geometry of an image series: orientation checks, sorting along the normal, slice step.

The slice direction comes from the sorted Image Positions, never from the
cross product alone: the cross product only orders the slices, the measured
positions give the step vector (which keeps gantry tilt and feet-first data right).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from rtviewer.core.grid import Grid
from rtviewer.dicom.slice_stack import StackPlan, assemble_stack, plan_stack
from rtviewer.errors import GeometryError
from rtviewer.model.findings import Finding, Severity

__all__ = ["SliceGeometry", "StackedGeometry", "stack_geometry"]

ORIENTATION_TOLERANCE = 1e-4
POSITION_TOLERANCE_MM = 1e-3
TILT_TOLERANCE_DEG = 0.01


@dataclass(frozen=True)
class SliceGeometry:
    """Position and sampling of one 2-D slice, from its header."""

    path: Path
    position_mm: tuple[float, ...]
    orientation: tuple[float, ...]
    pixel_spacing_mm: tuple[float, ...]
    shape: tuple[int, int]
    sop_instance_uid: str = ""
    slice_thickness_mm: float | None = None
    spacing_between_slices_mm: float | None = None


@dataclass(frozen=True)
class StackedGeometry:
    """The slices' order (indices into the input) and the regular grid they make."""

    order: tuple[int, ...]
    first: SliceGeometry
    step_mm: tuple[float, float, float]
    plan: StackPlan | None
    findings: tuple[Finding, ...]

    def assemble(self, planes: Sequence[NDArray[np.float32]]) -> NDArray[np.float32]:
        """Stack the planes (in ``order``) into the ``(k, j, i)`` volume."""
        if self.plan is None:
            return np.asarray(planes[0], dtype=np.float32)[None, :, :]
        lowest = float(min(np.min(p) for p in planes))
        return assemble_stack(planes, self.plan, gap_fill=lowest)

    @property
    def missing_k(self) -> tuple[int, ...]:
        """Slice indices with no file (filled with the volume's lowest value)."""
        return self.plan.missing_k if self.plan is not None and self.plan.mode == "gaps" else ()

    def grid(self, shape: tuple[int, ...], frame_of_reference_uid: str | None) -> Grid:
        """The grid of the assembled volume."""
        return Grid.from_dicom_geometry(
            image_position_mm=self.first.position_mm, image_orientation=self.first.orientation,
            pixel_spacing_mm=self.first.pixel_spacing_mm, slice_step_mm=self.step_mm,
            shape=shape, frame_of_reference_uid=frame_of_reference_uid)


def stack_geometry(slices: Sequence[SliceGeometry]) -> StackedGeometry:
    """Sort slices along their normal and derive the grid's slice step.

    Parameters
    ----------
    slices : sequence of SliceGeometry
        One per file, any order.

    Returns
    -------
    StackedGeometry

    Raises
    ------
    GeometryError
        Several orientations, sizes or pixel spacings; an invalid orientation;
        two different slices at one position.
    """
    _check_same_sampling(slices)
    row, column = _unit_axes(slices[0])
    normal = np.cross(row, column)
    along = np.array([np.dot(s.position_mm, normal) for s in slices])
    order = [int(i) for i in np.argsort(along, kind="stable")]
    order, findings = _drop_duplicates(slices, order, along)
    first = slices[order[0]]
    if len(order) == 1:
        step, more = _single_slice_step(first, normal)
        return StackedGeometry(tuple(order), first, step, None, tuple(findings + more))
    offsets = along[order] - along[order[0]]
    plan = plan_stack(offsets)
    positions = np.array([slices[i].position_mm for i in order], dtype=np.float64)
    span = positions[-1] - positions[0]
    step_vector = span * plan.step_mm / offsets[-1]
    findings += _plan_findings(plan)
    findings += _line_findings(positions, offsets, span)
    findings += _tilt_findings(step_vector, normal, row, column)
    step = (float(step_vector[0]), float(step_vector[1]), float(step_vector[2]))
    return StackedGeometry(tuple(order), first, step, plan, tuple(findings))


def _check_same_sampling(slices: Sequence[SliceGeometry]) -> None:
    """Refuse series whose slices differ in orientation, size or pixel spacing."""
    groups: dict[tuple[float, ...], list[Path]] = {}
    for s in slices:
        key = tuple(round(v / ORIENTATION_TOLERANCE) * ORIENTATION_TOLERANCE
                    for v in s.orientation)
        groups.setdefault(key, []).append(s.path)
    if len(groups) > 1:
        described = "; ".join(
            f"({', '.join(f'{v:.3g}' for v in key)}) in {len(paths)} file(s)"
            for key, paths in groups.items())
        raise GeometryError(
            f"the series mixes {len(groups)} image orientations ({described}); "
            "open each orientation as a series of its own", path=slices[0].path)
    for s in slices[1:]:
        if s.shape != slices[0].shape:
            raise GeometryError(f"slice size {s.shape} differs from {slices[0].shape} of "
                                f"{slices[0].path.name}", path=s.path)
        if not np.allclose(s.pixel_spacing_mm, slices[0].pixel_spacing_mm, atol=1e-4):
            raise GeometryError(f"Pixel Spacing {s.pixel_spacing_mm} differs from "
                                f"{slices[0].pixel_spacing_mm} of {slices[0].path.name}",
                                path=s.path)


def _unit_axes(s: SliceGeometry) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Row and column direction cosines, checked to be orthonormal."""
    row = np.asarray(s.orientation[:3], dtype=np.float64)
    column = np.asarray(s.orientation[3:], dtype=np.float64)
    if (abs(np.linalg.norm(row) - 1) > 1e-2 or abs(np.linalg.norm(column) - 1) > 1e-2
            or abs(float(np.dot(row, column))) > 1e-2):
        raise GeometryError(f"Image Orientation (Patient) {s.orientation} is not two "
                            "perpendicular unit vectors", path=s.path)
    return row / np.linalg.norm(row), column / np.linalg.norm(column)


def _drop_duplicates(slices: Sequence[SliceGeometry], order: list[int],
                     along: NDArray[np.float64]) -> tuple[list[int], list[Finding]]:
    """Drop repeated copies of one slice; refuse two different slices at one position."""
    kept = [order[0]]
    dropped = 0
    for i in order[1:]:
        previous = slices[kept[-1]]
        if abs(along[i] - along[kept[-1]]) > POSITION_TOLERANCE_MM:
            kept.append(i)
        elif slices[i].sop_instance_uid and slices[i].sop_instance_uid == previous.sop_instance_uid:
            dropped += 1
        else:
            raise GeometryError(
                f"two different slices lie at the same position ({along[i]:.3f} mm along the "
                f"normal; also {previous.path.name}): the files hold more than one volume",
                path=slices[i].path)
    findings = []
    if dropped:
        findings.append(Finding("DUPLICATE_SLICE", f"{dropped} file(s) repeat a slice already "
                                "read (same SOP Instance UID); the copies were ignored."))
    return kept, findings


def _single_slice_step(s: SliceGeometry, normal: NDArray[np.float64]
                       ) -> tuple[tuple[float, float, float], list[Finding]]:
    """Slice step of a one-slice series: Spacing Between Slices, Slice Thickness or 1 mm."""
    thickness = s.spacing_between_slices_mm or s.slice_thickness_mm
    source = ("Spacing Between Slices" if s.spacing_between_slices_mm
              else "Slice Thickness" if s.slice_thickness_mm else None)
    if thickness is None or thickness <= 0:
        thickness, source = 1.0, None
    assumption = (f"slice thickness {thickness:g} mm from {source}" if source
                  else "slice thickness 1 mm (no Slice Thickness)")
    finding = Finding("SINGLE_SLICE", "The series has one slice: its thickness cannot be "
                      "measured from positions.", Severity.INFO, "SliceThickness", assumption)
    step = normal * thickness
    return (float(step[0]), float(step[1]), float(step[2])), [finding]


def _plan_findings(plan: StackPlan) -> list[Finding]:
    """Missing slices and uneven spacing."""
    if plan.mode == "gaps":
        missing = plan.missing_k
        return [Finding(
            "MISSING_SLICES", f"{len(missing)} slice(s) are missing from a regular "
            f"{abs(plan.step_mm):.3g} mm spacing (at k = {_short_list(missing)}).",
            attribute="ImagePositionPatient",
            assumption="missing slices are shown empty (the lowest value of the series), "
                       "never interpolated")]
    if plan.mode == "resample":
        diffs = np.abs(np.diff(plan.offsets_mm))
        return [Finding(
            "UNEVEN_SLICE_SPACING", f"Slice spacing varies from {diffs.min():.3g} to "
            f"{diffs.max():.3g} mm.", attribute="ImagePositionPatient",
            assumption=f"resampled by linear interpolation to a regular "
                       f"{abs(plan.step_mm):.4g} mm step")]
    return []


def _line_findings(positions: NDArray[np.float64], offsets: NDArray[np.float64],
                   span: NDArray[np.float64]) -> list[Finding]:
    """Slice origins that do not lie on one straight line."""
    predicted = positions[0] + np.outer(offsets / offsets[-1], span)
    deviation = float(np.max(np.linalg.norm(positions - predicted, axis=1)))
    if deviation <= 0.01:
        return []
    return [Finding("SLICE_POSITIONS_NOT_ON_A_LINE", f"Slice positions wander up to "
                    f"{deviation:.3g} mm sideways from a straight stack.",
                    attribute="ImagePositionPatient",
                    assumption="the straight line from the first to the last slice")]


def _tilt_findings(step: NDArray[np.float64], normal: NDArray[np.float64],
                   row: NDArray[np.float64], column: NDArray[np.float64]) -> list[Finding]:
    """Gantry tilt (step not along the normal) and oblique orientation."""
    findings = []
    cosine = abs(float(np.dot(step, normal))) / float(np.linalg.norm(step))
    tilt = float(np.degrees(np.arccos(min(1.0, cosine))))
    if tilt > TILT_TOLERANCE_DEG:
        findings.append(Finding(
            "GANTRY_TILT", f"Slices are sheared by {tilt:.2f}° (gantry tilt): the slice step "
            "is not perpendicular to the image plane.", attribute="ImagePositionPatient",
            assumption="the sheared geometry is kept exactly in the grid's affine"))
    axes = np.abs(np.stack([row, column]))
    if not np.all((axes < 1e-4) | (axes > 1 - 1e-4)):
        findings.append(Finding(
            "OBLIQUE_ORIENTATION", "The image planes are oblique to the patient axes.",
            Severity.INFO, "ImageOrientationPatient",
            assumption="kept exactly in the grid's affine"))
    return findings


def _short_list(values: Sequence[int], limit: int = 8) -> str:
    """``1, 2, 3, …`` shortened for messages."""
    text = ", ".join(str(v) for v in values[:limit])
    return text + (", …" if len(values) > limit else "")
