"""Beam accessories as the beam's-eye view draws and lists them (no Qt).

Wedges, blocks, applicators (cones), compensators and boli of an external beam,
and the snouts, range shifters and modulators of an ion beam. Shapes are IEC 61217
beam limiting device ``(Xb, Yb)`` mm at the isocentre plane (they turn with the
collimator, as the accessories do); what cannot be drawn is said in a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rtviewer.core.iec61217 import rotation_z

__all__ = ["AccessoryShape", "accessory_shapes", "accessory_lines", "accessory_summary",
           "wedge_kind", "WEDGE_ARROW_MM"]

#: Length of the drawn wedge arrow (mm at the isocentre plane).
WEDGE_ARROW_MM = 60.0


@dataclass(frozen=True, eq=False)
class AccessoryShape:
    """One outline or arrow to draw, ``(Xb, Yb)`` mm at the isocentre plane.

    ``kind`` is ``"block"``, ``"block_face"`` (the far face of a block whose edges
    are not divergent), ``"applicator"``, ``"compensator"`` or ``"wedge"`` (an
    arrow from the thick edge, heel, to the thin edge, toe: two points).
    """

    kind: str
    points_mm: np.ndarray
    label: str


def wedge_kind(wedge: Any) -> str:
    """Physical or dynamic, from Wedge Type (STANDARD, MOTORIZED, DYNAMIC)."""
    kind = (wedge.wedge_type or "").upper()
    if kind == "DYNAMIC":
        return "dynamic (jaw-swept: enhanced/virtual wedge)"
    if kind == "MOTORIZED":
        return "physical, motorized"
    if kind == "STANDARD":
        return "physical"
    return f"type {kind or 'not stated'}"


def _wedge_position(cp: Any, wedge: Any) -> str:
    for number, position in getattr(cp, "wedge_positions", ()) or ():
        if number == wedge.number:
            return str(position)
    return ""


def _wedge_shape(wedge: Any, cp: Any) -> AccessoryShape | None:
    if wedge.orientation_deg is None:
        return None
    # IEC 61217 WEDGE FILTER: +Yw runs from the thick edge to the thin edge; the
    # orientation turns it in the BLD plane as the collimator angle turns Yb
    toe = rotation_z(float(wedge.orientation_deg))[:2, :2] @ np.array([0.0, 1.0])
    half = 0.5 * WEDGE_ARROW_MM * toe
    angle = f"{wedge.angle_deg:g}°" if wedge.angle_deg is not None else "angle ?"
    position = _wedge_position(cp, wedge)
    label = f"{wedge.wedge_id or 'wedge'} {angle} {wedge_kind(wedge).split(' (')[0]}"
    if position:
        label += f" {position}"
    return AccessoryShape("wedge", np.array([-half, half]), label)


def _block_shapes(block: Any, notes: list[str]) -> list[AccessoryShape]:
    name = block.name or f"block {block.number}"
    if block.data_mm is None or len(block.data_mm) < 3:
        notes.append(f"{name}: no usable Block Data: outline not drawn")
        return []
    kind = (block.block_type or "").lower() or "block"
    shapes = [AccessoryShape("block", np.asarray(block.data_mm, dtype=float), f"{name} ({kind})")]
    if (block.divergence or "").upper() != "ABSENT":
        return shapes
    tray, thick = block.source_to_tray_mm, block.thickness_mm
    if not tray or not thick:
        notes.append(f"{name}: edges not divergent, but Source to Block Tray Distance or "
                     "Block Thickness is not stated: drawn as if divergent")
        return shapes
    # Block Data is taken as the projection of the face on the tray; the far face,
    # of the same size (straight edges), lies a thickness further down or up, and
    # both project through the one source: only the ratio of distances counts
    far = tray + thick if (block.mounting_position or "PATIENT_SIDE") != "SOURCE_SIDE" \
        else tray - thick
    if far <= 0:
        notes.append(f"{name}: its far face would lie behind the source: not drawn")
        return shapes
    shapes.append(AccessoryShape("block_face", shapes[0].points_mm * (tray / far),
                                 f"{name}: far face (edges not divergent)"))
    return shapes


def _applicator_shape(applicator: Any, notes: list[str]) -> AccessoryShape | None:
    name = applicator.applicator_id or "applicator"
    shape = (applicator.aperture_shape or "").upper()
    label = f"{name} ({applicator.applicator_type or 'type ?'})"
    if shape in ("SYM_SQUARE", "SYM_RECTANGLE"):
        if shape == "SYM_SQUARE" and applicator.opening_mm:
            wx = wy = applicator.opening_mm / 2.0
        elif applicator.opening_xy_mm is not None:
            wx, wy = (v / 2.0 for v in applicator.opening_xy_mm)
        else:
            notes.append(f"applicator {label}: {shape} without its opening: not drawn")
            return None
        square = np.array([[-wx, -wy], [wx, -wy], [wx, wy], [-wx, wy]])
        return AccessoryShape("applicator", square, label)
    if shape == "SYM_CIRCULAR" and applicator.opening_mm:
        t = np.linspace(0.0, 2.0 * np.pi, 73)[:-1]
        r = applicator.opening_mm / 2.0
        return AccessoryShape("applicator", np.column_stack([r * np.cos(t), r * np.sin(t)]),
                              label)
    notes.append(f"applicator {label}: its aperture (Applicator Geometry) is not stated: "
                 "not drawn")
    return None


def _compensator_shape(comp: Any, notes: list[str]) -> AccessoryShape | None:
    name = comp.compensator_id or f"compensator {comp.number}"
    if comp.position_mm is None or comp.pixel_spacing_mm is None or not comp.rows \
            or not comp.columns:
        notes.append(f"compensator {name}: position or size not stated: not drawn")
        return None
    (x0, y0), (dr, dc) = comp.position_mm, comp.pixel_spacing_mm
    # the first pixel's centre; rows run down (-Yb) as in an RT Image
    left, right = x0 - dc / 2.0, x0 + (comp.columns - 0.5) * dc
    top, bottom = y0 + dr / 2.0, y0 - (comp.rows - 0.5) * dr
    rect = np.array([[left, bottom], [right, bottom], [right, top], [left, top]])
    return AccessoryShape("compensator", rect, f"compensator {name} "
                          f"({comp.rows}×{comp.columns} thickness map: extent only)")


def accessory_shapes(beam: Any, cp: Any) -> tuple[list[AccessoryShape], list[str]]:
    """Shapes to draw for ``beam`` at control point ``cp``, and what could not be drawn."""
    shapes: list[AccessoryShape] = []
    notes: list[str] = []
    for wedge in beam.wedges:
        shape = _wedge_shape(wedge, cp)
        if shape is None:
            notes.append(f"wedge {wedge.wedge_id or wedge.number}: no Wedge Orientation: "
                         "its direction is not drawn")
        else:
            shapes.append(shape)
    for block in beam.blocks:
        shapes += _block_shapes(block, notes)
    for applicator in beam.applicators:
        found = _applicator_shape(applicator, notes)
        if found is not None:
            shapes.append(found)
    for comp in beam.compensators:
        found = _compensator_shape(comp, notes)
        if found is not None:
            shapes.append(found)
    return shapes, notes


def _roi_name(structures: Any, number: int) -> str:
    """The bolus ROI named, and whether the view can draw it."""
    for roi in getattr(structures, "rois", ()) or ():
        if roi.roi_number == number:
            drawn = ("drawn projected like a structure" if roi.has_contours
                     else "it has no contours: not drawn")
            return f"ROI {number} '{roi.name}' ({drawn})"
    return f"ROI {number} (not in the loaded structure set: not drawn)"


def _ion_lines(beam: Any, cp: Any) -> list[str]:
    lines = []
    vsad = getattr(beam, "virtual_sad_mm", None)
    if vsad is not None and len(vsad) == 2:
        lines.append(f"Virtual source-axis distances X {vsad[0]:g} mm, Y {vsad[1]:g} mm.")
    snout_at = getattr(cp, "snout_position_mm", None)
    for snout in getattr(beam, "snouts", ()):
        where = f" at {snout_at:g} mm" if snout_at is not None else ""
        lines.append(f"Snout {snout.snout_id or '?'}{where}.")
    settings = {s.referenced_range_shifter_number: s
                for s in getattr(cp, "range_shifter_settings", ()) or ()}
    for shifter in getattr(beam, "range_shifters", ()):
        setting = settings.get(shifter.number)
        state = ""
        if setting is not None:
            state = f": {setting.setting or 'setting ?'}"
            if setting.water_equivalent_thickness_mm is not None:
                state += f", {setting.water_equivalent_thickness_mm:g} mm water-equivalent"
        lines.append(f"Range shifter {shifter.range_shifter_id or shifter.number} "
                     f"({shifter.range_shifter_type or 'type ?'}){state}.")
    for mod in getattr(beam, "range_modulators", ()):
        lines.append(f"Range modulator {mod.range_modulator_id or mod.number} "
                     f"({mod.range_modulator_type or 'type ?'}).")
    for device in getattr(beam, "lateral_spreading_devices", ()):
        lines.append(f"Lateral spreading device {device.device_id or device.number} "
                     f"({device.device_type or 'type ?'}).")
    return lines


def accessory_lines(beam: Any, cp: Any, structures: Any = None) -> list[str]:
    """One sentence per accessory of ``beam`` (at control point ``cp``), for the BEV."""
    lines = []
    for w in beam.wedges:
        angle = f"{w.angle_deg:g}°" if w.angle_deg is not None else "angle not stated"
        orient = (f", orientation {w.orientation_deg:g}°" if w.orientation_deg is not None
                  else "")
        position = _wedge_position(cp, w)
        lines.append(f"Wedge {w.wedge_id or w.number}: {angle} {wedge_kind(w)}{orient}"
                     f"{', ' + position if position else ''}; arrow heel → toe.")
    for b in beam.blocks:
        lines.append(f"Block {b.name or b.number}: {b.block_type or 'type ?'}, divergence "
                     f"{b.divergence or 'not stated'}, {b.material or 'material ?'}"
                     + (f", {b.thickness_mm:g} mm" if b.thickness_mm else "") + ".")
    for a in beam.applicators:
        lines.append(f"Applicator {a.applicator_id or '?'} ({a.applicator_type or 'type ?'})"
                     + (f": {a.description}" if a.description else "") + ".")
    for c in beam.compensators:
        lines.append(f"Compensator {c.compensator_id or c.number} "
                     f"({c.compensator_type or 'type ?'}).")
    for number in beam.bolus_roi_numbers:
        lines.append(f"Bolus: {_roi_name(structures, number)}.")
    if beam.number_of_boli and not beam.bolus_roi_numbers:
        lines.append(f"{beam.number_of_boli} bolus(es) stated without a referenced ROI.")
    return lines + _ion_lines(beam, cp)


def accessory_summary(beam: Any) -> str:
    """A short cell for the plan's beam table: what is in the beam besides jaws and MLC."""
    parts = []
    for w in beam.wedges:
        dynamic = (w.wedge_type or "").upper() == "DYNAMIC"
        angle = f"{w.angle_deg:g}°" if w.angle_deg is not None else "?"
        parts.append(f"{'dyn. ' if dynamic else ''}wedge {angle}")
    if beam.blocks:
        parts.append(f"{len(beam.blocks)} block{'s' if len(beam.blocks) > 1 else ''}")
    parts += [f"applicator {a.applicator_id or '?'}" for a in beam.applicators]
    if beam.compensators:
        parts.append("compensator")
    if beam.bolus_roi_numbers or beam.number_of_boli:
        parts.append("bolus")
    parts += [f"snout {s.snout_id or '?'}" for s in getattr(beam, "snouts", ())]
    parts += [f"range shifter {r.range_shifter_id or '?'}"
              for r in getattr(beam, "range_shifters", ())]
    parts += [f"modulator {m.range_modulator_id or '?'}"
              for m in getattr(beam, "range_modulators", ())]
    return ", ".join(parts) or "—"
