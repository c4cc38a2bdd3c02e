"""RT Image geometry without Qt: receptor coordinates, the beam axis, the planned field.

Receptor coordinates are IEC X-RAY IMAGE RECEPTOR ``(x, y)`` mm in the image plane
(at the SID): ``x`` grows with the column index, ``y`` shrinks with the row index,
RT Image Position is the centre of the first pixel (PS3.3 C.8.8.2).

A NON_NORMAL image plane is tilted against the beam axis: its rows and columns run
along RT Image Orientation (direction cosines in the receptor system), from the first
pixel at RT Image Position. Its pixels then reach the isocentre plane through the
source by a projective map (a homography), not an affine one; for those images the
"receptor ``(x, y)``" the view shows are distances within the tilted plane.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from rtviewer.core.iec61217 import rotation_z
from rtviewer.view.bev_content import bev_content

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
    homography : ndarray (3, 3)
        Pixel ``(column, row, 1)`` → homogeneous gantry ``(Xg, Yg)`` at the isocentre
        plane, through the source (affine for a NORMAL image).
    tilted : bool
        Whether the image plane is NON_NORMAL with its own orientation.
    """

    first_pixel_mm: tuple[float, float]
    spacing_mm: tuple[float, float]
    axis_mm: tuple[float, float]
    magnification: float | None
    receptor_angle_deg: float
    missing: tuple[str, ...]
    homography: np.ndarray | None = None
    tilted: bool = False

    def pixel_to_gantry_plane(self, columns: Any, rows: Any) -> np.ndarray:
        """Pixel ``(column, row)`` → ``(Xg, Yg)`` mm at the isocentre plane (any plane tilt)."""
        c, r = np.asarray(columns, dtype=float), np.asarray(rows, dtype=float)
        h = self._homography()
        w = h[2, 0] * c + h[2, 1] * r + h[2, 2]
        return np.stack([(h[0, 0] * c + h[0, 1] * r + h[0, 2]) / w,
                         (h[1, 0] * c + h[1, 1] * r + h[1, 2]) / w], axis=-1)

    def _homography(self) -> np.ndarray:
        if self.homography is not None:
            return self.homography
        return np.vstack([self.pixel_to_isocentre_plane(), [0.0, 0.0, 1.0]])

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
        affine: np.ndarray = back @ np.array([[dc, 0.0, x0 - ax], [0.0, -dr, y0 - ay]])
        return affine

    def isocentre_plane_to_receptor(self, xy_gantry_mm: Any) -> np.ndarray:
        """``(Xg, Yg)`` mm at the isocentre plane → receptor ``(x, y)`` mm (× SID/SAD).

        For a tilted plane: where the ray from the source meets it, in plane mm.
        """
        if self.tilted:
            xy = np.asarray(xy_gantry_mm, dtype=float)
            inverse = np.linalg.inv(self._homography())
            w = inverse[2, 0] * xy[..., 0] + inverse[2, 1] * xy[..., 1] + inverse[2, 2]
            c = (inverse[0, 0] * xy[..., 0] + inverse[0, 1] * xy[..., 1] + inverse[0, 2]) / w
            r = (inverse[1, 0] * xy[..., 0] + inverse[1, 1] * xy[..., 1] + inverse[1, 2]) / w
            return self.pixel_to_receptor(c, r)
        m = self.magnification or 1.0
        rot = rotation_z(-self.receptor_angle_deg)[:2, :2]
        xy = np.asarray(xy_gantry_mm, dtype=float) * m
        receptor_mm: np.ndarray = xy @ rot.T + np.asarray(self.axis_mm)
        return receptor_mm


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
    tilted = (image.plane or "").upper() == "NON_NORMAL" and image.image_orientation is not None
    if (image.plane or "").upper() == "NON_NORMAL" and not tilted:
        missing.append("RT Image Plane is NON_NORMAL without a usable RT Image Orientation: "
                       "the image is placed as if normal to the beam.")
    if tilted and magnification is None:
        missing.append("A tilted (NON_NORMAL) image without SID and SAD: SAD = SID = 1000 mm "
                       "assumed to place it.")
    h = _homography(image, first, (float(dr), float(dc)), angle)
    if tilted:
        # the central axis meets the tilted plane where the isocentre plane's origin maps
        c, r, w = np.linalg.solve(h, [0.0, 0.0, 1.0])
        axis = (float(first[0] + c / w * dc), float(first[1] - r / w * dr))
    return ReceptorGeometry(first, (float(dr), float(dc)), (axis[0], axis[1]), magnification,
                            angle, tuple(missing), h, tilted)


def _homography(image: Any, first: tuple[float, float], spacing: tuple[float, float],
                angle_deg: float) -> np.ndarray:
    """Pixel ``(c, r, 1)`` → homogeneous ``(Xg, Yg)`` at the isocentre plane.

    Pixel ``(c, r)`` lies at ``P0 + c·Δc·u + r·Δr·v`` in the receptor system (``u``,
    ``v`` the row and column directions, ``(1, 0, 0)`` and ``(0, -1, 0)`` for a NORMAL
    image; ``P0`` the first pixel at ``(x0, y0, 0)``), whose origin sits at X-Ray Image
    Receptor Translation ``(tx, ty)`` and ``SAD - SID`` along the axis, turned by the
    receptor angle. A gantry point ``g`` projects through the source to
    ``g_xy · SAD / (SAD - g_z)``.
    """
    sad = image.sad_mm if image.sad_mm and image.sid_mm else 1000.0
    sid = image.sid_mm if image.sad_mm and image.sid_mm else sad
    orientation = image.image_orientation
    tilted = (image.plane or "").upper() == "NON_NORMAL" and orientation is not None
    u = np.asarray(orientation[:3] if tilted else (1.0, 0.0, 0.0), dtype=float)
    v = np.asarray(orientation[3:] if tilted else (0.0, -1.0, 0.0), dtype=float)
    turn = rotation_z(angle_deg)
    tx, ty = (image.receptor_translation_mm or (0.0, 0.0, 0.0))[:2]
    origin = np.array([tx, ty, sad - sid])
    a = np.column_stack([spacing[1] * (turn @ u), spacing[0] * (turn @ v),
                         turn @ np.array([first[0], first[1], 0.0]) + origin])
    return np.vstack([sad * a[0], sad * a[1], np.array([0.0, 0.0, sad]) - a[2]])


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
