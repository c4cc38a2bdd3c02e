"""Digitally reconstructed radiographs: rays from the source through the CT to an image plane.

The image lies in the IEC X-ray image receptor plane at ``SID`` from the source,
receptor angle 0, i.e. axes ``Xg`` (columns, left → right) and ``Yg`` (rows run
towards ``-Yg``). :class:`ImagePlane` is the single place that maps pixels to plane
millimetres, so the DICOM RT Image Position written and the rays cast agree; the rays
are cast by the viewer's own :func:`rtviewer.core.drr.ray_integrals`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rtviewer.core.drr import ray_integrals
from rtviewer.core.grid import Grid
from rtviewer.core.iec61217 import BeamGeometry
from rtviewer.demo.phantom import CtGeometry

__all__ = ["ImagePlane", "attenuation_kv", "attenuation_mv", "line_integrals",
           "patient_orientation"]

FloatArray = NDArray[np.float64]

_STEP_MM = 1.5


@dataclass(frozen=True)
class ImagePlane:
    """An RT Image plane: ``rows x columns`` pixels of ``pixel_mm`` at ``sid_mm``, centred."""

    rows: int
    columns: int
    pixel_mm: float
    sid_mm: float

    @property
    def position_mm(self) -> tuple[float, float]:
        """RT Image Position: ``(X, Y)`` of the centre of the top-left pixel."""
        return (-(self.columns - 1) / 2 * self.pixel_mm, (self.rows - 1) / 2 * self.pixel_mm)

    def pixel_to_plane(self, row: ArrayLike, column: ArrayLike) -> FloatArray:
        """Plane ``(X, Y)`` mm of (fractional) pixel indices; ``(..., 2)``."""
        x0, y0 = self.position_mm
        return np.stack([x0 + np.asarray(column) * self.pixel_mm,
                         y0 - np.asarray(row) * self.pixel_mm], axis=-1)


def _letters(direction: FloatArray) -> str:
    names = (("L", "R"), ("P", "A"), ("H", "F"))
    order = np.argsort(-np.abs(direction), kind="stable")
    return "".join(names[a][0 if direction[a] > 0 else 1] for a in order
                   if abs(direction[a]) > 1e-6)


def patient_orientation(geometry: BeamGeometry) -> tuple[str, str]:
    """Patient Orientation of an RT Image (receptor angle 0): row, then column direction.

    Columns increase along ``+Xg``, rows along ``-Yg``; each is named by the patient
    directions it points to, most significant first (e.g. ``("L", "F")`` for HFS gantry 0).
    """
    m = geometry.gantry_from_patient_matrix()  # rows: Xg, Yg, Zg in patient axes
    return _letters(m[0]), _letters(-m[1])


def attenuation_kv(hu: NDArray[np.float32]) -> NDArray[np.float32]:
    """Linear attenuation (1/mm) at ~70 keV from HU: μ_water (1 + HU/1000)."""
    return np.clip(0.0193 * (1.0 + hu / 1000.0), 0.0, None).astype(np.float32)


def attenuation_mv(hu: NDArray[np.float32]) -> NDArray[np.float32]:
    """Linear attenuation (1/mm) at ~2 MeV: electron density, bone contrast flattened."""
    density = np.where(hu > 0, 1.0 + hu / 1950.0, 1.0 + hu / 1000.0)
    return np.clip(0.0049 * density, 0.0, None).astype(np.float32)


def line_integrals(mu: NDArray[np.float32], ct: CtGeometry, geometry: BeamGeometry,
                   plane: ImagePlane) -> FloatArray:
    """∫ μ dl (dimensionless) along the ray from the source to every pixel, ``[rows, cols]``.

    The viewer's ray caster (:func:`rtviewer.core.drr.ray_integrals`), sampling every
    1.5 mm; outside the CT is air. The phantom's air is exactly -1000 HU (no noise), so
    nothing outside its body attenuates.
    """
    rows, cols = np.meshgrid(np.arange(plane.rows), np.arange(plane.columns), indexing="ij")
    xy = plane.pixel_to_plane(rows.ravel(), cols.ravel())
    targets = geometry.plane_to_patient(xy, distance_from_source_mm=plane.sid_mm, frame="gantry")
    grid = Grid.from_dicom_geometry(
        image_position_mm=ct.origin_mm, image_orientation=(1, 0, 0, 0, 1, 0),
        pixel_spacing_mm=(ct.pixel_mm, ct.pixel_mm), slice_step_mm=(0, 0, ct.slice_mm),
        shape=ct.shape)
    out = ray_integrals(mu, grid, geometry.source_mm, targets, step_mm=_STEP_MM)
    return out.reshape(plane.rows, plane.columns)
