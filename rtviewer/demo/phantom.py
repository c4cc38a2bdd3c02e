"""A phantom: tissues painted into a CT grid and the ROIs contoured from them."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from rtviewer.demo.shapes import Ellipsoid

__all__ = ["CtGeometry", "Phantom", "RoiSpec", "Tissue", "paint_ct"]


@dataclass(frozen=True)
class Tissue:
    """A shape filled with one CT number; painted in list order (later wins).

    ``z_period_mm``/``z_on_mm`` make it periodic along z (ribs, vertebrae): present
    where ``(z - z0) mod period < on``.
    """

    shape: Ellipsoid
    hu: float
    z_period_mm: float | None = None
    z_on_mm: float = 0.0
    z0_mm: float = 0.0

    def present_at(self, z_mm: float) -> bool:
        """Whether this tissue exists on the slice at ``z_mm``."""
        if self.z_period_mm is None:
            return True
        return bool((z_mm - self.z0_mm) % self.z_period_mm < self.z_on_mm)


@dataclass(frozen=True)
class RoiSpec:
    """An ROI of the structure set.

    ``shapes`` are contoured on every slice where they exist: one shape gives one
    contour per slice; a second shape nested inside the first gives a hole (a ring).
    ``point_mm`` makes a POINT ROI instead, ``polyline_mm`` one OPEN_NONPLANAR contour
    (an applicator channel).
    """

    number: int
    name: str
    color_rgb: tuple[int, int, int]
    interpreted_type: str
    shapes: tuple[Ellipsoid, ...] = ()
    point_mm: tuple[float, float, float] | None = None
    polyline_mm: tuple[tuple[float, float, float], ...] | None = None


@dataclass(frozen=True)
class CtGeometry:
    """An axial HFS CT grid: ``shape`` = (slices, rows, columns), first voxel centre, steps."""

    shape: tuple[int, int, int]
    origin_mm: tuple[float, float, float]
    pixel_mm: float
    slice_mm: float

    def axis_mm(self, axis: int) -> NDArray[np.float64]:
        """Voxel-centre coordinates along x (0), y (1) or z (2)."""
        n = self.shape[2 - axis]
        step = self.slice_mm if axis == 2 else self.pixel_mm
        return np.asarray(self.origin_mm[axis] + step * np.arange(n), dtype=np.float64)


@dataclass(frozen=True)
class Phantom:
    """Everything the generator needs to know about one synthetic patient's anatomy."""

    ct: CtGeometry
    tissues: tuple[Tissue, ...]
    rois: tuple[RoiSpec, ...]
    body: Ellipsoid
    #: (shape, relative electron density) of low-density regions, for radiological depth.
    inhomogeneities: tuple[tuple[Ellipsoid, float], ...] = field(default=())
    noise_hu: float = 8.0


def paint_ct(phantom: Phantom, rng: np.random.Generator) -> NDArray[np.float32]:
    """CT numbers (HU) of ``phantom`` on its grid, ``[k, j, i]``, with Gaussian noise.

    Voxels are painted by their centres (no partial volume); air is -1000 HU.
    """
    geo = phantom.ct
    xs, ys, zs = (geo.axis_mm(a) for a in range(3))
    hu = np.full(geo.shape, -1000.0, dtype=np.float32)
    for k, z in enumerate(zs):
        plane = hu[k]
        for tissue in phantom.tissues:
            sec = tissue.shape.section(float(z))
            if sec is None or not tissue.present_at(float(z)):
                continue
            cx, cy, ax, ay = sec
            i0, i1 = np.searchsorted(xs, [cx - ax, cx + ax])
            j0, j1 = np.searchsorted(ys, [cy - ay, cy + ay])
            dx = ((xs[i0:i1] - cx) / ax) ** 2
            dy = ((ys[j0:j1] - cy) / ay) ** 2
            mask = dy[:, None] + dx[None, :] <= 1.0
            plane[j0:j1, i0:i1][mask] = tissue.hu
    body = hu > -950  # noise only inside the patient: air stays clean, as on a scanner
    hu[body] += rng.normal(0.0, phantom.noise_hu, size=int(body.sum())).astype(np.float32)
    return hu
