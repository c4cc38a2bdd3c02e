"""The status-bar readout at the cursor, one part per overlay that has something to say.

Each slice-view overlay answers a hit-test with one of these parts (or nothing); the
readout line is the position followed by the parts, in the overlays' order.
"""

from __future__ import annotations

import numpy as np

from rtviewer.view.reference_dose import ReferenceDose

__all__ = ["PART_SEPARATOR", "dose_text", "image_value_text", "inside_text", "position_text",
           "readout_line"]

#: Between the parts of the readout line.
PART_SEPARATOR = "   "


def position_text(xyz_mm: np.ndarray) -> str:
    """The point, patient ``(x, y, z)`` mm to 0.1 mm."""
    x, y, z = (float(v) for v in np.asarray(xyz_mm, dtype=float).reshape(3))
    return f"({x:.1f}, {y:.1f}, {z:.1f}) mm"


def image_value_text(value: float | None, unit: str) -> str | None:
    """The image value and unit (``"-2 HU"``), None outside the image."""
    return None if value is None else f"{value:.0f} {unit}".rstrip()


def dose_text(dose_gy: float | None, reference: ReferenceDose | None) -> str | None:
    """Dose in Gy and % of the reference (``"of max"`` for a stand-in, never "of Rx")."""
    if dose_gy is None:
        return None
    text = f"{dose_gy:.3f} Gy"
    if reference is not None:
        of = "" if reference.is_prescription else " of max"
        text += f" ({100.0 * dose_gy / reference.dose_gy:.1f} %{of})"
    return text


def inside_text(roi_names: tuple[str, ...]) -> str | None:
    """The structures that contain the point, None when none does."""
    return "in: " + ", ".join(roi_names) if roi_names else None


def readout_line(xyz_mm: np.ndarray, parts: list[str | None]) -> str:
    """The position and the parts that are not None, on one line.

    Examples
    --------
    >>> xyz = np.array([1.0, -2.0, 3.5])
    >>> rx = ReferenceDose(10.0, "plan")
    >>> readout_line(xyz, [image_value_text(-2.0, "HU"), dose_text(7.5, rx), None,
    ...                    inside_text(("PTV",))])
    '(1.0, -2.0, 3.5) mm   -2 HU   7.500 Gy (75.0 %)   in: PTV'
    >>> readout_line(xyz, [dose_text(7.5, ReferenceDose(10.0, "max", is_prescription=False))])
    '(1.0, -2.0, 3.5) mm   7.500 Gy (75.0 % of max)'
    """
    return PART_SEPARATOR.join([position_text(xyz_mm), *(p for p in parts if p)])
