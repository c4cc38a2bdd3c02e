"""Agreement of two delineations of one structure: volumes, Dice, surface distances.

Both solids (any structure model, :mod:`rtviewer.core.structure_model`) are sampled on
one axis-aligned grid of ``voxel_mm`` covering both; the surface of a mask is its voxels
with a neighbour outside (6-connectivity), and the distance from each surface voxel of
one to the nearest surface voxel of the other comes from SciPy's exact Euclidean
distance transform with the voxel spacing (the method of the DeepMind ``surface-distance``
and plastimatch tools; written here on SciPy because neither is packaged lightly).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rtviewer.core.grid import Grid
from rtviewer.core.rasterise import structure_mask
from rtviewer.core.slab_model import SlabModel
from rtviewer.core.structure_model import StructureModel, contains

__all__ = ["StructureAgreement", "compare_masks", "compare_structures"]


@dataclass(frozen=True)
class StructureAgreement:
    """How two delineations of one structure agree.

    Attributes
    ----------
    volume_a_cc, volume_b_cc : float
        Volumes (voxel count × voxel volume) in cm³.
    dice : float
        2 |A ∩ B| / (|A| + |B|), 0-1; NaN when both are empty.
    mean_surface_mm : float
        Mean of the distances from every surface voxel of A to B's surface and of B to
        A's (symmetric mean surface distance), mm.
    hausdorff95_mm : float
        Larger of the two directed 95th percentiles of those distances, mm.
    hausdorff_mm : float
        Larger of the two directed maxima (the Hausdorff distance), mm.
    voxel_mm : float
        Sampling step; surface distances are uncertain by about one step.
    """

    volume_a_cc: float
    volume_b_cc: float
    dice: float
    mean_surface_mm: float
    hausdorff95_mm: float
    hausdorff_mm: float
    voxel_mm: float

    @property
    def volume_difference_cc(self) -> float:
        """``volume_b_cc - volume_a_cc``."""
        return self.volume_b_cc - self.volume_a_cc


def compare_structures(a: StructureModel, b: StructureModel, points_a: NDArray[np.floating],
                       points_b: NDArray[np.floating], *, voxel_mm: float = 1.0,
                       margin_mm: float = 5.0) -> StructureAgreement:
    """Agreement of two solids sampled on one grid.

    Parameters
    ----------
    a, b : StructureModel
        The two solids (one Frame of Reference).
    points_a, points_b : (N, 3) ndarray
        Their contour points in patient ``(x, y, z)`` mm (for the common bounding box).
    voxel_mm : float, keyword-only
        Step of the sampling grid (isotropic), mm.
    margin_mm : float, keyword-only
        Margin around the contours' box (covers slab caps beyond the end contours).

    Returns
    -------
    StructureAgreement
    """
    points = np.vstack([np.asarray(points_a, float).reshape(-1, 3),
                        np.asarray(points_b, float).reshape(-1, 3)])
    low = points.min(axis=0) - margin_mm
    counts = np.ceil((points.max(axis=0) + margin_mm - low) / voxel_mm).astype(int) + 1
    affine = np.diag([voxel_mm, voxel_mm, voxel_mm, 1.0])
    affine[:3, 3] = low
    grid = Grid(affine=affine, shape=(int(counts[2]), int(counts[1]), int(counts[0])))
    return compare_masks(_mask(a, grid), _mask(b, grid), (voxel_mm, voxel_mm, voxel_mm))


def _mask(solid: StructureModel, grid: Grid) -> NDArray[np.bool_]:
    """Voxels of ``grid`` inside ``solid`` (slab model: scanline fill; else point tests)."""
    if isinstance(solid, SlabModel):
        return structure_mask(solid, grid).to_full()
    nk, nj, ni = grid.shape
    k, j, i = np.meshgrid(np.arange(nk), np.arange(nj), np.arange(ni), indexing="ij")
    centres = grid.index_to_patient(np.stack([i.ravel(), j.ravel(), k.ravel()], axis=1))
    inside: NDArray[np.bool_] = contains(solid, centres).reshape(grid.shape)
    return inside


def compare_masks(mask_a: NDArray[np.bool_], mask_b: NDArray[np.bool_],
                  spacing_kji_mm: Sequence[float]) -> StructureAgreement:
    """Agreement of two boolean masks on one grid.

    Parameters
    ----------
    mask_a, mask_b : (nk, nj, ni) bool ndarray
        The two masks, indexed ``[k, j, i]``.
    spacing_kji_mm : sequence of 3 float
        Voxel steps along ``k, j, i`` in mm.

    Returns
    -------
    StructureAgreement
    """
    a, b = np.asarray(mask_a, bool), np.asarray(mask_b, bool)
    spacing = tuple(float(s) for s in spacing_kji_mm)
    voxel_cc = math.prod(spacing) / 1000.0
    n_a, n_b = int(a.sum()), int(b.sum())
    dice = 2 * int(np.count_nonzero(a & b)) / (n_a + n_b) if n_a + n_b else math.nan
    if n_a == 0 or n_b == 0:
        nan = math.nan
        return StructureAgreement(n_a * voxel_cc, n_b * voxel_cc, dice, nan, nan, nan,
                                  min(spacing))
    a_to_b, b_to_a = _directed_distances(a, b, spacing), _directed_distances(b, a, spacing)
    pooled = np.concatenate([a_to_b, b_to_a])
    return StructureAgreement(
        volume_a_cc=n_a * voxel_cc, volume_b_cc=n_b * voxel_cc, dice=dice,
        mean_surface_mm=float(pooled.mean()),
        hausdorff95_mm=float(max(np.percentile(a_to_b, 95), np.percentile(b_to_a, 95))),
        hausdorff_mm=float(max(a_to_b.max(), b_to_a.max())), voxel_mm=min(spacing))


def _surface(mask: NDArray[np.bool_]) -> NDArray[np.bool_]:
    """Voxels of ``mask`` with a 6-neighbour outside it (the grid's border counts as outside)."""
    from scipy import ndimage  # here: the window imports this module at start-up

    inner = ndimage.binary_erosion(mask, structure=ndimage.generate_binary_structure(3, 1),
                                   border_value=0)
    surface: NDArray[np.bool_] = mask & ~inner
    return surface


def _directed_distances(source: NDArray[np.bool_], target: NDArray[np.bool_],
                        spacing: tuple[float, ...]) -> NDArray[np.float64]:
    """Distance (mm) from each surface voxel of ``source`` to the surface of ``target``."""
    from scipy import ndimage  # here, as in _surface

    to_target = ndimage.distance_transform_edt(~_surface(target), sampling=spacing)
    distances: NDArray[np.float64] = np.asarray(to_target[_surface(source)], dtype=np.float64)
    return distances
