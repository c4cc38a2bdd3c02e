"""RT Image geometry without Qt: receptor coordinates, the beam axis, the planned field.

Receptor coordinates are IEC X-RAY IMAGE RECEPTOR ``(x, y)`` mm in the image plane
(at the SID): ``x`` grows with the column index, ``y`` shrinks with the row index,
RT Image Position is the centre of the first pixel (PS3.3 C.8.8.2).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rtviewer.core.iec61217 import rotation_z
from rtviewer.ui.bev_content import bev_content

__all__ = ["ReceptorGeometry", "receptor_geometry", "planned_field_on_receptor"]


@dataclass(frozen=True)
class ReceptorGeometry:
    """How an RT Image sits in its plane, and what had to be assumed.

    Attributes
    ----------
    first_pixel_mm : (float, float)
        Receptor ``(x, y)`` of pixel (0, 0)'s centre.
    spacing_mm : (float, float)
        Image Plane Pixel Spacing ``(row, column)`` at the SID.
    axis_mm : (float, float)
        Where the beam's central axis meets the receptor.
    magnification : float or None
        SID / SAD; None when either is missing.
    missing : tuple of str
        Sentences naming what the file lacks and what was assumed instead.
    """

    first_pixel_mm: tuple[float, float]
    spacing_mm: tuple[float, float]
    axis_mm: tuple[float, float]
    magnification: float | None
    receptor_angle_deg: float
    missing: tuple[str, ...]

    def pixel_to_receptor(self, columns: Any, rows: Any) -> np.ndarray:
        """Pixel ``(column, row)`` (centres at integers) → receptor ``(x, y)`` mm."""
        c, r = np.asarray(columns, dtype=float), np.asarray(rows, dtype=float)
        return np.stack([self.first_pixel_mm[0] + c * self.spacing_mm[1],
                         self.first_pixel_mm[1] - r * self.spacing_mm[0]], axis=-1)

    def receptor_to_pixel(self, xy_mm: Any) -> np.ndarray:
        """Receptor ``(x, y)`` mm → pixel ``(column, row)``."""
        xy = np.asarray(xy_mm, dtype=float)
        return np.stack([(xy[..., 0] - self.first_pixel_mm[0]) / self.spacing_mm[1],
                         (self.first_pixel_mm[1] - xy[..., 1]) / self.spacing_mm[0]], axis=-1)

    def pixel_to_isocentre_plane(self) -> np.ndarray:
        """2×3 affine: pixel ``(column, row, 1)`` → ``(Xg, Yg)`` mm at the isocentre plane.

        The inverse of :meth:`isocentre_plane_to_receptor` after :meth:`pixel_to_receptor`.
        """
        m = self.magnification or 1.0
        back = rotation_z(self.receptor_angle_deg)[:2, :2] / m
        dr, dc = self.spacing_mm
        x0, y0 = self.first_pixel_mm
        ax, ay = self.axis_mm
        return back @ np.array([[dc, 0.0, x0 - ax], [0.0, -dr, y0 - ay]])

    def isocentre_plane_to_receptor(self, xy_gantry_mm: Any) -> np.ndarray:
        """``(Xg, Yg)`` mm at the isocentre plane → receptor ``(x, y)`` mm (× SID/SAD)."""
        m = self.magnification or 1.0
        rot = rotation_z(-self.receptor_angle_deg)[:2, :2]
        xy = np.asarray(xy_gantry_mm, dtype=float) * m
        return xy @ rot.T + np.asarray(self.axis_mm)


def receptor_geometry(image: Any) -> ReceptorGeometry:
    """The receptor geometry of an :class:`~rtviewer.model.rtimage.RtImage`."""
    rows, cols = image.shape
    dr, dc = image.pixel_spacing_mm
    missing = []
    if image.image_position_mm is not None:
        first = (float(image.image_position_mm[0]), float(image.image_position_mm[1]))
    else:
        first = (-(cols - 1) / 2 * dc, (rows - 1) / 2 * dr)
        missing.append("RT Image Position is missing: the image centre is assumed to lie on "
                       "the beam axis.")
    tx, ty = (0.0, 0.0)
    if image.receptor_translation_mm is not None:
        tx, ty = image.receptor_translation_mm[0], image.receptor_translation_mm[1]
    angle = float(image.receptor_angle_deg or 0.0)
    rot = rotation_z(-angle)[:2, :2]
    axis = tuple(float(v) for v in rot @ np.array([-tx, -ty]))
    magnification = image.magnification
    if magnification is None:
        missing.append("RT Image SID or Radiation Machine SAD is missing: sizes at the "
                       "isocentre are unknown (graticule in receptor mm).")
    if image.referenced_plan_uid is None or image.referenced_beam_number is None:
        missing.append("The image references no plan beam: pick a beam to overlay its field.")
    if image.gantry_angle_deg is None:
        missing.append("Gantry Angle is missing.")
    return ReceptorGeometry(first, (float(dr), float(dc)), (axis[0], axis[1]), magnification,
                            angle, tuple(missing))


def planned_field_on_receptor(receptor: ReceptorGeometry, plan: Any, beam: Any,
                              index: int = 0) -> dict[str, list[np.ndarray]]:
    """The beam's jaws and open field at control point ``index``, in receptor mm.

    Returns ``{"jaws": [...], "field": [...]}`` of closed ``(N, 2)`` polygons.

    Raises
    ------
    ValueError
        Without SID and SAD the field cannot be scaled to the image plane.
    """
    if receptor.magnification is None:
        raise ValueError("RT Image SID or SAD is missing: the field cannot be scaled to the "
                         "image plane")
    content = bev_content(plan, beam, index)
    jaws = [receptor.isocentre_plane_to_receptor(content.jaws)] if content.jaws is not None \
        else []
    field = [receptor.isocentre_plane_to_receptor(p) for p in content.apertures]
    return {"jaws": jaws, "field": field}
