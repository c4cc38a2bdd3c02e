"""IEC 61217 beam geometry: the one module that owns these transforms.

Coordinate systems (IEC 61217, all right-handed, millimetres):

* **fixed** ``f``: origin at the isocentre; ``+Xf`` to the right of an observer
  standing at the foot of the couch facing the gantry, ``+Yf`` horizontal towards
  the gantry, ``+Zf`` vertically up.
* **gantry** ``g``: ``f`` rotated about ``Yf`` by the gantry angle; the radiation
  source sits at ``(0, 0, SAD)`` in ``g``.
* **beam limiting device** ``b``: ``g`` rotated about ``Zg`` by the collimator
  angle. Jaw and MLC positions (``ASYMX``/``MLCX`` along ``Xb``, ``ASYMY`` along
  ``Yb``) are given in the plane ``Zb = 0`` (the isocentre plane).
* **patient support** ``s``: ``f`` rotated about ``Zf`` by the patient support
  (couch) angle; **table top** ``t``: ``s`` pitched about ``Xs`` and rolled about
  ``Ys``.
* **patient** (DICOM LPS, ``x`` = patient left, ``y`` = posterior, ``z`` =
  superior): fixed to the table top by the Patient Position (HFS, HFP, FFS, FFP,
  HFDL, HFDR, FFDL, FFDR), see :data:`PATIENT_ORIENTATION`.

Every positive rotation is counter-clockwise when viewed from the positive end of
its axis towards the origin (the right-hand rule), which is how IEC 61217 defines
it. Consequences, pinned by ``tests/core/test_iec61217.py``: for a head-first
supine patient at gantry 0° the source is anterior (``-y``), at gantry 90° it is on
the patient's left (``+x``).

Angles are in degrees, as DICOM stores them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "PATIENT_ORIENTATION",
    "BeamGeometry",
    "rotation_x",
    "rotation_y",
    "rotation_z",
]

FloatArray = NDArray[np.float64]

#: Patient Position -> 3x3 matrix mapping table-top coordinates ``(Xt, Yt, Zt)`` to
#: DICOM patient ``(x, y, z)``. Rows are the patient axes expressed in table-top axes.
#: HFS: the head points to the gantry (+Yt), the anterior surface up (+Zt), so the
#: patient's left (+x) is +Xt. Every matrix is a proper rotation (determinant +1).
PATIENT_ORIENTATION: dict[str, FloatArray] = {
    "HFS": np.array([[1.0, 0, 0], [0, 0, -1], [0, 1, 0]]),
    "HFP": np.array([[-1.0, 0, 0], [0, 0, 1], [0, 1, 0]]),
    "FFS": np.array([[-1.0, 0, 0], [0, 0, -1], [0, -1, 0]]),
    "FFP": np.array([[1.0, 0, 0], [0, 0, 1], [0, -1, 0]]),
    "HFDL": np.array([[0.0, 0, -1], [-1, 0, 0], [0, 1, 0]]),
    "HFDR": np.array([[0.0, 0, 1], [1, 0, 0], [0, 1, 0]]),
    "FFDL": np.array([[0.0, 0, -1], [1, 0, 0], [0, -1, 0]]),
    "FFDR": np.array([[0.0, 0, 1], [-1, 0, 0], [0, -1, 0]]),
}
for _m in PATIENT_ORIENTATION.values():
    _m.flags.writeable = False


def _rotation(axis: int, angle_deg: float) -> FloatArray:
    c, s = np.cos(np.radians(angle_deg)), np.sin(np.radians(angle_deg))
    # Snap to exact values at multiples of 90° so cardinal beams stay exact.
    c, s = round(c, 15), round(s, 15)
    a, b = [(1, 2), (2, 0), (0, 1)][axis]
    m = np.eye(3)
    m[a, a], m[a, b], m[b, a], m[b, b] = c, -s, s, c
    return m


def _apply(matrix: FloatArray, vectors: FloatArray) -> FloatArray:
    """``vectors @ matrix.T`` for ``(..., 3)`` arrays, column by column.

    numpy's matmul with an inner dimension of 3 is slow for millions of points;
    three multiply-adds per output axis are several times faster.
    """
    out = np.empty(np.broadcast_shapes(vectors.shape, (3,)), dtype=np.float64)
    for row in range(3):
        m = matrix[row]
        out[..., row] = vectors[..., 0] * m[0] + vectors[..., 1] * m[1] + vectors[..., 2] * m[2]
    return out


def rotation_x(angle_deg: float) -> FloatArray:
    """Right-handed rotation matrix about ``X`` by ``angle_deg`` degrees."""
    return _rotation(0, angle_deg)


def rotation_y(angle_deg: float) -> FloatArray:
    """Right-handed rotation matrix about ``Y`` by ``angle_deg`` degrees."""
    return _rotation(1, angle_deg)


def rotation_z(angle_deg: float) -> FloatArray:
    """Right-handed rotation matrix about ``Z`` by ``angle_deg`` degrees."""
    return _rotation(2, angle_deg)


@dataclass(frozen=True)
class BeamGeometry:
    """One beam direction: the machine angles, the isocentre and the patient position.

    Parameters
    ----------
    gantry_deg, collimator_deg, couch_deg : float
        Gantry Angle, Beam Limiting Device Angle and Patient Support Angle (degrees).
    isocenter_mm : array_like, (3,)
        Isocenter Position in DICOM patient ``(x, y, z)`` mm.
    sad_mm : float
        Source-axis distance (Source-Axis Distance / Radiation Machine SAD), mm.
    patient_position : str
        DICOM Patient Position (``"HFS"``, ``"FFP"``, ...).
    table_top_pitch_deg, table_top_roll_deg : float
        Table Top Pitch and Roll Angles (degrees); usually zero.
    sad_y_mm : float or None
        A second virtual source distance along ``Yg`` when it differs from the one
        along ``Xg`` (``sad_mm``): scanned ion beams bend in X and in Y with two
        magnets at different heights (Virtual Source-Axis Distances). ``None``: one
        point source, ``sad_mm`` on both axes.
    """

    gantry_deg: float
    collimator_deg: float = 0.0
    couch_deg: float = 0.0
    isocenter_mm: tuple[float, float, float] = (0.0, 0.0, 0.0)
    sad_mm: float = 1000.0
    patient_position: str = "HFS"
    table_top_pitch_deg: float = 0.0
    table_top_roll_deg: float = 0.0
    sad_y_mm: float | None = None

    def __post_init__(self) -> None:
        if self.patient_position not in PATIENT_ORIENTATION:
            raise ValueError(
                f"patient_position must be one of {sorted(PATIENT_ORIENTATION)}, "
                f"got {self.patient_position!r}"
            )
        if not self.sad_mm > 0:
            raise ValueError(f"sad_mm must be positive, got {self.sad_mm}")
        if self.sad_y_mm is not None and not self.sad_y_mm > 0:
            raise ValueError(f"sad_y_mm must be positive, got {self.sad_y_mm}")
        iso = tuple(float(v) for v in np.asarray(self.isocenter_mm, dtype=float).reshape(3))
        object.__setattr__(self, "isocenter_mm", iso)

    # -- rotation chain ---------------------------------------------------------
    def _fixed_from_patient(self) -> FloatArray:
        """3x3 matrix taking patient-axis vectors to fixed-system vectors."""
        table_from_patient = PATIENT_ORIENTATION[self.patient_position].T
        support_from_table = rotation_x(self.table_top_pitch_deg) @ rotation_y(
            self.table_top_roll_deg
        )
        fixed_from_support = rotation_z(self.couch_deg)
        return fixed_from_support @ support_from_table @ table_from_patient

    def _bld_from_fixed(self) -> FloatArray:
        """3x3 matrix taking fixed-system vectors to beam-limiting-device vectors."""
        fixed_from_gantry = rotation_y(self.gantry_deg)
        gantry_from_bld = rotation_z(self.collimator_deg)
        return (fixed_from_gantry @ gantry_from_bld).T

    def bld_from_patient_matrix(self) -> FloatArray:
        """The 3x3 rotation taking patient-axis vectors to ``(Xb, Yb, Zb)`` vectors (read-only)."""
        return self._bld_from_patient

    def gantry_from_patient_matrix(self) -> FloatArray:
        """The 3x3 rotation taking patient-axis vectors to gantry ``(Xg, Yg, Zg)`` vectors.

        Read-only: one array made once, shared by every caller.
        """
        return self._gantry_from_patient

    # The geometry is frozen: its rotations are made once. A slice view maps each beam's
    # aperture, source and axis through them at every slice step (six beams: some 40
    # chains of five rotations a step when they were made at each call).
    @functools.cached_property
    def _bld_from_patient(self) -> FloatArray:
        return _read_only(self._bld_from_fixed() @ self._fixed_from_patient())

    @functools.cached_property
    def _gantry_from_patient(self) -> FloatArray:
        return _read_only(rotation_y(self.gantry_deg).T @ self._fixed_from_patient())

    # -- points -----------------------------------------------------------------
    def patient_to_bld(self, points_mm: ArrayLike) -> FloatArray:
        """Map patient points to the beam limiting device system.

        Parameters
        ----------
        points_mm : array_like, (..., 3)
            DICOM patient ``(x, y, z)`` in mm.

        Returns
        -------
        ndarray, (..., 3)
            ``(Xb, Yb, Zb)`` in mm, origin at the isocentre, ``+Zb`` towards the source.
        """
        p = np.asarray(points_mm, dtype=np.float64) - np.asarray(self.isocenter_mm)
        return _apply(self.bld_from_patient_matrix(), p)

    def bld_to_patient(self, points_bld_mm: ArrayLike) -> FloatArray:
        """Map ``(Xb, Yb, Zb)`` points (mm) back to DICOM patient ``(x, y, z)`` mm."""
        b = np.asarray(points_bld_mm, dtype=np.float64)
        patient: FloatArray = _apply(self.bld_from_patient_matrix().T, b) + np.asarray(
            self.isocenter_mm)
        return patient

    def patient_to_gantry(self, points_mm: ArrayLike) -> FloatArray:
        """Map patient points (mm, ``(..., 3)``) to the gantry system ``(Xg, Yg, Zg)``."""
        p = np.asarray(points_mm, dtype=np.float64) - np.asarray(self.isocenter_mm)
        return _apply(self.gantry_from_patient_matrix(), p)

    def gantry_to_patient(self, points_gantry_mm: ArrayLike) -> FloatArray:
        """Map gantry-system points ``(Xg, Yg, Zg)`` mm to DICOM patient ``(x, y, z)`` mm."""
        g = np.asarray(points_gantry_mm, dtype=np.float64)
        patient: FloatArray = _apply(self.gantry_from_patient_matrix().T, g) + np.asarray(
            self.isocenter_mm)
        return patient

    @property
    def source_mm(self) -> FloatArray:
        """The radiation source position in DICOM patient ``(x, y, z)`` mm.

        With two virtual sources (``sad_y_mm``) the X one; rays: :meth:`ray_origins_mm`.
        """
        return self.bld_to_patient([0.0, 0.0, self.sad_mm])

    @property
    def beam_direction(self) -> FloatArray:
        """Unit vector from the source towards the isocentre, in patient axes."""
        d = np.asarray(self.isocenter_mm) - self.source_mm
        return d / np.linalg.norm(d)

    def project_to_plane(
        self, points_mm: ArrayLike, *, distance_from_source_mm: float | None = None,
        frame: str = "bld",
    ) -> FloatArray:
        """Project patient points through the source onto a plane normal to the beam axis.

        Parameters
        ----------
        points_mm : array_like, (..., 3)
            DICOM patient ``(x, y, z)`` in mm.
        distance_from_source_mm : float, optional
            Where the plane lies along the central axis, measured from the source;
            the isocentre plane (``sad_mm``) by default, the SID for an RT Image.
        frame : {"bld", "gantry"}
            Express the result in beam-limiting-device axes (``Xb``, ``Yb``; jaws and
            MLC) or gantry axes (``Xg``, ``Yg``; an image receptor at angle 0).

        Returns
        -------
        ndarray, (..., 2)
            In-plane ``(X, Y)`` mm. Points at or behind the source give ``nan``.
        """
        if frame not in ("bld", "gantry"):
            raise ValueError(f"frame must be 'bld' or 'gantry', got {frame!r}")
        sid = self.sad_mm if distance_from_source_mm is None else float(distance_from_source_mm)
        if self.sad_y_mm is not None and self.sad_y_mm != self.sad_mm:
            return self._project_two_sources(points_mm, sid, frame)
        q = self.patient_to_bld(points_mm) if frame == "bld" else self.patient_to_gantry(
            points_mm
        )
        depth = self.sad_mm - q[..., 2]  # distance from the source along the axis
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.where(depth > 0, sid / depth, np.nan)
        return q[..., :2] * scale[..., None]

    @property
    def sad_xy_mm(self) -> tuple[float, float]:
        """Source distances along ``Xg`` and ``Yg`` (equal for a point source), mm."""
        return self.sad_mm, self.sad_mm if self.sad_y_mm is None else self.sad_y_mm

    def _project_two_sources(self, points_mm: ArrayLike, sid: float, frame: str) -> FloatArray:
        """Projection with a virtual source per gantry axis (the plane at ``sid`` from X's)."""
        q = self.patient_to_gantry(points_mm)
        plane_z = self.sad_mm - sid  # the plane's height above the isocentre
        out = np.empty(q.shape[:-1] + (2,))
        with np.errstate(divide="ignore", invalid="ignore"):
            for axis, sad in enumerate(self.sad_xy_mm):
                depth = sad - q[..., 2]
                out[..., axis] = np.where(depth > 0, q[..., axis] * (sad - plane_z) / depth,
                                          np.nan)
        if frame == "gantry":
            return out
        # gantry → BLD in the plane: turn back by the collimator angle
        return out @ rotation_z(self.collimator_deg)[:2, :2]

    def ray_origins_mm(self, points_mm: ArrayLike) -> FloatArray:
        """A point upstream on the ray through each patient point (patient mm, ``(..., 3)``).

        With one source this is the source; with two virtual sources (``sad_y_mm``)
        each ray is still a straight line, through ``(0, y', sad_x)`` and
        ``(x', 0, sad_y)`` in gantry axes, where ``(x', y')`` is the point's
        projection at the isocentre plane.
        """
        p = np.asarray(points_mm, dtype=np.float64)
        if self.sad_y_mm is None or self.sad_y_mm == self.sad_mm:
            return np.broadcast_to(self.source_mm, p.shape).copy()
        xy = self.project_to_plane(p, frame="gantry")
        top = max(self.sad_xy_mm)
        origin = np.stack([xy[..., 0] * (1.0 - top / self.sad_mm),
                           xy[..., 1] * (1.0 - top / self.sad_xy_mm[1]),
                           np.full(xy.shape[:-1], top)], axis=-1)
        return self.gantry_to_patient(origin)

    def plane_to_patient(
        self, xy_mm: ArrayLike, *, distance_from_source_mm: float | None = None,
        frame: str = "bld",
    ) -> FloatArray:
        """Patient position of in-plane points ``(X, Y)`` on a plane normal to the axis.

        The inverse of :meth:`project_to_plane` for points lying on the plane itself.
        """
        if frame not in ("bld", "gantry"):
            raise ValueError(f"frame must be 'bld' or 'gantry', got {frame!r}")
        sid = self.sad_mm if distance_from_source_mm is None else float(distance_from_source_mm)
        xy = np.asarray(xy_mm, dtype=np.float64)
        z = np.full(xy.shape[:-1] + (1,), self.sad_mm - sid)
        q = np.concatenate([xy, z], axis=-1)
        return self.bld_to_patient(q) if frame == "bld" else self.gantry_to_patient(q)


def _read_only(matrix: FloatArray) -> FloatArray:
    """``matrix``, no longer writeable (a cached rotation is shared by every caller)."""
    matrix.flags.writeable = False
    return matrix
