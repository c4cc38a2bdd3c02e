"""Digitally reconstructed radiographs: rays from the source through a CT volume.

:func:`ray_integrals` is the one ray caster (the viewer's beam's-eye view and the demo's
RT Images both use it): each ray from the source through a target point is clipped to
the CT's box and sampled at equal steps (nearest voxel: a DRR for checking field
placement needs no sub-voxel accuracy, and nearest sampling keeps a 256² DRR of a
512²×150 CT near a second here). :func:`drr` puts the targets on a detector grid at the
isocentre plane (beam limiting device ``(Xb, Yb)`` mm) with attenuation linear in CT
number, ``μ/μ_water = max(0, 1 + HU/1000)``: the result is the water-equivalent path
length in mm.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from rtviewer.core.grid import Grid
from rtviewer.core.iec61217 import BeamGeometry

__all__ = ["drr", "ray_integrals"]

FloatArray = NDArray[np.float64]

_CHUNK_RAYS = 1024


def _ray_box(start: FloatArray, step: FloatArray, shape_ijk: FloatArray) -> FloatArray:
    """Entry and exit ``t`` (fractions of ``step``) of rays in index space, ``(N, 2)``."""
    low, high = np.full(3, -0.5), shape_ijk - 0.5
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = (low - start) / step
        t2 = (high - start) / step
    t_near = np.where(step == 0, np.where((start >= low) & (start <= high), -np.inf, np.inf),
                      np.minimum(t1, t2))
    t_far = np.where(step == 0, np.where((start >= low) & (start <= high), np.inf, -np.inf),
                     np.maximum(t1, t2))
    return np.column_stack([np.max(t_near, axis=1), np.min(t_far, axis=1)])


def drr(volume_hu: NDArray[np.floating], grid: Grid, geometry: BeamGeometry,
        xb_mm: ArrayLike, yb_mm: ArrayLike, *, step_mm: float | None = None) -> FloatArray:
    """Ray-cast a DRR through a CT on a detector grid at the isocentre plane.

    Parameters
    ----------
    volume_hu : ndarray, (nk, nj, ni)
        CT numbers (HU), indexed ``[k, j, i]`` as ``grid``.
    grid : Grid
        Voxel-centre geometry of the CT.
    geometry : BeamGeometry
        Source and beam axes (IEC 61217).
    xb_mm, yb_mm : array_like, (nx,) and (ny,)
        Detector pixel centres along ``Xb`` (columns) and ``Yb`` (rows), mm at the
        isocentre plane.
    step_mm : float, optional, keyword-only
        Sampling step along each ray; half the smallest voxel spacing by default.

    Returns
    -------
    ndarray, (ny, nx)
        Water-equivalent path length (mm) per pixel; row ``r`` is ``yb_mm[r]``.
    """
    if volume_hu.ndim != 3 or tuple(volume_hu.shape) != grid.shape:
        raise ValueError(f"volume_hu shape {volume_hu.shape} does not match {grid.shape}")
    xs, ys = np.asarray(xb_mm, dtype=np.float64), np.asarray(yb_mm, dtype=np.float64)
    step = float(step_mm) if step_mm is not None else 0.5 * min(grid.spacing_mm)
    xx, yy = np.meshgrid(xs, ys)
    targets = geometry.bld_to_patient(np.column_stack([xx.ravel(), yy.ravel(),
                                                       np.zeros(xx.size)]))
    sources = geometry.ray_origins_mm(targets)  # one source, or two virtual ones (ions)
    # HU -> mu per sample, never for the whole volume: a float32 mu of a 1000-slice int16
    # CT would be 1 GB beside its 500 MB
    out = ray_integrals(volume_hu, grid, sources, targets, step_mm=step,
                        per_sample=_relative_attenuation)
    return out.reshape(ys.size, xs.size)


def _attenuation_table() -> NDArray[np.float32]:
    """``μ/μ_water`` of every int16 CT number, indexed by the number's uint16 bit pattern."""
    hu = np.arange(65536, dtype=np.uint16).view(np.int16)
    table: NDArray[np.float32] = np.maximum(np.float32(0.0),
                                            np.float32(1.0) + hu.astype(np.float32) / 1000.0)
    return table


_INT16_ATTENUATION = _attenuation_table()


def _relative_attenuation(hu: NDArray[np.generic]) -> NDArray[np.float32]:
    """``μ/μ_water = max(0, 1 + HU/1000)``, in float32.

    An int16 CT (the usual volume) is looked up in a 64 k table: one gather per sample
    rather than four passes of float arithmetic over every sample of every ray.
    """
    if hu.dtype == np.int16:
        looked_up: NDArray[np.float32] = _INT16_ATTENUATION[
            np.ascontiguousarray(hu).view(np.uint16)]
        return looked_up
    mu: NDArray[np.float32] = np.maximum(np.float32(0.0),
                                         np.float32(1.0) + hu.astype(np.float32) / 1000.0)
    return mu


def ray_integrals(mu: NDArray[np.generic], grid: Grid, sources_mm: ArrayLike,
                  targets_mm: ArrayLike, *, step_mm: float,
                  per_sample: Callable[[NDArray[np.generic]], NDArray[np.floating]] | None = None,
                  ) -> FloatArray:
    """Line integrals of ``mu`` along the rays from the source through each target.

    Parameters
    ----------
    mu : ndarray, (nk, nj, ni)
        The quantity to integrate per voxel (e.g. attenuation in 1/mm), indexed
        ``[k, j, i]`` as ``grid``; zero outside the grid.
    grid : Grid
        Voxel-centre geometry of ``mu``.
    sources_mm : array_like, (3,) or (N, 3)
        The source of every ray, or of each ray, patient ``(x, y, z)`` mm.
    targets_mm : array_like, (N, 3)
        A point of each ray, patient mm; the ray runs from its source through it to
        the far side of the grid.
    step_mm : float, keyword-only
        Sampling step along each ray (mm); samples sit at the middle of each step.
    per_sample : callable, optional, keyword-only
        Applied to the sampled voxel values before summing (e.g. HU to attenuation),
        so that ``mu`` can be the stored volume itself (any dtype) and is never
        converted whole. Without it ``mu`` is taken as float32.

    Returns
    -------
    ndarray, (N,)
        ``Σ mu · step_mm`` along each ray (``mu``'s unit times mm).
    """
    if not step_mm > 0:
        raise ValueError(f"step_mm must be positive, got {step_mm}")
    flat_mu = np.asarray(mu).ravel() if per_sample else np.asarray(mu, np.float32).ravel()
    targets = np.asarray(targets_mm, dtype=np.float64).reshape(-1, 3)
    sources = np.broadcast_to(np.asarray(sources_mm, dtype=np.float64), targets.shape)
    out = np.zeros(len(targets))
    for begin in range(0, len(targets), _CHUNK_RAYS):
        chunk = slice(begin, begin + _CHUNK_RAYS)
        out[chunk] = _integrate(flat_mu, grid, sources[chunk], targets[chunk], step_mm,
                                per_sample)
    return out


def _integrate(mu: NDArray[np.generic], grid: Grid, sources: FloatArray, targets: FloatArray,
               step: float,
               per_sample: Callable[[NDArray[np.generic]], NDArray[np.floating]] | None,
               ) -> FloatArray:
    """Line integrals of ``mu`` (flattened ``[k, j, i]``) along source→target rays, mm.

    ``sources`` and ``targets`` are ``(N, 3)`` patient mm, one ray each.  Sample ``s``
    of a ray sits ``enter + (s + ½)·step`` mm from its source and counts while inside
    the CT's box; its voxel is the nearest, ``⌊index + ½⌋``.
    """
    nk, nj, ni = grid.shape
    direction = targets - sources
    length = np.linalg.norm(direction, axis=1)
    unit = direction / length[:, None]
    start_ijk = grid.patient_to_index(sources)
    step_ijk = grid.patient_to_index(sources + unit) - start_ijk  # index change per mm
    bounds = _ray_box(start_ijk, step_ijk, np.array([ni, nj, nk], dtype=np.float64))
    enter, leave = np.maximum(bounds[:, 0], 0.0), bounds[:, 1]
    # samples inside: enter + (s + ½)·step < leave
    inside = np.maximum(np.ceil((leave - enter) / step - 0.5), 0.0).astype(np.intp)
    count = int(inside.max()) if len(inside) else 0
    if count == 0:
        return np.zeros(len(targets))
    # every sample of the chunk at once (rays x steps), in float32 and int32 where the
    # volume allows: numpy's passes over the samples, not arithmetic, are the cost
    s = np.arange(count, dtype=np.float32)[None, :]
    first = start_ijk + (enter + 0.5 * step)[:, None] * step_ijk + 0.5  # + ½: floor rounds
    per_step = step * step_ijk
    index_type: type[np.signedinteger[Any]] = np.int32 if mu.size < 2**31 else np.int64
    flat: NDArray[np.signedinteger[Any]] = np.zeros((len(targets), count), dtype=index_type)
    for axis, (size, stride) in enumerate(((ni, 1), (nj, ni), (nk, nj * ni))):
        position = s * per_step[:, axis:axis + 1].astype(np.float32)
        position += first[:, axis:axis + 1].astype(np.float32)
        index: NDArray[np.signedinteger[Any]] = position.astype(index_type)  # ≥ 0: floor
        np.clip(index, 0, size - 1, out=index)  # samples past the exit are dropped below
        flat += index if stride == 1 else index * index_type(stride)
    samples = mu[flat]
    values = samples if per_sample is None else per_sample(samples)
    values = np.where(np.arange(count)[None, :] < inside[:, None], values, 0.0)
    total: FloatArray = values.sum(axis=1, dtype=np.float64) * step
    return total
